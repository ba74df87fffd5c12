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


def test_a_night_writes_fairness_and_monitoring_together_or_not_at_all(
    steward_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from steward.monitoring import monitor_night
    from steward.registry import load_registry

    generate(steward_home, datasets=DATASETS, days=2)
    registry = load_registry()
    model = registry.model("credit_risk")
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the chart stage broke after fairness and drift were computed")

    tables = ("fairness_metrics", "fairness_group_counts", "drift_metrics", "monitoring_runs")
    with connect(url) as wh:
        wh.migrate()
        monkeypatch.setattr("steward.monitoring._run.chart_model", broken)
        with pytest.raises(RuntimeError, match="chart stage broke"):
            monitor_night(model, DEMO_START, registry=registry, warehouse=wh, run_id="r1", write_report=False)
        assert all(wh.fetch(f"select count(*) as n from {t}") == [{"n": 0}] for t in tables)
        monkeypatch.undo()
        night = monitor_night(
            model, DEMO_START, registry=registry, warehouse=wh, run_id="r2", write_report=False
        )
        assert night.fairness is not None and night.fairness["evaluated"]
        counts = {t: wh.fetch(f"select count(*) as n from {t}")[0]["n"] for t in tables}
    assert all(n > 0 for n in counts.values()), counts
