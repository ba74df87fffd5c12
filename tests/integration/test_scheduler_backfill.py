"""A real Airflow scheduler: backfills of the data-quality DAG, and monitoring that follows them.

`dag.test()` bypasses the scheduler, the data-interval path of the partition date, the
LocalExecutor's task processes (which share the DuckDB file through the one-slot pool
``steward_warehouse``), asset-triggered runs and backfills. These tests start `airflow standalone`
on a free port with its own STEWARD_HOME and check that a backfill validates exactly the partitions
of its date range, and that every night it passes is monitored (one window per model and night),
whatever the timing of the asset events that trigger monitoring.
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
import yaml

from steward import paths
from steward.airflow.local import apply_airflow_env
from steward.airflow.pools import WAREHOUSE_POOL, ensure_warehouse_pool
from steward.demo import DEMO_START, generate
from steward.registry import load_registry
from steward.warehouse import WarehouseError, connect
from tests.fixtures.webhook import Receiver

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
def alerts() -> Iterator[Receiver]:
    """The webhook the scheduler's tasks post their notices to (a local HTTP receiver)."""
    receiver = Receiver()
    try:
        yield receiver
    finally:
        receiver.stop()


def _registry(home: Path, alerts: Receiver) -> Path:
    """The shipped registry plus the alerts webhook (the late-data test adds landing times itself)."""
    doc = yaml.safe_load((paths.include_dir() / "governance.yaml").read_text(encoding="utf-8"))
    doc["alerts"] = {"webhook_url": f"{alerts.url}/steward"}
    file = home / "governance.yaml"
    file.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return file


@pytest.fixture(scope="module")
def standalone(tmp_path_factory: pytest.TempPathFactory, alerts: Receiver) -> Iterator[dict[str, str]]:
    home = tmp_path_factory.mktemp("scheduler_home")
    generate(home, days=4, rows_per_day=1000)
    port = _free_port()
    env = dict(os.environ)
    apply_airflow_env(env, override=True, steward_home=home, port=port, parallelism=2)
    env["STEWARD_REGISTRY"] = str(_registry(home, alerts))
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
        ensure_warehouse_pool(env)  # the tasks name it (STEWARD_WAREHOUSE_POOL from the local setup)
        # monitoring follows every data-quality night from the start (its asset events)
        _airflow(env, "dags", "unpause", "model_monitoring")
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


def test_the_warehouse_pool_has_one_slot(standalone: dict[str, str]) -> None:
    pools = {p["pool"]: p for p in _json_lines(_airflow(standalone, "pools", "list", "-o", "json"))}
    assert int(pools[WAREHOUSE_POOL]["slots"]) == 1


def test_every_backfilled_night_is_monitored_once_per_model(standalone: dict[str, str]) -> None:
    """Backfill the other nights all at once: monitoring must cover every night data quality passed.

    The first test backfilled nights 1-2; this one backfills nights 3-4 (one backfill, runs at once).
    Asset events arrive while monitoring runs are active (max_active_runs=1) and several land in one
    run; the catch-up from dq_runs covers any the events do not.
    """
    env = standalone
    nights = [DEMO_START + dt.timedelta(days=i) for i in range(4)]
    args = [
        "--from-date",
        nights[2].isoformat(),
        "--to-date",
        (nights[-1] + dt.timedelta(days=1)).isoformat(),
    ]
    for _attempt in range(24):  # one backfill per DAG: the first test's is marked complete a little later
        try:
            _airflow(env, "backfill", "create", "--dag-id", "data_quality", *args)
            break
        except AssertionError as exc:
            if "AlreadyRunningBackfill" not in str(exc):
                raise
            time.sleep(5)
    else:
        raise AssertionError("the first test's backfill was never marked complete")
    models = sorted(m.name for m in load_registry().models)
    wanted = {m: nights for m in models}
    warehouse = f"duckdb:///{env['STEWARD_HOME']}/warehouse.duckdb"
    deadline = time.monotonic() + 480
    windows: dict[str, list[dt.date]] = {}
    while time.monotonic() < deadline:
        runs = _json_lines(_airflow(env, "dags", "list-runs", "model_monitoring", "-o", "json"))
        busy = [r for r in runs if r["state"] in ("queued", "running")]
        try:
            with connect(warehouse, lock_timeout_s=5) as wh:
                rows = wh.fetch("select model, window_date from monitoring_runs order by model, window_date")
        except WarehouseError:  # a task holds the file longer than 5 s: look again
            rows = None
        if rows is not None:
            windows = {}
            for r in rows:
                windows.setdefault(r["model"], []).append(r["window_date"])
            if windows == wanted and not busy:
                break
        time.sleep(5)
    assert windows == wanted, f"monitoring windows {windows}; runs {runs}"

    with connect(warehouse) as wh:
        passed = wh.fetch(
            "select dataset, partition_date from dq_runs where status in ('passed', 'warning') "
            "and dataset in ('lead_scoring_predictions', 'credit_risk_predictions')"
        )
    # the nights monitored are exactly the nights whose prediction logs passed data quality
    assert sorted({r["partition_date"] for r in passed}) == nights
    assert all(r["state"] == "success" for r in runs), runs


def test_a_late_partition_waits_alerts_and_validates_once_it_lands(
    standalone: dict[str, str], alerts: Receiver
) -> None:
    """Yesterday's leads partition is late (due at 00:00, deadline 23:59 today): the task waits in
    up_for_reschedule, one late_data notice reaches the webhook, and once the files land the next look
    validates them. The other datasets declare no landing: they fail at once, each with a notice."""
    env = standalone
    now = dt.datetime.now(dt.UTC)
    if now >= now.replace(hour=23, minute=50):  # too close to the deadline: take the next day's night
        time.sleep((now.replace(hour=23, minute=59, second=59) - now).total_seconds() + 30)
    day = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    run_id = f"late_{day.isoformat()}"
    # the scheduled night created when the DAG was unpaused must be over (max_active_runs=1)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        runs = _json_lines(_airflow(env, "dags", "list-runs", "data_quality", "-o", "json"))
        if not [r for r in runs if r["state"] in ("queued", "running")]:
            break
        time.sleep(5)
    # tasks read the registry when they run: from now on leads' partition is due at 00:00 and given
    # up at 23:59 on the day after it, looked at every minute
    registry = Path(env["STEWARD_REGISTRY"])
    doc = yaml.safe_load(registry.read_text(encoding="utf-8"))
    leads = next(d for d in doc["datasets"] if d["name"] == "leads")
    leads["landing"] = {"expected_by": "00:00", "deadline": "23:59", "poke_minutes": 1}
    registry.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    alerts.bodies.clear()
    _airflow(
        env, "dags", "trigger", "data_quality", "--run-id", run_id, "--conf", json.dumps({"date": str(day)})
    )

    deadline = time.monotonic() + 300
    late: list[dict] = []
    while time.monotonic() < deadline and not late:
        late = [b for _, b in alerts.bodies if b["event"] == "late_data"]
        time.sleep(2)
    assert len(late) == 1, alerts.bodies
    assert (late[0]["dag_id"], late[0]["run_id"], late[0]["subject"]) == ("data_quality", run_id, "leads")
    assert late[0]["message"].startswith(f"dataset 'leads', partition {day}: late: not landed yet")

    # the partition lands: a copy of the first demo night
    source = Path(env["STEWARD_HOME"]) / "lake" / "leads" / f"date={DEMO_START.isoformat()}"
    target = Path(env["STEWARD_HOME"]) / "lake" / "leads" / f"date={day.isoformat()}"
    target.mkdir(parents=True)
    for f in source.iterdir():
        (target / f.name).write_bytes(f.read_bytes())

    state = ""
    while time.monotonic() < deadline + 180:
        runs = _json_lines(_airflow(env, "dags", "list-runs", "data_quality", "-o", "json"))
        state = next((r["state"] for r in runs if r["run_id"] == run_id), "")
        if state in ("success", "failed"):
            break
        time.sleep(5)
    assert state == "failed"  # the datasets without landing times had no partition for that day

    with connect(f"duckdb:///{env['STEWARD_HOME']}/warehouse.duckdb") as wh:
        rows = wh.fetch("select dataset, status from dq_runs where partition_date = :d", {"d": day})
    statuses = {r["dataset"]: r["status"] for r in rows}
    assert statuses.pop("leads") == "passed"
    assert statuses and set(statuses.values()) == {"error"}

    ours = [b for _, b in alerts.bodies if b["run_id"] == run_id]
    failures = [b for b in ours if b["event"] == "failure" and b["task_id"] == "validate"]
    assert sorted(b["subject"] for b in failures) == sorted(statuses)
    assert all("has not landed yet" in b["message"] for b in failures)
    assert [b["subject"] for b in ours if b["event"] == "late_data"] == ["leads"]  # once
    assert all(path == "/steward" for path, _ in alerts.bodies)
