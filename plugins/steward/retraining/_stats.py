"""Champion vs challenger statistics: paired DeLong test, McNemar, bootstrap interval of the AUC gap.

Pure functions on arrays; no warehouse. The DeLong test follows the fast algorithm of Sun & Xu
(2014, IEEE Signal Processing Letters 21(11)), which computes DeLong, DeLong & Clarke-Pearson's
(1988) placement values from midranks in O(n log n) instead of O(m n) comparisons; ties count 1/2.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from scipy import stats

__all__ = [
    "BootstrapInterval",
    "DeLongResult",
    "McNemarResult",
    "bootstrap_auc_difference",
    "delong_test",
    "mcnemar_test",
]


class DeLongResult(NamedTuple):
    """AUCs of two scores on the same rows and the paired DeLong test of their difference.

    ``z = (auc_a - auc_b) / sqrt(var)``, ``p`` two-sided; ``var`` is the variance of ``auc_a - auc_b``.
    """

    auc_a: float
    auc_b: float
    z: float
    p: float
    var: float


class McNemarResult(NamedTuple):
    """McNemar's test on paired correct/incorrect decisions.

    ``only_a``: rows that A gets right and B wrong; ``only_b`` the reverse.
    """

    statistic: float
    p: float
    only_a: int
    only_b: int
    exact: bool


class BootstrapInterval(NamedTuple):
    """Percentile interval of ``auc_a - auc_b`` over class-stratified bootstrap resamples."""

    difference: float
    low: float
    high: float
    confidence: float
    n_boot: int
    seed: int


def _binary_labels(y: npt.ArrayLike, *, what: str) -> npt.NDArray[np.bool_]:
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{what}: labels must be one-dimensional, got shape {arr.shape}")
    values = set(np.unique(arr).tolist())
    if not values <= {0, 1}:
        raise ValueError(f"{what}: labels must be 0/1, found {sorted(map(str, values))[:5]}")
    labels = arr.astype(bool)
    positives = int(labels.sum())
    if positives == 0 or positives == len(labels):
        only = "1" if positives else "0"
        raise ValueError(
            f"{what}: the holdout has only class {only} ({len(labels)} rows): an AUC needs both classes; "
            "widen the holdout window (retraining.holdout_days)"
        )
    return labels


def _scores(s: npt.ArrayLike, n: int, *, what: str, name: str) -> npt.NDArray[np.float64]:
    arr = np.asarray(s, dtype=float)
    if arr.shape != (n,):
        raise ValueError(f"{what}: {name} has shape {arr.shape}, expected ({n},) like the labels")
    if not np.isfinite(arr).all():
        raise ValueError(f"{what}: {name} has {int((~np.isfinite(arr)).sum())} missing or infinite values")
    return arr


def _midranks(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Midranks (1-based, ties share their mean rank) along the last axis."""
    return np.asarray(stats.rankdata(x, method="average", axis=-1), dtype=float)


def delong_test(y: npt.ArrayLike, score_a: npt.ArrayLike, score_b: npt.ArrayLike) -> DeLongResult:
    """Paired DeLong test of two AUCs measured on the same rows.

    Parameters
    ----------
    y
        True labels, 0/1; both classes must be present.
    score_a, score_b
        Scores of the two models for the same rows (higher = more likely 1).

    Returns
    -------
    DeLongResult
        ``(auc_a, auc_b, z, p, var)``; with zero variance ``z`` is 0 (equal AUCs) or +-inf.

    Examples
    --------
    >>> r = delong_test([0, 0, 1, 1, 1, 0], [0.1, 0.4, 0.35, 0.8, 0.9, 0.2], [0.2, 0.1, 0.3, 0.5, 0.4, 0.6])
    >>> round(r.auc_a, 3), round(r.auc_b, 3)
    (0.889, 0.667)
    """
    what = "DeLong test"
    labels = _binary_labels(y, what=what)
    a = _scores(score_a, len(labels), what=what, name="score_a")
    b = _scores(score_b, len(labels), what=what, name="score_b")
    scores = np.vstack([a, b])
    pos, neg = scores[:, labels], scores[:, ~labels]
    m, n = pos.shape[1], neg.shape[1]
    tx, ty = _midranks(pos), _midranks(neg)
    tz = _midranks(np.hstack([pos, neg]))
    aucs = (tz[:, :m].sum(axis=1) - m * (m + 1) / 2) / (m * n)
    v01 = (tz[:, :m] - tx) / n  # structural components of the positives
    v10 = 1.0 - (tz[:, m:] - ty) / m  # ... and of the negatives
    sx = np.atleast_2d(np.cov(v01)) if m > 1 else np.zeros((2, 2))
    sy = np.atleast_2d(np.cov(v10)) if n > 1 else np.zeros((2, 2))
    s = sx / m + sy / n
    var = float(s[0, 0] + s[1, 1] - 2 * s[0, 1])
    diff = float(aucs[0] - aucs[1])
    if var <= 0:
        var = 0.0
        z = 0.0 if diff == 0 else float(np.copysign(np.inf, diff))
    else:
        z = diff / np.sqrt(var)
    p = float(2 * stats.norm.sf(abs(z)))
    return DeLongResult(float(aucs[0]), float(aucs[1]), float(z), p, var)


def mcnemar_test(
    y: npt.ArrayLike, decision_a: npt.ArrayLike, decision_b: npt.ArrayLike, *, exact_below: int = 25
) -> McNemarResult:
    """McNemar's test of paired decisions (statsmodels), exact binomial when discordant pairs are few.

    Parameters
    ----------
    y
        True labels, 0/1.
    decision_a, decision_b
        The two models' 0/1 decisions on the same rows.
    exact_below
        Use the exact binomial test when fewer discordant pairs than this; else the chi-square
        statistic with continuity correction.

    Examples
    --------
    >>> r = mcnemar_test([1, 1, 0, 0, 1], [1, 1, 0, 1, 1], [0, 1, 0, 1, 0])
    >>> r.only_a, r.only_b, r.exact
    (2, 0, True)
    """
    from statsmodels.stats.contingency_tables import mcnemar

    truth = np.asarray(y).astype(int)
    a = np.asarray(decision_a).astype(int) == truth
    b = np.asarray(decision_b).astype(int) == truth
    if a.shape != truth.shape or b.shape != truth.shape:
        raise ValueError(f"McNemar test: decisions {a.shape}/{b.shape} do not match labels {truth.shape}")
    table = np.array([[np.sum(a & b), np.sum(a & ~b)], [np.sum(~a & b), np.sum(~a & ~b)]])
    only_a, only_b = int(table[0, 1]), int(table[1, 0])
    exact = only_a + only_b < exact_below
    res = mcnemar(table, exact=exact, correction=True)
    p = 1.0 if only_a + only_b == 0 else float(res.pvalue)
    return McNemarResult(float(res.statistic), p, only_a, only_b, exact)


def bootstrap_auc_difference(
    y: npt.ArrayLike,
    score_a: npt.ArrayLike,
    score_b: npt.ArrayLike,
    *,
    n_boot: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
    chunk: int = 250,
) -> BootstrapInterval:
    """Percentile bootstrap interval of ``AUC(a) - AUC(b)``, resampling within each class.

    Rows are resampled with replacement separately among positives and negatives (so every
    replicate has both classes, as pROC's stratified bootstrap), both scores on the same resampled
    rows; AUCs come from midranks, ``chunk`` replicates at a time.

    Examples
    --------
    >>> y, perfect = [0, 1, 0, 1, 1, 0], [0.1, 0.9, 0.3, 0.8, 0.7, 0.2]
    >>> ci = bootstrap_auc_difference(y, perfect, [0.5] * 6, n_boot=200)
    >>> ci.difference
    0.5
    """
    if not 0 < confidence < 1:
        raise ValueError(f"bootstrap: confidence must be in (0, 1), got {confidence}")
    if n_boot < 1:
        raise ValueError(f"bootstrap: n_boot must be positive, got {n_boot}")
    what = "bootstrap of the AUC difference"
    labels = _binary_labels(y, what=what)
    a = _scores(score_a, len(labels), what=what, name="score_a")
    b = _scores(score_b, len(labels), what=what, name="score_b")
    pos_idx, neg_idx = np.flatnonzero(labels), np.flatnonzero(~labels)
    m, n = len(pos_idx), len(neg_idx)
    rng = np.random.default_rng(seed)
    diffs = np.empty(n_boot)
    for start in range(0, n_boot, chunk):
        k = min(chunk, n_boot - start)
        rows = np.hstack([rng.choice(pos_idx, size=(k, m)), rng.choice(neg_idx, size=(k, n))])
        auc = [(_midranks(s[rows])[:, :m].sum(axis=1) - m * (m + 1) / 2) / (m * n) for s in (a, b)]
        diffs[start : start + k] = auc[0] - auc[1]
    whole = delong_test(labels.astype(int), a, b)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(diffs, [tail, 100 - tail])
    return BootstrapInterval(whole.auc_a - whole.auc_b, float(low), float(high), confidence, n_boot, seed)
