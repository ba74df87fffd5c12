"""Hand-made finance fixtures: a registry with KPI declarations, cost rows, outcomes, monitoring runs.

Every expected number in the finance tests is computed by hand from the rows here (see the comments).
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from steward import paths
from steward.registry import Registry, parse_registry
from steward.warehouse import Warehouse

D = Decimal
UTC = dt.UTC
NOV = dt.date(2026, 11, 1)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=UTC)


@cache
def _raw() -> dict[str, Any]:
    return yaml.safe_load((paths.include_dir() / "governance.yaml").read_text())


def registry(lake: Path, ledger: str | None, **finance: Any) -> Registry:
    """The project's registry from :func:`registry_doc`, validated."""
    return parse_registry(registry_doc(lake, ledger, **finance), source="governance.yaml (test)")


def registry_doc(lake: Path, ledger: str | None, **finance: Any) -> dict[str, Any]:
    """The project's registry document with outcomes read from ``lake`` and the given finance settings.

    lead_scoring's KPI: CAC = marketing_spend_usd / leads_converted, baseline 100 USD, target -10%,
    value 1 USD per USD of CAC per conversion. credit_risk: no measure (costs only).
    """
    raw = copy.deepcopy(_raw())
    for d in raw["datasets"]:
        if d["name"] == "business_outcomes":
            d["source"]["path"] = str(lake / "business_outcomes" / "date={date}" / "*.parquet")
    for m in raw["models"]:
        kpi = m["business_kpi"]
        for key in (
            "measure",
            "direction",
            "baseline",
            "target_change_pct",
            "value_per_unit",
            "assumptions",
            "sponsor",
            "review_cadence",
        ):
            kpi.pop(key, None)
        if m["name"] == "lead_scoring":
            kpi.update(
                measure={
                    "dataset": "business_outcomes",
                    "numerator": "marketing_spend_usd",
                    "denominator": "leads_converted",
                },
                baseline=100.0,
                target_change_pct=-10,
                value_per_unit=1.0,
                assumptions=["CAC before the model: 100 USD"],
                sponsor="CMO",
            )
    raw["finance"] = {"currency": "USD", **({"ledger": ledger} if ledger else {}), **finance}
    return raw


def write_outcomes(lake: Path, days: dict[dt.date, tuple[float, int]]) -> None:
    """Write one business_outcomes partition per day: marketing (spend, conversions) and a lending row."""
    for day, (spend, converted) in days.items():
        folder = lake / "business_outcomes" / f"date={day}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(
            pa.table(
                {
                    "event_date": pa.array([day, day], pa.date32()),
                    "business_unit": ["marketing", "lending"],
                    "leads_converted": pa.array([converted, 0], pa.int64()),
                    "marketing_spend_usd": [spend, 0.0],
                }
            ),
            folder / "part-0.parquet",
        )


def allocated(
    day: dt.date,
    unit: str | None,
    model: str | None,
    method: str,
    billed: str,
    effective: str,
    run: str = "alloc-1",
    currency: str = "USD",
) -> dict[str, Any]:
    return {
        "ChargePeriodStart": at(day),
        "BillingPeriodStart": at(day.replace(day=1)),
        "BillingAccountId": "acct",
        "BillingCurrency": currency,
        "BilledCost": D(billed),
        "EffectiveCost": D(effective),
        "x_BusinessUnit": unit,
        "x_ModelId": model,
        "x_AllocationMethod": method,
        "x_AllocationShare": 1.0,
        "x_PipelineRunId": run,
        "x_AllocatedAt": at(day),
    }


def cost_line(day: dt.date, billed: str, effective: str, run: str = "ingest-1") -> dict[str, Any]:
    return {
        "BilledCost": D(billed),
        "EffectiveCost": D(effective),
        "BillingCurrency": "USD",
        "BillingPeriodStart": at(day.replace(day=1)),
        "BillingPeriodEnd": at(dt.date(2026, 12, 1)),
        "ChargeCategory": "Usage",
        "ChargePeriodStart": at(day),
        "ChargePeriodEnd": at(day + dt.timedelta(days=1)),
        "Tags": "{}",
        "x_SourceName": "test",
        "x_SourceSystem": "test",
        "x_SourceRowHash": f"{day}-{billed}-{effective}",
        "x_PipelineRunId": run,
        "x_IngestedAt": at(day),
        "x_Estimated": False,
        "x_Credits": D(0),
        "x_SourceLineCount": 1,
    }


def monitoring_run(model: str, day: dt.date, rows: int) -> dict[str, Any]:
    return {
        "model": model,
        "window_date": day,
        "status": "ok",
        "rows_scanned": rows,
        "run_id": f"mon-{day}",
        "computed_at": at(day),
    }


# November, lead_scoring (marketing) and credit_risk (lending); halves split at 2026-11-16.
#   lead_scoring cloud: direct 10.50 (11-02) + 30.25 (11-20) + shared 4.25 (11-03)  = 45.00
#     first half 10.50 + 4.25 = 14.75 over 1,000 predictions -> 14.75 per 1k
#     second half 30.25 over 1,000 predictions                -> 30.25 per 1k (rising: +105%)
#   credit_risk cloud: direct billed 100.00 effective 60.00 (11-05: a commitment purchase amortized)
#   marketing without a model: 7.00; UNALLOCATED: 3.00 (no unit)
ALLOCATED = [
    allocated(dt.date(2026, 11, 2), "marketing", "lead_scoring", "DIRECT", "10.50", "10.50"),
    allocated(dt.date(2026, 11, 3), "marketing", "lead_scoring", "PROPORTIONAL", "4.25", "4.25"),
    allocated(dt.date(2026, 11, 20), "marketing", "lead_scoring", "DIRECT", "30.25", "30.25"),
    allocated(dt.date(2026, 11, 5), "lending", "credit_risk", "DIRECT", "100.00", "60.00"),
    allocated(dt.date(2026, 11, 6), "marketing", None, "DIRECT", "7.00", "7.00"),
    allocated(dt.date(2026, 11, 7), None, None, "UNALLOCATED", "3.00", "3.00"),
    allocated(dt.date(2026, 10, 31), "marketing", "lead_scoring", "DIRECT", "999.00", "999.00"),  # October
]
MONITORING = [
    monitoring_run("lead_scoring", dt.date(2026, 11, 2), 600),
    monitoring_run("lead_scoring", dt.date(2026, 11, 3), 400),
    monitoring_run("lead_scoring", dt.date(2026, 11, 20), 1000),
    monitoring_run("lead_scoring", dt.date(2026, 10, 31), 5000),  # October
]

LEDGER_YAML = """\
currency: USD
lines:
  - {category: personnel, model: lead_scoring, amount: 1000, description: 0.1 FTE}
  - {category: licences, model: lead_scoring, amount: 200.5, frequency: one-time}
  - {category: data_acquisition, business_unit: lending, amount: 300}
"""


def load_costs(wh: Warehouse) -> None:
    """Write ALLOCATED, MONITORING and matching cost lines (cloud totals: billed 155.00, effective 115.00)."""
    wh.replace_partition("cost_allocated_daily", {"x_PipelineRunId": "alloc-1"}, ALLOCATED)
    wh.replace_partition("monitoring_runs", {"status": "ok"}, MONITORING)
    # cost_line_daily for November: billed 10.50+4.25+30.25+100+7+3 = 155.00, effective 115.00 (unrounded
    # lines whose allocation was rounded to the cent would differ; these are already cents).
    lines = [
        cost_line(r["ChargePeriodStart"].date(), str(r["BilledCost"]), str(r["EffectiveCost"]))
        for r in ALLOCATED
    ]
    wh.replace_partition("cost_line_daily", {"x_SourceName": "test"}, lines)
