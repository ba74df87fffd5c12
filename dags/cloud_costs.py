"""
### Nightly cloud costs

Loads tagged cloud billing into the warehouse as FinOps FOCUS 1.2 lines, allocates it to business
units, projects, models and environments, and measures tag coverage. Sources and allocation rules
live in the governance registry (`include/governance.yaml`, `costs:`).

- **One mapped task per billing source** (`ingest_source`): reloads the current and previous
  billing month (providers restate for weeks) into `cost_line_daily`, replacing that source ×
  billing period, so late rows and corrections replace, never add. Cloud sources get their
  clients from Airflow connections (`aws_default`, `google_cloud_default`, or the source's
  `connection_id`); local-file sources need none. Each load emits an event on the asset
  `cost_line_daily` (extra: `source`, `billing_periods`, `rows`): the carbon DAG runs on it.
- **A failing provider does not stop the others**: `allocate_costs` runs when every ingest is
  done (`all_done`) over what the warehouse holds (a failed source keeps its previous rows), and
  `finish` then fails the run naming the failed sources.
- **Allocation** (`allocate_costs`): DIRECT from tags (any key spelling, value aliases, models'
  `cost_tags`), shared cost split PROPORTIONAL / EVEN / FIXED by registry rules, the rest kept as
  UNALLOCATED rows; exact at the source's precision (no cent rounding), so each day × billing
  account × currency reconciles with Decimal equality. Writes `cost_allocated_daily` and
  `tag_coverage_daily` by billing period in one transaction and emits an event on the asset
  `cost_allocated_daily` for ROI.
- **Date**: the `date` param when given (manual runs, reruns), else the data interval's start.

Reruns replace exactly the billing periods they load: no duplicates.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import dag
from airflow.timetables.interval import CronDataIntervalTimetable

from steward.airflow.alerts import failure_callbacks
from steward.airflow.context import date_param
from steward.airflow.costs import allocate_costs, cost_sources, finish, ingest_source

DEFAULT_ARGS = {
    "owner": "finops",
    "retries": 2,
    "retry_delay": dt.timedelta(minutes=10),
    # registry alerts (webhook, e-mail); no warehouse pool: a cloud fetch may take an hour and would
    # hold the DuckDB slot that data quality and monitoring need (writes wait on the file lock instead)
    "on_failure_callback": failure_callbacks("cloud_costs"),
}


@dag(
    dag_id="cloud_costs",
    schedule=CronDataIntervalTimetable("0 6 * * *", timezone="UTC"),
    start_date=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={
        "date": date_param(
            "Day whose billing month (and the month before) is reloaded (YYYY-MM-DD). "
            "Empty: the run's data interval."
        )
    },
    tags=["steward", "costs", "finops", "nightly"],
    doc_md=__doc__,
)
def cloud_costs() -> None:
    sources = cost_sources()
    loaded = ingest_source.expand(source=sources)
    finish(allocate_costs(sources, loaded))


cloud_costs()
