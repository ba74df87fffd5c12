"""The model-monitoring DAG run for real through Airflow (``dag.test()``) on the demo company.

One mapped task per model: drift, performance, review queue and (credit_risk) fairness written to the
warehouse, a report per model, an asset event per model for retraining and ROI; a quarantined
prediction log is skipped with a reason; the asset-triggered path turns data-quality events into jobs.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from steward import paths
from steward.airflow.monitoring import jobs_from_events
from steward.demo import DEMO_START, generate
from steward.warehouse import connect

pytestmark = pytest.mark.integration

UNFAIR_DAY = DEMO_START + dt.timedelta(days=9)  # 2026-11-10: the 18-25 age band is declined more often
CLEAN_DAY = DEMO_START + dt.timedelta(days=3)  # 2026-11-04


@pytest.fixture(scope="module")
def monitoring_dag():
    generate(
        days=10,
        datasets=[
            "lead_scoring_training",
            "lead_scoring_predictions",
            "lead_scoring_labels",
            "credit_risk_training",
            "credit_risk_predictions",
            "credit_risk_labels",
        ],
    )
    subprocess.run(
        [str(Path(sys.executable).with_name("airflow")), "db", "migrate"], check=True, capture_output=True
    )
    from airflow.dag_processing.dagbag import DagBag

    from steward.airflow.demo import shorten_retries

    bag = DagBag(dag_folder=str(paths.project_dir() / "dags"))
    assert bag.import_errors == {}
    dag = bag.get_dag("model_monitoring")
    shorten_retries(dag)
    return dag


def _run(dag, day: dt.date):
    return dag.test(
        logical_date=dt.datetime.combine(day, dt.time(3), tzinfo=dt.UTC), run_conf={"date": day.isoformat()}
    )


def _events(model: str) -> list[dict]:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session

    with create_session() as session:
        events = (
            session.query(AssetEvent)
            .join(AssetModel, AssetEvent.asset_id == AssetModel.id)
            .filter(AssetModel.name == f"monitoring_{model}")
            .order_by(AssetEvent.id)
            .all()
        )
        return [dict(e.extra or {}) for e in events]


def test_unfair_day_is_caught_and_every_model_reported(monitoring_dag) -> None:
    run = _run(monitoring_dag, UNFAIR_DAY)
    assert str(run.state) == "success"
    with connect() as wh:
        runs = {
            r["model"]: r
            for r in wh.fetch("select * from monitoring_runs where window_date = :d", {"d": UNFAIR_DAY})
        }
        fairness = wh.fetch(
            "select attribute, group_value, metric, value, status from fairness_metrics "
            "where model = 'credit_risk' and window_date = :d and status = 'breach'",
            {"d": UNFAIR_DAY},
        )
    assert set(runs) == {"lead_scoring", "credit_risk"}
    assert "time_on_site_s" in runs["lead_scoring"]["message"]
    assert all(Path(str(r["report_path"])).is_file() for r in runs.values())
    assert any(f["attribute"] == "age_band" and f["group_value"] == "18-25" for f in fairness)
    # the training snapshot was assessed for bias once, on first use; credit history stands in for age
    with connect() as wh:
        proxies = wh.fetch(
            "select dataset_version, feature from bias_assessment where model = 'credit_risk' "
            "and verdict = 'flagged' and check_name like 'proxy%'"
        )
    assert proxies and all(str(p["dataset_version"]).startswith("credit_risk_training@") for p in proxies)
    assert "credit_history_years" in {p["feature"] for p in proxies}
    credit = _events("credit_risk")[-1]
    assert credit["window"] == UNFAIR_DAY.isoformat() and credit["fairness_breach"] is True
    lead = _events("lead_scoring")[-1]
    assert lead["drift"] is True and lead["fairness_breach"] is False


def test_clean_day_no_fairness_breach_and_rerun_adds_no_rows(monitoring_dag) -> None:
    assert str(_run(monitoring_dag, CLEAN_DAY).state) == "success"
    with connect() as wh:
        n = wh.fetch("select count(*) as n from drift_metrics where window_date = :d", {"d": CLEAN_DAY})[0][
            "n"
        ]
        breaches = wh.fetch(
            "select count(*) as n from fairness_metrics where window_date = :d and status = 'breach'",
            {"d": CLEAN_DAY},
        )[0]["n"]
    assert breaches == 0
    assert str(_run(monitoring_dag, CLEAN_DAY).state) == "success"
    with connect() as wh:
        again = wh.fetch("select count(*) as n from drift_metrics where window_date = :d", {"d": CLEAN_DAY})[
            0
        ]["n"]
    assert again == n


def test_quarantined_prediction_log_is_skipped_with_a_reason(monitoring_dag) -> None:
    day = DEMO_START + dt.timedelta(days=5)
    with connect() as wh:
        wh.migrate()
        wh.replace_partition(
            "quarantine",
            {"dataset": "credit_risk_predictions", "partition_date": day},
            [{"reason": "test: critical expectations failed", "run_id": "t"}],
        )
    run = _run(monitoring_dag, day)
    assert str(run.state) == "success"  # a skipped model is not a failure
    with connect() as wh:
        models = {
            r["model"]
            for r in wh.fetch("select model from monitoring_runs where window_date = :d", {"d": day})
        }
    assert models == {"lead_scoring"}


def test_data_quality_events_become_jobs() -> None:
    events = {
        "dq_credit_risk_predictions": [{"partition_date": "2026-11-10"}, {"partition_date": "2026-11-11"}],
        "dq_leads": [{"partition_date": "2026-11-10"}],
    }
    jobs = jobs_from_events(
        events, {"credit_risk_predictions": ["credit_risk"], "lead_scoring_predictions": ["lead_scoring"]}
    )
    assert jobs == [
        {"model": "credit_risk", "date": "2026-11-10"},
        {"model": "credit_risk", "date": "2026-11-11"},
    ]
