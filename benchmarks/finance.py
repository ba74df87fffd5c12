"""Benchmark: the finance marts of a month over N allocated cost lines and M prediction-log rows (counts).

The rows are generated inside the DuckDB warehouse with SQL: N lines in ``cost_line_daily`` and N rows in
``cost_allocated_daily`` (30 days, 2 business units, 50 models plus unit-level and unallocated rows,
direct and shared methods), and the prediction logs as their nightly counts in ``monitoring_runs``
(50 models x 30 days, summing to M rows). Timed: :func:`steward.finance.run_marts` (TCO,
showback/chargeback, cost per 1,000 predictions, the reconciliation totals, daily spend and the source
runs), all computed inside the warehouse; only the aggregates come back.
"""

from __future__ import annotations

import resource
import tempfile
import time
from decimal import Decimal
from pathlib import Path


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def marts_month(rows: int = 10_000_000, predictions: int = 100_000_000) -> dict[str, object]:
    """Generate ``rows`` cost lines and allocated rows of November 2026, then time the finance marts."""
    from steward.finance import parse_period, run_marts
    from steward.warehouse import connect

    models, days = 50, 30
    per_night = predictions // (models * days)
    with tempfile.TemporaryDirectory() as tmp, connect(f"duckdb:///{Path(tmp) / 'bench.duckdb'}") as wh:
        wh.migrate()
        wh.execute(
            f"""
            insert into cost_allocated_daily (
                "ChargePeriodStart", "BillingPeriodStart", "BillingAccountId", "BillingCurrency",
                "BilledCost", "EffectiveCost", "x_BusinessUnit", "x_ModelId", "x_AllocationMethod",
                "x_AllocationShare", "x_PipelineRunId", "x_AllocatedAt")
            select
                timestamptz '2026-11-01 00:00:00+00' + to_days(cast(i % {days} as integer)),
                timestamptz '2026-11-01 00:00:00+00', 'acct-' || (i % 6), 'USD',
                cast((i % 9973) / 1000.0 as decimal(38, 10)), cast((i % 9973) / 1100.0 as decimal(38, 10)),
                case when i % 20 = 0 then null when i % 2 = 0 then 'marketing' else 'lending' end,
                case when i % 7 = 0 then null else 'model_' || (i % {models}) end,
                case when i % 20 = 0 then 'UNALLOCATED' when i % 3 = 0 then 'PROPORTIONAL' else 'DIRECT' end,
                1.0, 'bench', now()
            from range({rows}) as t(i)
            """
        )
        wh.execute(
            f"""
            insert into cost_line_daily (
                "BilledCost", "EffectiveCost", "BillingCurrency", "BillingPeriodStart", "BillingPeriodEnd",
                "ChargeCategory", "ChargePeriodStart", "ChargePeriodEnd", "Tags", "x_SourceName",
                "x_SourceSystem", "x_SourceRowHash", "x_PipelineRunId", "x_IngestedAt", "x_Estimated",
                "x_Credits", "x_SourceLineCount")
            select
                cast((i % 9973) / 1000.0 as decimal(38, 10)), cast((i % 9973) / 1100.0 as decimal(38, 10)),
                'USD', timestamptz '2026-11-01 00:00:00+00', timestamptz '2026-12-01 00:00:00+00', 'Usage',
                timestamptz '2026-11-01 00:00:00+00' + to_days(cast(i % {days} as integer)),
                timestamptz '2026-11-02 00:00:00+00' + to_days(cast(i % {days} as integer)),
                '{{}}', 'bench', 'bench', cast(i as varchar), 'bench', now(), false, 0, 1
            from range({rows}) as t(i)
            """
        )
        wh.execute(
            f"""
            insert into monitoring_runs (model, window_date, status, rows_scanned, run_id, computed_at)
            select 'model_' || m, date '2026-11-01' + cast(d as integer), 'ok', {per_night}, 'bench', now()
            from range({models}) as a(m), range({days}) as b(d)
            """
        )
        started = time.perf_counter()
        marts = run_marts(wh, parse_period("2026-11"))
        seconds = time.perf_counter() - started
    unit = marts.marts["finance_unit_costs"]
    billed = sum((r["billed_cost"] for r in marts.marts["finance_tco"]), Decimal(0))
    reconciles = billed == marts.totals[0]["cloud_billed_cost"]
    counted = sum(r["predictions"] for r in unit)
    return {
        "seconds": seconds,
        "peak_rss_mib": _peak_mib(),
        "note": (
            f"{rows:,} cost lines + {rows:,} allocated rows, {counted:,} predictions "
            f"(counts) -> {len(marts.marts['finance_tco']):,} TCO rows, {len(unit)} models; "
            f"TCO billed total equals cost_line_daily: {reconciles} (DuckDB warehouse file)"
        ),
    }


def plan(quick: bool) -> list[dict[str, object]]:
    """The finance case ``make bench`` runs."""
    rows, predictions = (1_000_000, 10_000_000) if quick else (10_000_000, 100_000_000)
    return [
        {
            "title": f"finance marts of a month, {rows:,} cost lines + {predictions:,} predictions, DuckDB",
            "fn": "finance.marts_month",
            "args": {"rows": rows, "predictions": predictions},
            "repeat": 1,
        }
    ]


if __name__ == "__main__":  # pragma: no cover
    import sys

    print(marts_month(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
