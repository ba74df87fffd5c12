"""
### Data exports under data-sharing agreements

One mapped task per export declared under `privacy.exports` in the governance registry
(`include/governance.yaml`): partner, permitted use, expiry, quasi-identifiers, sensitive attribute,
minimum k and l, generalization hierarchies.

- The agreement must not have expired on the export date, else the export is **refused**.
- k-anonymity (smallest group of rows sharing every quasi-identifier) and l-diversity (fewest distinct
  sensitive values in such a group) are measured in SQL over the night's partition.
- Below the minimum, every declared hierarchy (numeric bands, code prefixes) is applied and k and l are
  measured again: the export is **generalized** when they now hold, else **refused**.
- Only then is the CSV written (`destination`, default `$STEWARD_HOME/exports/<export>_<date>.csv`);
  a refusal removes a file an earlier run wrote. The outcome, with k and l before and after, is in
  `data_exports`. A refusal is a warning, not a failure: the run succeeds and says why.
- **Schedule**: 09:00 UTC; the `date` param pins the partition. `steward export run NAME` does the same
  by hand.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import dag
from airflow.timetables.interval import CronDataIntervalTimetable

from steward.airflow.alerts import failure_callbacks
from steward.airflow.context import date_param
from steward.airflow.governance import export_names, run_export_task
from steward.airflow.pools import warehouse_pool_args

DEFAULT_ARGS = {
    "owner": "governance",
    "retries": 2,
    "retry_delay": dt.timedelta(minutes=5),
    "on_failure_callback": failure_callbacks("data_export"),
    **warehouse_pool_args(),
}


@dag(
    dag_id="data_export",
    schedule=CronDataIntervalTimetable("0 9 * * *", timezone="UTC"),
    start_date=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={"date": date_param("Export date (YYYY-MM-DD). Empty: the run's data interval.")},
    tags=["steward", "governance", "privacy"],
    doc_md=__doc__,
)
def data_export() -> None:
    run_export_task.expand(name=export_names())


data_export()
