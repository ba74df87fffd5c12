"""Given/expect tests of include/sql/marts/*.sql on DuckDB and PostgreSQL, with hand-computed rows."""

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

from steward.finance import load_ledger, parse_period, run_marts
from steward.warehouse import Warehouse
from tests.unit.finance import _data

D = Decimal
NOV = parse_period("2026-11")
FOCUS = Path("/work/shared/data/focus-spec-examples/commitment_discount_scenarios")


def _given(tmp_path: Path, warehouse: Warehouse) -> None:
    (tmp_path / "2026-11.yaml").write_text(_data.LEDGER_YAML)
    load_ledger(
        warehouse, _data.registry(tmp_path / "lake", str(tmp_path / "{period}.yaml")), NOV, run_id="L"
    )
    _data.load_costs(warehouse)


def test_tco(tmp_path: Path, warehouse: Warehouse) -> None:
    _given(tmp_path, warehouse)
    rows = run_marts(warehouse, NOV).marts["finance_tco"]
    got = [
        (
            r["business_unit"],
            r["model"],
            r["cost_category"],
            r["workload"],
            r["billed_cost"],
            r["effective_cost"],
        )
        for r in rows
    ]
    assert got == [
        ("lending", "credit_risk", "infrastructure", "direct", D("100"), D("60")),
        ("lending", None, "data_acquisition", "ledger", D("300"), D("300")),
        ("marketing", "lead_scoring", "infrastructure", "direct", D("40.75"), D("40.75")),  # 10.50 + 30.25
        ("marketing", "lead_scoring", "infrastructure", "shared", D("4.25"), D("4.25")),
        ("marketing", "lead_scoring", "licences", "ledger", D("200.5"), D("200.5")),
        ("marketing", "lead_scoring", "personnel", "ledger", D("1000"), D("1000")),
        ("marketing", None, "infrastructure", "direct", D("7"), D("7")),
        (None, None, "infrastructure", "unallocated", D("3"), D("3")),
    ]  # October's 999.00 is outside the period


def test_showback_and_chargeback(tmp_path: Path, warehouse: Warehouse) -> None:
    _given(tmp_path, warehouse)
    rows = run_marts(warehouse, NOV).marts["finance_showback"]
    got = [
        (r["month"], r["business_unit"], r["chargeback_cost"], r["showback_cost"], r["ledger_cost"])
        for r in rows
    ]
    assert got == [
        (
            dt.date(2026, 11, 1),
            "lending",
            D("400"),
            D("360"),
            D("300"),
        ),  # 100 + 300 billed, 60 + 300 effective
        (dt.date(2026, 11, 1), "marketing", D("1252.5"), D("1252.5"), D("1200.5")),  # 52 + 1200.5
        (dt.date(2026, 11, 1), None, D("3"), D("3"), D("0")),
    ]


def test_unit_costs(tmp_path: Path, warehouse: Warehouse) -> None:
    _given(tmp_path, warehouse)
    rows = {r["model"]: r for r in run_marts(warehouse, NOV).marts["finance_unit_costs"]}
    lead = rows["lead_scoring"]
    # TCO 45 cloud + 1200.5 ledger = 1245.5 over 2,000 predictions (October's 5,000 excluded)
    assert (lead["tco_cost"], lead["cloud_cost"], lead["predictions"]) == (D("1245.5"), D("45"), 2000)
    assert lead["cost_per_1k_predictions"] == D("622.75")
    assert (lead["first_half_cost_per_1k"], lead["second_half_cost_per_1k"]) == (D("14.75"), D("30.25"))
    credit = rows["credit_risk"]
    assert (credit["tco_cost"], credit["predictions"], credit["cost_per_1k_predictions"]) == (
        D("60"),
        0,
        None,
    )


def test_carbon_per_1k_predictions(tmp_path: Path, warehouse: Warehouse) -> None:
    _given(tmp_path, warehouse)
    warehouse.replace_partition(
        "carbon_allocated_daily",
        {"x_CoefficientsVersion": "t"},
        [
            {
                "x_ChargeDate": dt.date(2026, 11, 2),
                "ChargePeriodStart": _data.at(dt.date(2026, 11, 2)),
                "BillingAccountId": "a",
                "BillingCurrency": "USD",
                "x_Co2eKg": 1.5,
                "x_ModelId": "lead_scoring",
                "x_AllocationMethod": "DIRECT",
                "x_AllocatedAt": _data.at(dt.date(2026, 11, 2)),
            }
        ],
    )
    warehouse.replace_partition(
        "carbon_training_runs",
        {"run_id": "t1"},
        [
            {
                "model": "lead_scoring",
                "status": "succeeded",
                "started_at": _data.at(dt.date(2026, 11, 9)),
                "ended_at": _data.at(dt.date(2026, 11, 9)),
                "co2e_kg": 0.5,
                "recorded_at": _data.at(dt.date(2026, 11, 9)),
            }
        ],
    )
    lead = {r["model"]: r for r in run_marts(warehouse, NOV).marts["finance_unit_costs"]}["lead_scoring"]
    assert lead["co2e_kg"] == 2.0
    assert float(lead["co2e_kg_per_1k_predictions"]) == 1.0  # 2 kg over 2,000 predictions


def _focus_rows(name: str) -> list[dict[str, str]]:
    with (FOCUS / name).open() as f:
        return list(csv.DictReader(f))


def test_commitment_amortized_in_showback_billed_in_chargeback(warehouse: Warehouse) -> None:
    """FOCUS 1.2's own commitment scenarios: purchase scenario 1 (8,760 USD upfront, EffectiveCost 0)
    and usage scenario 1 (one covered hour: BilledCost 0, EffectiveCost 1.00)."""
    rows = _focus_rows("commitment_discount_purchase_scenario_1.csv") + _focus_rows(
        "commitment_discount_usage_scenario_1.csv"
    )
    allocated = [
        _data.allocated(
            dt.datetime.fromisoformat(r["ChargePeriodStart"]).date(),
            "lending",
            "credit_risk",
            "DIRECT",
            r["BilledCost"],
            r["EffectiveCost"],
        )
        for r in rows
    ]
    warehouse.replace_partition("cost_allocated_daily", {"x_PipelineRunId": "alloc-1"}, allocated)
    jan = run_marts(warehouse, parse_period("2023-01")).marts
    (unit,) = jan["finance_showback"]
    assert (unit["chargeback_cost"], unit["showback_cost"]) == (D("8760"), D("1"))
    assert {r["workload"]: r["effective_cost"] for r in jan["finance_tco"]} == {"direct": D("1")}
