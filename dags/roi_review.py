"""
### ROI review (monthly, and the quarterly portfolio review)

Finance's review of the ML estate: what each model costs in total and what it returns. Settings live
in the governance registry (`include/governance.yaml`: `finance` and each model's `business_kpi`).

- **Periods** (`periods_to_review`): the `period` param (`2026-11` for a month, `2026-Q4` for a
  quarter) when given; otherwise the month before the run, and on the quarter's first month also the
  quarter before it (the portfolio review). The schedule runs on the 6th at 06:00 UTC, after the
  month has closed (`finance.close_after_days`, 5 by default).
- **Review** (`review_period`, one mapped task per period): loads the period's cost ledger
  (`finance.ledger`, validated: unknown model or unit, negative amount, other currency is an error
  naming file and line) into `finance_ledger_lines`, refreshes the marts `finance_tco`,
  `finance_showback` and `finance_unit_costs` (`include/sql/marts/`), computes each model's realized
  KPI with an interval from its outcomes, the benefit in money, ROI, payback and flags (negative ROI,
  benefit below projection, over budget, cost per prediction rising) into `finance_roi`, and records
  the review in `finance_reviews` (figures, source run ids, `provisional` before the month closes,
  `final` after). The HTML review with charts and CSV/Parquet extracts goes to
  `reports/finance/<period>/`. Emits an event on the asset `roi_review`.
- **Reruns** replace the period exactly; a rerun of a final period whose figures changed (late
  outcomes, a restated bill) also writes `finance_review_changes`.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Param, dag

from steward.airflow.alerts import failure_callbacks
from steward.airflow.pools import warehouse_pool_args
from steward.airflow.roi_review import periods_to_review, review_period

DEFAULT_ARGS = {
    "owner": "finance",
    "retries": 2,
    "retry_delay": dt.timedelta(minutes=10),
    "on_failure_callback": failure_callbacks("roi_review"),
    **warehouse_pool_args(),  # one-slot pool for a DuckDB warehouse (STEWARD_WAREHOUSE_POOL)
}


@dag(
    dag_id="roi_review",
    schedule="0 6 6 * *",  # the 6th, 06:00 UTC: the previous month has closed
    start_date=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={
        "period": Param(
            None,
            type=["null", "string"],
            pattern=r"^\d{4}-(\d{2}|[Qq][1-4])$",
            description="Month (2026-11) or quarter (2026-Q4) to review. Empty: the previous month "
            "(and the previous quarter in a quarter's first month).",
        )
    },
    tags=["steward", "finance", "roi", "monthly"],
    doc_md=__doc__,
)
def roi_review() -> None:
    review_period.expand(period=periods_to_review())


roi_review()
