"""Daily usage estimates in the warehouse: read cost_line_daily, estimate, allocate, compare regions."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest

from steward.carbon import estimate_days, load_coefficients, usage_days
from steward.registry import AllocationConfig
from steward.registry._carbon import CandidateRegion

NOV1 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
DEC1 = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
DAY = dt.date(2026, 11, 3)
NEXT = dt.date(2026, 11, 4)
# CCF constants (see test_usage.py): AWS vCPU watts at 50 %, PUE, us-east-1 and eu-north-1 factors
AWS_W, AWS_PUE, USE1_KG, EUN1_KG = 0.74 + 0.5 * (3.5 - 0.74), 1.135, 0.379069, 0.008


def _cost_line(
    day: dt.date, usage_type: str, unit: str, qty: float, cost: float, tags: dict, **extra
) -> dict:
    start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    row = {
        "BilledCost": cost,
        "EffectiveCost": cost,
        "ListCost": cost,
        "ContractedCost": cost,
        "BillingCurrency": "USD",
        "BillingAccountId": "111122223333",
        "SubAccountId": "210987654321",
        "BillingPeriodStart": NOV1,
        "BillingPeriodEnd": DEC1,
        "ChargePeriodStart": start,
        "ChargePeriodEnd": start + dt.timedelta(days=1),
        "ChargeCategory": "Usage",
        "ProviderName": "AWS",
        "ServiceName": "AmazonEC2",
        "ServiceCategory": "Compute",
        "RegionId": "us-east-1",
        "x_UsageType": usage_type,
        "ConsumedQuantity": qty,
        "ConsumedUnit": unit,
        "Tags": json.dumps(tags, sort_keys=True),
        "x_SourceName": "aws_cur",
        "x_SourceSystem": "aws_cur2",
        "x_SourceRowHash": hashlib.sha256(f"{day}{usage_type}{qty}".encode()).hexdigest(),
        "x_PipelineRunId": "ingest-1",
        "x_IngestedAt": NOV1,
        "x_Estimated": False,
        "x_Credits": 0.0,
        "x_SourceLineCount": 1,
    }
    return row | extra


LINES = [
    _cost_line(DAY, "USE1-BoxUsage:m5.xlarge", "Hrs", 10.0, 1.92, {"business_unit": "marketing"}),
    _cost_line(
        DAY,
        "USE1-TimedStorage-ByteHrs",
        "GB-Mo",
        28.0,
        0.64,
        {"BusinessUnit": "Lending"},
        ServiceName="AmazonS3",
    ),
    _cost_line(DAY, "USE1-AmazonEKS-Hours:perCluster", "Hrs", 24.0, 2.4, {}, ServiceName="AmazonEKS"),
    _cost_line(DAY, "Tax", "Hrs", None, 0.5, {}, ChargeCategory="Tax"),
    _cost_line(NEXT, "USE1-BoxUsage:m5.xlarge", "Hrs", 5.0, 0.96, {"business_unit": "marketing"}),
]


@pytest.fixture
def billed(warehouse):
    warehouse.replace_partition(
        "cost_line_daily", {"x_SourceName": "aws_cur", "BillingPeriodStart": NOV1}, LINES
    )
    return warehouse


def test_a_day_is_estimated_allocated_and_compared(billed) -> None:
    wh = billed
    c = load_coefficients()
    res = estimate_days(
        wh,
        days=[DAY],
        coefficients=c,
        run_id="carbon-1",
        allocation=AllocationConfig(),
        candidates=[CandidateRegion(provider="aws", region="eu-north-1")],
    )
    m5_it = 40 * AWS_W / 1000
    s3_it = 28 * 720 / 1000 * 3 * 0.65 / 1000
    m5_kg, s3_kg = m5_it * AWS_PUE * USE1_KG, s3_it * AWS_PUE * USE1_KG
    assert res.usage_rows == 3, "usage lines only: the tax line is not usage"
    assert res.unestimated_rows == 1 and res.unestimated_cost == {"USD": pytest.approx(2.4)}
    assert res.co2e_kg == pytest.approx(m5_kg + s3_kg)

    usage = wh.fetch(
        'select "x_UsageCategory" as cat, "x_Co2eKg" as kg, "BilledCost" as cost, '
        '"x_CoefficientsVersion" as v, "x_RunId" as run from carbon_usage_daily '
        'where "x_ChargeDate" = :d order by "BilledCost"',
        {"d": DAY},
    )
    assert [(u["cat"], u["v"], u["run"]) for u in usage] == [
        ("storage", "2026.11", "carbon-1"),
        ("compute", "2026.11", "carbon-1"),
        ("unestimated", "2026.11", "carbon-1"),
    ]
    assert [u["kg"] for u in usage] == [pytest.approx(s3_kg), pytest.approx(m5_kg), None]

    allocated = wh.fetch(
        'select "x_BusinessUnit" as bu, "x_AllocationMethod" as method, sum("x_Co2eKg") as kg, '
        'sum("BilledCost") as cost from carbon_allocated_daily where "x_ChargeDate" = :d '
        'group by "x_BusinessUnit", "x_AllocationMethod" order by "x_BusinessUnit" nulls last',
        {"d": DAY},
    )
    assert [(a["bu"], a["method"]) for a in allocated] == [
        ("lending", "DIRECT"),
        ("marketing", "DIRECT"),
        (None, "UNALLOCATED"),
    ]
    assert [a["kg"] for a in allocated] == [
        pytest.approx(s3_kg, abs=1e-6),
        pytest.approx(m5_kg, abs=1e-6),
        0.0,
    ]
    assert float(allocated[2]["cost"]) == pytest.approx(2.4), "the unestimated cost stays visible"

    (cmp,) = wh.fetch("select * from carbon_region_comparison where charge_date = :d", {"d": DAY})
    assert cmp["it_energy_kwh"] == pytest.approx(m5_it + s3_it)
    assert cmp["candidate_co2e_kg"] == pytest.approx((m5_it + s3_it) * AWS_PUE * EUN1_KG)
    assert cmp["delta_co2e_kg"] == pytest.approx((m5_it + s3_it) * AWS_PUE * (EUN1_KG - USE1_KG))


def test_rerun_replaces_the_day_and_leaves_other_days(billed) -> None:
    wh = billed
    c = load_coefficients()
    cfg = AllocationConfig()
    estimate_days(wh, days=[DAY, NEXT], coefficients=c, run_id="r1", allocation=cfg)
    counts = _counts(wh)
    estimate_days(wh, days=[DAY], coefficients=c, run_id="r2", allocation=cfg)
    assert _counts(wh) == counts
    runs = wh.fetch('select distinct "x_ChargeDate" as d, "x_RunId" as r from carbon_usage_daily order by 1')
    assert [(x["d"], x["r"]) for x in runs] == [(DAY, "r2"), (NEXT, "r1")]
    # a day whose billing lines disappeared (restated away) is cleared
    wh.replace_partition(
        "cost_line_daily", {"x_SourceName": "aws_cur", "BillingPeriodStart": NOV1}, LINES[:4]
    )
    estimate_days(wh, days=[NEXT], coefficients=c, run_id="r3", allocation=cfg)
    assert _counts(wh)["usage"].get(NEXT) is None


def test_usage_days_lists_the_charge_days_of_billing_periods(billed) -> None:
    assert usage_days(billed, [dt.date(2026, 11, 20)]) == [DAY, NEXT]
    assert usage_days(billed, [dt.date(2026, 10, 1)]) == []


def _counts(wh) -> dict[str, dict]:
    out = {}
    for name, table in (("usage", "carbon_usage_daily"), ("allocated", "carbon_allocated_daily")):
        rows = wh.fetch(f'select "x_ChargeDate" as d, count(*) as n from {table} group by 1')
        out[name] = {r["d"]: int(r["n"]) for r in rows}
    return out


def test_days_estimated_together_write_the_rows_of_one_call_a_day(billed) -> None:
    wh = billed
    options = {
        "coefficients": load_coefficients(),
        "run_id": "r1",
        "allocation": AllocationConfig(),
        "candidates": [CandidateRegion(provider="aws", region="eu-north-1")],
    }
    empty = dt.date(2026, 11, 5)  # no billing lines: its rows are cleared

    def stored() -> dict[str, list[str]]:
        out = {}
        for table in ("carbon_usage_daily", "carbon_allocated_daily", "carbon_region_comparison"):
            rows = wh.fetch(f"select * from {table}")
            stamps = {"x_EstimatedAt", "x_AllocatedAt", "computed_at"}
            out[table] = sorted(repr(sorted((k, v) for k, v in r.items() if k not in stamps)) for r in rows)
        return out

    together = estimate_days(wh, days=[NEXT, empty, DAY], **options)
    rows_together = stored()
    assert together.days == [DAY, NEXT, empty]
    assert len(rows_together["carbon_usage_daily"]) == 4 and rows_together["carbon_region_comparison"]
    one_by_one = [estimate_days(wh, days=[d], **options) for d in (DAY, NEXT, empty)]
    assert stored() == rows_together
    assert together.usage_rows == sum(r.usage_rows for r in one_by_one) == 4
    assert together.allocated_rows == sum(r.allocated_rows for r in one_by_one)
    assert together.comparison_rows == sum(r.comparison_rows for r in one_by_one)
    assert together.co2e_kg == pytest.approx(sum(r.co2e_kg for r in one_by_one), rel=1e-12)
