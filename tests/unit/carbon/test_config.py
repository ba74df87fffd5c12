"""The registry's costs.carbon section, the region comparison's checks and the `steward carbon` CLI."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from pydantic import ValidationError

from steward.carbon import compare_regions, load_coefficients
from steward.cli import main
from steward.registry import load_registry
from steward.registry._carbon import CandidateRegion, CarbonConfig, CarbonProvider, TrainingLocation
from steward.warehouse import connect


def test_the_demo_registry_declares_carbon() -> None:
    carbon = load_registry().costs.carbon
    assert carbon.training.country_iso_code == "USA" and carbon.training.pue == 1.135
    assert carbon.coefficients == "2026.11" and load_coefficients(carbon.coefficients).version == "2026.11"
    assert carbon.providers == []
    assert {(c.provider, c.region) for c in carbon.candidate_regions} == {
        ("aws", "eu-north-1"),
        ("aws", "us-west-2"),
        ("gcp", "europe-west1"),
    }


def test_bad_settings_are_refused_with_the_fix() -> None:
    with pytest.raises(ValidationError, match="3-letter ISO code"):
        TrainingLocation(country_iso_code="US")
    with pytest.raises(ValidationError, match="set both cloud_provider and cloud_region"):
        TrainingLocation(cloud_provider="gcp")
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        TrainingLocation(pue=0.8)
    with pytest.raises(ValidationError, match="names must be unique: a"):
        CarbonConfig(
            providers=[
                CarbonProvider(name="a", kind="aws_sustainability"),
                CarbonProvider(name="a", kind="aws_sustainability"),
            ]
        )
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        CarbonConfig.model_validate({"coefficient": "2026.11"})
    assert (
        CarbonProvider(name="g", kind="gcp_carbon_footprint", table="p.d.t").conn_id == "google_cloud_default"
    )
    assert CarbonProvider(name="a", kind="aws_sustainability").conn_id == "aws_default"


def test_a_candidate_without_a_grid_factor_is_refused() -> None:
    usage = pa.table(
        {
            "x_ChargeDate": [dt.date(2026, 11, 3)],
            "ProviderName": ["AWS"],
            "RegionId": ["us-east-1"],
            "x_ItEnergyKwh": [1.0],
            "x_Co2eKg": [0.43],
        }
    )
    with pytest.raises(ValueError, match=r"candidate_regions: aws/mars-1 has no grid factor"):
        compare_regions(
            usage,
            candidates=[CandidateRegion(provider="aws", region="mars-1")],
            coefficients=load_coefficients(),
        )
    (row,) = compare_regions(
        usage,
        candidates=[CandidateRegion(provider="gcp", region="us-west1")],
        coefficients=load_coefficients(),
    ).to_pylist()
    # 1 kWh of IT energy x GCP PUE 1.1 x us-west1 0.000078 t/kWh (CCF)
    assert row["candidate_co2e_kg"] == pytest.approx(1.0 * 1.1 * 0.078)
    assert row["delta_co2e_kg"] == pytest.approx(1.1 * 0.078 - 0.43)


def test_cli_estimate_and_summary(duckdb_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.unit.carbon.test_estimate import LINES, NOV1

    with connect(duckdb_url) as wh:
        wh.migrate()
        wh.replace_partition(
            "cost_line_daily", {"x_SourceName": "aws_cur", "BillingPeriodStart": NOV1}, LINES
        )
    assert main(["carbon", "estimate", "--date", "2026-11-20", "--url", duckdb_url, "--run-id", "cli"]) == 0
    out = capsys.readouterr().out
    assert '"days": [\n    "2026-11-03",\n    "2026-11-04"\n  ]' in out
    assert (
        main(["carbon", "summary", "--start", "2026-11-01", "--end", "2026-11-30", "--url", duckdb_url]) == 0
    )
    out = capsys.readouterr().out
    assert "marketing" in out and "lending" in out and "aws/us-east-1 -> aws/eu-north-1" in out
