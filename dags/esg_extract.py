"""
### Quarterly ESG extract

On the first day of each quarter, writes the sustainability extract of the quarter that ended, per
business unit and model, for the corporate ESG report:

- **Energy** (kWh): measured by codecarbon around training (`carbon_training_runs`) and estimated
  from cloud usage (`carbon_allocated_daily`), with the measured share.
- **Emissions** (kg CO2e): location-based (grid averages) per model; market-based only where the
  cloud providers report it, on one company-wide row (`carbon_provider_monthly`).
- **Method and coefficients' version**, and the **change against the previous quarter**.
- **Output**: `$STEWARD_HOME/reports/esg/<YYYYQn>/esg_<YYYYQn>.csv` and `index.html` (a short summary).

Trigger with `quarter: 2026Q4` for any quarter. Same as `steward esg extract --quarter 2026Q4`.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Param, dag
from airflow.timetables.interval import CronDataIntervalTimetable

from steward.airflow.alerts import failure_callbacks
from steward.airflow.pools import warehouse_pool_args
from steward.airflow.retention import esg_extract

DEFAULT_ARGS = {
    "owner": "sustainability",
    "retries": 2,
    "retry_delay": dt.timedelta(minutes=10),
    "on_failure_callback": failure_callbacks("esg_extract"),
    **warehouse_pool_args(),
}


@dag(
    dag_id="esg_extract",
    schedule=CronDataIntervalTimetable("0 6 1 1,4,7,10 *", timezone="UTC"),
    start_date=dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={
        "quarter": Param(
            None,
            type=["null", "string"],
            description="YYYYQn. Empty: the quarter the run's data interval covers.",
        )
    },
    tags=["steward", "governance", "quarterly", "carbon"],
    doc_md=__doc__,
)
def esg_extract_dag() -> None:
    esg_extract()


esg_extract_dag()
