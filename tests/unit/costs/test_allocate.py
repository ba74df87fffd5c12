"""Allocation: hand-computed DIRECT / PROPORTIONAL / EVEN / FIXED / UNALLOCATED examples at the source's
precision (splits exact to 1e-10 by largest remainder), and the reconciliation invariant with Hypothesis
(checked against plain Decimal sums, with Decimal equality)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.costs import allocate
from steward.registry import AllocationConfig
from tests.unit.costs._alloc_data import DAY, config, line, model, rows_by, table

D = Decimal
PLATFORM = {"team": "platform"}


def _by_unit(out: pa.Table) -> dict[tuple[Any, ...], dict[str, Any]]:
    return rows_by(out, "x_BusinessUnit", "x_AllocationMethod", "x_AllocationRuleId")


def test_direct_lines_keep_their_dimensions_and_amounts() -> None:
    credit = model("credit_risk", "lending", {"model": "credit-risk"})
    lines = table(
        [
            line(
                {"BusinessUnit": "Lending", "project": "Credit-Risk", "environment": "prod"}, "12.50", "11.00"
            ),
            line({"business-unit": "lending", "project": "credit risk", "env": "Prod"}, "7.50", "7.00"),
            line({"model": "credit-risk"}, "3.00"),
            line({"business_unit": "marketing"}, "1.25", service="Amazon Simple Storage Service"),
        ]
    )
    out = allocate(lines, AllocationConfig(), models=[credit])
    rows = rows_by(out, "x_BusinessUnit", "x_Project", "x_ModelId", "ServiceName")
    first = rows[("lending", "credit_risk", None, "Amazon Elastic Compute Cloud")]
    assert (first["BilledCost"], first["EffectiveCost"]) == (D("20.00"), D("18.00"))
    assert (first["x_Environment"], first["x_AllocationMethod"], first["x_AllocationShare"]) == (
        "prod",
        "DIRECT",
        1.0,
    )
    assert first["x_AllocationRuleId"] is None
    assert rows[("lending", None, "credit_risk", "Amazon Elastic Compute Cloud")]["BilledCost"] == D("3.00")
    assert rows[("marketing", None, None, "Amazon Simple Storage Service")]["BilledCost"] == D("1.25")
    assert out.schema.field("BilledCost").type == pa.decimal128(38, 10)
    assert out.schema.field("ChargePeriodStart").type == pa.timestamp("us", tz="UTC")


def test_proportional_by_direct_billed_cost_hand_computed() -> None:
    # direct BilledCost: lending 30 (20 on project credit_risk, 10 without), marketing 10 -> shares .5/.25/.25
    lines = table(
        [
            line({"bu": "x", "business_unit": "lending", "project": "credit_risk"}, "20.00", "18.00"),
            line({"business_unit": "lending"}, "10.00", "9.00"),
            line({"business_unit": "marketing"}, "10.00", "9.00"),
            line(PLATFORM, "10.00", "8.00", service="Amazon Elastic Kubernetes Service"),
        ]
    )
    cfg = config(shared=[{"id": "platform", "match": {"tags": PLATFORM}, "method": "proportional"}])
    out = allocate(lines, cfg)
    shared = rows_by(
        out.filter(pa.compute.equal(out["x_AllocationMethod"], "PROPORTIONAL")), "x_BusinessUnit", "x_Project"
    )
    assert {k: (r["BilledCost"], r["EffectiveCost"], r["x_AllocationShare"]) for k, r in shared.items()} == {
        ("lending", "credit_risk"): (D("5.00"), D("4.00"), 0.5),
        ("lending", None): (D("2.50"), D("2.00"), 0.25),
        ("marketing", None): (D("2.50"), D("2.00"), 0.25),
    }
    assert {r["ServiceName"] for r in shared.values()} == {"Amazon Elastic Kubernetes Service"}
    assert {r["x_AllocationRuleId"] for r in shared.values()} == {"platform"}


def test_even_split_with_largest_remainder_hand_computed() -> None:
    lines = table(
        [line({"business_unit": "a"}, "1"), line(PLATFORM, "10.00"), line({"team": "data"}, "0.10")]
    )
    cfg = config(
        shared=[
            {"id": "platform", "match": {"tags": PLATFORM}, "method": "even", "to": ["a", "b", "c"]},
            {"id": "data", "match": {"tags": {"team": "data"}}, "method": "even"},
        ]
    )
    rows = _by_unit(allocate(lines, cfg))
    # 10.00 / 3 = 3.333...: three floors of 3.3333333333 leave 1e-10 for the first by (tie) order: a
    assert [rows[(u, "EVEN", "platform")]["BilledCost"] for u in "abc"] == [
        D("3.3333333334"),
        D("3.3333333333"),
        D("3.3333333333"),
    ]
    assert sum(rows[(u, "EVEN", "platform")]["BilledCost"] for u in "abc") == D("10.00")
    assert rows[("b", "EVEN", "platform")]["x_AllocationShare"] == pytest.approx(1 / 3)
    # without `to`: every unit with direct cost in scope (only a)
    assert rows[("a", "EVEN", "data")]["BilledCost"] == D("0.10")


def test_fixed_percentages_hand_computed() -> None:
    lines = table([line({}, "7.77", "7.00", sub_account="456789012345")])
    cfg = config(
        shared=[
            {
                "id": "sandbox",
                "match": {"sub_accounts": ["456789012345"]},
                "method": "fixed",
                "shares": {"marketing": 40, "lending": 60},
            }
        ]
    )
    rows = _by_unit(allocate(lines, cfg))
    # 7.77 x .4 = 3.108 and x .6 = 4.662: exact, nothing rounded away (no cents in allocation)
    assert (
        rows[("marketing", "FIXED", "sandbox")]["BilledCost"],
        rows[("lending", "FIXED", "sandbox")]["BilledCost"],
    ) == (
        D("3.108"),
        D("4.662"),
    )
    assert (
        rows[("marketing", "FIXED", "sandbox")]["EffectiveCost"],
        rows[("lending", "FIXED", "sandbox")]["EffectiveCost"],
    ) == (
        D("2.80"),
        D("4.20"),
    )
    assert rows[("lending", "FIXED", "sandbox")]["x_AllocationShare"] == pytest.approx(0.6)


def test_what_no_rule_covers_stays_unallocated() -> None:
    lines = table(
        [
            line({}, "4.00", service="AmazonCloudWatch"),
            line({"owner": "someone"}, "1.00"),
            line(PLATFORM, "2.00", account="999"),  # the rule finds no direct cost in account 999
            line({"business_unit": "a"}, "5.00"),
        ]
    )
    cfg = config(shared=[{"id": "platform", "match": {"tags": PLATFORM}, "method": "proportional"}])
    out = allocate(lines, cfg)
    un = out.filter(pa.compute.equal(out["x_AllocationMethod"], "UNALLOCATED")).to_pylist()
    assert sorted(
        (r["BillingAccountId"], r["ServiceName"], r["x_AllocationRuleId"], r["BilledCost"]) for r in un
    ) == [
        ("111122223333", "Amazon Elastic Compute Cloud", None, D("1.00")),
        ("111122223333", "AmazonCloudWatch", None, D("4.00")),
        ("999", "Amazon Elastic Compute Cloud", "platform", D("2.00")),
    ]
    assert all(r["x_BusinessUnit"] is None and r["x_AllocationShare"] == 1.0 for r in un)
    # scope: all takes receivers from every account; the rows stay in account 999
    cfg_all = config(
        shared=[{"id": "platform", "match": {"tags": PLATFORM}, "method": "proportional", "scope": "all"}]
    )
    rows = _by_unit(
        allocate(lines, cfg_all).filter(pa.compute.equal(pa.compute.field("BillingAccountId"), "999"))
    )
    assert rows == {("a", "PROPORTIONAL", "platform"): rows[("a", "PROPORTIONAL", "platform")]}
    assert rows[("a", "PROPORTIONAL", "platform")]["BilledCost"] == D("2.00")


def test_receivers_are_per_day_account_and_currency_and_filtered_by_to() -> None:
    other_day = DAY + dt.timedelta(days=1)
    lines = table(
        [
            line({"business_unit": "a"}, "3"),
            line({"business_unit": "b"}, "1"),
            line({"business_unit": "b"}, "2", currency="EUR"),
            line({"business_unit": "c"}, "-4"),  # a credit: never a proportional receiver
            line(PLATFORM, "8"),
            line(PLATFORM, "5", currency="EUR"),
            line(PLATFORM, "6", day=other_day),  # no direct cost that day: stays UNALLOCATED
        ]
    )
    cfg = config(shared=[{"id": "p", "match": {"tags": PLATFORM}, "method": "proportional"}])
    out = allocate(lines, cfg)
    got = {
        (r["ChargePeriodStart"].day, r["BillingCurrency"], r["x_BusinessUnit"], r["x_AllocationMethod"]): r[
            "BilledCost"
        ]
        for r in out.to_pylist()
        if r["x_AllocationMethod"] != "DIRECT"
    }
    assert got == {
        (3, "USD", "a", "PROPORTIONAL"): D("6.00"),
        (3, "USD", "b", "PROPORTIONAL"): D("2.00"),
        (3, "EUR", "b", "PROPORTIONAL"): D("5.00"),
        (4, "USD", None, "UNALLOCATED"): D("6.00"),
    }
    only_b = config(shared=[{"id": "p", "match": {"tags": PLATFORM}, "method": "proportional", "to": ["b"]}])
    rows = _by_unit(
        allocate(lines.slice(0, 5), only_b).filter(
            pa.compute.equal(pa.compute.field("BillingCurrency"), "USD")
        )
    )
    assert rows[("b", "PROPORTIONAL", "p")]["BilledCost"] == D("8.00")


def test_generic_measure() -> None:
    lines = table([line({"business_unit": "a"}, "1"), line({"business_unit": "b"}, "3"), line(PLATFORM, "0")])
    kg = pa.array([0.5, 1.5, 1.0], pa.float64())
    lines = lines.append_column("kgCO2e", kg)
    cfg = config(shared=[{"id": "p", "match": {"tags": PLATFORM}, "method": "proportional"}])
    out = allocate(lines, cfg, measures=("kgCO2e",))
    got = {(r["x_BusinessUnit"], r["x_AllocationMethod"]): r["kgCO2e"] for r in out.to_pylist()}
    # the driver is the first measure: kgCO2e .5 / 1.5 -> the platform's 1.0 kg splits .25 / .75
    assert got == {
        ("a", "DIRECT"): D("0.5"),
        ("b", "DIRECT"): D("1.5"),
        ("a", "PROPORTIONAL"): D("0.25"),
        ("b", "PROPORTIONAL"): D("0.75"),
    }
    assert out.column_names[:9] == [
        "ChargePeriodStart",
        "BillingPeriodStart",
        "BillingAccountId",
        "SubAccountId",
        "BillingCurrency",
        "ProviderName",
        "ServiceName",
        "ServiceCategory",
        "RegionId",
    ]


def test_bad_input_is_named() -> None:
    lines = table([line({}, "1")])
    with pytest.raises(ValueError, match=r"lack column\(s\) \['EffectiveCost'\]"):
        allocate(lines.drop_columns(["EffectiveCost"]), AllocationConfig())
    with pytest.raises(ValueError, match="no BillingCurrency"):
        allocate(lines.set_column(4, "BillingCurrency", pa.array([None], pa.string())), AllocationConfig())
    with pytest.raises(ValueError, match="not JSON"):
        allocate(lines.set_column(9, "Tags", pa.array(["{oops"])), AllocationConfig())
    assert allocate(lines.slice(0, 0), AllocationConfig()).num_rows == 0


# ---------------------------------------------------------------- the invariant, with Hypothesis

_TAGS = [
    {},
    {"BusinessUnit": "Lending"},
    {"business-unit": "marketing", "project": "p1"},
    {"business_unit": "lending", "model": "credit-risk"},
    {"model": "credit-risk"},
    {"team": "platform"},
    {"team": "platform", "environment": "shared"},
    {"environment": "shared"},
    {"owner": "nobody"},
]
_RULES = [
    {"id": "platform", "match": {"tags": {"team": "platform"}}, "method": "proportional"},
    {"id": "platform_all", "match": {"tags": {"team": "platform"}}, "method": "proportional", "scope": "all"},
    {"id": "shared_env", "match": {"tags": {"environment": "shared"}}, "method": "even"},
    {"id": "even_to", "match": {"untagged": True}, "method": "even", "to": ["lending", "marketing", "ops"]},
    {
        "id": "fixed",
        "match": {"sub_accounts": ["s2"]},
        "method": "fixed",
        "shares": {"lending": 33.3, "marketing": 66.7},
    },
    {"id": "fixed_tags", "match": {"untagged": False}, "method": "fixed", "shares": {"ops": 100}},
]

# FOCUS amounts have up to 10 decimal places; negatives are credits and refunds
amounts = st.decimals(min_value=-50, max_value=500, places=10, allow_nan=False, allow_infinity=False)
lines_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "tags": st.sampled_from(_TAGS),
            "billed": amounts,
            "effective": amounts,
            "day": st.sampled_from([DAY, DAY + dt.timedelta(days=1)]),
            "account": st.sampled_from(["A", "B"]),
            "sub_account": st.sampled_from(["s1", "s2", None]),
            "currency": st.sampled_from(["USD", "EUR"]),
            "service": st.sampled_from(["EC2", "S3"]),
        }
    ),
    min_size=1,
    max_size=25,
)


rules_strategy = st.lists(st.sampled_from(_RULES), unique_by=lambda r: r["id"], max_size=4)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=lines_strategy, rules=rules_strategy)
def test_allocated_costs_reconcile_exactly(specs: list[dict[str, Any]], rules: list[dict[str, Any]]) -> None:
    _check_reconciliation(specs, rules)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=lines_strategy, rules=rules_strategy)
def test_allocated_costs_reconcile_exactly_many_examples(
    specs: list[dict[str, Any]], rules: list[dict[str, Any]]
) -> None:
    _check_reconciliation(specs, rules)


def _check_reconciliation(specs: list[dict[str, Any]], rules: list[dict[str, Any]]) -> None:
    credit = model("credit_risk", "lending", {"model": "credit-risk"})
    lines = table(
        [
            line(
                s["tags"],
                s["billed"],
                s["effective"],
                day=s["day"],
                account=s["account"],
                sub_account=s["sub_account"],
                currency=s["currency"],
                service=s["service"],
            )
            for s in specs
        ]
    )
    cfg = config(shared=rules)
    out = allocate(lines, cfg, models=[credit])

    source: dict[tuple[Any, ...], list[Decimal]] = defaultdict(lambda: [D(0), D(0)])
    for s in specs:
        key = (s["day"], s["account"], s["currency"])
        source[key][0] += s["billed"]
        source[key][1] += s["effective"]
    allocated: dict[tuple[Any, ...], list[Decimal]] = defaultdict(lambda: [D(0), D(0)])
    for r in out.to_pylist():
        key = (r["ChargePeriodStart"], r["BillingAccountId"], r["BillingCurrency"])
        allocated[key][0] += r["BilledCost"]
        allocated[key][1] += r["EffectiveCost"]
        unit = D("1e-10")  # the source's smallest unit: no piece is finer than the source
        assert r["BilledCost"] % unit == 0 and r["EffectiveCost"] % unit == 0
        assert r["x_AllocationMethod"] in {"DIRECT", "PROPORTIONAL", "EVEN", "FIXED", "UNALLOCATED"}
        assert (r["x_BusinessUnit"] is None) == (r["x_AllocationMethod"] == "UNALLOCATED")
        assert 0 < r["x_AllocationShare"] <= 1
    for key, (billed, effective) in source.items():
        got = allocated.get(key, [D(0), D(0)])
        assert got == [billed, effective], key
    assert set(allocated) <= set(source)
    # a rerun gives the same rows
    assert allocate(lines, cfg, models=[credit]).equals(out)


def test_amounts_too_large_to_split_exactly_are_refused_not_rounded() -> None:
    # 3e9 x 2e9 in units of 1e-10 is 6e38: past HUGEINT, so no exact split exists in the engine
    lines = table(
        [line({"business_unit": "a"}, "2000000000"), line({"business_unit": "b"}, "1"), line(PLATFORM, "3e9")]
    )
    cfg = config(shared=[{"id": "p", "match": {"tags": PLATFORM}, "method": "proportional"}])
    with pytest.raises(ValueError, match=r"past the exact integer range.*nothing was written"):
        allocate(lines, cfg)
    # a billion a day still splits exactly: 1e9 x (2/3, 1/3) to 1e-10
    big = table(
        [line({"business_unit": "a"}, "2"), line({"business_unit": "b"}, "1"), line(PLATFORM, "1000000000")]
    )
    rows = _by_unit(allocate(big, cfg))
    assert rows[("a", "PROPORTIONAL", "p")]["BilledCost"] == D("666666666.6666666667")
    assert rows[("b", "PROPORTIONAL", "p")]["BilledCost"] == D("333333333.3333333333")
