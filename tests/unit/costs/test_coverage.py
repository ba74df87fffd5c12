"""Tag coverage: hand-computed shares of cost whose tags resolve a business unit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from steward.costs import tag_coverage
from steward.registry import AllocationConfig
from tests.unit.costs._alloc_data import line, model, rows_by, table

D = Decimal


def test_shares_per_day_account_and_service() -> None:
    lines = table(
        [
            line({"BusinessUnit": "Lending"}, "6", "5"),
            line({"business-unit": "lending"}, "1", "1"),
            line({"model": "lead-scoring"}, "2", "2"),
            line({"team": "platform"}, "1", "1"),
            line({}, "1", "1"),
            line({}, "3", "3", service="AmazonCloudWatch"),
        ]
    )
    leads = model("lead_scoring", "marketing", {"model": "lead-scoring"})
    cov = tag_coverage(lines, AllocationConfig(), models=[leads])
    rows = rows_by(cov, "ServiceName", "x_TagStatus", "x_BusinessUnit")
    ec2 = "Amazon Elastic Compute Cloud"
    lending = rows[(ec2, "business_unit", "lending")]
    assert (lending["x_LineCount"], lending["BilledCost"], lending["EffectiveCost"]) == (2, D(7), D(6))
    assert lending["x_ServiceEffectiveCost"] == D(10)
    assert lending["x_EffectiveCostShare"] == pytest.approx(0.6)
    assert rows[(ec2, "business_unit", "marketing")]["x_EffectiveCostShare"] == pytest.approx(0.2)
    assert rows[(ec2, "other_tags", None)]["x_EffectiveCostShare"] == pytest.approx(0.1)
    assert rows[(ec2, "untagged", None)]["x_EffectiveCostShare"] == pytest.approx(0.1)
    assert rows[("AmazonCloudWatch", "untagged", None)]["x_EffectiveCostShare"] == pytest.approx(1.0)
    assert set(cov.column_names) >= {
        "ChargePeriodStart",
        "BillingAccountId",
        "SubAccountId",
        "BillingCurrency",
    }


def test_zero_total_has_no_share_and_line_counts_are_summed() -> None:
    lines = table([line({}, "1", "1"), line({"business_unit": "a"}, "-1", "-1")])
    lines = lines.append_column("x_LineCount", [[4, 6]])
    (untagged, tagged) = sorted(
        tag_coverage(lines, AllocationConfig()).to_pylist(), key=lambda r: r["x_TagStatus"] == "business_unit"
    )
    assert untagged["x_ServiceEffectiveCost"] == D(0)
    assert untagged["x_EffectiveCostShare"] is None
    assert (untagged["x_LineCount"], tagged["x_LineCount"]) == (4, 6)
