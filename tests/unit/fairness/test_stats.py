"""Statistics on counts against independent references: scipy, Newcombe (1998) Table II, hand calculations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from steward.drift import benjamini_hochberg
from steward.fairness import (
    holm,
    katz_ratio_interval,
    min_detectable_gap,
    mover_mean_interval,
    newcombe_interval,
    sidak_combine,
    two_proportion_test,
    wilson_interval,
)
from steward.fairness._stats import CHI_SQUARE_MIN_EXPECTED


@pytest.mark.parametrize(("x", "n"), [(0, 10), (1, 10), (5, 10), (10, 10), (56, 70), (3, 1000), (999, 1000)])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_wilson_matches_scipy(x: int, n: int, confidence: float) -> None:
    low, high = wilson_interval([x], [n], confidence=confidence)
    ref = stats.binomtest(x, n).proportion_ci(confidence_level=confidence, method="wilson")
    assert float(low[0]) == pytest.approx(ref.low, abs=1e-12)
    assert float(high[0]) == pytest.approx(ref.high, abs=1e-12)


def test_wilson_of_an_empty_group_is_undefined() -> None:
    low, high = wilson_interval([0], [0])
    assert np.isnan(low[0]) and np.isnan(high[0])


# Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10 (hybrid score).
NEWCOMBE_TABLE_II = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize(("counts", "expected"), NEWCOMBE_TABLE_II)
def test_newcombe_matches_the_published_table(
    counts: tuple[int, int, int, int], expected: tuple[float, float]
) -> None:
    low, high = newcombe_interval(*([c] for c in counts))
    assert (round(float(low[0]), 4), round(float(high[0]), 4)) == pytest.approx(expected, abs=1e-4)


def test_katz_interval_by_hand() -> None:
    ratio, low, high = katz_ratio_interval([30], [100], [50], [100])
    se = np.sqrt(1 / 30 - 1 / 100 + 1 / 50 - 1 / 100)
    z = stats.norm.ppf(0.975)
    assert float(ratio[0]) == pytest.approx(0.6)
    assert float(low[0]) == pytest.approx(0.6 * np.exp(-z * se))
    assert float(high[0]) == pytest.approx(0.6 * np.exp(z * se))


def test_katz_interval_with_a_zero_count_uses_the_half_correction() -> None:
    ratio, low, high = katz_ratio_interval([0], [20], [10], [20])
    log_rr = np.log((0.5 / 21) / (10.5 / 21))
    se = np.sqrt(1 / 0.5 - 1 / 21 + 1 / 10.5 - 1 / 21)
    z = stats.norm.ppf(0.975)
    assert float(ratio[0]) == 0.0
    assert float(low[0]) == pytest.approx(np.exp(log_rr - z * se))
    assert float(high[0]) == pytest.approx(np.exp(log_rr + z * se))


@pytest.mark.parametrize("table", [(3, 10, 8, 10), (0, 15, 5, 15), (40, 100, 55, 120), (7, 9, 1, 12)])
def test_small_tables_use_fishers_exact_test(table: tuple[int, int, int, int]) -> None:
    x1, n1, x2, n2 = table
    p, tests = two_proportion_test([x1], [n1], [x2], [n2])
    ref = stats.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]]).pvalue
    assert tests == ["fisher_exact"]
    assert float(p[0]) == pytest.approx(ref, rel=1e-9)
    # Fisher's exact test is conservative: Boschloo's unconditional test is never less powerful
    assert float(p[0]) >= stats.boschloo_exact([[x1, x2], [n1 - x1, n2 - x2]]).pvalue - 1e-9


def test_large_tables_use_pearsons_chi_square() -> None:
    x1, n1, x2, n2 = 30_500, 60_000, 30_000, 60_000
    p, tests = two_proportion_test([x1], [n1], [x2], [n2])
    table = np.array([[x1, n1 - x1], [x2, n2 - x2]])
    assert stats.contingency.expected_freq(table).min() >= CHI_SQUARE_MIN_EXPECTED
    assert tests == ["chi_square"]
    assert float(p[0]) == pytest.approx(stats.chi2_contingency(table, correction=False).pvalue, rel=1e-9)
    assert float(p[0]) == pytest.approx(stats.fisher_exact(table).pvalue, rel=0.05)


def test_degenerate_and_undefined_tables() -> None:
    p, tests = two_proportion_test([0, 3], [10, 0], [0, 2], [10, 5])
    assert tests == ["degenerate", "undefined"]
    assert p[0] == 1.0 and np.isnan(p[1])


def test_sidak_combination() -> None:
    assert sidak_combine([0.01], [0.5])[0] == pytest.approx(1 - 0.99**2)
    assert sidak_combine([np.nan], [0.2])[0] == pytest.approx(0.2)


def test_holm_by_hand() -> None:
    # sorted p: 0.01, 0.02, 0.03, 0.04 with m = 4 -> 0.04, 0.06, 0.06, 0.06 (running max)
    rejected, adjusted = holm([0.03, 0.01, 0.04, 0.02], alpha=0.05)
    assert adjusted.tolist() == pytest.approx([0.06, 0.04, 0.06, 0.06])
    assert rejected.tolist() == [False, True, False, False]


def test_holm_is_never_below_bh() -> None:
    p = np.random.default_rng(3).uniform(0, 0.2, 30)
    assert np.all(holm(p)[1] >= benjamini_hochberg(p)[1] - 1e-12)


def test_mover_average_of_two_intervals_by_hand() -> None:
    lo, hi = mover_mean_interval([0.1], [0.0], [0.2], [0.3], [0.2], [0.4])
    assert float(lo[0]) == pytest.approx((0.4 - np.sqrt(0.1**2 + 0.1**2)) / 2)
    assert float(hi[0]) == pytest.approx((0.4 + np.sqrt(0.1**2 + 0.1**2)) / 2)


def test_min_detectable_gap_by_hand() -> None:
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    gap = min_detectable_gap([20], [1000], [0.3])
    assert float(gap[0]) == pytest.approx(z * np.sqrt(0.3 * 0.7 * (1 / 20 + 1 / 1000)))
    assert np.isnan(min_detectable_gap([0], [10], [0.5])[0])
