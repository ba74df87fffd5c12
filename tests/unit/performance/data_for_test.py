"""Seeded raw prediction logs and an independent numpy aggregation into the performance input contract.

``aggregate`` is written from the contract's definition (one row per score bin and served label,
``score_bin = floor(score * 1000) / 1000``), not from the package, so the metrics computed from its
output can be checked against sklearn on the raw rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

CLIP = 1e-15


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


@dataclass(frozen=True)
class Log:
    """A window of raw predictions: scores, served decisions and labels (NaN = no label yet)."""

    score: np.ndarray
    predicted: np.ndarray
    label: np.ndarray

    @property
    def labelled(self) -> np.ndarray:
        return ~np.isnan(self.label)

    @property
    def y(self) -> np.ndarray:
        return self.label[self.labelled].astype(int)

    @property
    def p(self) -> np.ndarray:
        return self.score[self.labelled]

    @property
    def pred(self) -> np.ndarray:
        return self.predicted[self.labelled]


def aggregate(log: Log) -> pa.Table:
    """The contract's per-(score_bin, predicted_label) aggregates of a raw window."""
    score_bin = np.floor(log.score * 1000) / 1000
    keys = np.stack([score_bin, log.predicted.astype(float)], axis=1)
    uniq, inv = np.unique(keys, axis=0, return_inverse=True)
    inv = inv.ravel()
    lab = log.labelled
    y = np.where(lab, log.label, 0.0)
    p = np.clip(log.score, CLIP, 1 - CLIP)
    row_log_loss = np.where(lab, -(y * np.log(p) + (1 - y) * np.log(1 - p)), 0.0)
    row_brier = np.where(lab, (log.score - y) ** 2, 0.0)

    def total(w: np.ndarray) -> np.ndarray:
        return np.bincount(inv, weights=w, minlength=len(uniq))

    return pa.table(
        {
            "score_bin": pa.array(uniq[:, 0], pa.float64()),
            "predicted_label": pa.array(uniq[:, 1].astype(np.int64)),
            "n": pa.array(np.bincount(inv, minlength=len(uniq)).astype(np.int64)),
            "sum_score": pa.array(total(log.score)),
            "n_labelled": pa.array(total(lab.astype(float)).astype(np.int64)),
            "n_positive": pa.array(total(y).astype(np.int64)),
            "sum_log_loss": pa.array(total(row_log_loss)),
            "sum_brier": pa.array(total(row_brier)),
            "sum_score_labelled": pa.array(total(np.where(lab, log.score, 0.0))),
        }
    )


def simulated_log(
    seed: int,
    n: int = 20_000,
    *,
    coverage: float = 0.6,
    truth: str = "calibrated",
    threshold: float = 0.5,
    flip: float = 0.05,
) -> Log:
    """Scores ~ Beta(2, 3); true P(y=1) = score ("calibrated") or score^2 ("squared").

    The served decision is ``score >= threshold`` with a share ``flip`` of decisions overridden (so
    one score bin holds both served labels); a share ``coverage`` of rows has a label.
    """
    g = rng(seed)
    score = g.beta(2, 3, size=n)
    true_p = score if truth == "calibrated" else score**2
    y = (g.uniform(size=n) < true_p).astype(float)
    predicted = (score >= threshold).astype(int)
    flipped = g.uniform(size=n) < flip
    predicted[flipped] = 1 - predicted[flipped]
    label = np.where(g.uniform(size=n) < coverage, y, np.nan)
    return Log(score, predicted, label)


def ece_reference(y: np.ndarray, p: np.ndarray, n_bins: int) -> float:
    """ECE from sklearn's calibration_curve, weighting each non-empty bin by its count."""
    from sklearn.calibration import calibration_curve

    prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy="uniform")
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    counts = np.bincount(np.searchsorted(edges[1:-1], p), minlength=n_bins)
    counts = counts[counts > 0]
    return float(np.sum(counts * np.abs(prob_true - prob_pred)) / counts.sum())
