"""The manual model-lifecycle DAG run for real through Airflow (``dag.test()``): rollback, decommission.

The registry rows are written with :mod:`steward.lifecycle` into the default warehouse; the DAG then
rolls the champion back and decommissions a version; the events carry the triggering user as actor
and the run id as evidence. A bad request (a version that is not registered) fails the run at once.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from steward import paths
from steward.lifecycle import ModelVersion, model_history, model_state, promote, register_version
from steward.warehouse import connect

pytestmark = pytest.mark.integration

T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def airflow_dag(module_home: Path):
    with connect() as wh:
        wh.migrate()
        wh.execute("delete from model_events where model = 'lead_scoring'")
        wh.execute("delete from model_versions where model = 'lead_scoring'")
        for run, version in enumerate(["2.3.0", "2.4.0"]):
            mv = ModelVersion("lead_scoring", version, created_at=T0 + dt.timedelta(days=run))
            register_version(wh, mv, actor="ci", reason="trained")
            promote(wh, "lead_scoring", version, actor="ci", reason="better", evidence_run_id=f"r{run}")
    subprocess.run(
        [str(Path(sys.executable).with_name("airflow")), "db", "migrate"], check=True, capture_output=True
    )
    from airflow.dag_processing.dagbag import DagBag

    from steward.airflow.demo import shorten_retries

    bag = DagBag(dag_folder=str(paths.project_dir() / "dags"))
    assert "model_lifecycle" in bag.dag_ids, bag.import_errors
    dag = bag.get_dag("model_lifecycle")
    shorten_retries(dag)
    return dag


def _run(dag, minute: int, **conf: object):
    return dag.test(logical_date=dt.datetime(2026, 11, 20, 9, minute, tzinfo=dt.UTC), run_conf=conf)


def test_rollback_then_decommission_then_a_bad_request(airflow_dag) -> None:
    run = _run(airflow_dag, 0, action="rollback", model="lead_scoring", reason="2.4.0 mis-scores")
    assert str(run.state) == "success"
    with connect() as wh:
        assert model_state(wh, "lead_scoring").champion == "2.3.0"
        rolled = [e for e in model_history(wh, "lead_scoring") if e.kind == "rollback"]
    assert len(rolled) == 1
    assert (rolled[0].actor, rolled[0].evidence_run_id) == ("dag_test", run.run_id)  # dag.test()'s user

    run = _run(airflow_dag, 1, action="decommission", model="lead_scoring", version="2.3.0", reason="retired")
    assert str(run.state) == "success"
    with connect() as wh:
        state = model_state(wh, "lead_scoring")
    assert state.decommissioned and state.stages["2.3.0"] == "decommissioned"

    run = _run(airflow_dag, 2, action="decommission", model="lead_scoring", version="9.9", reason="typo")
    assert str(run.state) == "failed"
    (ti,) = run.get_task_instances()
    assert ti.try_number == 1  # a wrong request is not retried
