"""The demo's nights through Airflow's real scheduler: a short demo over the failed night 2026-11-04.

``run_demo(runner="scheduler")`` runs in a child process with its own STEWARD_HOME (Airflow reads its
configuration once per process), over the nights 2026-11-03 and 2026-11-04 of a small demo lake: every
DAG of the demo, the nightly ones backfilled or asset-triggered, then the post-phase (governance
records, export, retraining decisions, retention, the quarter's ESG extract) created run by run through
the REST API. Everything is then read back from what the run left: Airflow's SQLite metadata (read with
sqlite3, not through Steward), the task log folder, the warehouse and the process table.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from steward.demo import DEMO_START, generate
from steward.registry import load_registry
from steward.warehouse import connect

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

NIGHTS = [DEMO_START + dt.timedelta(days=2), DEMO_START + dt.timedelta(days=3)]  # 11-03, 11-04 (failed)
RUNNER = (
    "import datetime as dt, json, os, sys\n"
    "print(f'PID {os.getpid()}', flush=True)\n"
    "from steward.airflow.demo import run_demo\n"
    "days = [dt.date.fromisoformat(d) for d in sys.argv[1:]]\n"
    "print('STATES ' + json.dumps(run_demo(days, runner='scheduler')))\n"
)
#: The DAGs run after the nightly ones, one created run at a time, in this order.
POST = ("governance_nightly", "data_export", "retraining_trigger", "retention")


def _processes_of(home: Path) -> list[int]:
    """Return the processes whose environment names ``home`` (the demo's components and tasks)."""
    mark = f"STEWARD_HOME={home}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            environ = (proc / "environ").read_bytes()
        except OSError:
            continue
        if mark in environ.split(b"\0"):
            found.append(int(proc.name))
    return found


def _run_demo(home: Path) -> subprocess.CompletedProcess[str]:
    """Run the demo over NIGHTS in a child process with ``home`` as its STEWARD_HOME; it must succeed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "STEWARD_"))}
    env["STEWARD_HOME"] = str(home)
    out = subprocess.run(
        [sys.executable, "-c", RUNNER, *(d.isoformat() for d in NIGHTS)],
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    log = home / "logs" / "demo.log"
    assert out.returncode == 0, f"{out.stdout[-3000:]}\n{out.stderr[-3000:]}\n(see {log})"
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    home = tmp_path_factory.mktemp("demo_scheduler")
    generate(home, days=4, rows_per_day=1000)
    started = dt.datetime.now(dt.UTC)
    out = _run_demo(home)
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("STATES "))
    with sqlite3.connect(home / "airflow" / "airflow.db") as db:
        db.row_factory = sqlite3.Row
        runs = [dict(r) for r in db.execute("select * from dag_run")]
        paused = {r["dag_id"]: bool(r["is_paused"]) for r in db.execute("select dag_id, is_paused from dag")}
        tis = [dict(r) for r in db.execute("select * from task_instance")]
        jobs = [dict(r) for r in db.execute("select id, job_type from job")]
    return {
        "home": home,
        "stdout": out.stdout,
        "started": started,
        "ended": dt.datetime.now(dt.UTC),
        "states": json.loads(line.removeprefix("STATES ")),
        "runs": runs,
        "paused": paused,
        "tis": tis,
        "jobs": jobs,
        "pid": out_pid(out),
    }


def out_pid(out: subprocess.CompletedProcess[str]) -> int:
    """The demo process's pid (dag.test() would run every task in it)."""
    return int(next(ln for ln in out.stdout.splitlines() if ln.startswith("PID ")).removeprefix("PID "))


def _when(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)


def test_runs_were_made_by_the_scheduler_with_true_start_times(demo: dict) -> None:
    runs = demo["runs"]
    assert runs
    # backfills of the periodic DAGs, asset-triggered consumers, runs created through the REST API:
    # no dag.test() run (triggered_by TEST), none started at its logical date
    assert {(r["run_type"], r["triggered_by"]) for r in runs} == {
        ("backfill", "BACKFILL"),
        ("asset_triggered", "ASSET"),
        ("manual", "REST_API"),
    }
    for r in runs:
        started, ended = _when(r["start_date"]), _when(r["end_date"])
        assert demo["started"] <= started <= ended <= demo["ended"], r
        assert ended - started < dt.timedelta(hours=1), r
    backfilled = sorted((r["dag_id"], r["logical_date"][:10]) for r in runs if r["run_type"] == "backfill")
    nights = [d.isoformat() for d in NIGHTS]
    assert backfilled == [(dag, n) for dag in ("cloud_costs", "data_quality") for n in nights]


def test_the_failed_night_is_a_failed_run_and_the_other_succeeds(demo: dict) -> None:
    dq = {r["logical_date"][:10]: r["state"] for r in demo["runs"] if r["dag_id"] == "data_quality"}
    assert dq == {"2026-11-03": "success", "2026-11-04": "failed"}
    assert demo["states"]["data_quality"] == dq
    assert "data_quality       2026-11-04" in demo["stdout"] and " failed " in demo["stdout"]


def test_each_cost_night_starts_once_its_quality_night_has(demo: dict) -> None:
    # paced one for one: all at once, the short cost nights slowed the first quality nights on 2 cores
    started = {
        (r["dag_id"], r["logical_date"][:10]): _when(r["start_date"])
        for r in demo["runs"]
        if r["run_type"] == "backfill"
    }
    # (the first nights of both start together, with the scheduler)
    for night in NIGHTS[1:]:
        assert started[("cloud_costs", night.isoformat())] >= started[("data_quality", night.isoformat())]


def test_asset_triggered_runs_monitor_every_passed_night(demo: dict) -> None:
    by_dag: dict[str, list[dict]] = {}
    for r in demo["runs"]:
        by_dag.setdefault(r["dag_id"], []).append(r)
    for consumer in ("model_monitoring", "carbon"):
        triggered = [r for r in by_dag[consumer] if r["run_type"] == "asset_triggered"]
        assert triggered and all(r["state"] == "success" for r in triggered), by_dag[consumer]
        assert all(r["logical_date"] is None for r in triggered)
    with connect(f"duckdb:///{demo['home']}/warehouse.duckdb") as wh:
        windows = wh.fetch("select model, window_date from monitoring_runs order by model, window_date")
        passed = wh.fetch(
            "select distinct partition_date from dq_runs where status in ('passed', 'warning') "
            "and dataset in ('lead_scoring_predictions', 'credit_risk_predictions')"
        )
    models = sorted(m.name for m in load_registry().models)
    # the prediction logs passed on both nights (only `leads` fails on 11-04): each model, each night
    assert sorted(r["partition_date"] for r in passed) == NIGHTS
    assert [(r["model"], r["window_date"]) for r in windows] == [(m, n) for m in models for n in NIGHTS]
    assert set(demo["states"]["model_monitoring"]) == {n.isoformat() for n in NIGHTS}


def test_periodic_dags_are_paused_again_and_have_no_run_outside_the_nights(demo: dict) -> None:
    assert demo["paused"]["data_quality"] and demo["paused"]["cloud_costs"]
    assert not demo["paused"]["model_monitoring"]
    dated = {r["logical_date"][:10] for r in demo["runs"] if r["logical_date"]}
    assert dated == {n.isoformat() for n in NIGHTS}  # unpausing made no run for yesterday


def test_task_logs_are_where_airflow_writes_them_and_nothing_is_left_running(demo: dict) -> None:
    run_id = next(
        r["run_id"]
        for r in demo["runs"]
        if r["dag_id"] == "data_quality" and str(r["logical_date"]).startswith("2026-11-04")
    )
    failed = Path(demo["home"]) / "airflow" / "logs" / "dag_id=data_quality" / f"run_id={run_id}"
    texts = [p.read_text(errors="replace") for p in failed.rglob("*.log")]
    assert any("dataset 'leads', partition 2026-11-04" in t for t in texts)
    deadline = time.monotonic() + 10
    while _processes_of(demo["home"]) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _processes_of(demo["home"]) == []


def test_post_phase_runs_were_created_in_order_and_ran_through_the_executor(demo: dict) -> None:
    nights = [n.isoformat() for n in NIGHTS]
    manual = sorted((r for r in demo["runs"] if r["run_type"] == "manual"), key=lambda r: r["start_date"])
    # each DAG night by night; DAG after DAG, the governance records and the exports side by side (they
    # share nothing); then the quarter's extract
    turns = [("governance_nightly", "data_export"), ("retraining_trigger",), ("retention",), ("esg_extract",)]
    assert {r["dag_id"] for r in manual} == {d for turn in turns for d in turn}
    for dag in (*POST, "esg_extract"):
        mine = [r for r in manual if r["dag_id"] == dag]
        assert [r["logical_date"][:10] for r in mine] == (nights[-1:] if dag == "esg_extract" else nights)
        for before, after in itertools.pairwise(mine):  # one at a time
            assert _when(before["end_date"]) <= _when(after["start_date"]), (
                before["run_id"],
                after["run_id"],
            )
    for turn, following in itertools.pairwise(turns):  # a turn ends before the next one starts
        ends = max(_when(r["end_date"]) for r in manual if r["dag_id"] in turn)
        assert ends <= min(_when(r["start_date"]) for r in manual if r["dag_id"] in following), (
            turn,
            following,
        )
    assert {r["triggering_user_name"] for r in manual} == {"steward-demo"}
    assert all(r["state"] == "success" for r in manual), [(r["dag_id"], r["state"]) for r in manual]
    first_trigger = next(r for r in manual if r["dag_id"] == "retraining_trigger")
    assert json.loads(first_trigger["conf"]) == {
        "date": nights[0],
        "evaluated_at": "2026-11-04T04:00:00+00:00",
    }
    assert demo["states"]["retraining_trigger"] == dict.fromkeys(nights, "success")
    assert demo["states"]["esg_extract"] == {"2026Q4": "success"}
    # every task of those runs was queued by the scheduler and ran in a process of its own
    scheduler = {j["id"] for j in demo["jobs"] if j["job_type"] == "SchedulerJob"}
    ids = {(r["dag_id"], r["run_id"]) for r in manual}
    tis = [t for t in demo["tis"] if (t["dag_id"], t["run_id"]) in ids]
    ran = [t for t in tis if t["state"] != "skipped"]  # `fire_retraining` maps over no fire: skipped
    assert {t["dag_id"] for t in ran} == {*POST, "esg_extract"}
    assert {t["state"] for t in ran} == {"success"}
    for t in ran:
        assert t["queued_by_job_id"] in scheduler and t["queued_dttm"], t
        assert t["pid"] and t["pid"] != demo["pid"] and t["hostname"], t
    assert len({t["pid"] for t in ran}) == len(ran)  # a process per task, not one for them all


def test_post_phase_dags_are_paused_again_and_the_trigger_ran_only_when_asked(demo: dict) -> None:
    assert all(demo["paused"][d] for d in (*POST, "esg_extract", "model_retraining"))
    trigger = [r for r in demo["runs"] if r["dag_id"] == "retraining_trigger"]
    assert [r["run_type"] for r in trigger] == ["manual", "manual"]  # no asset-triggered run of its own
    with connect(f"duckdb:///{demo['home']}/warehouse.duckdb") as wh:
        decided = wh.fetch("select night, model, action from retraining_decisions order by night, model")
    models = sorted(m.name for m in load_registry().models)
    assert [(r["night"], r["model"]) for r in decided] == [(n, m) for n in NIGHTS for m in models]
    assert not any(r["dag_id"] == "model_retraining" for r in demo["runs"])  # nothing fired on these nights


def test_a_second_demo_on_the_same_home_runs_its_nights_again(demo: dict) -> None:
    # `make demo` twice: the post-phase's runs of the first session are cleared and run again (one run
    # per logical date: a new one was refused with 409), as the backfills rerun theirs. Last in the
    # module: it changes the home the other tests read.
    home = Path(demo["home"])
    out = _run_demo(home)
    states = json.loads(next(ln for ln in out.stdout.splitlines() if ln.startswith("STATES "))[7:])
    assert states["retention"] == dict.fromkeys((n.isoformat() for n in NIGHTS), "success")
    with sqlite3.connect(home / "airflow" / "airflow.db") as db:
        db.row_factory = sqlite3.Row
        manual = [dict(r) for r in db.execute("select * from dag_run where run_type = 'manual'")]
    before = {(r["dag_id"], r["run_id"]) for r in demo["runs"] if r["run_type"] == "manual"}
    assert {(r["dag_id"], r["run_id"]) for r in manual} == before  # the same runs, no second one
    for r in manual:
        assert r["clear_number"] == 1 and r["state"] == "success", r
        assert _when(r["start_date"]) > demo["ended"], r  # started again, in the second session
