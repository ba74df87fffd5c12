"""The PostgreSQL adapter: COPY loads, dropped connections, connection settings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import psycopg
import pyarrow as pa
import pytest

from steward.warehouse import Warehouse, WarehouseError, connect
from steward.warehouse._postgres import csv_chunks

KEY = {"dataset": "leads", "partition_date": date(2026, 11, 20)}


def run_row(run_id: str) -> dict[str, object]:
    return {
        "suite": "leads",
        "status": "passed",
        "run_id": run_id,
        "validated_at": datetime(2026, 11, 21, tzinfo=UTC),
    }


def test_csv_chunks_keep_null_and_empty_apart_and_bound_memory() -> None:
    table = pa.table(
        {
            "s": ["a", "", None, 'q"x'],
            "n": [1, None, 3, 4],
            "c": pa.array(["x", "y", "x", None]).dictionary_encode(),
        }
    )
    chunks = list(csv_chunks(table, rows_per_chunk=3))
    assert chunks == [b'"a","1","x"\n"",,"y"\n,"3","x"\n', b'"q""x","4",\n']


@pytest.mark.postgres
def test_dropped_connection_during_load_rolls_back(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with connect(pg_url) as wh:
        wh.migrate()
        wh.replace_partition("dq_runs", KEY, [run_row("before")])
        original = type(wh)._bulk_insert
        killed: list[int] = []

        def load_then_drop(
            self: Warehouse, session: Any, table: str, columns: Sequence[str], data: pa.Table
        ) -> None:
            original(self, session, table, columns, data)
            pid = session.conn.info.backend_pid
            with psycopg.connect(pg_url, autocommit=True) as admin:
                admin.execute("select pg_terminate_backend(%s)", [pid])
            killed.append(pid)

        monkeypatch.setattr(type(wh), "_bulk_insert", load_then_drop)
        with pytest.raises(WarehouseError, match="dq_runs") as info:
            wh.replace_partition("dq_runs", KEY, [run_row("after")])
        assert len(killed) == 1
        assert isinstance(info.value.__cause__, psycopg.OperationalError)
        monkeypatch.undo()
        assert wh.fetch("select run_id from dq_runs") == [{"run_id": "before"}]


def test_unreachable_server_is_explained_without_password(tmp_path: object) -> None:
    wh = connect(f"postgresql://steward:s3cret@/wh?host={tmp_path}&connect_timeout=2")
    with pytest.raises(WarehouseError, match="cannot connect to PostgreSQL") as info:
        wh.fetch("select 1")
    message = str(info.value)
    assert "s3cret" not in message
    assert "steward:***@" in message
    assert "STEWARD_WAREHOUSE_URL" in message


@pytest.mark.postgres
def test_session_settings_keep_the_url_options(pg_url: str) -> None:
    # pg_url selects its test schema through ``options=-c search_path=...``: it must survive ours.
    schema = pg_url.rsplit("search_path%3D", 1)[1]
    wh = connect(pg_url, lock_timeout_s=7)
    settings = wh.fetch(
        "select current_schema() as schema, current_setting('TimeZone') as tz, "
        "current_setting('lock_timeout') as lock_timeout"
    )
    assert settings == [{"schema": schema, "tz": "UTC", "lock_timeout": "7s"}]
