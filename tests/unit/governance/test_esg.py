"""The quarterly ESG extract on both backends, against hand-computed figures: measured and estimated
energy per business unit and model, the measured share, location-based emissions, the provider's
market-based figures on one company row, the coefficients' versions and the change vs the quarter before."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from steward.governance import esg_extract, parse_quarter, previous_quarter
from steward.registry import load_registry
from steward.warehouse import Warehouse

AT = dt.datetime(2026, 12, 31, tzinfo=dt.UTC)


def _allocated(wh: Warehouse, day: str, unit: str, model: str, kwh: float, kg: float, version: str) -> None:
    d = dt.date.fromisoformat(day)
    row = {
        "ChargePeriodStart": dt.datetime.combine(d, dt.time(), tzinfo=dt.UTC),
        "BillingAccountId": "acct",
        "BillingCurrency": "USD",
        "x_BusinessUnit": unit,
        "x_ModelId": model,
        "x_EnergyKwh": kwh,
        "x_Co2eKg": kg,
        "x_AllocationMethod": "DIRECT",
        "x_CoefficientsVersion": version,
        "x_AllocatedAt": AT,
    }
    key = {"x_ChargeDate": d, "x_ModelId": model}
    wh.replace_partition("carbon_allocated_daily", key, [row])


def _training(wh: Warehouse, run: str, model: str, day: str, kwh: float, kg: float, status: str) -> None:
    start = dt.datetime.fromisoformat(day + "T10:00:00+00:00")
    row = {"status": status, "started_at": start, "ended_at": start, "energy_kwh": kwh, "co2e_kg": kg}
    row |= {"codecarbon_version": "3.3.2", "recorded_at": AT}
    wh.replace_partition("carbon_training_runs", {"run_id": run, "model": model}, [row])


def _provider(wh: Warehouse, month: str, location: float, market: float) -> None:
    key = {"provider": "aws", "account_id": "acct", "usage_month": dt.date.fromisoformat(month)}
    row = {"source_name": "aws", "location_based_co2e_kg": location, "market_based_co2e_kg": market}
    wh.replace_partition("carbon_provider_monthly", key, [row | {"model_version": "v3.0.0", "loaded_at": AT}])


@pytest.fixture
def carbon(warehouse: Warehouse) -> Warehouse:
    _allocated(warehouse, "2026-11-02", "marketing", "lead_scoring", 10, 4, "v1")
    _allocated(warehouse, "2026-12-01", "marketing", "lead_scoring", 5, 2, "v2")
    _allocated(warehouse, "2026-11-02", "lending", "credit_risk", 20, 8, "v1")
    _allocated(warehouse, "2026-08-01", "marketing", "lead_scoring", 10, 3, "v1")  # the quarter before
    _allocated(warehouse, "2027-01-01", "marketing", "lead_scoring", 99, 99, "v2")  # the quarter after
    _training(warehouse, "t1", "lead_scoring", "2026-11-03", 5, 1, "succeeded")
    _training(warehouse, "t2", "lead_scoring", "2026-11-04", 100, 50, "failed")  # not counted
    _training(warehouse, "t3", "credit_risk", "2026-07-15", 4, 2, "succeeded")  # the quarter before
    _provider(warehouse, "2026-10-01", 50, 30)
    _provider(warehouse, "2026-07-01", 40, 20)
    return warehouse


def test_the_extract_matches_hand_computed_figures(carbon: Warehouse, tmp_path: Path) -> None:
    out = esg_extract(load_registry(check_suites=False), "2026Q4", warehouse=carbon, reports_dir=tmp_path)
    credit, lead, company = out.rows
    assert (credit.business_unit, credit.model, credit.energy_kwh, credit.measured_share) == (
        "lending",
        "credit_risk",
        20.0,
        0.0,
    )
    assert (credit.location_based_co2e_kg, credit.previous_energy_kwh, credit.previous_co2e_kg) == (
        8.0,
        4.0,
        2.0,
    )
    assert credit.energy_change_pct == pytest.approx(400.0) and credit.co2e_change_pct == pytest.approx(300.0)
    assert credit.method == "estimated from cloud usage" and credit.market_based_co2e_kg is None
    # lead_scoring: 15 kWh estimated + 5 measured; 4 + 2 + 1 kg; before: 10 kWh, 3 kg
    assert (lead.energy_kwh, lead.energy_measured_kwh, lead.energy_estimated_kwh) == (20.0, 5.0, 15.0)
    assert lead.measured_share == pytest.approx(0.25) and lead.location_based_co2e_kg == pytest.approx(7.0)
    assert lead.energy_change_pct == pytest.approx(100.0) and lead.co2e_change_pct == pytest.approx(400 / 3)
    assert lead.coefficients_version == "v1..v2"
    assert lead.method == "measured (codecarbon 3.3.2) + estimated from cloud usage"
    assert (company.location_based_co2e_kg, company.market_based_co2e_kg) == (50.0, 30.0)
    assert company.co2e_change_pct == pytest.approx(25.0) and company.coefficients_version == "v3.0.0"

    with out.csv_path.open(encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    assert [(r["business_unit"], r["model"], r["energy_kwh"]) for r in table] == [
        ("lending", "credit_risk", "20.0"),
        ("marketing", "lead_scoring", "20.0"),
        ("(company, provider-reported)", "", ""),
    ]
    html = out.html_path.read_text(encoding="utf-8")
    assert "Energy 40.000 kWh, of which 12.5% measured" in html and "market-based 30.0 kg" in html


def test_quarters() -> None:
    assert parse_quarter("2026q1") == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert previous_quarter("2026Q1") == "2025Q4"
    with pytest.raises(ValueError, match="must be written YYYYQn"):
        parse_quarter("2026-Q5")


def test_the_cli_writes_the_extract(
    carbon: Warehouse, warehouse_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from steward.cli import main

    assert main(["esg", "extract", "--quarter", "2026Q4", "--url", warehouse_url]) == 0
    out = capsys.readouterr().out
    assert "esg_2026Q4.csv" in out and "3 rows" in out
    assert main(["esg", "extract", "--quarter", "Q4", "--url", warehouse_url]) == 2
