"""
### Nightly data quality

Validates last night's partition of every dataset registered in the governance registry
(`include/governance.yaml`, or `$STEWARD_REGISTRY`) with its Great Expectations suite
(`include/expectations/<dataset>.json`).

- **One mapped task per dataset** (`validate`): results per expectation go to the warehouse
  table `dq_results`, the outcome to `dq_runs`, an HTML report to
  `$STEWARD_HOME/reports/data_quality/<date>/<dataset>.html` (path in the task log).
- **Critical failure → quarantine**: the batch is recorded in `quarantine` and the task fails
  naming the dataset, partition and failed checks. Warning-severity failures are recorded
  and the task succeeds.
- **Assets**: each usable partition emits an event on `dq_<dataset>` (through the alias
  `steward_data_quality`) with `partition_date` and `status` in its extra, for monitoring DAGs.
- **Late data**: a dataset with `landing` times in the registry waits for a missing partition
  (up for reschedule, no slot held) until its deadline, with one `late_data` notice after
  `expected_by`; then it fails with the "has not landed" message.
- **Alerts**: failed tasks (and late data) are posted to the registry's `alerts` destinations
  (connection `steward_alerts_webhook`, a URL, e-mail).
- **Partition date**: the `date` param when given (manual runs, reruns), else the data
  interval's start. Backfill: `airflow backfill create --dag-id data_quality --from-date D1
  --to-date <day after the last partition> --max-active-runs 1` (the end date's own night is not
  included; without `--max-active-runs 1` every night runs at once).

Reruns replace exactly the dataset × partition they validate: no duplicates.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import dag
from airflow.timetables.interval import CronDataIntervalTimetable

from steward.airflow.alerts import deadline_alerts, failure_callbacks
from steward.airflow.context import date_param
from steward.airflow.data_quality import nightly_datasets, summarize, validate
from steward.airflow.pools import warehouse_pool_args

DEFAULT_ARGS = {
    "owner": "data-platform",
    "retries": 2,
    "retry_delay": dt.timedelta(minutes=5),
    "on_failure_callback": failure_callbacks("data_quality"),  # registry alerts: webhook, e-mail
    **warehouse_pool_args(),  # one-slot pool for a DuckDB warehouse (STEWARD_WAREHOUSE_POOL)
}


@dag(
    dag_id="data_quality",
    schedule=CronDataIntervalTimetable("0 2 * * *", timezone="UTC"),
    start_date=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    deadline=deadline_alerts("data_quality") or None,  # alerts.dags.<dag>.late_after_hours
    params={"date": date_param("Partition to validate (YYYY-MM-DD). Empty: the run's data interval.")},
    tags=["steward", "data-quality", "nightly"],
    doc_md=__doc__,
)
def data_quality() -> None:
    # the registry alone: no warehouse slot, so it runs while another DAG's task holds the file
    datasets = nightly_datasets.override(pool="default_pool")()
    checks = validate.expand(dataset=datasets)
    checks >> summarize()


data_quality()
