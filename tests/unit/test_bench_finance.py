"""Smoke test of the finance benchmark: a tiny month runs and reconciles."""

from __future__ import annotations

from benchmarks import finance


def test_plan_measures_the_issue_scale() -> None:
    (case,) = finance.plan(quick=False)
    assert case["args"] == {"rows": 10_000_000, "predictions": 100_000_000}


def test_tiny_month_runs_and_reconciles() -> None:
    out = finance.marts_month(rows=3_000, predictions=150_000)
    assert "150,000 predictions" in str(out["note"])
    assert "50 models" in str(out["note"])
    assert "equals cost_line_daily: True" in str(out["note"])
