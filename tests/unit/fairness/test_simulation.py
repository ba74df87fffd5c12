"""Seeded simulations at equal true rates: interval coverage and false-breach rate near nominal."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from steward.fairness import GroupCounts, WindowCounts, compute_fairness
from tests.unit.fairness.data_for_test import model

DAY = dt.date(2026, 11, 10)


def _draw(rng: np.random.Generator, sizes: tuple[int, ...]) -> WindowCounts:
    """Groups with equal true rates: P(y fav) 0.5, TPR 0.7, FPR 0.3 (selection rate 0.5)."""
    groups = []
    for k, n in enumerate(sizes):
        pos = int(rng.binomial(n, 0.5))
        tp = int(rng.binomial(pos, 0.7))
        fp = int(rng.binomial(n - pos, 0.3))
        groups.append(GroupCounts("g", f"g{k}", n, n, tp + fp, pos, tp, fp, n - pos - fp, pos - tp, 0, None))
    return WindowCounts(tuple(groups), (), ("g",), 10)


def _simulate(reps: int, sizes: tuple[int, ...], seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    # tolerance ~0: a breach is then "significant", so the false-breach rate is the test's size
    m = model(protected=("g",), score=False, tolerance=1e-6, min_group_size=10)
    covered = {"selection_rate": 0, "statistical_parity_difference": 0, "equalized_odds_difference": 0}
    trials = dict.fromkeys(covered, 0)
    truth = {"selection_rate": 0.5, "statistical_parity_difference": 0.0, "equalized_odds_difference": 0.0}
    false_breach_nights = 0
    for _ in range(reps):
        result = compute_fairness(_draw(rng, sizes), m, window=DAY, run_id="sim")
        false_breach_nights += result.breach
        for r in result.rows:
            if r["metric"] in covered and r["attribute"] == "g" and r["ci_low"] is not None:
                if r["metric"] != "selection_rate" and r["reference_group"] is None:
                    continue
                trials[r["metric"]] += 1
                covered[r["metric"]] += r["ci_low"] - 1e-12 <= truth[r["metric"]] <= r["ci_high"] + 1e-12
    out = {k: covered[k] / trials[k] for k in covered}
    out["false_breach_rate"] = false_breach_nights / reps
    return out


def test_quick_simulation_at_equal_rates() -> None:
    out = _simulate(150, (60, 120, 200), seed=1)
    assert out["selection_rate"] > 0.9
    assert out["statistical_parity_difference"] > 0.9
    assert out["equalized_odds_difference"] > 0.9
    assert out["false_breach_rate"] <= 0.1


@pytest.mark.slow
def test_simulation_coverage_and_false_breach_rate_near_nominal() -> None:
    out = _simulate(3000, (80, 150, 400, 1500), seed=2)
    se = np.sqrt(0.05 * 0.95 / 3000)
    # Wilson and Newcombe: close to 95% (their known small oscillation around it)
    assert 0.93 <= out["selection_rate"] <= 0.97
    assert 0.93 <= out["statistical_parity_difference"] <= 0.975
    # the equalized-odds interval is simultaneous (Bonferroni): at least 95%
    assert out["equalized_odds_difference"] >= 0.95 - 3 * se
    # Holm over the night's tests with Fisher's exact test: family-wise false breaches at most alpha,
    # and not far below it (Fisher is conservative at these sizes)
    assert 0.015 <= out["false_breach_rate"] <= 0.05 + 3 * se
