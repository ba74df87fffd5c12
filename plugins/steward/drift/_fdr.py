"""Benjamini-Hochberg false discovery rate control across the columns of a dataset (scipy's, NaN-aware)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.stats import false_discovery_control

__all__ = ["benjamini_hochberg"]


def benjamini_hochberg(p_values: npt.ArrayLike, *, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Benjamini-Hochberg step-up procedure: which p-values to reject at FDR ``alpha``.

    NaN p-values (a test that could not run) are never rejected, get a NaN q-value and do not
    count towards the number of hypotheses.

    Parameters
    ----------
    p_values : array-like of float
        P-values in [0, 1], NaN allowed.
    alpha : float, default 0.05
        Target false discovery rate, in (0, 1).

    Returns
    -------
    rejected : numpy.ndarray of bool
        ``q_values <= alpha`` (False for NaN).
    q_values : numpy.ndarray of float
        BH-adjusted p-values (``scipy.stats.false_discovery_control(p, method="bh")`` on the
        non-NaN entries), NaN where the input is NaN.

    Examples
    --------
    >>> rejected, q = benjamini_hochberg([0.01, 0.04, float("nan"), 0.03])
    >>> rejected.tolist(), q.round(3).tolist()
    ([True, True, False, True], [0.03, 0.04, nan, 0.04])
    """
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    p = np.asarray(p_values, dtype=float).ravel()
    present = ~np.isnan(p)
    if np.any((p[present] < 0) | (p[present] > 1)):
        raise ValueError("p_values must lie in [0, 1] (NaN allowed for tests that did not run)")
    q = np.full(p.shape, np.nan)
    if present.any():  # scipy's step-up adjustment over the tests that ran
        q[present] = false_discovery_control(p[present], method="bh")
    rejected = np.zeros(p.shape, dtype=bool)
    rejected[present] = q[present] <= alpha
    return rejected, q
