"""`steward monitor run` runs what the DAG's monitor task runs: fairness and monitoring, one function."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from steward.cli import main
from steward.demo import DEMO_START, generate
from steward.warehouse import connect

DATASETS = ["credit_risk_training", "credit_risk_predictions", "credit_risk_labels"]


def test_the_cli_night_writes_fairness_as_the_dag_does(
    steward_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    generate(steward_home, datasets=DATASETS, days=3)
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    args = ["monitor", "run", "--date", DEMO_START.isoformat(), "--days", "3", "--model", "credit_risk"]
    assert main([*args, "--url", url]) in (0, 1)
    out = capsys.readouterr().out
    assert "fairness report:" in out
    with connect(url) as wh:
        fair = wh.fetch(
            "select window_date, count(*) as n from fairness_metrics where model = 'credit_risk' group by 1"
        )
        runs = wh.fetch("select window_date from monitoring_runs where model = 'credit_risk'")
    days = {DEMO_START + dt.timedelta(days=i) for i in range(3)}
    assert {r["window_date"] for r in fair} == days and all(r["n"] > 50 for r in fair)
    assert {r["window_date"] for r in runs} == days


def test_an_unknown_model_fails_before_anything_is_written(
    steward_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    rc = main(
        ["monitor", "run", "--date", "2026-11-01", "--model", "credit_risk", "--model", "nope", "--url", url]
    )
    assert rc == 2 and "model 'nope' is not registered" in capsys.readouterr().err
    assert not (tmp_path / "wh.duckdb").exists()
