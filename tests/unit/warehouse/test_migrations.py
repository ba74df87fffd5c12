"""Versioned DDL: applied once, in order, each in its own transaction, never edited after."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from steward import paths
from steward.warehouse import MIGRATIONS_TABLE, Warehouse, WarehouseError, connect, read_sql

FOUNDATION_TABLES = ["audit_log", "dq_results", "dq_runs", "quarantine"]

# How each engine lists indexes: the only backend-specific SQL in these tests.
INDEX_SQL = {
    "duckdb": "select index_name from duckdb_indexes() where table_name = :table",
    "postgres": "select indexname as index_name from pg_indexes where tablename = :table",
}


@pytest.fixture
def ddl_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "ddl"
    folder.mkdir()
    (folder / "0001_first.sql").write_text("create table first_t (id integer primary key, label text);\n")
    return folder


def _shipped() -> list[Path]:
    return sorted((paths.sql_dir() / "ddl").glob("*.sql"))


def test_shipped_ddl_migrates_once_and_is_recorded(warehouse_url: str) -> None:
    files = _shipped()
    assert [f.name[:4] for f in files][:6] == ["0001", "0002", "0003", "0004", "0005", "0006"]
    with connect(warehouse_url) as wh:
        assert wh.migrate() == [f.name[:4] for f in files]
        assert wh.migrate() == []
        recorded = wh.fetch(
            f"select version, name, checksum, applied_at from {MIGRATIONS_TABLE} order by version"
        )
    assert [(r["version"], r["name"], r["checksum"]) for r in recorded] == [
        (f.name[:4], f.stem[5:], hashlib.sha256(f.read_bytes()).hexdigest()) for f in files
    ]
    assert all(r["applied_at"] is not None for r in recorded)


def test_foundation_tables_columns_and_index(warehouse: Warehouse) -> None:
    for table in FOUNDATION_TABLES:
        assert warehouse.table_exists(table), table
    assert warehouse.columns("dq_runs") == [
        "dataset", "partition_date", "suite", "status", "row_count", "expectations_evaluated",
        "expectations_failed", "critical_failed", "warning_failed", "error_message", "source_files",
        "report_path", "duration_s", "run_id", "validated_at",
    ]  # fmt: skip
    assert warehouse.columns("quarantine") == [
        "dataset", "partition_date", "reason", "failed_expectations_json", "run_id", "quarantined_at",
    ]  # fmt: skip
    assert len(warehouse.columns("dq_results")) == 17  # + unexpected_sample_json (0012)
    assert len(warehouse.columns("audit_log")) == 9  # + attempt (0011)
    indexes = warehouse.fetch(INDEX_SQL[warehouse.backend], {"table": "dq_results"})
    assert "dq_results_dataset_partition_idx" in {r["index_name"] for r in indexes}


def test_primary_keys_hold(warehouse: Warehouse) -> None:
    insert = (
        "insert into audit_log (event_id, occurred_at, action) "
        "values ('e1', timestamptz '2026-11-20 00:00:00+00', 'quarantine')"
    )
    warehouse.execute(insert)
    with pytest.raises(WarehouseError, match="audit_log"):
        warehouse.execute(insert)
    assert warehouse.fetch("select count(*) as n from audit_log") == [{"n": 1}]


def test_new_files_apply_in_order(warehouse_url: str, ddl_dir: Path) -> None:
    with connect(warehouse_url) as wh:
        assert wh.migrate(ddl_dir) == ["0001"]
        (ddl_dir / "0003_third.sql").write_text("insert into first_t (id, label) values (3, 'third');\n")
        (ddl_dir / "0002_second.sql").write_text(
            "alter table first_t add column extra_usd double precision;\n"
        )
        assert wh.migrate(ddl_dir) == ["0002", "0003"]
        assert wh.columns("first_t") == ["id", "label", "extra_usd"]
        assert wh.fetch(f"select version from {MIGRATIONS_TABLE} order by version") == [
            {"version": v} for v in ("0001", "0002", "0003")
        ]


def test_changed_checksum_is_refused(warehouse_url: str, ddl_dir: Path) -> None:
    with connect(warehouse_url) as wh:
        wh.migrate(ddl_dir)
        (ddl_dir / "0001_first.sql").write_text(
            "create table first_t (id integer primary key, label text);\ncreate table sneaky (x integer);\n"
        )
        with pytest.raises(WarehouseError, match="do not edit applied migrations; add a new file") as info:
            wh.migrate(ddl_dir)
        assert "0001_first.sql" in str(info.value)
        assert not wh.table_exists("sneaky")


def test_failed_migration_is_rolled_back_and_can_be_fixed(warehouse_url: str, ddl_dir: Path) -> None:
    broken = ddl_dir / "0002_broken.sql"
    broken.write_text(
        "create table half_done (x integer);\ncreate table oops (x integer, y nonexistent_type);\n"
    )
    with connect(warehouse_url) as wh:
        with pytest.raises(WarehouseError, match=r"0002_broken\.sql") as info:
            wh.migrate(ddl_dir)
        assert "has not been applied" in str(info.value)
        assert wh.table_exists("first_t")
        assert not wh.table_exists("half_done")
        assert wh.fetch(f"select version from {MIGRATIONS_TABLE}") == [{"version": "0001"}]
        broken.write_text("create table half_done (x integer);\n")
        assert wh.migrate(ddl_dir) == ["0002"]
        assert wh.table_exists("half_done")


@pytest.mark.parametrize("name", ["1_short.sql", "0001-dash.sql", "0001_Upper.sql"])
def test_badly_named_file_is_refused(warehouse_url: str, ddl_dir: Path, name: str) -> None:
    (ddl_dir / name).write_text("select 1;\n")
    with connect(warehouse_url) as wh, pytest.raises(WarehouseError, match=r"NNNN_name\.sql"):
        wh.migrate(ddl_dir)


def test_missing_ddl_dir_is_explained(tmp_path: Path) -> None:
    with connect("duckdb:///:memory:") as wh, pytest.raises(WarehouseError, match="does not exist"):
        wh.migrate(tmp_path / "nowhere")


def test_default_ddl_dir_is_include_sql_ddl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    shipped = [f.name[:4] for f in _shipped()]
    shutil.copytree(paths.sql_dir() / "ddl", project / "include" / "sql" / "ddl")
    (project / "include" / "sql" / "ddl" / "0999_extra.sql").write_text("create table extra_t (x integer);\n")
    monkeypatch.setenv("STEWARD_PROJECT_DIR", str(project))
    with connect("duckdb:///:memory:") as wh:
        assert wh.migrate() == [*shipped, "0999"]
        assert wh.table_exists("extra_t")


def test_read_sql_reads_include_sql() -> None:
    assert (
        read_sql("ddl/0001_foundation.sql") == (paths.sql_dir() / "ddl" / "0001_foundation.sql").read_text()
    )


@pytest.mark.parametrize(
    ("relpath", "message"),
    [("ddl/0099_missing.sql", "0001_foundation.sql"), ("../../pyproject.toml", "outside")],
)
def test_read_sql_explains_missing_or_outside_files(relpath: str, message: str) -> None:
    with pytest.raises(FileNotFoundError, match=message):
        read_sql(relpath)


def test_an_up_to_date_file_warehouse_is_checked_with_one_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every Airflow task migrates on first use: a transaction per applied file opened the DuckDB
    # file 22 times a task, most of a short task's CPU. Once up to date, one open answers.
    import duckdb

    opened: list[str] = []
    real_connect = duckdb.connect

    def counting_connect(database: str = ":memory:", *args: object, **kwargs: object) -> object:
        opened.append(str(database))
        return real_connect(database, *args, **kwargs)

    with connect(f"duckdb:///{tmp_path / 'wh.duckdb'}") as wh:
        assert len(wh.migrate()) == len(_shipped())
        monkeypatch.setattr(duckdb, "connect", counting_connect)
        assert wh.migrate() == []
    assert opened == [str(tmp_path / "wh.duckdb")]
