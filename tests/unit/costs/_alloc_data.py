"""Hand-written billing lines and registry pieces for the allocation and tag-coverage tests."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pyarrow as pa

from steward.registry import AllocationConfig, Model

TS = pa.timestamp("us", tz="UTC")
AMOUNT = pa.decimal128(38, 10)
DAY = dt.datetime(2026, 11, 3, tzinfo=dt.UTC)
PERIOD = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)

LINE_SCHEMA = pa.schema(
    [
        ("ChargePeriodStart", TS),
        ("BillingPeriodStart", TS),
        ("BillingAccountId", pa.string()),
        ("SubAccountId", pa.string()),
        ("BillingCurrency", pa.string()),
        ("ProviderName", pa.string()),
        ("ServiceName", pa.string()),
        ("ServiceCategory", pa.string()),
        ("RegionId", pa.string()),
        ("Tags", pa.string()),
        ("BilledCost", AMOUNT),
        ("EffectiveCost", AMOUNT),
    ]
)


def line(
    tags: Mapping[str, str] | None,
    billed: str | Decimal,
    effective: str | Decimal | None = None,
    *,
    day: dt.datetime = DAY,
    account: str = "111122223333",
    sub_account: str | None = "210987654321",
    currency: str = "USD",
    provider: str = "AWS",
    service: str = "Amazon Elastic Compute Cloud",
    category: str | None = "Compute",
    region: str | None = "us-east-1",
) -> dict[str, Any]:
    """One FOCUS line with the columns allocation reads."""
    return {
        "ChargePeriodStart": day,
        "BillingPeriodStart": day.replace(day=1),
        "BillingAccountId": account,
        "SubAccountId": sub_account,
        "BillingCurrency": currency,
        "ProviderName": provider,
        "ServiceName": service,
        "ServiceCategory": category,
        "RegionId": region,
        "Tags": json.dumps(dict(tags or {}), sort_keys=True),
        "BilledCost": Decimal(billed),
        "EffectiveCost": Decimal(effective if effective is not None else billed),
    }


def table(rows: list[dict[str, Any]]) -> pa.Table:
    """Arrow table of :func:`line` rows."""
    return pa.Table.from_pylist(rows, schema=LINE_SCHEMA)


def config(**raw: Any) -> AllocationConfig:
    """An allocation config from YAML-like keyword arguments."""
    return AllocationConfig.model_validate(raw)


def model(name: str, business_unit: str, cost_tags: Mapping[str, str]) -> Model:
    """A minimal registered model with ``cost_tags``."""
    return Model.model_validate(
        {
            "name": name,
            "owner": "ml@example.com",
            "business_unit": business_unit,
            "risk_tier": "limited",
            "prediction_log": f"{name}_predictions",
            "columns": {"id": "id", "timestamp": "ts", "prediction": "p"},
            "features": ["x"],
            "cost_tags": dict(cost_tags),
        }
    )


def rows_by(out: pa.Table, *keys: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Index output rows by the given columns (each key must be unique)."""
    index: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in out.to_pylist():
        k = tuple(r[c] for c in keys)
        assert k not in index, f"duplicate row for {k}"
        index[k] = r
    return index
