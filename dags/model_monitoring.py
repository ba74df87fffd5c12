"""
### Model monitoring

Runs when data quality passes a partition of a registered model's prediction log (the asset
`dq_<prediction_log>`; its event carries the partition date), or by hand with the `date` param
(then every registered model is monitored for that day, and only that day).

- **Catch-up**: an asset-triggered run also monitors every partition that passed data quality within
  the model's `monitoring.catch_up_days` and has no `monitoring_runs` row, oldest first, so no passed
  night is missed whatever the timing of the events.

- **One mapped task per model and window** (`monitor`): feature and prediction drift against the
  model's stored reference profile (significance with Benjamini–Hochberg control **and** an effect
  size), missing-value and new-category signals, realized performance for every window of the label
  horizon as late labels arrive, a label-free estimate (CBPE-style) before they do, control charts
  (EWMA, CUSUM, Shewhart) over every series, the low-confidence review queue and, for models with
  protected attributes, fairness. Tables: `drift_metrics`, `model_performance`,
  `control_chart_points`, `review_queue`, `monitoring_breaches`, `monitoring_runs`,
  `fairness_metrics`. Report: `$STEWARD_HOME/reports/monitoring/<date>/<model>.html` (path in the log).
- **Quarantined partitions are skipped** (the task is marked skipped and says why).
- **Assets**: one event per model-window on `monitoring_<model>` (alias `steward_model_monitoring`)
  with `window`, `drift`, `performance_breach` and `fairness_breach`, for retraining and ROI.

Reruns replace exactly the model × window they compute: no duplicates.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import dag

from steward.airflow.alerts import deadline_alerts, failure_callbacks
from steward.airflow.assets import prediction_log_assets
from steward.airflow.context import date_param
from steward.airflow.monitoring import monitor, monitoring_jobs, summarize_monitoring
from steward.airflow.pools import warehouse_pool_args

DEFAULT_ARGS = {
    "owner": "ml-platform",
    "retries": 2,
    "retry_delay": dt.timedelta(minutes=5),
    "on_failure_callback": failure_callbacks("model_monitoring"),  # registry alerts: webhook, e-mail
    **warehouse_pool_args(),  # one-slot pool for a DuckDB warehouse (STEWARD_WAREHOUSE_POOL)
}


@dag(
    dag_id="model_monitoring",
    schedule=prediction_log_assets(),
    start_date=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    deadline=deadline_alerts("model_monitoring") or None,  # alerts.dags.<dag>.late_after_hours
    params={
        "date": date_param(
            "Window to monitor (YYYY-MM-DD) for every model. Empty: from the triggering events."
        )
    },
    tags=["steward", "monitoring", "nightly"],
    doc_md=__doc__,
)
def model_monitoring() -> None:
    jobs = monitoring_jobs()
    monitor.expand(job=jobs) >> summarize_monitoring(jobs)


model_monitoring()
