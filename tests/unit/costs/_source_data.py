"""Hand-written billing inputs for the source and normalization tests, with totals worked out by hand.

Every expected number below was added up by hand from the lines above it (no code computes it).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

UTC = dt.UTC
TS = pa.timestamp("us", tz="UTC")
NOV = dt.date(2026, 11, 1)
OCT = dt.date(2026, 10, 1)
ACCT_A = "210987654321"
ACCT_B = "345678901234"
PAYER = "111122223333"


def _ts(day: str, hour: int = 0) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def cur_line(
    day: str,
    account: str,
    product: str,
    unblended: float,
    net: float,
    public: float | None,
    *,
    kind: str = "Usage",
    resource: str | None = None,
    tags: dict[str, str] | None = None,
    hours: tuple[int, int] | None = None,
    usage: float = 1.0,
    unit: str = "Hrs",
    currency: str = "USD",
    line_id: str | None = None,
) -> dict[str, Any]:
    """One CUR 2.0 line item (daily, or hourly when ``hours`` is given)."""
    start = _ts(day, hours[0]) if hours else _ts(day)
    end = _ts(day, hours[1]) if hours else _ts(day) + dt.timedelta(days=1)
    return {
        "bill_payer_account_id": PAYER,
        "line_item_usage_account_id": account,
        "line_item_line_item_type": kind,
        "line_item_usage_start_date": start,
        "line_item_usage_end_date": end,
        "line_item_product_code": product,
        "line_item_usage_type": f"USE1-{product}-usage",
        "line_item_operation": "RunInstances",
        "line_item_resource_id": resource,
        "line_item_usage_amount": usage,
        "pricing_unit": unit,
        "pricing_public_on_demand_cost": public,
        "line_item_unblended_cost": unblended,
        "line_item_net_unblended_cost": net,
        "line_item_currency_code": currency,
        "product_region_code": "us-east-1",
        "resource_tags": tags,
        "identity_line_item_id": line_id or f"{day}-{account}-{product}-{resource}-{hours}",
        "identity_time_interval": f"{start:%Y-%m-%dT%H:%M:%SZ}/{end:%Y-%m-%dT%H:%M:%SZ}",
    }


#: October: two hourly EC2 lines of one resource on Oct 31 (one daily line of 2 source lines).
CUR_OCT = [
    cur_line(
        "2026-10-31",
        ACCT_A,
        "AmazonEC2",
        1.10,
        1.045,
        1.50,
        resource="i-1",
        tags={"BusinessUnit": "Marketing"},
        hours=(0, 1),
    ),
    cur_line(
        "2026-10-31",
        ACCT_A,
        "AmazonEC2",
        1.20,
        1.14,
        1.50,
        resource="i-1",
        tags={"BusinessUnit": "Marketing"},
        hours=(1, 2),
    ),
]
#: Hand totals for October: BilledCost 1.10 + 1.20; EffectiveCost 1.045 + 1.14.
CUR_OCT_BILLED = Decimal("2.30")
CUR_OCT_EFFECTIVE = Decimal("2.185")

#: November: usage in two accounts, a tax line and a (negative) credit.
CUR_NOV = [
    cur_line(
        "2026-11-01",
        ACCT_A,
        "AmazonS3",
        0.30,
        0.285,
        0.30,
        resource="bucket-a",
        tags={"team": "platform"},
        unit="GB-Mo",
    ),
    cur_line("2026-11-01", ACCT_B, "AmazonEC2", 2.00, 1.90, 2.50, resource="i-2", tags={}),
    cur_line("2026-11-02", ACCT_B, "AmazonEC2", 0.40, 0.40, None, kind="Tax"),
    cur_line("2026-11-02", ACCT_A, "AmazonEC2", -0.50, -0.50, None, kind="Credit"),
]
#: Hand totals for November: 0.30 + 2.00 + 0.40 - 0.50 and 0.285 + 1.90 + 0.40 - 0.50.
CUR_NOV_BILLED = Decimal("2.20")
CUR_NOV_EFFECTIVE = Decimal("2.085")
#: BilledCost per (day, sub account), by hand.
CUR_NOV_BY_DAY_ACCOUNT = {
    ("2026-11-01", ACCT_A): Decimal("0.30"),
    ("2026-11-01", ACCT_B): Decimal("2.00"),
    ("2026-11-02", ACCT_A): Decimal("-0.50"),
    ("2026-11-02", ACCT_B): Decimal("0.40"),
}

#: November restated by AWS: i-2 re-rated to 2.50 and a late line of 0.70 on Nov 3.
CUR_NOV_RESTATED = [
    CUR_NOV[0],
    cur_line("2026-11-01", ACCT_B, "AmazonEC2", 2.50, 2.375, 2.50, resource="i-2", tags={}),
    CUR_NOV[2],
    CUR_NOV[3],
    cur_line(
        "2026-11-03",
        ACCT_A,
        "AmazonSageMaker",
        0.70,
        0.665,
        0.70,
        resource="ep-1",
        tags={"model": "lead-scoring"},
    ),
]
#: 0.30 + 2.50 + 0.40 - 0.50 + 0.70
CUR_NOV_RESTATED_BILLED = Decimal("3.40")

CUR_SCHEMA = pa.schema(
    [
        ("bill_payer_account_id", pa.string()),
        ("line_item_usage_account_id", pa.string()),
        ("line_item_line_item_type", pa.string()),
        ("line_item_usage_start_date", TS),
        ("line_item_usage_end_date", TS),
        ("line_item_product_code", pa.string()),
        ("line_item_usage_type", pa.string()),
        ("line_item_operation", pa.string()),
        ("line_item_resource_id", pa.string()),
        ("line_item_usage_amount", pa.float64()),
        ("pricing_unit", pa.string()),
        ("pricing_public_on_demand_cost", pa.float64()),
        ("line_item_unblended_cost", pa.float64()),
        ("line_item_net_unblended_cost", pa.float64()),
        ("line_item_currency_code", pa.string()),
        ("product_region_code", pa.string()),
        ("resource_tags", pa.map_(pa.string(), pa.string())),
        ("identity_line_item_id", pa.string()),
        ("identity_time_interval", pa.string()),
    ]
)


def cur_table(lines: list[dict[str, Any]], *, tags_as_json: bool = False) -> pa.Table:
    """CUR 2.0 lines as Arrow: ``resource_tags`` a map (as AWS writes it) or JSON text (as the demo does)."""
    rows = [
        {
            **ln,
            "resource_tags": list(ln["resource_tags"].items()) if ln["resource_tags"] is not None else None,
        }
        for ln in lines
    ]
    table = pa.Table.from_pylist(rows, schema=CUR_SCHEMA)
    if tags_as_json:
        text = [
            json.dumps(t, sort_keys=True) if t is not None else None
            for t in (ln["resource_tags"] for ln in lines)
        ]
        idx = table.schema.get_field_index("resource_tags")
        table = table.set_column(idx, "resource_tags", pa.array(text, pa.string()))
    return table


def write_parquet(table: pa.Table, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return path


# --- GCP billing export (flattened, as the demo lake and the BigQuery extract query return it) -----

GCP_ACCOUNT = "01A2B3-C4D5E6-F7A8B9"
GCP_SCHEMA = pa.schema(
    [
        ("billing_account_id", pa.string()),
        ("service_description", pa.string()),
        ("sku_id", pa.string()),
        ("sku_description", pa.string()),
        ("usage_start_time", TS),
        ("usage_end_time", TS),
        ("project_id", pa.string()),
        ("project_name", pa.string()),
        ("labels", pa.string()),
        ("project_labels", pa.string()),
        ("location_region", pa.string()),
        ("cost", pa.float64()),
        ("currency", pa.string()),
        ("credits_amount", pa.float64()),
        ("usage_amount", pa.float64()),
        ("usage_unit", pa.string()),
        ("invoice_month", pa.string()),
        ("cost_type", pa.string()),
    ]
)


def gcp_line(
    day: str,
    project: str,
    service: str,
    cost: float,
    credits: float | None,
    *,
    labels: dict[str, str] | None = None,
    project_labels: dict[str, str] | None = None,
    currency: str = "USD",
    invoice_month: str = "202611",
) -> dict[str, Any]:
    return {
        "billing_account_id": GCP_ACCOUNT,
        "service_description": service,
        "sku_id": f"SKU-{service[:4].upper()}",
        "sku_description": f"{service} usage",
        "usage_start_time": _ts(day),
        "usage_end_time": _ts(day) + dt.timedelta(days=1),
        "project_id": project,
        "project_name": project.replace("-", " ").title(),
        "labels": json.dumps(labels) if labels is not None else None,
        "project_labels": json.dumps(project_labels) if project_labels is not None else None,
        "location_region": "us-central1",
        "cost": cost,
        "currency": currency,
        "credits_amount": credits,
        "usage_amount": 10.0,
        "usage_unit": "hour",
        "invoice_month": invoice_month,
        "cost_type": "regular",
    }


GCP_NOV = [
    gcp_line(
        "2026-11-01",
        "nw-growth",
        "BigQuery",
        6.25,
        -1.25,
        labels={"business-unit": "marketing"},
        project_labels={"business-unit": "growth", "env": "prod"},
    ),
    gcp_line("2026-11-01", "nw-platform", "Compute Engine", 3.00, None, labels={}),
]
#: Net cost by hand: (6.25 - 1.25) + 3.00; cost before credits 6.25 + 3.00; credits -1.25.
GCP_NOV_BILLED = Decimal("8.00")
GCP_NOV_CONTRACTED = Decimal("9.25")
GCP_NOV_CREDITS = Decimal("-1.25")
#: Resource labels win over project labels; keys exactly as exported.
GCP_GROWTH_TAGS = {"business-unit": "marketing", "env": "prod"}


def gcp_table(lines: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(lines, schema=GCP_SCHEMA)


# --- FOCUS specification examples (read by hand from /work/shared/data/focus-spec-examples) ----------

FOCUS_EXAMPLES = Path("/work/shared/data/focus-spec-examples")
#: file -> (rows, BilledCost, EffectiveCost), added up by hand from the CSVs (blank lines are not rows).
FOCUS_EXAMPLE_TOTALS = {
    "commitment_discount_scenarios/commitment_discount_purchase_scenario_1.csv": (1, "8760.00", "0.00"),
    "commitment_discount_scenarios/commitment_discount_purchase_scenario_2.csv": (3, "3.00", "0.00"),
    "commitment_discount_scenarios/commitment_discount_purchase_scenario_3.csv": (4, "4381.50", "0.00"),
    "commitment_discount_scenarios/commitment_discount_usage_scenario_1.csv": (1, "0.00", "1.00"),
    "commitment_discount_scenarios/commitment_discount_usage_scenario_2.csv": (1, "0.00", "1.00"),
    "commitment_discount_scenarios/commitment_discount_usage_scenario_3.csv": (2, "0.00", "1.00"),
    "commitment_discount_scenarios/commitment_discount_usage_scenario_4.csv": (2, "0.50", "1.50"),
    "commitment_discount_flexibility/one_hundred_percent_utilization_with_commitment_discount_flexibility"
    "_with_1_resource.csv": (3, "2.75", "2.75"),
    "commitment_discount_flexibility/one_hundred_percent_utilization_with_commitment_discount_flexibility"
    "_with_2_resources.csv": (3, "2.00", "2.00"),
    "commitment_discount_flexibility/one_hundred_percent_utilization_without_commitment_discount_flexibility"
    ".csv": (2, "1.50", "1.50"),
    "commitment_discount_flexibility/zero_percent_utilization_without_commitment_discount_flexibility.csv": (
        3,
        "3.50",
        "3.50",
    ),
}
#: Example files whose ChargePeriodEnd says ``2023-02-01T30:00:00Z`` (hour 30): not a timestamp.
FOCUS_EXAMPLE_BAD_TIMESTAMPS = {
    "commitment_discount_scenarios/commitment_discount_purchase_scenario_2.csv",
    "commitment_discount_scenarios/commitment_discount_purchase_scenario_3.csv",
}
#: What the examples lack and FOCUS requires (given as the source's ``defaults:``).
FOCUS_EXAMPLE_DEFAULTS = {
    "BillingCurrency": "USD",
    "BillingAccountId": "example-account",
    "ProviderName": "Example",
}
