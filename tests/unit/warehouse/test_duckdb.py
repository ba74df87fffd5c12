"""The DuckDB adapter: a file shared between processes, and the in-memory warehouse."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import duckdb
import pytest

from steward.warehouse import WarehouseError, connect
from steward.warehouse import _duckdb as duckdb_adapter
from steward.warehouse._url import duckdb_path

# A second process that opens the DuckDB file (taking its lock), says so, and holds it.
HOLDER = (
    "import duckdb, sys, time\n"
    "con = duckdb.connect(sys.argv[1])\n"
    "print('locked', flush=True)\n"
    "time.sleep(float(sys.argv[2]))\n"
    "con.close()\n"
)


@contextmanager
def file_held_by_another_process(path: str, seconds: float) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, path, str(seconds)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        proc.kill()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def test_lock_held_by_another_process_is_retried_then_reported(duckdb_url: str) -> None:
    with connect(duckdb_url) as wh:
        wh.migrate()
    key = {"dataset": "leads", "partition_date": date(2026, 11, 20)}
    with file_held_by_another_process(duckdb_path(duckdb_url), 60):
        wh = connect(duckdb_url, lock_timeout_s=0.6)
        started = time.monotonic()
        with pytest.raises(WarehouseError, match="another process holds the DuckDB file") as info:
            wh.replace_partition("quarantine", key, [{"reason": "r"}])
        waited = time.monotonic() - started
    assert 0.6 <= waited < 10
    message = str(info.value)
    assert "table 'quarantine' partition {dataset=leads, partition_date=2026-11-20}" in message
    assert "Could not set lock on file" in message
    assert "wait for that process to finish" in message


def test_lock_released_meanwhile_is_waited_for(duckdb_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with connect(duckdb_url) as wh:
        wh.migrate()
    attempts: list[float] = []
    real_connect = duckdb.connect

    def counting_connect(*args: object, **kwargs: object) -> duckdb.DuckDBPyConnection:
        attempts.append(time.monotonic())
        return real_connect(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(duckdb_adapter.duckdb, "connect", counting_connect)
    with file_held_by_another_process(duckdb_path(duckdb_url), 1.0) as holder:
        rows = connect(duckdb_url, lock_timeout_s=30).fetch("select count(*) as n from quarantine")
        assert holder.wait(timeout=10) == 0
    assert rows == [{"n": 0}]
    assert len(attempts) >= 2


def test_a_lock_wait_logs_its_progress(duckdb_url: str, caplog: pytest.LogCaptureFixture) -> None:
    with connect(duckdb_url) as wh:
        wh.migrate()
    caplog.set_level(logging.INFO, logger="steward.warehouse._duckdb")
    with file_held_by_another_process(duckdb_path(duckdb_url), 60):
        wh = duckdb_adapter.DuckDBWarehouse(duckdb_url, lock_timeout_s=2.6, lock_log_every_s=0.5)
        with pytest.raises(WarehouseError):
            wh.fetch("select 1")
    pattern = re.compile(
        r"waiting for the DuckDB file lock held by another process \((\d+) s of 2\.6 s\): (.+)$"
    )
    waits = [pattern.match(r.getMessage()) for r in caplog.records if "DuckDB file lock" in r.getMessage()]
    assert waits and all(waits), [r.getMessage() for r in caplog.records]
    seconds = [int(m.group(1)) for m in waits if m]
    # the first line after 1 s of waiting, then at least 0.5 s apart, until the 2.6 s timeout
    assert seconds[0] >= 1 and seconds == sorted(seconds) and seconds[-1] <= 3, seconds
    assert all(m.group(2) == duckdb_path(duckdb_url) for m in waits if m)


def test_a_short_lock_wait_logs_nothing(duckdb_url: str, caplog: pytest.LogCaptureFixture) -> None:
    with connect(duckdb_url) as wh:
        wh.migrate()
    caplog.set_level(logging.INFO, logger="steward.warehouse._duckdb")
    with file_held_by_another_process(duckdb_path(duckdb_url), 0.3) as holder:
        connect(duckdb_url, lock_timeout_s=30).fetch("select 1")
        assert holder.wait(timeout=10) == 0
    assert [r.getMessage() for r in caplog.records if "DuckDB file lock" in r.getMessage()] == []


def test_other_io_errors_are_not_retried(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> duckdb.DuckDBPyConnection:
        raise duckdb.IOException("IO Error: Cannot open file: permission denied")

    monkeypatch.setattr(duckdb_adapter.duckdb, "connect", broken)
    started = time.monotonic()
    with pytest.raises(WarehouseError, match="permission denied"):
        connect(f"duckdb:///{tmp_path}/wh.duckdb", lock_timeout_s=30).fetch("select 1")
    assert time.monotonic() - started < 5


def test_file_is_not_held_between_operations(duckdb_url: str) -> None:
    with connect(duckdb_url) as wh:
        wh.migrate()
        wh.replace_partition("quarantine", {"dataset": "leads", "partition_date": date(2026, 11, 20)}, [])
        # Another process can open the file right away: nothing is held open between operations.
        probe = subprocess.run(
            [
                sys.executable,
                "-c",
                "import duckdb, sys; duckdb.connect(sys.argv[1]).close()",
                duckdb_path(duckdb_url),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert probe.returncode == 0, probe.stderr


def test_memory_warehouse_keeps_its_data_and_is_private() -> None:
    key = {"dataset": "leads", "partition_date": date(2026, 11, 20)}
    with connect("duckdb:///:memory:") as one, connect("duckdb:///:memory:") as two:
        assert one.migrate()[0] == "0001"
        assert two.migrate()[0] == "0001"  # a second :memory: warehouse starts empty
        one.replace_partition("quarantine", key, [{"reason": "r"}])
        assert one.fetch("select reason from quarantine") == [{"reason": "r"}]
        assert two.fetch("select reason from quarantine") == []
    with pytest.raises(WarehouseError):
        one.fetch("select 1")


def _another_process_can_open(path: str) -> bool:
    probe = subprocess.run(
        [sys.executable, "-c", "import duckdb, sys; duckdb.connect(sys.argv[1]).close()", path],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return probe.returncode == 0


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Every open of a DuckDB file by the adapter from now on: True for a read-only one."""
    opens: list[bool] = []
    real_connect = duckdb_adapter.DuckDBWarehouse._connect

    def counting(
        self: duckdb_adapter.DuckDBWarehouse, *, read_only: bool = False
    ) -> duckdb.DuckDBPyConnection:
        opens.append(read_only)
        return real_connect(self, read_only=read_only)

    monkeypatch.setattr(duckdb_adapter.DuckDBWarehouse, "_connect", counting)
    return opens


def test_held_open_opens_the_file_once_for_its_calls_then_lets_it_go(
    duckdb_url: str, opened: list[bool]
) -> None:
    key = {"dataset": "leads", "partition_date": date(2026, 11, 20)}
    with connect(duckdb_url) as wh:
        wh.migrate()
        opened.clear()
        with wh.held_open():
            wh.replace_partition("quarantine", key, [{"reason": "late", "quarantined_at": "2026-11-21"}])
            with wh.held_open():  # nested: the same connection
                rows = wh.fetch("select dataset, reason from quarantine")
            assert wh.fetch_arrow("select count(*) as n from quarantine").column("n").to_pylist() == [1]
            assert not _another_process_can_open(duckdb_path(duckdb_url))  # held meanwhile
        assert opened == [False]
        assert rows == [{"dataset": "leads", "reason": "late"}]
        assert _another_process_can_open(duckdb_path(duckdb_url))  # and let go after the block
        wh.fetch("select 1")
        assert opened == [False, False]  # back to one open per call


def test_lingering_shares_an_open_between_close_calls_and_lets_the_file_go_in_a_pause(
    duckdb_url: str, opened: list[bool]
) -> None:
    key = {"dataset": "leads", "partition_date": date(2026, 11, 20)}
    path = duckdb_path(duckdb_url)
    with connect(duckdb_url) as wh:
        wh.migrate()
        opened.clear()
        with wh.lingering(2.0):
            wh.replace_partition("quarantine", key, [{"reason": "late", "quarantined_at": "2026-11-21"}])
            rows = wh.fetch("select dataset, reason from quarantine")
            assert rows == [{"dataset": "leads", "reason": "late"}]
            assert opened == [False]  # the second call found the first one's connection
            assert not _another_process_can_open(path)  # held while calls follow each other
            # a read-only call closes the lingering connection (DuckDB: one configuration per file)
            assert wh.fetch("select count(*) as n from quarantine", read_only=True) == [{"n": 1}]
            assert opened == [False, True]
            wh.fetch("select 1")
            assert opened == [False, True, False]
        assert _another_process_can_open(path)  # the block's end closes it
    with connect(duckdb_url) as wh, wh.lingering(0.2):
        wh.fetch("select 1")
        time.sleep(1.0)  # a pause longer than the linger: the timer closed it
        assert _another_process_can_open(path)
        wh.fetch("select 1")  # and the next call opens the file again
    with connect(duckdb_url) as wh, wh.lingering(0.2):
        with pytest.raises(WarehouseError):
            wh.fetch("select * from no_such_table")
        assert _another_process_can_open(path)  # a failed call does not keep its connection
