"""Read-only queries: the engine refuses every write, on DuckDB and PostgreSQL, and the data stays."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from steward.warehouse import Warehouse, WarehouseError, connect
from steward.warehouse import _base as base
from steward.warehouse._url import duckdb_path

KEY = {"dataset": "leads", "partition_date": date(2026, 11, 20)}

#: Statements that would change the warehouse (or write files); none may succeed read-only.
WRITES = [
    "drop table quarantine",
    "DELETE FROM quarantine",
    "update quarantine set reason = 'x'",
    "insert into quarantine (dataset, partition_date, reason) values ('a', date '2026-01-01', 'r')",
    "create table intruder (x integer)",
    "alter table quarantine add column intruder integer",
    "truncate quarantine",
    "select 1; drop table quarantine",
    "select 1 as one; delete from quarantine",
    "commit; drop table quarantine",
    "commit; set transaction read write; drop table quarantine",
    "rollback; begin; drop table quarantine; commit",
    "/* comment; */ drop table quarantine -- trailing",
    "with gone as (delete from quarantine returning *) select count(*) from gone",
    "explain analyze delete from quarantine",
]


def _rows(wh: Warehouse) -> list[dict[str, object]]:
    return wh.fetch("select dataset, partition_date, reason from quarantine order by dataset")


@pytest.fixture
def filled(warehouse: Warehouse) -> Warehouse:
    warehouse.replace_partition("quarantine", KEY, [{"reason": "nulls in score"}])
    return warehouse


def test_a_query_runs(filled: Warehouse) -> None:
    rows = filled.fetch("select reason from quarantine where dataset = :d", {"d": "leads"}, read_only=True)
    assert rows == [{"reason": "nulls in score"}]


@pytest.mark.parametrize("sql", WRITES)
def test_writes_are_refused_and_the_data_stays(filled: Warehouse, sql: str) -> None:
    before = _rows(filled)
    columns = filled.columns("quarantine")
    with pytest.raises(WarehouseError, match="read-only query failed"):
        filled.fetch(sql, read_only=True)
    assert (
        _rows(filled)
        == before
        == [{"dataset": "leads", "partition_date": date(2026, 11, 20), "reason": "nulls in score"}]
    )
    assert filled.columns("quarantine") == columns
    assert not filled.table_exists("intruder")


@pytest.mark.parametrize("sql", WRITES)
def test_the_engine_refuses_writes_without_the_text_check(
    filled: Warehouse, sql: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The text check only makes the message friendlier: with it switched off, the engine still refuses.
    monkeypatch.setattr(base, "read_only_refusal", lambda _sql: None)
    before = _rows(filled)
    columns = filled.columns("quarantine")
    with pytest.raises(WarehouseError, match="read-only query failed"):
        filled.fetch(sql, read_only=True)
    assert _rows(filled) == before
    assert filled.columns("quarantine") == columns
    assert not filled.table_exists("intruder")


def test_duckdb_read_only_cannot_write_files_or_attach(
    duckdb_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base, "read_only_refusal", lambda _sql: None)
    with connect(duckdb_url) as wh:
        wh.migrate()
        for sql in [
            f"copy quarantine to '{tmp_path / 'out.csv'}'",
            f"export database '{tmp_path / 'export'}'",
            f"attach '{tmp_path / 'other.duckdb'}' as other",
            "set enable_external_access = true",
            f"set profiling_output = '{tmp_path / 'profile.json'}'",
            "pragma force_checkpoint",
            "install httpfs",
        ]:
            with pytest.raises(WarehouseError, match="read-only query failed"):
                wh.fetch(sql, read_only=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["warehouse"]


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("drop table quarantine", "DROP is not a query"),
        ("  Delete from quarantine", "DELETE is not a query"),
        ("select 1; drop table quarantine", "several statements (2)"),
        ("select ';' as a; select 2", "several statements (2)"),
        ("-- only a comment", "no SQL statement"),
        ("pragma force_checkpoint", "PRAGMA is not a query"),
        ("copy quarantine to 'x.csv'", "COPY is not a query"),
        ("attach 'x.duckdb'", "ATTACH is not a query"),
    ],
)
def test_text_check_names_the_problem(sql: str, reason: str) -> None:
    refusal = base.read_only_refusal(sql)
    assert refusal is not None
    assert reason in refusal


@pytest.mark.parametrize(
    "sql",
    [
        "select 1",
        "select 1;",
        "  WITH a AS (select 1 as x) select * from a",
        "select 'drop; delete' as text",
        'select 1 as "a;b"',
        "select $$; drop table x$$",
        "/* drop table x; */ select 1 -- ; delete",
        "values (1), (2)",
        "describe quarantine",
        "(select 1) union all (select 2)",
        "from quarantine select reason",
        "pivot quarantine on dataset using count(*)",
    ],
)
def test_text_check_lets_queries_through(sql: str) -> None:
    assert base.read_only_refusal(sql) is None


def test_missing_duckdb_file_is_explained_and_not_created(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.duckdb"
    with pytest.raises(WarehouseError, match=r"the DuckDB file .*nowhere.duckdb does not exist") as info:
        connect(f"duckdb:///{path}").fetch("select 1", read_only=True)
    assert "steward warehouse migrate" in str(info.value)
    assert not path.exists()


WRITER = (
    "import duckdb, sys, time\n"
    "con = duckdb.connect(sys.argv[1])\n"
    "print('locked', flush=True)\n"
    "time.sleep(60)\n"
)


def test_file_held_by_a_writer_is_explained(duckdb_url: str) -> None:
    with connect(duckdb_url) as wh:
        wh.migrate()
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, duckdb_path(duckdb_url)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(WarehouseError, match="another process is writing to the DuckDB file") as info:
            connect(duckdb_url, lock_timeout_s=0.3).fetch("select 1", read_only=True)
    finally:
        proc.kill()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()
    assert "query again once that process" in str(info.value)
