"""The trigger DAG's helpers: which night each model's monitoring events name, and the retraining conf."""

from __future__ import annotations

import datetime as dt
import json

from steward.airflow.assets import monitoring_assets
from steward.airflow.retraining_trigger import nights_by_model, retraining_conf
from steward.registry import load_registry
from steward.triggers import Evidence, decide


def test_each_model_gets_the_latest_window_its_events_name() -> None:
    events = {
        "monitoring_credit_risk": [{"window": "2026-11-05"}, {"window": "2026-11-03"}],
        "monitoring_lead_scoring": [{"window": "2026-11-04T00:00:00"}, {}],
        "dq_leads": [{"partition_date": "2026-11-09"}],  # not a monitoring asset
    }
    assert nights_by_model(events) == {
        "credit_risk": dt.date(2026, 11, 5),
        "lead_scoring": dt.date(2026, 11, 4),
    }


def test_the_schedule_is_every_models_monitoring_asset() -> None:
    names = {a.name for a in monitoring_assets().objects}
    assert names == {f"monitoring_{m.name}" for m in load_registry(check_suites=False).models}


def test_the_conf_carries_the_decision_and_its_evidence_as_json() -> None:
    model = load_registry(check_suites=False).model("credit_risk")
    breach = {"window_date": dt.date(2026, 11, 5), "subject": "sex:female:spd", "value": 0.2,
              "threshold": 0.1, "message": "", "run_id": "mon-5"}  # fmt: skip
    now = dt.datetime(2026, 11, 6, 4, tzinfo=dt.UTC)
    d = decide(model, dt.date(2026, 11, 5), Evidence(fairness_breaches=(breach,)), now=now)
    conf = retraining_conf(d)
    assert json.loads(json.dumps(conf)) == conf
    assert (conf["model"], conf["decision_id"], conf["reason"]) == ("credit_risk", d.decision_id, d.reason)
    assert conf["evidence"]["night"] == "2026-11-05" and conf["evidence"]["policy"] == "fairness"
    assert [s["name"] for s in conf["evidence"]["signals"]] == ["fairness"]


class _Ti:
    def __init__(self, dag: object) -> None:
        self.dag = dag

    def get_dag(self, dag_id: str) -> object:
        if isinstance(self.dag, Exception):
            raise self.dag
        return self.dag


class _Dag:
    dag_id = "model_retraining"


def test_a_fire_without_a_deployed_retraining_dag_is_recorded_as_not_started() -> None:
    from steward.airflow.retraining_trigger import _retraining_deployed, _started

    assert _retraining_deployed(_Ti(_Dag()))
    assert not _retraining_deployed(_Ti(RuntimeError("DAG_NOT_FOUND")))
    model = load_registry(check_suites=False).model("credit_risk")
    now = dt.datetime(2026, 11, 6, 4, tzinfo=dt.UTC)
    breach = {"window_date": dt.date(2026, 11, 5), "subject": "s", "value": 0.2, "threshold": 0.1,
              "message": "", "run_id": "m"}  # fmt: skip
    d = decide(model, dt.date(2026, 11, 5), Evidence(fairness_breaches=(breach,)), now=now)
    assert _started(d, "retraining__x", True).triggered_run_id == "retraining__x"
    missing = _started(d, "retraining__x", False)
    assert missing.triggered_run_id is None and missing.action == "fire"
    assert missing.reason.endswith(
        "Not started: DAG 'model_retraining' is not deployed (dags/model_retraining.py)."
    )


def test_the_demo_gives_the_trigger_the_morning_after_as_its_clock() -> None:
    from steward.airflow.demo import DEMO_DAGS, demo_conf

    assert DEMO_DAGS.index("retraining_trigger") > DEMO_DAGS.index("model_monitoring")
    assert demo_conf("retraining_trigger", dt.date(2026, 11, 30)) == {
        "date": "2026-11-30",
        "evaluated_at": "2026-12-01T04:00:00+00:00",
    }
    assert demo_conf("carbon", dt.date(2026, 11, 30)) == {"date": "2026-11-30"}
