"""Smoke test of the alerting benchmark: its cases run and measure what their notes say."""

from __future__ import annotations

import numpy as np

from benchmarks import alerting


def test_plan_covers_every_chart_and_the_drift_cases() -> None:
    titles = [c["title"] for c in alerting.plan(quick=True)]
    assert sum("ARL0" in t for t in titles) == 6
    assert sum("drift verdict" in t for t in titles) == 6
    assert any("200,000 rows" in t and "shift 0.2 sigma" in t for t in titles)


def test_chart_case_reports_run_lengths_and_delay() -> None:
    out = alerting.chart_run_lengths("cusum", known=True, replicates=3)
    assert "ARL0 >= " in out["note"] and "(nominal 15.0%)" in out["note"] and "median delay" in out["note"]


def test_drift_cases_flag_the_shift_and_not_the_null() -> None:
    assert "drifted 0.0% of nights" in alerting.drift_verdict("null", rows=5_000, nights=3)["note"]
    assert (
        "drifted 100.0% of nights" in alerting.drift_verdict("shift 0.2 sigma", rows=5_000, nights=3)["note"]
    )
    zero = alerting.drift_verdict("zero-inflated: 10% of zeros turn positive", rows=5_000, nights=2)["note"]
    assert "raw-value wasserstein_normed (scipy)" in zero


def test_the_zero_inflated_night_moves_a_tenth_of_the_rows_off_zero() -> None:
    rng = np.random.default_rng(0)
    before = alerting._night("zero", rng, 100_000, shift=False)
    after = alerting._night("zero", rng, 100_000, shift=True)
    assert abs(np.mean(before == 0) - 0.3) < 0.01 and abs(np.mean(after == 0) - 0.2) < 0.01
