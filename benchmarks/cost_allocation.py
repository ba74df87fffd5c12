"""Benchmark: allocate a month of N FOCUS billing lines (``steward.costs.allocate_days``).

The lines are generated inside the DuckDB warehouse with SQL (30 days, 6 accounts, 24 services,
4 regions, 60 tag sets in every spelling, 8% untagged), then timed: the warehouse reduces them to
the allocation grain, tags are resolved once per distinct set, allocation and rounding run in an
in-process DuckDB, both tables are replaced in one transaction; the reconciliation is checked after.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import tempfile
import time
from pathlib import Path

_TAG_SETS = [
    *(
        {"BusinessUnit": bu, "project": f"p{i}", "environment": "prod"}
        for i, bu in enumerate(["Lending", "Marketing"] * 10)
    ),
    *(
        {"business-unit": bu, "model": m}
        for bu, m in [("lending", "credit-risk"), ("marketing", "lead-scoring")] * 5
    ),
    *({"team": "platform", "environment": env} for env in ["prod", "shared", "dev", "prd", "production"] * 4),
    *({"owner": f"user{i}"} for i in range(10)),
]


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def allocate_month(rows: int = 10_000_000) -> dict[str, object]:
    """Generate ``rows`` lines of November 2026 in a DuckDB warehouse file, then time ``allocate_days``."""
    from steward.costs import allocate_days
    from steward.registry import load_registry
    from steward.warehouse import connect

    tags = [json.dumps(t, sort_keys=True) for t in _TAG_SETS] + ["{}"] * 5  # 5 of 65 sets: about 8% untagged
    tag_list = "[" + ", ".join("'" + t.replace("'", "''") + "'" for t in tags) + "]"
    registry = load_registry(check_suites=False)
    with tempfile.TemporaryDirectory() as tmp, connect(f"duckdb:///{Path(tmp) / 'bench.duckdb'}") as wh:
        wh.migrate()
        wh.execute(
            f"""
            insert into cost_line_daily (
                "BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "BillingAccountId",
                "BillingCurrency", "BillingPeriodStart", "BillingPeriodEnd", "ChargeCategory",
                "ChargePeriodStart", "ChargePeriodEnd", "ProviderName", "ServiceName", "ServiceCategory",
                "RegionId", "ResourceId", "SubAccountId", "Tags",
                "x_SourceName", "x_SourceSystem", "x_SourceRowHash", "x_PipelineRunId", "x_IngestedAt",
                "x_Estimated", "x_Credits", "x_SourceLineCount")
            select
                cast((i % 9973) / 1000.0 as decimal(38, 10)),
                cast((i % 9973) / 1100.0 as decimal(38, 10)),
                cast((i % 9973) / 900.0 as decimal(38, 10)),
                cast((i % 9973) / 1000.0 as decimal(38, 10)),
                'payer-' || (i % 2), 'USD',
                timestamptz '2026-11-01 00:00:00+00', timestamptz '2026-12-01 00:00:00+00', 'Usage',
                timestamptz '2026-11-01 00:00:00+00' + to_days(cast(i % 30 as integer)),
                timestamptz '2026-11-02 00:00:00+00' + to_days(cast(i % 30 as integer)),
                'AWS', 'service-' || (i % 24), 'Compute', 'region-' || (i % 4), 'r-' || i, 'acct-' || (i % 6),
                {tag_list}[1 + cast(i % {len(tags)} as integer)],
                'bench', 'bench', md5(cast(i as varchar)), 'bench', now(), false, 0, 1
            from range({rows}) as t(i)
            """
        )
        started = time.perf_counter()
        result = allocate_days(
            wh,
            registry.costs.allocation,
            billing_periods=[dt.date(2026, 11, 1)],
            run_id="bench",
            models=registry.models,
        )
        seconds = time.perf_counter() - started
        check = wh.fetch(
            """
            select count(*) as bad from (
                select "ChargePeriodStart", "BillingAccountId", sum("BilledCost") as s
                from cost_line_daily group by 1, 2
            ) src join (
                select "ChargePeriodStart", "BillingAccountId", sum("BilledCost") as s
                from cost_allocated_daily group by 1, 2
            ) alloc using ("ChargePeriodStart", "BillingAccountId")
            where src.s <> alloc.s
            """
        )
    return {
        "seconds": seconds,
        "peak_rss_mib": _peak_mib(),
        "note": (
            f"{rows:,} lines -> {result.allocated_rows:,} allocated rows, "
            f"{result.coverage_rows:,} coverage rows; "
            f"days x accounts not reconciling exactly: {check[0]['bad']}; "
            f"tagged share {result.tagged_share.get('USD', 0):.1%} (DuckDB warehouse file)"
        ),
    }


def plan(quick: bool) -> list[dict[str, object]]:
    """The allocation case ``make bench`` runs."""
    rows = 1_000_000 if quick else 10_000_000
    return [
        {
            "title": f"cost allocation + tag coverage, {rows:,} FOCUS lines (a month), DuckDB",
            "fn": "cost_allocation.allocate_month",
            "args": {"rows": rows},
            "repeat": 1,
        }
    ]


if __name__ == "__main__":  # pragma: no cover
    import sys

    print(allocate_month(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
