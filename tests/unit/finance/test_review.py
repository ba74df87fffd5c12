import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from steward.finance import FinanceError, parse_period, review
from steward.registry import Registry
from steward.warehouse import Warehouse, connect
from tests.unit.finance import _data

D = Decimal
NOV = parse_period("2026-11")
CLOSED = dt.date(2026, 12, 10)
# CAC by hand: spend 1000 + 900 + 1200 = 3100 over 10 + 8 + 10 = 28 conversions = 110.714 USD
OUTCOMES = {
    dt.date(2026, 11, 2): (1000.0, 10),
    dt.date(2026, 11, 3): (900.0, 8),
    dt.date(2026, 11, 20): (1200.0, 10),
}


def _setup(tmp_path: Path, wh: Warehouse, **finance: object) -> Registry:
    (tmp_path / "2026-11.yaml").write_text(_data.LEDGER_YAML)
    _data.write_outcomes(tmp_path / "lake", OUTCOMES)
    _data.load_costs(wh)
    return _data.registry(tmp_path / "lake", str(tmp_path / "{period}.yaml"), **finance)


def test_totals_reconcile_to_cost_lines_and_ledger(tmp_path: Path, warehouse: Warehouse) -> None:
    reg = _setup(tmp_path, warehouse)
    r = review(warehouse, reg, NOV, run_id="r1", today=CLOSED)
    lines = warehouse.fetch(
        'select "BilledCost" as b, "EffectiveCost" as e from cost_line_daily '
        'where "ChargePeriodStart" >= :s and "ChargePeriodStart" < :e',
        {"s": _data.at(NOV.start), "e": _data.at(NOV.end)},
    )
    ledger = warehouse.fetch('select "BilledCost" as b from finance_ledger_lines')
    billed = sum((D(str(x["b"])) for x in lines), D(0)) + sum((D(str(x["b"])) for x in ledger), D(0))
    effective = sum((D(str(x["e"])) for x in lines), D(0)) + sum((D(str(x["b"])) for x in ledger), D(0))
    assert (billed, effective) == (D("1655.5"), D("1615.5"))  # 155 + 1500.5, 115 + 1500.5
    assert r.totals["total_billed_cost"] == billed
    assert r.totals["total_effective_cost"] == effective
    (stored,) = warehouse.fetch("select total_billed_cost, total_effective_cost, status from finance_reviews")
    assert (D(str(stored["total_billed_cost"])), D(str(stored["total_effective_cost"]))) == (
        billed,
        effective,
    )
    assert stored["status"] == "final"


def test_roi_benefit_and_flags_by_hand(tmp_path: Path, duckdb_url: str) -> None:
    with connect(duckdb_url) as wh:
        wh.migrate()
        reg = _setup(tmp_path, wh, budgets={"lead_scoring": 1000})
        r = review(wh, reg, NOV, run_id="r1", today=CLOSED)
        lead = next(m for m in r.models if m.model == "lead_scoring")
        assert lead.kpi is not None and lead.kpi.value == pytest.approx(3100 / 28)
        assert lead.benefit == pytest.approx((100 - 3100 / 28) * 28)  # -300 USD
        assert lead.projected_benefit == pytest.approx(10 * 28)  # CAC 90 instead of 100 on 28 conversions
        assert lead.tco_cost == D("1245.5")
        assert lead.roi == pytest.approx((-300 - 1245.5) / 1245.5)
        assert lead.payback_months is None  # recurring net value is negative: never paid back
        assert [f["flag"] for f in lead.flags] == [
            "negative_roi",
            "benefit_below_projection",
            "over_budget",
            "cost_per_prediction_rising",
        ]
        assert "TCO 1,245.50 exceeds the budget 1,000.00 USD" in lead.flags[2]["evidence"]
        credit = next(m for m in r.models if m.model == "credit_risk")
        assert (
            credit.roi is None and credit.not_computable == "no business_kpi with a measure in the registry"
        )
        units = {u["business_unit"]: u for u in r.units}
        # marketing pays 1,252.50 (52.00 cloud + 1,200.50 ledger) and its one valued model returns -300
        assert units["marketing"]["tco_cost"] == D("1252.5")
        assert units["marketing"]["net_value"] == pytest.approx(-300 - 1252.5)
        assert units["marketing"]["roi"] == pytest.approx((-300 - 1252.5) / 1252.5)
        assert (units["lending"]["tco_cost"], units["lending"]["benefit"]) == (D("360"), None)
        assert json.loads(units["lending"]["models_not_valued"]) == [
            {"model": "credit_risk", "reason": "no business_kpi with a measure in the registry"}
        ]
        stored = wh.fetch("select business_unit, net_value from finance_unit_value order by business_unit")
        assert [s["business_unit"] for s in stored] == ["lending", "marketing"]
        (row,) = wh.fetch(
            "select assumptions, flags, kpi_realized from finance_roi where model = 'lead_scoring'"
        )
        assert json.loads(str(row["assumptions"]))["assumptions"] == ["CAC before the model: 100 USD"]
        assert len(json.loads(str(row["flags"]))) == 4


def test_payback_from_one_time_cost(tmp_path: Path, duckdb_url: str) -> None:
    with connect(duckdb_url) as wh:
        wh.migrate()
        reg = _setup(tmp_path, wh)
        _data.write_outcomes(tmp_path / "lake", {dt.date(2026, 11, 2): (1000.0, 20)})  # CAC 50 on that day
        r = review(wh, reg, NOV, run_id="r1", today=CLOSED)
        lead = next(m for m in r.models if m.model == "lead_scoring")
        # spend 3100 over 38 conversions: benefit (100 - 3100/38) * 38 = 700;
        # recurring TCO 1245.5 - 200.5 = 1045
        assert lead.benefit == pytest.approx(700)
        assert lead.payback_months is None  # 700 - 1045 < 0
        assert lead.one_time_cost == D("200.5")
        cheap = dict.fromkeys(OUTCOMES, (1000.0, 20))  # CAC 50 every day: benefit (100 - 50) * 60 = 3000
        _data.write_outcomes(tmp_path / "lake", cheap)
        lead = next(
            m for m in review(wh, reg, NOV, run_id="r2", today=CLOSED).models if m.model == "lead_scoring"
        )
        assert lead.benefit == pytest.approx(3000)
        assert lead.payback_months == pytest.approx(200.5 / (3000 - 1045))  # one-time / monthly recurring net


def test_no_outcomes_is_not_computable(tmp_path: Path, duckdb_url: str) -> None:
    with connect(duckdb_url) as wh:
        wh.migrate()
        (tmp_path / "2026-11.yaml").write_text(_data.LEDGER_YAML)
        reg = _data.registry(tmp_path / "lake", str(tmp_path / "{period}.yaml"))
        r = review(wh, reg, NOV, run_id="r1", today=CLOSED)
        lead = next(m for m in r.models if m.model == "lead_scoring")
        assert lead.roi is None
        assert lead.not_computable == (
            "KPI 'customer_acquisition_cost' not computable for 2026-11: "
            "no observations: the period has no outcome rows"
        )


def test_provisional_then_final_rerun_records_late_outcomes(tmp_path: Path, duckdb_url: str) -> None:
    with connect(duckdb_url) as wh:
        wh.migrate()
        reg = _setup(tmp_path, wh)
        first = review(wh, reg, NOV, run_id="r0", today=dt.date(2026, 11, 30))
        assert first.status == "provisional"
        review(wh, reg, NOV, run_id="r1", today=CLOSED)
        tables = ("finance_tco", "finance_showback", "finance_unit_costs", "finance_roi", "finance_reviews")
        before = {t: wh.fetch(f"select count(*) as n from {t}")[0]["n"] for t in tables}
        review(wh, reg, NOV, run_id="r2", today=CLOSED)  # same figures: replaced exactly, no change record
        assert {t: wh.fetch(f"select count(*) as n from {t}")[0]["n"] for t in tables} == before
        assert wh.fetch("select count(*) as n from finance_review_changes")[0]["n"] == 0
        _data.write_outcomes(tmp_path / "lake", {dt.date(2026, 11, 25): (500.0, 10)})  # late outcomes
        r = review(wh, reg, NOV, run_id="r3", today=CLOSED)
        assert "models.lead_scoring.benefit" in r.changed_keys
        (change,) = wh.fetch(
            "select previous_run_id, previous_status, changed_keys, run_id from finance_review_changes"
        )
        assert (change["previous_run_id"], change["previous_status"], change["run_id"]) == (
            "r2",
            "final",
            "r3",
        )
        assert "models.lead_scoring.kpi_realized" in json.loads(str(change["changed_keys"]))


def test_currency_mismatch_is_refused(tmp_path: Path, duckdb_url: str) -> None:
    with connect(duckdb_url) as wh:
        wh.migrate()
        reg = _setup(tmp_path, wh)
        wh.replace_partition(
            "cost_allocated_daily",
            {"x_PipelineRunId": "eur"},
            [
                _data.allocated(
                    dt.date(2026, 11, 4), "lending", None, "DIRECT", "1", "1", run="eur", currency="EUR"
                )
            ],
        )
        with pytest.raises(
            FinanceError, match=r"period 2026-11: cost lines in \['EUR'\] but finance.currency is USD"
        ):
            review(wh, reg, NOV, run_id="r1", today=CLOSED)
        assert wh.fetch("select count(*) as n from finance_reviews")[0]["n"] == 0


def test_future_period_refused(tmp_path: Path, duckdb_url: str) -> None:
    with connect(duckdb_url) as wh:
        wh.migrate()
        reg = _data.registry(tmp_path / "lake", None)
        with pytest.raises(FinanceError, match="period 2026-12 has not started yet"):
            review(wh, reg, parse_period("2026-12"), run_id="r1", today=dt.date(2026, 11, 30))


def test_report_and_extracts(tmp_path: Path, duckdb_url: str) -> None:
    with connect(duckdb_url) as wh:
        wh.migrate()
        reg = _setup(tmp_path, wh, budgets={"lead_scoring": 1000})
        r = review(wh, reg, NOV, run_id="r1", today=CLOSED, out_dir=tmp_path / "out")
        html = (tmp_path / "out" / "review.html").read_text()
        assert r.report_path == tmp_path / "out" / "review.html"
        for title in (
            "Spend trend",
            "Cloud cost per 1,000 predictions",
            "Total cost of ownership by category",
            "Realized KPI (interval)",
            "ROI per model",
            "Budget vs actual",
            "benefit_below_projection",
        ):
            assert title in html
        assert html.count("data:image/png;base64,") == 6  # no carbon rows in this warehouse: no carbon chart
        roi = pq.read_table(tmp_path / "out" / "finance_roi.parquet").to_pylist()
        assert {row["model"] for row in roi} == {"lead_scoring", "credit_risk"}
        assert (tmp_path / "out" / "finance_tco.csv").read_text().count("\n") == 9  # header + 8 rows
