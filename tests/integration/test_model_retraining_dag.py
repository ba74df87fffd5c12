"""The model_retraining DAG run for real through Airflow (``dag.test()``) on the toy model's lake.

Limited risk: trained, evaluated and promoted, the approval tasks skipped. A trainer that raises:
the run fails at ``train`` (no retry) and the failure is recorded. High risk: the run reaches the
``approval`` task, which waits in ``awaiting_input``; it is answered by calling the function behind
Airflow's REST endpoint ``PATCH /api/v2/dags/{dag}/dagRuns/{run}/taskInstances/{task}/-1/hitlDetails``
(``update_hitl_detail``, with the same payload model; the api-server's auth dependency is not run
here, the lead's scheduler test sends the real HTTP request), then ``record_approval`` promotes and
records the responder.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import pytest

from steward import paths
from steward.lifecycle import ModelVersion, champion_version, model_history, promote, register_version
from steward.retraining import read_run
from steward.warehouse import connect
from tests.unit.retraining.data_for_test import day, registry_yaml, retraining_block, write_lake

pytestmark = pytest.mark.integration

NIGHT = day(9)


@pytest.fixture(scope="module")
def retraining_dag(module_home: Path):
    subprocess.run(
        [str(Path(sys.executable).with_name("airflow")), "db", "migrate"], check=True, capture_output=True
    )
    from airflow.dag_processing.dagbag import DagBag

    from steward.airflow.demo import shorten_retries

    bag = DagBag(dag_folder=str(paths.project_dir() / "dags"))
    assert "model_retraining" in bag.dag_ids, bag.import_errors
    dag = bag.get_dag("model_retraining")
    shorten_retries(dag)
    yield dag
    # the session shares one Airflow metadata database: leave no model_retraining runs behind for
    # the trigger's tests, which count the runs it starts
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        for run in session.query(DagRun).filter(DagRun.dag_id == "model_retraining").all():
            session.delete(run)


@pytest.fixture
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def make(
        risk_tier: str = "limited", trainer: str = "steward.demo:train_credit_risk", rows: int = 300
    ) -> str:
        root = tmp_path / "lake"
        write_lake(root, nights=10, rows=rows)
        registry = tmp_path / "governance.yaml"
        registry.write_text(registry_yaml(root, risk_tier=risk_tier, retraining=retraining_block(trainer)))
        url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
        monkeypatch.setenv("STEWARD_REGISTRY", str(registry))
        monkeypatch.setenv("STEWARD_WAREHOUSE_URL", url)
        monkeypatch.setenv("STEWARD_ARTIFACTS", str(tmp_path / "artifacts"))
        with connect(url) as wh:
            wh.migrate()
            register_version(wh, ModelVersion("toy", "1.0.0"), actor="test", reason="served")
            promote(wh, "toy", "1.0.0", actor="test", reason="initial champion", evidence_run_id=None)
        return url

    return make


def _conf() -> dict[str, Any]:
    return {"model": "toy", "date": NIGHT.isoformat(), "decision_id": "dec-7", "reason": "drift on x2"}


def _states(run) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in run.get_task_instances()}


def test_limited_model_is_trained_evaluated_and_promoted(retraining_dag, toy) -> None:
    url = toy()
    run = retraining_dag.test(logical_date=dt.datetime(2026, 11, 10, 6, tzinfo=dt.UTC), run_conf=_conf())
    states = _states(run)
    assert str(run.state) == "success", states
    assert states["train"] == states["evaluate"] == states["gate"] == "success"
    assert states["approval"] == states["record_approval"] == "skipped"
    with connect(url) as wh:
        row = read_run(wh, "toy", run.run_id)
        assert row is not None and row["status"] == "promoted" and row["decision_id"] == "dec-7"
        assert champion_version(wh, "toy") == row["challenger_version"]
    report = paths.reports_dir() / "retraining" / NIGHT.isoformat() / "toy.html"
    assert report.is_file() and "DeLong" in report.read_text()


def test_a_trainer_that_raises_fails_the_run_once_and_is_recorded(retraining_dag, toy) -> None:
    url = toy(trainer="tests.unit.retraining.data_for_test:failing_trainer")
    run = retraining_dag.test(logical_date=dt.datetime(2026, 11, 10, 7, tzinfo=dt.UTC), run_conf=_conf())
    states = _states(run)
    assert str(run.state) == "failed" and states["train"] == "failed"
    ti = next(t for t in run.get_task_instances() if t.task_id == "train")
    assert ti.try_number == 1  # AirflowFailException: recorded, not retried
    with connect(url) as wh:
        row = read_run(wh, "toy", run.run_id)
        assert row is not None and row["status"] == "failed" and "out of memory" in row["reason"]
        assert champion_version(wh, "toy") == "1.0.0"


def _hitl_api() -> tuple[Any, Any, Any]:
    """Import the REST route's function (the api-server's modules warn about starlette's httpx use)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
        from airflow.api_fastapi.core_api.datamodels.hitl import UpdateHITLDetailPayload
        from airflow.api_fastapi.core_api.routes.public.hitl import update_hitl_detail
    return SimpleAuthManagerUser, UpdateHITLDetailPayload, update_hitl_detail


def _answer_when_awaiting(dag_id: str, found: dict[str, Any], timeout: float = 240) -> None:
    try:
        _poll_and_answer(dag_id, found, timeout)
    except Exception as exc:
        found["error"] = f"{type(exc).__name__}: {exc}"
        print("HITL answer thread failed:", found["error"], file=sys.stderr, flush=True)


def _poll_and_answer(dag_id: str, found: dict[str, Any], timeout: float) -> None:
    from airflow.models.hitl import HITLDetail
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    SimpleAuthManagerUser, UpdateHITLDetailPayload, update_hitl_detail = _hitl_api()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with create_session() as session:
            ti = (
                session.query(TaskInstance)
                .filter(TaskInstance.dag_id == dag_id, TaskInstance.task_id == "approval")
                .order_by(TaskInstance.id.desc())
                .first()
            )
            if ti is not None and str(ti.state) == "awaiting_input":
                found["state"] = str(ti.state)
                detail = session.query(HITLDetail).filter(HITLDetail.ti_id == ti.id).one()
                found["subject"], found["body"] = detail.subject, detail.body
                response = update_hitl_detail(
                    dag_id=dag_id,
                    dag_run_id=ti.run_id,
                    task_id="approval",
                    update_hitl_detail_payload=UpdateHITLDetailPayload(chosen_options=["Approve"]),
                    user=SimpleAuthManagerUser(username="risk.officer", role="admin"),
                    session=session,
                    map_index=-1,
                )
                found["response"] = response.model_dump()
                return
        time.sleep(0.5)
    found["error"] = "the approval task never reached awaiting_input"


def test_high_risk_waits_for_a_person_and_is_approved_through_the_hitl_api(retraining_dag, toy) -> None:
    url = toy(risk_tier="high", rows=3000)
    found: dict[str, Any] = {}
    _hitl_api()  # imported once here, outside the thread
    answer = threading.Thread(target=_answer_when_awaiting, args=("model_retraining", found), daemon=True)
    answer.start()
    run = retraining_dag.test(logical_date=dt.datetime(2026, 11, 10, 8, tzinfo=dt.UTC), run_conf=_conf())
    answer.join(timeout=5)
    assert "error" not in found, found
    assert found["state"] == "awaiting_input"
    assert found["subject"].startswith("Promote toy ") and "risk tier high" in found["subject"]
    assert "DeLong z" in found["body"] and "/steward/retraining/2026-11-10/toy.html" in found["body"]
    states = _states(run)
    assert str(run.state) == "success", states
    assert states["approval"] == states["record_approval"] == "success"
    with connect(url) as wh:
        row = read_run(wh, "toy", run.run_id)
        assert row is not None and row["status"] == "promoted" and "risk.officer" in row["reason"]
        assert champion_version(wh, "toy") == row["challenger_version"]
        kinds = [
            (e.kind, e.actor) for e in model_history(wh, "toy") if e.version == row["challenger_version"]
        ]
    assert ("approval_requested", "steward-retraining") in kinds and ("approved", "risk.officer") in kinds


def test_the_demo_runs_each_fired_decision_and_summarizes_it(retraining_dag, toy) -> None:
    from steward.airflow.demo import run_fired_retrainings

    url = toy()
    with connect(url) as wh:
        wh.execute(
            "insert into retraining_decisions (decision_id, model, night, evaluated_at, run_id, action, "
            "policy, signals_json, evidence_json, reason, triggered_run_id) values ('dec-9', 'toy', :n, :t, "
            "'trig-1', 'fire', 'drift', '[]', '{}', 'drift on x2 for 2 of 3 nights', 'retraining__dec-9')",
            {"n": NIGHT, "t": dt.datetime(2026, 11, 11, 4, tzinfo=dt.UTC)},
        )
    lines = run_fired_retrainings(retraining_dag, NIGHT)
    assert len(lines) == 1
    assert lines[0].startswith("toy 2026-11-10-") and "(champion 1.0.0), DeLong p" in lines[0]
    assert "gates performance ok, fairness ok -> promoted" in lines[0]
    with connect(url) as wh:
        runs = wh.fetch("select decision_id, status from retraining_runs")
    assert runs == [{"decision_id": "dec-9", "status": "promoted"}]
