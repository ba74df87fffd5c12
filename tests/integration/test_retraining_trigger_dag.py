"""The retraining trigger DAG run for real through Airflow (``dag.test()``).

Monitoring evidence is inserted in the real warehouse tables; the DAG records one decision per model,
starts ``model_retraining`` (a stand-in DAG in a temporary dags folder: the real one belongs to the
retraining flow) with the decision's evidence in the conf, and does not start a second run for the
model while the first is still queued, nor when the same night is rerun.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from steward import paths
from steward.warehouse import connect

pytestmark = pytest.mark.integration

STAND_IN = '''
"""Stand-in for the retraining flow's DAG: the trigger only needs it to exist."""
import datetime as dt

from airflow.sdk import dag, task


@dag(dag_id="model_retraining", schedule=None, start_date=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
     catchup=False, tags=["test"], doc_md=__doc__)
def model_retraining():
    @task
    def train() -> None:
        return None

    train()


model_retraining()
'''
T = dt.datetime(2026, 11, 6, 3, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def trigger_dag(tmp_path_factory: pytest.TempPathFactory, module_home: Path) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("dags")
    shutil.copy(paths.project_dir() / "dags" / "retraining_trigger.py", folder)
    (folder / "model_retraining.py").write_text(STAND_IN, encoding="utf-8")
    from airflow import settings

    saved = os.environ.get("AIRFLOW__CORE__DAGS_FOLDER")
    saved_setting = settings.DAGS_FOLDER
    os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(folder)
    # dag.test() syncs the "dags-folder" bundle, whose path airflow.settings read when first imported
    settings.DAGS_FOLDER = str(folder)
    try:
        subprocess.run(
            [str(Path(sys.executable).with_name("airflow")), "db", "migrate"], check=True, capture_output=True
        )
        from airflow.dag_processing.dagbag import DagBag

        from steward.airflow.demo import shorten_retries

        bag = DagBag(dag_folder=str(folder))
        assert bag.import_errors == {}
        dag = bag.get_dag("retraining_trigger")
        shorten_retries(dag)
        yield dag
    finally:
        settings.DAGS_FOLDER = saved_setting
        if saved is None:
            os.environ.pop("AIRFLOW__CORE__DAGS_FOLDER", None)
        else:
            os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = saved


def _breach(day: dt.date) -> dict[str, Any]:
    return {
        "model": "credit_risk", "window_date": day, "kind": "fairness", "subject": "age_band:18-25:spd",
        "value": 0.2, "threshold": 0.1, "message": "gap", "run_id": f"mon-{day}", "detected_at": T,
    }  # fmt: skip


def _labelled(day: dt.date) -> dict[str, Any]:
    """A labelled window as monitoring records it (the trigger's data guard counts these)."""
    return {
        "model": "credit_risk", "window_date": day, "metric": "positive_rate", "realized_value": 0.2,
        "realized_status": "ok", "estimated_status": "undefined", "n": 50, "n_labelled": 50,
        "label_coverage": 1.0, "breach": False, "run_id": f"mon-{day}", "computed_at": T,
    }  # fmt: skip


def _run(dag: Any, night: dt.date, evaluated_at: str) -> Any:
    return dag.test(
        logical_date=dt.datetime.combine(night, dt.time(6), tzinfo=dt.UTC),
        run_conf={"date": night.isoformat(), "evaluated_at": evaluated_at},
    )


def _retraining_runs() -> list[Any]:
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        runs = session.query(DagRun).filter(DagRun.dag_id == "model_retraining").order_by(DagRun.id).all()
        return [(r.run_id, str(r.state), dict(r.conf or {})) for r in runs]


def test_fire_then_no_second_run_while_queued_and_rerun_writes_the_same_row(trigger_dag: Any) -> None:
    night = dt.date(2026, 11, 5)
    with connect() as wh:
        wh.migrate()
        wh.replace_partition("monitoring_breaches", {"model": "credit_risk"}, [_breach(night)])
        labelled = [_labelled(night - dt.timedelta(days=i)) for i in range(5)]  # 2 + a 3-day holdout
        wh.replace_partition("model_performance", {"model": "credit_risk"}, labelled)
    run = _run(trigger_dag, night, "2026-11-06T04:00")
    assert str(run.state) == "success"
    with connect() as wh:
        rows = wh.fetch(
            "select model, action, guard, triggered_run_id, decision_id from retraining_decisions"
        )
    by_model = {r["model"]: r for r in rows}
    assert by_model["lead_scoring"]["action"] == "no_action"
    fired = by_model["credit_risk"]
    assert fired["action"] == "fire" and fired["triggered_run_id"] == f"retraining__{fired['decision_id']}"
    runs = _retraining_runs()
    assert [(r[0], r[1]) for r in runs] == [(fired["triggered_run_id"], "queued")]  # dag.test() only queues
    conf = runs[0][2]
    assert (conf["model"], conf["decision_id"]) == ("credit_risk", fired["decision_id"])
    assert conf["reason"].startswith("fire (now): fairness: breaches on 1 of the last 3 nights")
    assert [s["name"] for s in conf["evidence"]["signals"]] == ["fairness"]
    assert conf["evidence"]["signals"][0]["breaches"][0]["run_id"] == "mon-2026-11-05"
    # the rows were written straight to the latest-only tables, no monitoring night kept them per night
    assert conf["evidence"]["evidence_asof"] == "latest (no history)"

    # the next night breaches again, after credit_risk's 5-day cool-down: the queued run blocks it
    nxt = night + dt.timedelta(days=1)
    with connect() as wh:
        wh.replace_partition("monitoring_breaches", {"model": "credit_risk"}, [_breach(night), _breach(nxt)])
    assert str(_run(trigger_dag, nxt, "2026-11-12T04:00").state) == "success"
    with connect() as wh:
        second = wh.fetch(
            "select action, guard, reason from retraining_decisions "
            "where model = 'credit_risk' and night = :n",
            {"n": nxt},
        )
    assert [(r["action"], r["guard"]) for r in second] == [("skip", "retraining_running")]
    assert fired["triggered_run_id"] in str(second[0]["reason"])
    assert len(_retraining_runs()) == 1

    # rerunning the first night sees its own run, fires the same decision again and starts nothing new
    assert str(_run(trigger_dag, night, "2026-11-06T04:00").state) == "success"
    with connect() as wh:
        again = wh.fetch(
            "select action, decision_id from retraining_decisions where night = :n", {"n": night}
        )
    assert sorted((r["action"], r["decision_id"]) for r in again) == sorted(
        (r["action"], r["decision_id"]) for r in rows
    )
    assert len(_retraining_runs()) == 1
