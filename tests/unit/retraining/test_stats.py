"""Champion vs challenger statistics against independent references.

DeLong: a brute-force O(m n) placement-value implementation written here straight from DeLong,
DeLong & Clarke-Pearson (1988, Biometrics 44(3):837-845, section 2: the structural components
V10(X_i), V01(Y_j) and the covariance S = S10/m + S01/n), on data with many ties; AUCs against
scikit-learn. McNemar against scipy's binomial test and the chi-square formula by hand. The
bootstrap against a loop over the same resampled rows scored by scikit-learn.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import roc_auc_score

from steward.retraining import bootstrap_auc_difference, delong_test, mcnemar_test


def _psi(x: float, y: float) -> float:
    return 1.0 if x > y else 0.5 if x == y else 0.0


def _delong_1988(y: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Return (auc_a, auc_b, var(auc_a - auc_b)) by the paper's placement values, no ranks."""
    out = []
    for s in (a, b):
        xs, ys = s[y == 1], s[y == 0]  # X: diseased (positives), Y: healthy
        v10 = np.array([np.mean([_psi(x, yy) for yy in ys]) for x in xs])
        v01 = np.array([np.mean([_psi(x, yy) for x in xs]) for yy in ys])
        out.append((v10.mean(), v10, v01))
    (auc_a, v10a, v01a), (auc_b, v10b, v01b) = out
    m, n = len(v10a), len(v01a)
    s10 = np.cov(np.vstack([v10a, v10b]))  # (m - 1) denominators, as in the paper
    s01 = np.cov(np.vstack([v01a, v01b]))
    s = s10 / m + s01 / n
    return auc_a, auc_b, s[0, 0] + s[1, 1] - 2 * s[0, 1]


def _tied_scores(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    a = np.round(y * 0.8 + rng.normal(size=n), 1)  # rounded: many ties within and across classes
    b = np.round(y * 0.4 + rng.normal(size=n) * 0.7, 0)  # heavy ties (few distinct values)
    return y, a, b


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_delong_matches_the_1988_placement_values_with_ties(seed: int) -> None:
    y, a, b = _tied_scores(180, seed)
    assert len(np.unique(b)) < 10  # the fixture really has ties
    auc_a, auc_b, var = _delong_1988(y, a, b)
    r = delong_test(y, a, b)
    assert r.auc_a == pytest.approx(auc_a, abs=1e-12)
    assert r.auc_b == pytest.approx(auc_b, abs=1e-12)
    assert r.var == pytest.approx(var, rel=1e-10)
    z = (auc_a - auc_b) / np.sqrt(var)
    assert r.z == pytest.approx(z, rel=1e-10)
    assert r.p == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-10)


def test_delong_aucs_match_scikit_learn() -> None:
    y, a, b = _tied_scores(500, 7)
    r = delong_test(y, a, b)
    assert r.auc_a == pytest.approx(roc_auc_score(y, a), abs=1e-12)
    assert r.auc_b == pytest.approx(roc_auc_score(y, b), abs=1e-12)


def test_delong_is_antisymmetric_and_identical_scores_give_no_difference() -> None:
    y, a, b = _tied_scores(200, 4)
    ab, ba = delong_test(y, a, b), delong_test(y, b, a)
    assert ab.z == pytest.approx(-ba.z) and ab.p == pytest.approx(ba.p) and ab.var == pytest.approx(ba.var)
    same = delong_test(y, a, a)
    assert (same.z, same.p, same.var) == (0.0, 1.0, 0.0)


def test_delong_detects_a_real_difference_and_not_a_null_one() -> None:
    rng = np.random.default_rng(11)
    y = rng.integers(0, 2, 2000)
    strong = y * 1.5 + rng.normal(size=2000)
    weak = y * 0.5 + rng.normal(size=2000)
    noisy_twin = strong + rng.normal(size=2000) * 0.05
    assert delong_test(y, strong, weak).p < 1e-6
    assert delong_test(y, strong, noisy_twin).p > 0.05


def test_one_class_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"only class 1 \(4 rows\).*holdout_days"):
        delong_test([1, 1, 1, 1], [0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1])
    with pytest.raises(ValueError, match="labels must be 0/1"):
        delong_test([0, 2, 1], [0.1, 0.2, 0.3], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="score_b has 1 missing"):
        delong_test([0, 1, 1], [0.1, 0.2, 0.3], [0.1, float("nan"), 0.3])


def test_mcnemar_exact_matches_the_binomial_test() -> None:
    y = np.array([1] * 10 + [0] * 10)
    a = y.copy()
    a[:3] = 0  # A wrong on 3 rows
    b = y.copy()
    b[3:12] = 1 - b[3:12]  # B wrong on 9 other rows
    r = mcnemar_test(y, a, b)
    assert (r.only_a, r.only_b, r.exact) == (9, 3, True)
    assert r.p == pytest.approx(stats.binomtest(3, 12, 0.5).pvalue, rel=1e-12)


def test_mcnemar_chi_square_with_continuity_correction_by_hand() -> None:
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 3000)
    a = np.where(rng.random(3000) < 0.85, y, 1 - y)
    b = np.where(rng.random(3000) < 0.80, y, 1 - y)
    r = mcnemar_test(y, a, b)
    ca, cb = a == y, b == y
    n01, n10 = int(np.sum(ca & ~cb)), int(np.sum(~ca & cb))
    chi2 = (abs(n01 - n10) - 1) ** 2 / (n01 + n10)
    assert not r.exact and (r.only_a, r.only_b) == (n01, n10)
    assert r.statistic == pytest.approx(chi2, rel=1e-12)
    assert r.p == pytest.approx(stats.chi2.sf(chi2, 1), rel=1e-10)


def test_mcnemar_without_discordant_pairs_is_no_evidence() -> None:
    r = mcnemar_test([0, 1, 1], [0, 1, 0], [0, 1, 0])
    assert (r.only_a, r.only_b, r.p) == (0, 0, 1.0)


def test_bootstrap_matches_a_loop_over_the_same_resamples_scored_by_scikit_learn() -> None:
    y, a, b = _tied_scores(120, 9)
    ci = bootstrap_auc_difference(y, a, b, n_boot=300, seed=42, chunk=300)
    rng = np.random.default_rng(42)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    rows = np.hstack([rng.choice(pos, size=(300, len(pos))), rng.choice(neg, size=(300, len(neg)))])
    diffs = [roc_auc_score(y[r], a[r]) - roc_auc_score(y[r], b[r]) for r in rows]
    low, high = np.percentile(diffs, [2.5, 97.5])
    assert (ci.low, ci.high) == (pytest.approx(low, abs=1e-12), pytest.approx(high, abs=1e-12))
    assert ci.difference == pytest.approx(roc_auc_score(y, a) - roc_auc_score(y, b))


def test_bootstrap_hand_examples() -> None:
    y = [0, 1, 0, 1, 1, 0]
    perfect = [0.1, 0.9, 0.3, 0.8, 0.7, 0.2]
    ci = bootstrap_auc_difference(y, perfect, [0.5] * 6, n_boot=200)  # 1.0 - 0.5 in every resample
    assert (ci.difference, ci.low, ci.high) == (0.5, 0.5, 0.5)
    same = bootstrap_auc_difference(y, perfect, perfect, n_boot=50)
    assert (same.low, same.high) == (0.0, 0.0)


def test_bootstrap_is_seeded_and_agrees_with_delong_width() -> None:
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 1500)
    a = y * 1.0 + rng.normal(size=1500)
    b = y * 0.8 + rng.normal(size=1500)
    one = bootstrap_auc_difference(y, a, b, n_boot=1000, seed=1)
    assert bootstrap_auc_difference(y, a, b, n_boot=1000, seed=1) == one
    assert bootstrap_auc_difference(y, a, b, n_boot=1000, seed=2) != one
    se = np.sqrt(delong_test(y, a, b).var)
    assert (one.high - one.low) == pytest.approx(2 * 1.96 * se, rel=0.15)
    assert one.low < one.difference < one.high
