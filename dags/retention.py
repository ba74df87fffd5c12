"""
### Nightly retention, erasure and storage footprint

Applies each registered dataset's retention policy (`retention_days`, `retention` in
`include/governance.yaml`) on the run's date:

- **Raw partitions** older than `retention_days` are deleted, or moved under the archive folder
  (`governance.archive_dir`, default `$STEWARD_HOME/archive`) when `retention.action: archive`.
- **Derived rows** (data-quality results; drift, performance, fairness and review-queue rows of the
  models logging to the dataset) older than `retention.derived_days` are deleted.
- **Holds** keep what is still needed, with the reason recorded: the registry's `retention.holds`,
  a model's reference and prediction-reference windows (retraining and drift baselines), and
  quarantined partitions (an open data-quality review).
- **Records**: every item goes to `retention_actions` (what, where, why, rows and bytes, legal
  basis and region) before it is carried out; a rerun records the same rows and removes nothing more.
- **Dry run**: trigger with `dry_run: true` to record and log what would go, touching nothing.

- **Erasure** (first task): every open erasure request (`steward erasure request`) is carried out:
  the subject's rows leave the lake partitions and warehouse tables whose `identifier_columns`
  declare the key; evidence per location in `erasure_evidence`, a report under
  `$STEWARD_HOME/reports/erasure/`.

- **Storage footprint** (last task): bytes, files and partitions per file dataset for the run's
  date in `storage_footprint` (`steward footprint --date D` prints it with the change per night).

Same as `steward erasure run`, then `steward retention run [--dry-run] --date YYYY-MM-DD`.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Param, dag
from airflow.timetables.interval import CronDataIntervalTimetable

from steward.airflow.alerts import failure_callbacks
from steward.airflow.context import date_param
from steward.airflow.pools import warehouse_pool_args
from steward.airflow.retention import erasure, retention, storage_footprint

DEFAULT_ARGS = {
    "owner": "data-governance",
    "retries": 2,
    "retry_delay": dt.timedelta(minutes=5),
    "on_failure_callback": failure_callbacks("retention"),
    **warehouse_pool_args(),
}


@dag(
    dag_id="retention",
    schedule=CronDataIntervalTimetable("0 5 * * *", timezone="UTC"),
    start_date=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={
        "date": date_param("The day retention keeps data for (YYYY-MM-DD). Empty: the run's data interval."),
        "dry_run": Param(False, type="boolean", description="Record and log what would go; remove nothing."),
    },
    tags=["steward", "governance", "nightly"],
    doc_md=__doc__,
)
def retention_dag() -> None:
    erasure() >> retention() >> storage_footprint()


retention_dag()
