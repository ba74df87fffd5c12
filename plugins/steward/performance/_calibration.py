"""Histogram-binning calibration of scores, fitted on the labelled rows of per-score-bin aggregates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import isotonic_regression

from steward.performance._bins import Bins, parse_bins, to_int

__all__ = ["CALIBRATION_KIND", "Calibration", "fit_calibration"]

CALIBRATION_KIND = "histogram_pav"
"""The ``kind`` tag of :meth:`Calibration.to_dict` (version 1)."""


@dataclass(frozen=True)
class Calibration:
    """A monotone map from score to probability: knots ``(scores[i], rates[i])``, linear in between.

    ``scores`` are the mean scores of the fitted bins (strictly increasing), ``rates`` their observed
    positive rates after pool-adjacent-violators (non-decreasing), ``counts`` the labelled rows behind
    each knot. Beyond the first and last knots the end segments are extended linearly and the result
    clipped to [0, 1]: the outer equal-mass bins are wide, and holding their rate flat (as plain
    histogram binning does) biased the expected metrics by 2 to 5 standard errors in our simulations
    (``tests/unit/performance/test_estimated.py``), extending them by less than one. With a single
    knot the map is constant.
    """

    scores: tuple[float, ...]
    rates: tuple[float, ...]
    counts: tuple[int, ...]

    def __post_init__(self) -> None:
        xs, ys = np.asarray(self.scores, dtype=float), np.asarray(self.rates, dtype=float)
        if not (xs.size == ys.size == len(self.counts) >= 1):
            raise ValueError("Calibration needs scores, rates and counts of the same, non-zero length")
        if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))):
            raise ValueError("Calibration scores and rates must be finite")
        if np.any(np.diff(xs) <= 0) or xs[0] < 0 or xs[-1] > 1:
            raise ValueError("Calibration scores must be strictly increasing within [0, 1]")
        if np.any(np.diff(ys) < 0) or ys[0] < 0 or ys[-1] > 1:
            raise ValueError("Calibration rates must be non-decreasing within [0, 1]")
        if any(c <= 0 for c in self.counts):
            raise ValueError("Calibration counts must be positive")

    @property
    def n_labelled(self) -> int:
        """Labelled rows the calibration was fitted on."""
        return sum(self.counts)

    def apply(self, scores: npt.ArrayLike) -> np.ndarray:
        """Calibrated probabilities of ``scores`` (clipped to [0, 1] first).

        Examples
        --------
        >>> cal = Calibration(scores=(0.2, 0.6), rates=(0.1, 0.5), counts=(100, 100))
        >>> cal.apply([0.0, 0.1, 0.4, 0.6, 1.0]).round(6).tolist()
        [0.0, 0.0, 0.3, 0.5, 0.9]
        """
        shape = np.shape(scores)
        s = np.clip(np.asarray(scores, dtype=float).reshape(-1), 0.0, 1.0)
        x, y = np.asarray(self.scores), np.asarray(self.rates)
        out = np.interp(s, x, y)
        if x.size > 1:
            below, above = s < x[0], s > x[-1]
            out[below] = y[0] + (s[below] - x[0]) * (y[1] - y[0]) / (x[1] - x[0])
            out[above] = y[-1] + (s[above] - x[-1]) * (y[-1] - y[-2]) / (x[-1] - x[-2])
        return np.clip(out, 0.0, 1.0).reshape(shape)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, read back by :meth:`from_dict`."""
        return {
            "kind": CALIBRATION_KIND,
            "version": 1,
            "scores": list(self.scores),
            "rates": list(self.rates),
            "counts": list(self.counts),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calibration:
        """Rebuild a calibration stored with :meth:`to_dict`.

        Examples
        --------
        >>> cal = Calibration(scores=(0.2, 0.6), rates=(0.1, 0.5), counts=(100, 100))
        >>> Calibration.from_dict(cal.to_dict()) == cal
        True
        """
        if data.get("kind") != CALIBRATION_KIND or data.get("version") != 1:
            raise ValueError(
                f"not a stored calibration: expected kind={CALIBRATION_KIND!r} and version=1, got "
                f"kind={data.get('kind')!r}, version={data.get('version')!r}; refit with fit_calibration"
            )
        missing = [k for k in ("scores", "rates", "counts") if k not in data]
        if missing:
            raise ValueError(f"stored calibration is missing {missing}; refit with fit_calibration")
        return cls(
            scores=tuple(float(x) for x in data["scores"]),
            rates=tuple(float(x) for x in data["rates"]),
            counts=tuple(int(x) for x in data["counts"]),
        )


def fit_calibration(
    bins: Bins, *, n_bins: int = 10, min_labelled: int = 200, source: str = "bins"
) -> Calibration | None:
    """Fit a histogram-binning calibration on the labelled rows of per-score-bin aggregates.

    The 0.001-wide score bins are grouped into at most ``n_bins`` bins of about equal labelled mass
    (a score bin is never split, so heavy bins may leave fewer groups); each group gives a knot at its
    mean labelled score with its observed positive rate, and the rates are made non-decreasing by
    weighted pool-adjacent-violators (isotonic regression over the groups). :meth:`Calibration.apply`
    interpolates linearly between the knots (extending the end segments), a smoother version of
    histogram binning's step function.

    Parameters
    ----------
    bins : pyarrow.Table or list of dict
        Aggregates of the labelled reference (see :data:`steward.performance.BIN_COLUMNS`); only
        ``score_bin``, ``n_labelled``, ``n_positive`` and ``sum_score_labelled`` are used.
    n_bins : int, default 10
        Number of equal-mass groups.
    min_labelled : int, default 200
        Fewer labelled rows than this return ``None`` (too few to calibrate).
    source : str, default "bins"
        Name used in error messages.

    Returns
    -------
    Calibration or None

    Examples
    --------
    >>> rows = [
    ...     {"score_bin": s / 10, "predicted_label": int(s >= 5), "n": 100, "sum_score": 10.0 * s + 5,
    ...      "n_labelled": 100, "n_positive": p, "sum_log_loss": 0.0, "sum_brier": 0.0,
    ...      "sum_score_labelled": 10.0 * s + 0.05}
    ...     for s, p in [(1, 2), (3, 12), (5, 20), (7, 50), (9, 80)]
    ... ]
    >>> cal = fit_calibration(rows, n_bins=5)
    >>> cal.rates, cal.apply([0.5]).round(3).tolist()
    ((0.02, 0.12, 0.2, 0.5, 0.8), [0.2])
    >>> fit_calibration(rows, min_labelled=1000) is None
    True
    """
    if n_bins < 1:
        raise ValueError(f"n_bins must be at least 1, got {n_bins}")
    b = parse_bins(bins, source=source)
    _, (labelled, positives, scores) = b.by_score_bin(b.n_labelled, b.n_positive, b.sum_score_labelled)
    keep = labelled > 0
    labelled, positives, scores = labelled[keep], positives[keep], scores[keep]
    total = float(labelled.sum())
    if total < max(min_labelled, 1):
        return None
    before = np.cumsum(labelled) - labelled
    group = np.minimum(np.floor((before + labelled / 2) / total * n_bins).astype(np.int64), n_bins - 1)
    _, inverse = np.unique(group, return_inverse=True)
    count = np.bincount(inverse, weights=labelled)
    x = np.bincount(inverse, weights=scores) / count
    y = np.bincount(inverse, weights=positives) / count
    rates = np.clip(isotonic_regression(y, weights=count, increasing=True).x, 0.0, 1.0)
    x = np.clip(x, 0.0, 1.0)
    return Calibration(
        scores=tuple(float(v) for v in x),
        rates=tuple(float(v) for v in rates),
        counts=tuple(to_int(c) for c in count),
    )
