"""allocate_days on both warehouses: reads cost_line_daily, writes cost_allocated_daily and
tag_coverage_daily by billing period; reconciles, reruns identically, follows restatements."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.costs import allocate_days, spend_summary
from steward.registry import AllocationConfig
from steward.warehouse import Warehouse
from tests.unit.costs._alloc_data import model

D = Decimal
NOV = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
OCT = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
CFG = AllocationConfig.model_validate(
    {
        "business_unit": {"keys": ["business_unit"], "aliases": {"lending": ["lending-dept"]}},
        "shared": [
            {"id": "platform", "match": {"tags": {"team": "platform"}}, "method": "proportional"},
            {
                "id": "sandbox",
                "match": {"sub_accounts": ["sbx"]},
                "method": "fixed",
                "shares": {"lending": 50, "marketing": 50},
            },
        ],
    }
)
MODELS = [model("credit_risk", "lending", {"model": "credit-risk"})]


def _line(
    source: str,
    day: int,
    tags: dict[str, str],
    billed: str,
    effective: str,
    *,
    sub: str = "ml",
    period: dt.datetime = NOV,
    n: int = 0,
) -> dict[str, Any]:
    start = dt.datetime(2026, 11, day, tzinfo=dt.UTC)
    return {
        "BilledCost": D(billed),
        "EffectiveCost": D(effective),
        "ListCost": D(billed),
        "ContractedCost": D(billed),
        "BillingAccountId": "payer",
        "BillingCurrency": "USD",
        "BillingPeriodStart": period,
        "BillingPeriodEnd": dt.datetime(period.year, period.month + 1, 1, tzinfo=dt.UTC),
        "ChargeCategory": "Usage",
        "ChargePeriodStart": start,
        "ChargePeriodEnd": start + dt.timedelta(days=1),
        "ProviderName": "AWS" if source == "aws" else "Google Cloud",
        "ServiceName": "Compute",
        "ServiceCategory": "Compute",
        "RegionId": "us-east-1",
        "ResourceId": f"r{n}",
        "SubAccountId": sub,
        "Tags": json.dumps(tags),
        "x_SourceName": source,
        "x_SourceSystem": "test",
        "x_SourceRowHash": f"{source}-{day}-{n}",
        "x_PipelineRunId": "ingest",
        "x_IngestedAt": NOV,
        "x_Estimated": False,
        "x_Credits": D(0),
        "x_SourceLineCount": 1,
    }


def _load(wh: Warehouse, source: str, period: dt.datetime, rows: list[dict[str, Any]]) -> None:
    wh.replace_partition("cost_line_daily", {"x_SourceName": source, "BillingPeriodStart": period}, rows)


AWS = [
    _line("aws", 3, {"BusinessUnit": "Lending-Dept"}, "10.005", "9.001", n=1),
    _line("aws", 3, {"business_unit": "lending"}, "2.001", "2.001", n=2),  # same grain as n=1 once resolved
    _line("aws", 3, {"model": "credit-risk"}, "3.333", "3.000", n=3),
    _line("aws", 3, {"business-unit": "marketing"}, "5", "5", n=4),
    _line("aws", 3, {"team": "platform"}, "9.999", "8.5", n=5),
    _line("aws", 3, {}, "1.111", "1.111", sub="sbx", n=6),
    _line("aws", 3, {}, "0.75", "0.75", n=7),  # untagged, no rule: UNALLOCATED
    _line("aws", 4, {"team": "platform"}, "4", "4", n=8),  # no direct cost that day: UNALLOCATED (rule kept)
]
GCP = [_line("gcp", 3, {"business_unit": "marketing"}, "7.12345", "7", n=9)]
LATE_OCT = [_line("aws", 1, {"business_unit": "lending"}, "100", "100", period=OCT, n=10)]


def _source_totals(rows: list[dict[str, Any]]) -> dict[tuple[Any, ...], tuple[Decimal, Decimal]]:
    acc: dict[tuple[Any, ...], list[Decimal]] = defaultdict(lambda: [D(0), D(0)])
    for r in rows:
        key = (r["ChargePeriodStart"].date(), r["BillingAccountId"], r["BillingCurrency"])
        acc[key][0] += r["BilledCost"]
        acc[key][1] += r["EffectiveCost"]
    return {k: (v[0], v[1]) for k, v in acc.items()}


def _allocated_totals(wh: Warehouse) -> dict[tuple[Any, ...], tuple[Decimal, Decimal]]:
    rows = wh.fetch(
        'select "ChargePeriodStart" as day, "BillingAccountId" as account, "BillingCurrency" as currency, '
        'sum("BilledCost") as billed, sum("EffectiveCost") as effective from cost_allocated_daily '
        'group by "ChargePeriodStart", "BillingAccountId", "BillingCurrency"'
    )
    return {
        (r["day"].date(), r["account"], r["currency"]): (
            D(r["billed"]).normalize(),
            D(r["effective"]).normalize(),
        )  # type: ignore[union-attr, arg-type]
        for r in rows
    }


def _norm(
    totals: dict[tuple[Any, ...], tuple[Decimal, Decimal]],
) -> dict[tuple[Any, ...], tuple[Decimal, Decimal]]:
    return {k: (a.normalize(), b.normalize()) for k, (a, b) in totals.items()}


def _rows(wh: Warehouse) -> list[tuple[Any, ...]]:
    rows = wh.fetch("select * from cost_allocated_daily")
    return sorted(
        tuple(str(v) for k, v in r.items() if k not in ("x_PipelineRunId", "x_AllocatedAt")) for r in rows
    )


def test_allocate_days_writes_reconciled_rows_and_coverage(warehouse: Warehouse) -> None:
    _load(warehouse, "aws", NOV, AWS)
    _load(warehouse, "gcp", NOV, GCP)
    _load(warehouse, "aws", OCT, LATE_OCT)
    result = allocate_days(warehouse, CFG, days=[dt.date(2026, 11, 20)], run_id="run-1", models=MODELS)
    assert result.billing_periods == [dt.date(2026, 11, 1)]

    assert _allocated_totals(warehouse) == _norm(_source_totals(AWS + GCP))
    by = {
        (r["day"].day, r["unit"], r["method"], r["rule"], r["model"]): D(r["billed"]).normalize()  # type: ignore[union-attr, arg-type]
        for r in warehouse.fetch(
            'select "ChargePeriodStart" as day, "x_BusinessUnit" as unit, "x_AllocationMethod" as method, '
            '"x_AllocationRuleId" as rule, "x_ModelId" as model, sum("BilledCost") as billed '
            "from cost_allocated_daily group by 1, 2, 3, 4, 5"
        )
    }
    # hand-computed: direct lending 12.006 + model 3.333 (lending via credit_risk), marketing 5 + 7.12345;
    # platform 9.999 split by direct BilledCost of the payer account that day: lending 12.006 / 27.46245,
    # credit_risk 3.333 / 27.46245, marketing 12.12345 / 27.46245. At 1e-10: 4.37135048038..,
    # 1.21353582801.., 4.41411369160.. floor to a total 1e-10 short of 9.999; the largest remainder
    # (.83, lending) takes it.
    assert by[(3, "lending", "DIRECT", None, None)] == D("12.006")
    assert by[(3, "lending", "DIRECT", None, "credit_risk")] == D("3.333")
    assert by[(3, "marketing", "DIRECT", None, None)] == D("12.12345")
    assert by[(3, "lending", "PROPORTIONAL", "platform", None)] == D("4.3713504804")
    assert by[(3, "lending", "PROPORTIONAL", "platform", "credit_risk")] == D("1.2135358280")
    assert by[(3, "marketing", "PROPORTIONAL", "platform", None)] == D("4.4141136916")
    # 1.111 x 50% = 0.5555 each, exactly
    assert [by[(3, u, "FIXED", "sandbox", None)] for u in ("lending", "marketing")] == [D("0.5555")] * 2
    assert by[(3, None, "UNALLOCATED", None, None)] == D("0.75")
    assert by[(4, None, "UNALLOCATED", "platform", None)] == D("4")
    # October is another billing period: not recomputed
    assert (
        warehouse.fetch(
            'select count(*) as n from cost_allocated_daily where "BillingPeriodStart" = :p', {"p": OCT}
        )[0]["n"]
        == 0
    )

    cov = {
        (r["day"].day, r["service_provider"], r["unit"], r["status"]): (
            D(r["cost"]).normalize(),
            r["share"],
            int(r["n"]),
        )  # type: ignore[union-attr, arg-type, call-overload]
        for r in warehouse.fetch(
            'select "ChargePeriodStart" as day, "ProviderName" as service_provider, '
            '"x_BusinessUnit" as unit, '
            '"x_TagStatus" as status, sum("EffectiveCost") as cost, sum("x_EffectiveCostShare") as share, '
            'sum("x_LineCount") as n from tag_coverage_daily where "SubAccountId" = :s group by 1, 2, 3, 4',
            {"s": "ml"},
        )
    }
    aws_day3 = D("9.001") + D("2.001") + D("3.000") + D("5") + D("8.5") + D("0.75")
    assert cov[(3, "AWS", "lending", "business_unit")][0] == D("14.002")
    assert cov[(3, "AWS", "lending", "business_unit")][2] == 3
    assert cov[(3, "AWS", None, "other_tags")][1] == pytest.approx(float(D("8.5") / aws_day3))
    assert cov[(3, "AWS", None, "untagged")][1] == pytest.approx(float(D("0.75") / aws_day3))
    assert cov[(4, "AWS", None, "other_tags")][1] == pytest.approx(1.0)
    assert result.tagged_share["USD"] == pytest.approx(
        float((D("14.002") + D(5) + D(7)) / (aws_day3 + D("1.111") + D(4) + D(7)))
    )
    assert result.unallocated_cost["USD"] == D("4.75")

    summary = {
        r["business_unit"]: r
        for r in spend_summary(warehouse, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30))
    }
    assert set(summary) == {"lending", "marketing", None}
    assert summary[None]["effective_cost"] == D("4.75")
    assert sum(r["share"] for r in summary.values()) == pytest.approx(1.0)
    assert summary["lending"]["untagged_share"] == pytest.approx(1 - result.tagged_share["USD"])
    all_effective = aws_day3 + D("1.111") + D(4) + D(7)
    assert summary[None]["no_tags_share"] == pytest.approx(float((D("1.111") + D("0.75")) / all_effective))


def test_rerun_writes_the_same_rows_and_restatements_replace(warehouse: Warehouse) -> None:
    _load(warehouse, "aws", NOV, AWS)
    _load(warehouse, "gcp", NOV, GCP)
    allocate_days(warehouse, CFG, billing_periods=[dt.date(2026, 11, 1)], run_id="run-1", models=MODELS)
    first = _rows(warehouse)
    allocate_days(warehouse, CFG, billing_periods=[dt.date(2026, 11, 1)], run_id="run-2", models=MODELS)
    assert _rows(warehouse) == first
    assert {
        r["x_PipelineRunId"] for r in warehouse.fetch('select "x_PipelineRunId" from cost_allocated_daily')
    } == {"run-2"}

    restated = [*AWS[:-1], _line("aws", 4, {"business_unit": "lending"}, "4.5", "4.5", n=8)]
    _load(warehouse, "aws", NOV, restated)
    allocate_days(warehouse, CFG, billing_periods=[dt.date(2026, 11, 1)], run_id="run-3", models=MODELS)
    assert _allocated_totals(warehouse) == _norm(_source_totals(restated + GCP))
    n_cov = warehouse.fetch("select count(*) as n from tag_coverage_daily")[0]["n"]
    assert (
        int(n_cov)
        == len(
            {
                (r["ChargePeriodStart"], r["SubAccountId"], r["ProviderName"], r["Tags"])
                for r in restated + GCP
            }
        )
        - 2
    )  # type: ignore[call-overload]


def test_an_empty_period_clears_its_rows(warehouse: Warehouse) -> None:
    _load(warehouse, "aws", NOV, AWS)
    allocate_days(warehouse, CFG, billing_periods=[dt.date(2026, 11, 1)], run_id="r1", models=MODELS)
    _load(warehouse, "aws", NOV, [])
    result = allocate_days(warehouse, CFG, billing_periods=[dt.date(2026, 11, 1)], run_id="r2", models=MODELS)
    assert result.allocated_rows == 0
    assert warehouse.fetch("select count(*) as n from cost_allocated_daily")[0]["n"] == 0
    with pytest.raises(ValueError, match="exactly one of"):
        allocate_days(warehouse, CFG, run_id="r3")


# ---------------------------------------------------------------- exact totals, with Hypothesis

_MIX_TAGS = [
    {},
    {"business_unit": "lending"},
    {"business_unit": "marketing", "project": "p1"},
    {"model": "credit-risk"},
    {"team": "platform"},
    {"owner": "nobody"},
]
_EXACT_CFG = AllocationConfig.model_validate(
    {
        "business_unit": {"keys": ["business_unit"]},
        "shared": [
            {"id": "platform", "match": {"tags": {"team": "platform"}}, "method": "proportional"},
            {
                "id": "sandbox",
                "match": {"sub_accounts": ["sbx"]},
                "method": "fixed",
                "shares": {"lending": 33.3, "marketing": 66.7},
            },
            {
                "id": "rest",
                "match": {"untagged": True},
                "method": "even",
                "to": ["lending", "marketing", "ops"],
            },
        ],
    }
)
# FOCUS amounts: up to 10 decimal places; negatives are credits and refunds
_amount = st.decimals(min_value=-1000, max_value=100_000, places=10, allow_nan=False, allow_infinity=False)
_lines = st.lists(
    st.fixed_dictionaries(
        {
            "period": st.sampled_from([OCT, NOV]),
            "day": st.integers(min_value=1, max_value=3),
            "account": st.sampled_from(["payer-a", "payer-b"]),
            "currency": st.sampled_from(["USD", "EUR"]),
            "sub": st.sampled_from(["ml", "sbx"]),
            "tags": st.sampled_from(_MIX_TAGS),
            "billed": _amount,
            "effective": _amount,
        }
    ),
    min_size=1,
    max_size=30,
)


@pytest.mark.parametrize("backend", ["duckdb", "postgres"], indirect=False)
def test_allocated_sums_equal_the_source_lines_exactly(
    backend: str, duckdb_url: str, request: pytest.FixtureRequest
) -> None:
    """Per billing period x account x currency and per charge day, Decimal equality (no cent rounding)."""
    from steward.warehouse import connect

    if backend == "postgres":
        request.applymarker(pytest.mark.postgres)
        url = request.getfixturevalue("pg_url")
    else:
        url = duckdb_url
    with connect(url) as wh:
        wh.migrate()

        @settings(
            max_examples=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        )
        @given(specs=_lines)
        def check(specs: list[dict[str, Any]]) -> None:
            rows = []
            for n, s in enumerate(specs):
                row = _line(
                    "aws", s["day"], s["tags"], str(s["billed"]), str(s["effective"]), sub=s["sub"], n=n
                )
                start = s["period"].replace(day=s["day"])
                row.update(
                    BillingAccountId=s["account"],
                    BillingCurrency=s["currency"],
                    BillingPeriodStart=s["period"],
                    BillingPeriodEnd=(s["period"] + dt.timedelta(days=32)).replace(day=1),
                    ChargePeriodStart=start,
                    ChargePeriodEnd=start + dt.timedelta(days=1),
                )
                rows.append(row)
            for period in (OCT, NOV):  # replaces whatever an earlier example loaded
                _load(wh, "aws", period, [r for r in rows if r["BillingPeriodStart"] == period])
            allocate_days(wh, _EXACT_CFG, billing_periods=[OCT.date(), NOV.date()], run_id="h", models=MODELS)

            # the reference: plain Decimal sums of the generated lines
            by_group: dict[tuple[Any, ...], list[Decimal]] = defaultdict(lambda: [D(0), D(0)])
            by_day: dict[tuple[Any, ...], list[Decimal]] = defaultdict(lambda: [D(0), D(0)])
            for r in rows:
                for acc, key in (
                    (by_group, (r["BillingPeriodStart"].date(), r["BillingAccountId"], r["BillingCurrency"])),
                    (by_day, (r["ChargePeriodStart"].date(), r["BillingCurrency"])),
                ):
                    acc[key][0] += r["BilledCost"]
                    acc[key][1] += r["EffectiveCost"]
            got_group = wh.fetch(
                'select "BillingPeriodStart" as p, "BillingAccountId" as a, "BillingCurrency" as c, '
                'sum("BilledCost") as b, sum("EffectiveCost") as e from cost_allocated_daily group by 1, 2, 3'
            )
            got_day = wh.fetch(
                'select "ChargePeriodStart" as d, "BillingCurrency" as c, sum("BilledCost") as b, '
                'sum("EffectiveCost") as e from cost_allocated_daily group by 1, 2'
            )
            groups = {(r["p"].date(), r["a"], r["c"]): [D(str(r["b"])), D(str(r["e"]))] for r in got_group}  # type: ignore[union-attr]
            days = {(r["d"].date(), r["c"]): [D(str(r["b"])), D(str(r["e"]))] for r in got_day}  # type: ignore[union-attr]
            # a group whose lines cancel out to zero may leave no allocated row
            assert {k: v for k, v in by_group.items() if v != [0, 0] or k in groups} == groups
            assert {k: v for k, v in by_day.items() if v != [0, 0] or k in days} == days

        check()


def test_spend_summary_rounds_for_display_so_rows_add_up(warehouse: Warehouse) -> None:
    units = ("lending", "marketing", "ops")
    _load(
        warehouse,
        "aws",
        NOV,
        [_line("aws", 3, {"business_unit": u}, "0.005", "1.115", n=i) for i, u in enumerate(units)],
    )
    allocate_days(warehouse, CFG, billing_periods=[NOV.date()], run_id="r", models=MODELS)
    exact = warehouse.fetch(
        'select sum("EffectiveCost") as e, sum("BilledCost") as b from cost_allocated_daily'
    )[0]
    assert (D(str(exact["e"])), D(str(exact["b"]))) == (D("3.345"), D("0.015"))  # stored exactly

    rows = spend_summary(warehouse, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30))

    # 1.115 x 3 = 3.345 -> 3.35 shown; each row 1.115 -> 1.11 + remainder .005: two rows get the cent.
    # Rounding each row on its own would show 1.12 x 3 = 3.36.
    assert sorted(r["effective_cost"] for r in rows) == [D("1.11"), D("1.12"), D("1.12")]
    assert sorted(r["billed_cost"] for r in rows) == [D("0.00"), D("0.01"), D("0.01")]
    assert sum(r["share"] for r in rows) == pytest.approx(1.0)
