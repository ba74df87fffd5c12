"""
### Nightly carbon

Measures and estimates the emissions of the ML estate and writes them to the warehouse. Settings
live in the governance registry (`include/governance.yaml`, `costs.carbon`).

- **Provider data** (`load_provider`, one mapped task per `costs.carbon.providers` entry): the
  AWS sustainability API (`GetEstimatedCarbonEmissions`, monthly, MTCO2e stored as kg, scopes 1-3,
  location- and market-based) and the GCP Carbon Footprint BigQuery export, reloaded for the
  recent months into `carbon_provider_monthly`, replacing provider × account × month. With no
  provider configured the task is skipped and the log says so. Credentials come from Airflow
  connections (`aws_default`, `google_cloud_default`, or the provider's `connection_id`).
- **Usage estimates** (`estimate_usage`): every charge day of the billing months the cost DAG
  reloads (current and previous) is estimated from `cost_line_daily` with the Cloud Carbon
  Footprint method and the versioned coefficient file `include/carbon/ccf_coefficients_<v>.yaml`
  into `carbon_usage_daily` (usage it cannot map stays as `unestimated` rows with their cost),
  allocated to business units, projects and models with the cost rules into
  `carbon_allocated_daily`, and compared with the candidate regions in `carbon_region_comparison`.
  Each day is replaced in one transaction.
- **A failing provider stops nothing else**: `finish` runs when all are done and fails the run
  naming what failed. Every load emits an event on the asset `carbon`.
- **Training runs** are not a task here: training code wraps its fit in
  `steward.carbon.track_training` (codecarbon, offline), which writes `carbon_training_runs`.
- **Schedule**: on the `cost_allocated_daily` asset: each `cloud_costs` night that allocated costs
  triggers it, so it never estimates before the night's billing lines are in. A billing month with no
  lines at all is a warning in the task log and the asset event (`warnings`), never a silent zero.
- **Date**: the `date` param when given, else the day named by the triggering `cloud_costs` event.

Reruns replace exactly the months and days they load: no duplicates.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import dag

from steward.airflow.alerts import failure_callbacks
from steward.airflow.assets import COST_ALLOCATED
from steward.airflow.carbon import carbon_providers, estimate_usage, finish, load_provider
from steward.airflow.context import date_param

DEFAULT_ARGS = {
    "owner": "finops",
    "retries": 2,
    "retry_delay": dt.timedelta(minutes=10),
    # registry alerts (webhook, e-mail); no warehouse pool: a cloud fetch may take an hour and would
    # hold the DuckDB slot that data quality and monitoring need (writes wait on the file lock instead)
    "on_failure_callback": failure_callbacks("carbon"),
}


@dag(
    dag_id="carbon",
    schedule=COST_ALLOCATED,  # after the night's costs are allocated, whatever time that is
    start_date=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={
        "date": date_param(
            "Day whose billing month (and the month before) is estimated (YYYY-MM-DD). "
            "Empty: the day of the triggering cloud_costs night."
        )
    },
    tags=["steward", "carbon", "finops", "nightly"],
    doc_md=__doc__,
)
def carbon() -> None:
    providers = carbon_providers()
    loaded = load_provider.expand(provider=providers)
    finish(providers, loaded, estimate_usage())


carbon()
