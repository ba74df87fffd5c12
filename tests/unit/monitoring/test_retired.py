"""Decommissioned models are not monitored: the skip and its reason, from the model registry."""

from __future__ import annotations

import datetime as dt

import pytest

from steward.cli import main
from steward.lifecycle import ModelVersion, decommission, promote, register_version
from steward.monitoring import retired_models
from steward.warehouse import Warehouse, connect

WHEN = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)


def _retire(wh: Warehouse, model: str) -> None:
    register_version(wh, ModelVersion(model, "1.0"), actor="ci", reason="trained")
    promote(wh, model, "1.0", actor="ci", reason="first", evidence_run_id="r1")
    decommission(wh, model, "1.0", actor="risk-board", reason="product withdrawn", occurred_at=WHEN)


def test_only_decommissioned_models_are_retired(warehouse: Warehouse) -> None:
    _retire(warehouse, "credit_risk")
    register_version(warehouse, ModelVersion("lead_scoring", "2.3.0"), actor="ci", reason="trained")
    retired = retired_models(warehouse, ["lead_scoring", "credit_risk", "churn"])  # churn: no versions
    assert list(retired) == ["credit_risk"]
    assert retired["credit_risk"] == (
        "credit_risk: not monitored, decommissioned (version 1.0 on 2026-11-20 by risk-board: product "
        "withdrawn); its history: steward models history credit_risk"
    )


def test_a_newer_version_in_production_brings_monitoring_back(warehouse: Warehouse) -> None:
    _retire(warehouse, "credit_risk")
    register_version(warehouse, ModelVersion("credit_risk", "2.0"), actor="ci", reason="retrained")
    promote(warehouse, "credit_risk", "2.0", actor="ci", reason="back", evidence_run_id="r2")
    assert retired_models(warehouse, ["credit_risk"]) == {}


def test_monitor_run_skips_a_decommissioned_model_with_its_reason(
    duckdb_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with connect(duckdb_url) as wh:
        wh.migrate()
        _retire(wh, "credit_risk")
    argv = ["monitor", "run", "--date", "2026-11-05", "--model", "credit_risk", "--url", duckdb_url]
    assert main(argv) == 0
    assert "credit_risk: not monitored, decommissioned (version 1.0" in capsys.readouterr().out
    with connect(duckdb_url) as wh:
        assert wh.fetch("select count(*) as n from monitoring_runs")[0]["n"] == 0
