import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from steward.finance import classify_transfer, data_transfer, parse_period
from steward.warehouse import Warehouse
from tests.unit.finance import _data

D = Decimal


@pytest.mark.parametrize(
    ("usage_type", "description", "expected"),
    [
        ("USE1-USW2-AWS-Out-Bytes", None, ("inter_region", "USW2")),
        ("EUC1-USE1-AWS-In-Bytes", None, ("inter_region", "USE1")),
        ("USE1-DataTransfer-Out-Bytes", None, ("internet", "internet")),
        ("USE1-DataTransfer-Regional-Bytes", None, ("inter_zone", "us-east-1")),
        (None, "Network Inter Region Data Transfer Out from Americas to EMEA", ("inter_region", "EMEA")),
        (None, "Network Internet Data Transfer Out from Americas to Americas", ("internet", "Americas")),
        ("USE1-NatGateway-Hours", "NAT gateway hours", ("other", "-")),
    ],
)
def test_classify_transfer(
    usage_type: str | None, description: str | None, expected: tuple[str, str]
) -> None:
    assert classify_transfer(usage_type, description, "us-east-1") == expected


def _line(day: int, cost: str, **extra: Any) -> dict[str, Any]:
    row = _data.cost_line(dt.date(2026, 11, day), cost, cost)
    row.update({"ProviderName": "AWS", "RegionId": "us-east-1", "ServiceCategory": "Networking", **extra})
    row["x_SourceRowHash"] = f"{day}-{cost}-{sorted(extra.items())}"
    return row


def test_data_transfer_by_destination(warehouse: Warehouse) -> None:
    lines = [
        _line(1, "4.00", x_UsageType="USE1-USW2-AWS-Out-Bytes"),
        _line(2, "6.50", x_UsageType="USE1-USW2-AWS-Out-Bytes"),  # 10.50 to us-west-2
        _line(1, "3.00", x_UsageType="USE1-DataTransfer-Out-Bytes"),
        _line(1, "9.00", x_UsageType="USE1-NatGateway-Hours"),  # networking, but not a transfer: left out
        _line(1, "2.00", x_UsageType="USE1-USW2-AWS-Out-Bytes", ServiceCategory="Compute"),  # not networking
    ]
    warehouse.replace_partition("cost_line_daily", {"x_SourceName": "test"}, lines)
    rows = data_transfer(warehouse, parse_period("2026-11"))
    assert [(r["source_region"], r["kind"], r["destination"], r["effective_cost"]) for r in rows] == [
        ("us-east-1", "inter_region", "USW2", D("10.5")),
        ("us-east-1", "internet", "internet", D("3")),
    ]
