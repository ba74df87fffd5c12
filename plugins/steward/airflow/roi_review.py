"""Tasks of the ROI review DAG (``dags/roi_review.py``).

Thin shells around :mod:`steward.finance`: decide which periods a run reviews (the ``period`` param,
else the month before the run, plus the quarter before it when the run falls in a quarter's first
month), then review each one: load its cost ledger, refresh the finance marts, value each model's KPI
and write the review, its HTML page and extracts. Each period's rows are replaced in one transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from airflow.sdk import get_current_context, task

from steward.airflow import context as ctx
from steward.airflow.assets import ROI_REVIEW

__all__ = ["periods_to_review", "review_period", "scheduled_periods"]

log = logging.getLogger(__name__)


def scheduled_periods(day: dt.date) -> list[str]:
    """Return the periods a scheduled run on ``day`` reviews.

    The previous month, and the previous quarter when ``day`` is in the first month of a quarter.

    Examples
    --------
    >>> scheduled_periods(dt.date(2027, 1, 6))
    ['2026-12', '2026-Q4']
    >>> scheduled_periods(dt.date(2026, 12, 6))
    ['2026-11']
    """
    last = day.replace(day=1) - dt.timedelta(days=1)
    periods = [f"{last.year}-{last.month:02d}"]
    if day.month in (1, 4, 7, 10):
        periods.append(f"{last.year}-Q{(last.month - 1) // 3 + 1}")
    return periods


def _periods(context: Mapping[str, Any]) -> list[str]:
    from steward.finance import parse_period

    given = (context.get("params") or {}).get("period")
    if given:
        return [parse_period(str(given)).label]
    run_after = getattr(context.get("dag_run"), "run_after", None) or dt.datetime.now(dt.UTC)
    return scheduled_periods(run_after.date())


@task
def periods_to_review() -> list[str]:
    """List the periods this run reviews (the ``period`` param, else from the run's date)."""
    periods = _periods(get_current_context())
    log.info("reviewing %s", ", ".join(periods))
    return periods


@task(outlets=[ROI_REVIEW], map_index_template=ctx.mapped_label("period"))
def review_period(period: str) -> dict[str, Any]:
    """Review one period: ledger, marts, ROI, the HTML review and extracts, the review record."""
    from steward.finance import format_roi, parse_period, review, review_dir
    from steward.registry import load_registry

    context = get_current_context()
    context["steward_period"] = period  # type: ignore[typeddict-unknown-key]  # names the mapped task
    p = parse_period(period)
    with ctx.warehouse() as wh:
        result = review(wh, load_registry(), p, run_id=ctx.run_id(context), out_dir=review_dir(p))
    for line in format_roi(result, report=ctx.report_location(result.report_path)):
        log.info("%s", line)
    summary: dict[str, Any] = {
        "period": p.label,
        "status": result.status,
        "total_effective_cost": str(result.totals["total_effective_cost"]),
        "flags": {m.model: [f["flag"] for f in m.flags] for m in result.models if m.flags},
        "report": str(result.report_path),
    }
    context["outlet_events"][ROI_REVIEW].extra = summary
    return summary
