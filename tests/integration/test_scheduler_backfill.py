"""A real Airflow scheduler: backfills of the data-quality DAG, and monitoring that follows them.

`dag.test()` bypasses the scheduler, the data-interval path of the partition date, the
LocalExecutor's task processes (which share the DuckDB file through the one-slot pool
``steward_warehouse``), asset-triggered runs and backfills. These tests start Airflow's components
as ``steward demo`` does, once (``tests/fixtures/airflow_stack.py``), on a free port with their own
STEWARD_HOME, and check that a backfill validates exactly the partitions of its date range, and that
every night it passes is monitored (one window per model and night), whatever the timing of the asset
events that trigger monitoring.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from steward import paths
from steward.airflow.pools import WAREHOUSE_POOL
from steward.demo import DEMO_START, generate
from steward.registry import load_registry
from steward.warehouse import WarehouseError, connect
from tests.fixtures.airflow_stack import AirflowStack, airflow_stack
from tests.fixtures.webhook import Receiver

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]


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
def standalone(tmp_path_factory: pytest.TempPathFactory, alerts: Receiver) -> Iterator[AirflowStack]:
    """One stack for the module's tests: each backfills or triggers nights the others leave alone."""
    home = tmp_path_factory.mktemp("scheduler_home")
    generate(home, days=4, rows_per_day=1000)
    env = {"STEWARD_REGISTRY": str(_registry(home, alerts))}
    with airflow_stack(home, env=env, wait_for=("data_quality", "model_monitoring")) as stack:
        # monitoring follows every data-quality night from the start (its asset events)
        stack.unpause("model_monitoring")
        yield stack


def test_backfill_validates_each_partition_of_the_range(standalone: AirflowStack) -> None:
    stack = standalone
    first, last = DEMO_START, DEMO_START + dt.timedelta(days=1)
    stack.airflow(
        "backfill", "create", "--dag-id", "data_quality",
        "--from-date", first.isoformat(), "--to-date", (last + dt.timedelta(days=1)).isoformat(),
    )  # fmt: skip
    # the backfill's runs and the late test's trigger only: no scheduled run for yesterday
    stack.unpause("data_quality", scheduled=False)
    wanted = {f"{d.isoformat()}T02:00:00+00:00" for d in (first, last)}
    states: dict[str, str] = {}

    def backfilled() -> bool | None:
        runs = stack.runs("data_quality")
        states.clear()
        backfill = [r for r in runs if str(r["run_id"]).startswith("backfill__")]
        states.update({str(r["logical_date"]): str(r["state"]) for r in backfill})
        done = wanted <= set(states) and all(states[w] in ("success", "failed") for w in wanted)
        return True if done else None

    with contextlib.suppress(AssertionError):  # the assertion below shows the states
        stack.wait(backfilled, timeout_s=420, what="the backfill's runs")
    assert {w: states.get(w) for w in wanted} == dict.fromkeys(wanted, "success"), states

    daily = sorted(d.name for d in load_registry().datasets if d.cadence == "daily")
    env = stack.env
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


def test_the_warehouse_pool_has_one_slot(standalone: AirflowStack) -> None:
    pools = {p["pool"]: p for p in _json_lines(standalone.airflow("pools", "list", "-o", "json"))}
    assert int(pools[WAREHOUSE_POOL]["slots"]) == 1


def test_every_backfilled_night_is_monitored_once_per_model(standalone: AirflowStack) -> None:
    """Backfill the other nights all at once: monitoring must cover every night data quality passed.

    The first test backfilled nights 1-2; this one backfills nights 3-4 (one backfill, runs at once).
    Asset events arrive while monitoring runs are active (max_active_runs=1) and several land in one
    run; the catch-up from dq_runs covers any the events do not.
    """
    stack = standalone
    nights = [DEMO_START + dt.timedelta(days=i) for i in range(4)]
    # one backfill per DAG: the first test's is marked complete a little after its last run ends
    stack.wait(
        lambda: True if stack.backfills_running("data_quality") == 0 else None,
        timeout_s=120,
        what="the first test's backfill marked complete",
    )
    stack.airflow(
        "backfill", "create", "--dag-id", "data_quality",
        "--from-date", nights[2].isoformat(), "--to-date", (nights[-1] + dt.timedelta(days=1)).isoformat(),
    )  # fmt: skip
    models = sorted(m.name for m in load_registry().models)
    wanted = {m: nights for m in models}
    warehouse = f"duckdb:///{stack.home}/warehouse.duckdb"
    windows: dict[str, list[dt.date]] = {}
    runs: list[dict[str, object]] = []

    def monitored() -> bool | None:
        nonlocal runs
        runs = stack.runs("model_monitoring")
        if stack.backfills_running("data_quality") or any(r["state"] in ("queued", "running") for r in runs):
            return None  # read the warehouse only between runs: its tasks hold the DuckDB file
        try:
            with connect(warehouse, lock_timeout_s=5) as wh:
                rows = wh.fetch("select model, window_date from monitoring_runs order by model, window_date")
        except WarehouseError:  # a task holds the file longer than 5 s: look again
            return None
        windows.clear()
        for r in rows:
            windows.setdefault(r["model"], []).append(r["window_date"])
        return True if windows == wanted else None

    with contextlib.suppress(AssertionError):  # the assertion below shows the windows and runs
        stack.wait(monitored, timeout_s=480, what="monitoring of every night", every_s=2)
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
    standalone: AirflowStack, alerts: Receiver
) -> None:
    """Yesterday's leads partition is late (due at 00:00, deadline 23:59 today): the task waits in
    up_for_reschedule, one late_data notice reaches the webhook, and once the files land the next look
    validates them. The other datasets declare no landing: they fail at once, each with a notice."""
    stack = standalone
    env = stack.env
    now = dt.datetime.now(dt.UTC)
    if now >= now.replace(hour=23, minute=50):  # too close to the deadline: take the next day's night
        time.sleep((now.replace(hour=23, minute=59, second=59) - now).total_seconds() + 30)
    day = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    run_id = f"late_{day.isoformat()}"

    # no other run of data_quality may be active (max_active_runs=1)
    def idle() -> bool | None:
        busy = [r for r in stack.runs("data_quality") if r["state"] in ("queued", "running")]
        return None if busy else True

    stack.wait(idle, timeout_s=240, what="no data_quality run queued or running")
    # tasks read the registry when they run: from now on leads' partition is due at 00:00 and given
    # up at 23:59 on the day after it, looked at every minute
    registry = Path(env["STEWARD_REGISTRY"])
    doc = yaml.safe_load(registry.read_text(encoding="utf-8"))
    leads = next(d for d in doc["datasets"] if d["name"] == "leads")
    leads["landing"] = {"expected_by": "00:00", "deadline": "23:59", "poke_minutes": 1}
    registry.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    alerts.bodies.clear()
    stack.airflow(
        "dags", "trigger", "data_quality", "--run-id", run_id, "--conf", json.dumps({"date": str(day)})
    )

    deadline = time.monotonic() + 300
    late: list[dict] = []
    while time.monotonic() < deadline and not late:
        late = [b for _, b in alerts.bodies if b["event"] == "late_data"]
        time.sleep(0.5)
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
        state = next((str(r["state"]) for r in stack.runs("data_quality") if r["run_id"] == run_id), "")
        if state in ("success", "failed"):
            break
        time.sleep(1)
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
