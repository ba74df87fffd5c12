"""Retraining end to end under Airflow's real scheduler, LocalExecutor, triggerer and api-server.

`dag.test()` runs no asset-triggered DAG and only queues TriggerDagRun targets. Here `airflow
standalone` runs the two retraining DAGs for real over the toy lake (tests/unit/retraining): the
warehouse holds monitoring evidence prepared with the domain functions (a drift chart out of control
on x2 on 11-09 and 11-10, the labelled windows), and monitoring's asset events (`monitoring_<model>`,
posted through the REST API with the window as `model_monitoring` emits it) schedule the trigger:

- a quiet night records `no_action` for both models and starts nothing;
- the drift night fires both; `model_retraining` trains, measures, evaluates and promotes the
  limited-risk `toy`; the high-risk `toy_high` waits in `awaiting_input`;
- the next night's event for `toy_high`, while its run waits, records `skip (retraining_running)` and
  starts no second run;
- `PATCH .../hitlDetails` (bearer token from the simple auth manager's login) approves it, then the
  approval, its responder and the promotion are registry events and the challenger is champion.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from steward import paths
from steward.airflow.local import apply_airflow_env
from steward.airflow.pools import ensure_warehouse_pool
from steward.airflow.scheduler import RestApi, guarded
from steward.lifecycle import ModelVersion, champion_version, model_history, promote, register_version
from steward.warehouse import WarehouseError, connect
from tests.fixtures.airflow_server import free_port, stop_group, wait_healthy
from tests.fixtures.airflow_stack import STACK_SETTINGS
from tests.unit.retraining.data_for_test import day, registry_yaml, retraining_block, write_lake

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

AIRFLOW = str(Path(sys.executable).with_name("airflow"))
PASSWORD = "retraining-scheduler-test"
MODELS = ("toy", "toy_high")
QUIET, DRIFT = day(3), day(9)
T = dt.datetime(2026, 11, 10, 3, tzinfo=dt.UTC)
SERVED = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)  # the champions' registration: long before the nights


def _registry(root: Path) -> str:
    """The toy model twice over the same lake: ``toy`` at limited risk, ``toy_high`` at high risk."""
    text = registry_yaml(root, risk_tier="limited", retraining=retraining_block())
    start = text.index("  - name: toy\n")
    end = text.index("\nprivacy:")
    high = (
        text[start:end]
        .replace("- name: toy\n", "- name: toy_high\n")
        .replace("risk_tier: limited", "risk_tier: high")
    )
    text = text[:end] + "\n" + high + text[end:]
    return (
        text
        + "    - model: toy_high\n      harms: [qualified applicants declined]\n"
        + (
            "      mitigations: [fairness gate, human approval]\n      reviewer: Model Risk Committee\n"
            "      assessed_on: 2026-01-15\n"
        )
    )


def _prepare_warehouse(url: str) -> None:
    """Champions served since October; monitoring's rows for the nights the events will name."""
    with connect(url) as wh:
        wh.migrate()
        for model in MODELS:
            register_version(
                wh, ModelVersion(model, "1.0.0", created_at=SERVED), actor="test", reason="served"
            )
            promote(
                wh, model, "1.0.0", actor="test", reason="initial", evidence_run_id=None, occurred_at=SERVED
            )
            alarms = [
                {"model": model, "series": "drift:x2", "chart": "ewma", "window_date": d, "value": 0.3,
                 "state": "out_of_control", "run_id": f"mon-{d}", "computed_at": T}
                for d in (day(8), DRIFT)
            ]  # fmt: skip
            wh.replace_partition("control_chart_points", {"model": model}, alarms)
            # labels arrive a day late: by night 9, the windows of days 0..8 are labelled
            labelled = [
                {"model": model, "window_date": day(i), "metric": "positive_rate", "realized_value": 0.45,
                 "realized_status": "ok", "estimated_status": "undefined", "n": 3000, "n_labelled": 3000,
                 "label_coverage": 1.0, "breach": False, "run_id": f"mon-{day(i)}", "computed_at": T}
                for i in range(9)
            ]  # fmt: skip
            wh.replace_partition("model_performance", {"model": model}, labelled)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """`airflow standalone` over a dags folder with the two retraining DAGs, the login on."""
    home = tmp_path_factory.mktemp("retraining_scheduler")
    write_lake(home / "lake", nights=10, rows=3000)  # enough rows for the high-risk fairness gate
    registry = home / "governance.yaml"
    registry.write_text(_registry(home / "lake"), encoding="utf-8")
    dags = home / "dags"
    dags.mkdir()
    for name in ("retraining_trigger.py", "model_retraining.py"):
        shutil.copy(paths.project_dir() / "dags" / name, dags)
    port = free_port()
    env = dict(os.environ)
    apply_airflow_env(env, override=True, steward_home=home, port=port, parallelism=2)
    url = f"duckdb:///{home / 'warehouse.duckdb'}"
    env.update(
        {
            "STEWARD_REGISTRY": str(registry),
            "STEWARD_WAREHOUSE_URL": url,
            "STEWARD_ARTIFACTS": str(home / "artifacts"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",  # a real login for the REST calls
            "AIRFLOW__API_AUTH__JWT_SECRET": "retraining-scheduler-test-" + "s" * 64,
            "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.5",
            **STACK_SETTINGS,  # DAG files parsed once; a task waits up to 60 s for the api-server
        }
    )
    passwords = Path(env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
    passwords.parent.mkdir(parents=True, exist_ok=True)
    passwords.write_text(json.dumps({"admin": PASSWORD}))
    _prepare_warehouse(url)
    log_path = home / "standalone.log"
    with log_path.open("wb") as log:
        command = guarded([AIRFLOW, "standalone"])  # stopped with this process, even if it is killed
        proc = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(proc, base, log_path, timeout_s=240, every_s=2)
            ensure_warehouse_pool(env)
            api = RestApi(base, "admin", PASSWORD)
            _wait(lambda: all(_dag_parsed(api, d) for d in ("retraining_trigger", "model_retraining")), 240)
            for dag_id in ("retraining_trigger", "model_retraining"):
                api.call("PATCH", f"/dags/{dag_id}", {"is_paused": False})
            yield {"api": api, "url": url, "log": log_path}
        finally:
            stop_group(proc)


def _dag_parsed(api: RestApi, dag_id: str) -> bool:
    try:
        return bool(api.call("GET", f"/dags/{dag_id}"))
    except (OSError, RuntimeError):  # HTTP 404 (RestApi's error) until the dag-processor has stored it
        return False


def _wait(done: Callable[[], Any], timeout_s: float, every_s: float = 2.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = done()
        if found:
            return found
        time.sleep(every_s)
    raise AssertionError(f"gave up after {timeout_s:.0f} s waiting for {done}")


def _monitored(api: RestApi, model: str, window: dt.date) -> None:
    """Post the asset event ``model_monitoring`` emits for a model-window (extra ``window``)."""
    assets = api.call("GET", f"/assets?name_pattern=monitoring_{model}")["assets"]
    asset = next(a for a in assets if a["name"] == f"monitoring_{model}")
    api.call("POST", "/assets/events", {"asset_id": asset["id"], "extra": {"window": window.isoformat()}})


def _decisions(url: str, night: dt.date) -> dict[str, dict[str, Any]]:
    try:
        with connect(url, lock_timeout_s=5) as wh:
            rows = wh.fetch(
                "select model, action, guard, reason, triggered_run_id from retraining_decisions "
                "where night = :n",
                {"n": night},
            )
    except WarehouseError:  # a task holds the DuckDB file: ask again
        return {}
    return {str(r["model"]): r for r in rows}


def _runs(api: RestApi, dag_id: str) -> list[dict[str, Any]]:
    return list(api.call("GET", f"/dags/{dag_id}/dagRuns?order_by=id")["dag_runs"])


def _task_state(api: RestApi, run_id: str, task_id: str) -> str | None:
    ti = api.call("GET", f"/dags/model_retraining/dagRuns/{run_id}/taskInstances/{task_id}")
    return ti.get("state")


def test_events_decide_fire_promote_wait_for_approval_and_never_fire_twice(stack: dict[str, Any]) -> None:
    api, url = stack["api"], stack["url"]

    # a quiet night: no signal, no action, nothing started
    for model in MODELS:
        _monitored(api, model, QUIET)
    quiet = _wait(lambda: (found := _decisions(url, QUIET)) and len(found) == 2 and found, 180)
    assert {m: (r["action"], r["triggered_run_id"]) for m, r in quiet.items()} == {
        "toy": ("no_action", None),
        "toy_high": ("no_action", None),
    }
    assert all(r["reason"].startswith("no action: no signal held.") for r in quiet.values())

    # the drift night fires both models, each one model_retraining run with the decision's id
    for model in MODELS:
        _monitored(api, model, DRIFT)
    fired = _wait(lambda: (found := _decisions(url, DRIFT)) and len(found) == 2 and found, 180)
    assert {m: r["action"] for m, r in fired.items()} == {"toy": "fire", "toy_high": "fire"}
    assert "drift: x2 out of control on 2 of the last 3 nights" in fired["toy"]["reason"]
    high_run = str(fired["toy_high"]["triggered_run_id"])

    def settled() -> dict[str, str] | None:
        runs = {r["dag_run_id"]: r["state"] for r in _runs(api, "model_retraining")}
        waiting = high_run in runs and _task_state(api, high_run, "approval") == "awaiting_input"
        low = runs.get(str(fired["toy"]["triggered_run_id"]))
        return runs if waiting and low in ("success", "failed") else None

    runs = _wait(settled, 420, every_s=5)
    assert runs[str(fired["toy"]["triggered_run_id"])] == "success" and runs[high_run] == "running"
    with connect(url, lock_timeout_s=30) as wh:
        limited = wh.fetch("select status, challenger_version from retraining_runs where model = 'toy'")
        assert [r["status"] for r in limited] == ["promoted"]
        assert champion_version(wh, "toy") == limited[0]["challenger_version"]
        assert champion_version(wh, "toy_high") == "1.0.0"  # waits for a person

    # the next night drifts again while toy_high's run waits: skipped, no second run
    _monitored(api, "toy_high", DRIFT + dt.timedelta(days=1))
    nxt = _wait(lambda: _decisions(url, DRIFT + dt.timedelta(days=1)).get("toy_high"), 180)
    assert (nxt["action"], nxt["guard"]) == ("skip", "retraining_running") and high_run in nxt["reason"]
    assert len(_runs(api, "model_retraining")) == 2

    # a risk officer approves through the REST API; the run records the approval and promotes
    pending = api.call("GET", "/dags/~/dagRuns/~/hitlDetails?response_received=false")
    assert [h["task_instance"]["dag_run_id"] for h in pending["hitl_details"]] == [high_run]
    api.call(
        "PATCH",
        f"/dags/model_retraining/dagRuns/{high_run}/taskInstances/approval/-1/hitlDetails",
        {"chosen_options": ["Approve"], "params_input": {}},
    )
    done = _wait(
        lambda: (
            next(r["state"] for r in _runs(api, "model_retraining") if r["dag_run_id"] == high_run)
            in ("success", "failed")
        ),
        240,
        every_s=5,
    )
    assert (
        done
        and next(r for r in _runs(api, "model_retraining") if r["dag_run_id"] == high_run)["state"]
        == "success"
    )
    with connect(url, lock_timeout_s=30) as wh:
        row = wh.fetch("select status, challenger_version from retraining_runs where model = 'toy_high'")
        assert [r["status"] for r in row] == ["promoted"]
        challenger = row[0]["challenger_version"]
        events = [
            (e.kind, e.actor, e.alias) for e in model_history(wh, "toy_high") if e.version == challenger
        ]
        assert champion_version(wh, "toy_high") == challenger
    assert ("approved", "admin", None) in events, events  # the responder: the REST call's user
    assert any(kind == "alias_set" and alias == "champion" for kind, _, alias in events), events
