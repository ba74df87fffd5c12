"""A real Airflow scheduler: `airflow backfill create` over a date range on the data-quality DAG.

`dag.test()` bypasses the scheduler, the data-interval path of the partition date, the
LocalExecutor's parallel task processes (which share the DuckDB file) and backfills. This
test starts `airflow standalone` on a free port with its own STEWARD_HOME and checks that a
backfill validates exactly the partitions of its date range, in parallel task processes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from steward.airflow.local import apply_airflow_env
from steward.demo import DEMO_START, generate
from steward.registry import load_registry
from steward.warehouse import connect

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

AIRFLOW = str(Path(sys.executable).with_name("airflow"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _airflow(env: dict[str, str], *args: str) -> str:
    for _attempt in range(3):
        out = subprocess.run(
            [AIRFLOW, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )
        # SQLite metadata: the running scheduler can hold the write lock longer than the CLI waits on a
        # busy 2-core machine; the CLI's own write is then safe to repeat.
        if out.returncode == 0 or "database is locked" not in out.stderr + out.stdout:
            break
        time.sleep(5)
    if out.returncode != 0:
        raise AssertionError(f"airflow {' '.join(args)} failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    return out.stdout


def _json_lines(text: str) -> list[dict]:
    line = next((ln for ln in text.splitlines() if ln.startswith("[")), "[]")
    return list(json.loads(line))


@pytest.fixture(scope="module")
def standalone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    home = tmp_path_factory.mktemp("scheduler_home")
    generate(home, days=3, rows_per_day=1000)
    port = _free_port()
    env = dict(os.environ)
    apply_airflow_env(env, override=True, steward_home=home, port=port, parallelism=2)
    env["AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL"] = "5"
    env["AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL"] = "5"
    log = (home / "standalone.log").open("wb")
    proc = subprocess.Popen(
        [AIRFLOW, "standalone"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            assert proc.poll() is None, f"airflow standalone exited; see {home / 'standalone.log'}"
            try:
                dags = _json_lines(_airflow(env, "dags", "list", "-o", "json"))
            except AssertionError:
                dags = []
            if any(d.get("dag_id") == "data_quality" for d in dags):
                break
            time.sleep(3)
        else:
            raise AssertionError(f"data_quality was never parsed; see {home / 'standalone.log'}")
        yield env
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def test_backfill_validates_each_partition_of_the_range(standalone: dict[str, str]) -> None:
    env = standalone
    first, last = DEMO_START, DEMO_START + dt.timedelta(days=1)
    _airflow(
        env,
        "backfill", "create", "--dag-id", "data_quality",
        "--from-date", first.isoformat(), "--to-date", (last + dt.timedelta(days=1)).isoformat(),
    )  # fmt: skip
    _airflow(env, "dags", "unpause", "data_quality")
    wanted = {f"{d.isoformat()}T02:00:00+00:00" for d in (first, last)}
    deadline = time.monotonic() + 420
    states: dict[str, str] = {}
    while time.monotonic() < deadline:
        runs = _json_lines(_airflow(env, "dags", "list-runs", "data_quality", "-o", "json"))
        states = {r["logical_date"]: r["state"] for r in runs if r["run_id"].startswith("backfill__")}
        if wanted <= set(states) and all(states[w] in ("success", "failed") for w in wanted):
            break
        time.sleep(5)
    assert {w: states.get(w) for w in wanted} == dict.fromkeys(wanted, "success"), states

    daily = sorted(d.name for d in load_registry().datasets if d.cadence == "daily")
    with connect(f"duckdb:///{env['STEWARD_HOME']}/warehouse.duckdb") as wh:
        rows = wh.fetch(
            "select partition_date, dataset, status, run_id from dq_runs where partition_date <= :last",
            {"last": last},
        )
    by_day: dict[dt.date, list[str]] = {}
    for r in rows:
        by_day.setdefault(r["partition_date"], []).append(r["dataset"])
        assert r["status"] == "passed"
        assert r["run_id"].startswith("backfill__")
    # the scheduled path: partition date = data interval start, one partition per backfilled day
    assert {d: sorted(v) for d, v in by_day.items()} == {first: daily, last: daily}
