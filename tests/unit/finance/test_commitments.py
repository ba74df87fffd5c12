import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from steward.finance import commitment_findings, load_discounts, parse_period
from steward.warehouse import Warehouse
from tests.unit.finance import _data

D = Decimal


def _line(day: int, service: str, cost: str, **extra: Any) -> dict[str, Any]:
    row = _data.cost_line(dt.date(2026, 11, day), cost, cost)
    row.update(
        {
            "ProviderName": "AWS",
            "ServiceName": service,
            "RegionId": "us-east-1",
            "PricingCategory": "Standard",
        }
    )
    row.update(extra)
    row["x_SourceRowHash"] = f"{day}-{service}-{cost}-{sorted(extra.items())}"
    return row


def test_the_shipped_discounts_are_versioned_and_cited() -> None:
    table = load_discounts()
    assert table.version == "2026.11"
    assert {o.id: o.discount_pct for o in table.offers} == {
        "aws_compute_savings_plan": 66,
        "aws_sagemaker_savings_plan": 64,
        "gcp_compute_cud": 57,
    }
    assert all(o.source.startswith("https://") for o in table.offers)
    assert (
        table.offer_for("AWS", "AmazonSageMaker") is not None and table.offer_for("AWS", "AmazonS3") is None
    )


@pytest.mark.parametrize(
    ("offer", "message"),
    [
        (
            {"id": "x", "provider": "AWS", "services": ["A"], "discount_pct": 100, "source": "s"},
            "not between 0",
        ),
        (
            {"id": "x", "provider": "AWS", "services": ["A"], "discount_pct": 10},
            "missing or bad key 'source'",
        ),
    ],
)
def test_bad_discount_file(tmp_path: Path, offer: dict[str, Any], message: str) -> None:
    file = tmp_path / "d.yaml"
    file.write_text(yaml.safe_dump({"version": "t", "offers": [offer]}))
    with pytest.raises(ValueError, match=message) as info:
        load_discounts(file)
    assert "offers[0]" in str(info.value) and str(file) in str(info.value)


def test_floor_coverage_saving_and_break_even_by_hand(warehouse: Warehouse) -> None:
    lines = [
        # SageMaker on-demand 10, 12, 8 over the 3 billed days: floor 8/day covers 24 of 30 (80%);
        # at 64% the commitment saves 24 x 0.64 = 15.36; it pays off above 36% utilization
        _line(1, "AmazonSageMaker", "10"),
        _line(2, "AmazonSageMaker", "12"),
        _line(3, "AmazonSageMaker", "8"),
        _line(3, "AmazonSageMaker", "100", PricingCategory="Committed"),  # already committed: left out
        _line(1, "AmazonSageMaker", "500", ChargeCategory="Purchase"),  # a purchase, not usage: left out
        _line(1, "AmazonEC2", "50"),  # EC2 on 2 of the 3 billed days: floor 0, no finding
        _line(2, "AmazonEC2", "50"),
        _line(1, "AmazonS3", "5"),  # no commitment offer for S3
        _line(2, "AmazonS3", "5"),
        _line(3, "AmazonS3", "5"),
    ]
    warehouse.replace_partition("cost_line_daily", {"x_SourceName": "test"}, lines)
    (f,) = commitment_findings(warehouse, parse_period("2026-11"), load_discounts())
    assert (f.service, f.offer_id, f.billing_days, f.usage_days) == (
        "AmazonSageMaker",
        "aws_sagemaker_savings_plan",
        3,
        3,
    )
    assert (f.on_demand_cost, f.commitment_daily_cost, f.covered_cost) == (D("30"), D("8"), D("24"))
    assert f.coverage == pytest.approx(0.8)
    assert f.estimated_saving == D("15.36")
    assert f.break_even_utilization == pytest.approx(0.36)
