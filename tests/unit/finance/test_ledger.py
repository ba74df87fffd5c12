import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from steward.finance import LedgerError, load_ledger, parse_period, read_ledger
from steward.warehouse import Warehouse
from tests.unit.finance import _data

NOV = parse_period("2026-11")


def _reg(tmp_path: Path, pattern: str = "{period}.yaml"):
    return _data.registry(tmp_path / "lake", str(tmp_path / pattern))


def test_yaml_ledger_lines_with_their_line_numbers(tmp_path: Path) -> None:
    (tmp_path / "2026-11.yaml").write_text(_data.LEDGER_YAML)
    lines = read_ledger(tmp_path / "2026-11.yaml", _reg(tmp_path), NOV)
    assert [(ln.line, ln.category, ln.business_unit, ln.model, ln.amount, ln.frequency) for ln in lines] == [
        (3, "personnel", "marketing", "lead_scoring", Decimal("1000"), "Recurring"),
        (4, "licences", "marketing", "lead_scoring", Decimal("200.5"), "One-Time"),
        (5, "data_acquisition", "lending", None, Decimal("300"), "Recurring"),
    ]


def test_one_csv_for_every_month_keeps_only_the_period(tmp_path: Path) -> None:
    (tmp_path / "ledger.csv").write_text(
        "period,category,business_unit,model,amount,currency\n"
        "2026-11,personnel,,credit_risk,500.25,USD\n"
        "2026-10,personnel,,credit_risk,999,USD\n"
        "2026-11,support,marketing,,12,\n"
    )
    lines = read_ledger(tmp_path / "ledger.csv", _reg(tmp_path, "ledger.csv"), NOV)
    assert [(ln.line, ln.business_unit, ln.amount) for ln in lines] == [
        (2, "lending", Decimal("500.25")),
        (4, "marketing", Decimal("12")),
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{category: personnel, model: churn, amount: 5}", "line 3: model 'churn' is not registered"),
        ("{category: personnel, model: lead_scoring, amount: -5}", "line 3: amount -5 is negative"),
        (
            "{category: personnel, model: lead_scoring, amount: 5, currency: EUR}",
            "line 3: currency EUR does not match finance.currency USD",
        ),
        ("{category: travel, model: lead_scoring, amount: 5}", "line 3: category 'travel' is not one of"),
        ("{category: personnel, business_unit: hr, amount: 5}", "line 3: business unit 'hr' is unknown"),
        (
            "{category: personnel, model: credit_risk, business_unit: marketing, amount: 5}",
            "line 3: model 'credit_risk' belongs to 'lending'",
        ),
        ("{category: personnel, model: lead_scoring, amount: five}", "line 3: amount 'five' is not a number"),
        ("{category: personnel, model: lead_scoring, amout: 5}", r"line 3: unknown keys \['amout'\]"),
    ],
)
def test_bad_line_names_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    file = tmp_path / "2026-11.yaml"
    file.write_text(f"currency: USD\nlines:\n  - {line}\n")
    with pytest.raises(LedgerError, match=message) as info:
        read_ledger(file, _reg(tmp_path), NOV)
    assert str(file) in str(info.value)
    assert "\n" not in str(info.value)


def test_file_currency_mismatch(tmp_path: Path) -> None:
    (tmp_path / "2026-11.yaml").write_text(
        "currency: EUR\nlines:\n  - {category: personnel, model: lead_scoring, amount: 5}\n"
    )
    with pytest.raises(LedgerError, match=r"line 3: currency EUR does not match finance\.currency USD"):
        read_ledger(tmp_path / "2026-11.yaml", _reg(tmp_path), NOV)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(
        LedgerError, match=r"ledger .*nope\.csv does not exist: create it or fix finance\.ledger"
    ):
        read_ledger(tmp_path / "nope.csv", _reg(tmp_path, "nope.csv"), NOV)


def test_load_replaces_the_month_and_a_bad_file_keeps_it(tmp_path: Path, warehouse: Warehouse) -> None:
    reg = _reg(tmp_path)
    (tmp_path / "2026-11.yaml").write_text(_data.LEDGER_YAML)
    for _ in range(2):  # a rerun writes the same rows
        load_ledger(warehouse, reg, NOV, run_id="r1")
    rows = warehouse.fetch(
        'select "BilledCost", "EffectiveCost", "ChargeCategory", "ChargePeriodStart", "x_LedgerLine" '
        'from finance_ledger_lines order by "x_LedgerLine"'
    )
    assert [(Decimal(str(r["BilledCost"])), r["x_LedgerLine"]) for r in rows] == [
        (Decimal("1000"), 3),
        (Decimal("200.5"), 4),
        (Decimal("300"), 5),
    ]
    assert all(r["BilledCost"] == r["EffectiveCost"] and r["ChargeCategory"] == "Purchase" for r in rows)
    assert rows[0]["ChargePeriodStart"] == dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    (tmp_path / "2026-11.yaml").write_text("lines:\n  - {category: personnel, model: ghost, amount: 1}\n")
    with pytest.raises(LedgerError, match="model 'ghost'"):
        load_ledger(warehouse, reg, NOV, run_id="r2")
    assert len(warehouse.fetch("select 1 from finance_ledger_lines")) == 3
