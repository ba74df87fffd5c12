"""Realized classifier metrics of a window from its per-score-bin aggregates (labelled rows only)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from steward.performance._bins import (
    SCORE_BIN_WIDTH,
    Bins,
    MetricValue,
    _Bins,
    _missing,
    mann_whitney_auc,
    parse_bins,
    to_int,
)

__all__ = ["ReliabilityCurve", "realized_metrics", "reliability_curve"]


class ReliabilityCurve(NamedTuple):
    """Labelled rows per equal-width score bin (non-empty bins only), as plotted in a reliability diagram.

    ``observed_rate`` and ``mean_score`` equal ``sklearn.calibration.calibration_curve(y, p,
    n_bins=n_bins, strategy="uniform")``'s ``prob_true`` and ``prob_pred`` (see
    :func:`reliability_curve` for when exactly).
    """

    bin_index: np.ndarray
    mean_score: np.ndarray
    observed_rate: np.ndarray
    n_labelled: np.ndarray


def _ece_bin_of(score_bin: np.ndarray, n_bins: int) -> np.ndarray:
    # a score bin [b, b + 0.001) goes where its midpoint falls; sklearn's uniform bins are
    # (e_i, e_{i+1}] (bin 0 closed at 0), so this is exact when n_bins divides 1000 and no score
    # equals an edge i / n_bins exactly
    idx = np.floor((score_bin + SCORE_BIN_WIDTH / 2) * n_bins).astype(np.int64)
    return np.clip(idx, 0, n_bins - 1)


def _reliability(b: _Bins, n_bins: int) -> ReliabilityCurve:
    ece_bin = _ece_bin_of(b.score_bin, n_bins)
    count = np.bincount(ece_bin, weights=b.n_labelled, minlength=n_bins)
    scores = np.bincount(ece_bin, weights=b.sum_score_labelled, minlength=n_bins)
    positives = np.bincount(ece_bin, weights=b.n_positive, minlength=n_bins)
    nonzero = count > 0
    return ReliabilityCurve(
        bin_index=np.flatnonzero(nonzero),
        mean_score=scores[nonzero] / count[nonzero],
        observed_rate=positives[nonzero] / count[nonzero],
        n_labelled=count[nonzero].astype(np.int64),
    )


def reliability_curve(bins: Bins, *, n_bins: int = 10, source: str = "bins") -> ReliabilityCurve:
    """Observed positive rate against mean score in ``n_bins`` equal-width score bins (labelled rows).

    Each 0.001-wide score bin is assigned to the equal-width bin holding its midpoint. This equals
    sklearn's ``calibration_curve(strategy="uniform")`` exactly when ``n_bins`` divides 1000 (10, 20,
    25, 50, ...) and no score lies exactly on an edge ``i / n_bins`` (sklearn puts such a score in
    the lower bin); otherwise a score bin straddling an edge goes to one side whole.

    Parameters
    ----------
    bins : pyarrow.Table or list of dict
        The window's aggregates (see :data:`steward.performance.BIN_COLUMNS`).
    n_bins : int, default 10
        Number of equal-width bins over [0, 1].
    source : str, default "bins"
        Name used in error messages (e.g. ``"leads 2026-11-20"``).

    Returns
    -------
    ReliabilityCurve
        Arrays over the non-empty bins, in score order.

    Examples
    --------
    >>> rows = [
    ...     {"score_bin": 0.12, "predicted_label": 0, "n": 10, "sum_score": 1.25, "n_labelled": 4,
    ...      "n_positive": 1, "sum_log_loss": 2.4, "sum_brier": 0.8, "sum_score_labelled": 0.5},
    ...     {"score_bin": 0.87, "predicted_label": 1, "n": 5, "sum_score": 4.36, "n_labelled": 5,
    ...      "n_positive": 4, "sum_log_loss": 2.3, "sum_brier": 0.8, "sum_score_labelled": 4.36},
    ... ]
    >>> curve = reliability_curve(rows)
    >>> curve.bin_index.tolist(), curve.mean_score.round(3).tolist(), curve.observed_rate.tolist()
    ([1, 8], [0.125, 0.872], [0.25, 0.8])
    """
    if n_bins < 1:
        raise ValueError(f"n_bins must be at least 1, got {n_bins}")
    return _reliability(parse_bins(bins, source=source), n_bins)


_ORDER = (
    "auc",
    "accuracy",
    "precision",
    "recall",
    "f1",
    "log_loss",
    "brier",
    "ece",
    "label_coverage",
    "positive_rate",
    "predicted_positive_rate",
)
_NEED_LABELS = tuple(k for k in _ORDER if k not in ("label_coverage", "predicted_positive_rate"))


def _ratio(num: float, den: float, n: float, note: str, if_zero: MetricValue) -> MetricValue:
    if den <= 0:
        return if_zero
    return MetricValue(num / den, to_int(n), "ok", note)


def realized_metrics(bins: Bins, *, ece_bins: int = 10, source: str = "bins") -> dict[str, MetricValue]:
    """Classifier metrics of one window computed from its per-score-bin aggregates.

    Parameters
    ----------
    bins : pyarrow.Table or list of dict
        The window's aggregates (see :data:`steward.performance.BIN_COLUMNS`).
    ece_bins : int, default 10
        Equal-width score bins of the expected calibration error.
    source : str, default "bins"
        Name used in error messages (e.g. ``"leads 2026-11-20"``).

    Returns
    -------
    dict of str to MetricValue
        ``auc``: Mann-Whitney from positive/negative counts per score bin, pairs within a bin counted
        1/2; ``bound`` is the largest possible difference to the raw-data AUC (see
        :func:`~steward.performance._bins.mann_whitney_auc`). ``accuracy``, ``precision``, ``recall``,
        ``f1``: of the served ``predicted_label`` (exact). ``log_loss``, ``brier``: means over
        labelled rows (exact). ``ece``: ``sum_k n_k / n * |mean score_k - observed rate_k|`` over
        ``ece_bins`` equal-width bins (the bins of :func:`reliability_curve`). ``label_coverage``:
        labelled share of all rows. ``positive_rate``: share of labelled rows with label 1.
        ``predicted_positive_rate``: share of all rows served the positive decision.

    Examples
    --------
    >>> rows = [
    ...     {"score_bin": 0.2, "predicted_label": 0, "n": 100, "sum_score": 20.05, "n_labelled": 50,
    ...      "n_positive": 10, "sum_log_loss": 30.0, "sum_brier": 8.0, "sum_score_labelled": 10.02},
    ...     {"score_bin": 0.8, "predicted_label": 1, "n": 100, "sum_score": 80.05, "n_labelled": 50,
    ...      "n_positive": 40, "sum_log_loss": 25.0, "sum_brier": 8.0, "sum_score_labelled": 40.02},
    ... ]
    >>> m = realized_metrics(rows)
    >>> m["auc"].value, m["accuracy"].value, m["label_coverage"].value, m["precision"].n
    (0.8, 0.8, 0.5, 50)
    >>> realized_metrics([])["auc"]
    MetricValue(value=None, n=0, status='no_labels', note='empty window: no rows', bound=None, std_error=None)
    """
    if ece_bins < 1:
        raise ValueError(f"ece_bins must be at least 1, got {ece_bins}")
    b = parse_bins(bins, source=source)
    total = float(b.n.sum())
    labelled = float(b.n_labelled.sum())
    pos = float(b.n_positive.sum())
    neg = labelled - pos
    pred1 = b.predicted == 1
    tp = float(b.n_positive[pred1].sum())
    fp = float(b.negatives[pred1].sum())
    fn = pos - tp
    tn = neg - fp
    served_pos = float(b.n[pred1].sum())

    out: dict[str, MetricValue] = {
        "label_coverage": _ratio(
            labelled, total, total, "labelled rows / rows", _missing("undefined", 0, "empty window: no rows")
        ),
        "predicted_positive_rate": _ratio(
            served_pos, total, total, "rows served predicted_label 1 / rows",
            _missing("undefined", 0, "empty window: no rows"),
        ),
    }  # fmt: skip
    if labelled == 0:
        note = (
            "empty window: no rows"
            if total == 0
            else f"none of the window's {to_int(total)} rows has a label yet"
        )
        for key in _NEED_LABELS:
            out[key] = _missing("no_labels", 0, note)
        return {k: out[k] for k in _ORDER}

    n_lab = to_int(labelled)
    if pos == 0 or neg == 0:
        only = "positive" if neg == 0 else "negative"
        out["auc"] = _missing(
            "single_class", n_lab, f"all {n_lab} labelled rows are {only}: AUC is undefined"
        )
    else:
        _, (pos_b, neg_b) = b.by_score_bin(b.n_positive, b.negatives)
        auc, bound = mann_whitney_auc(pos_b, neg_b)
        out["auc"] = MetricValue(
            auc, n_lab, "ok", "Mann-Whitney over 0.001 score bins, pairs within a bin counted 1/2", bound
        )
    out["accuracy"] = MetricValue((tp + tn) / labelled, n_lab, "ok", "labelled rows, served decision")
    out["precision"] = _ratio(
        tp, tp + fp, tp + fp, "TP / labelled rows served predicted_label 1",
        _missing("undefined", 0, "no labelled row was served predicted_label 1: precision is undefined"),
    )  # fmt: skip
    out["recall"] = _ratio(
        tp, pos, pos, "TP / labelled positives",
        _missing("single_class", 0, f"all {n_lab} labelled rows are negative: recall is undefined"),
    )  # fmt: skip
    out["f1"] = _ratio(
        2 * tp, 2 * tp + fp + fn, tp + fp + fn, "2 TP / (2 TP + FP + FN)",
        _missing("undefined", 0, "no positive labels and no positive decisions: F1 is undefined"),
    )  # fmt: skip
    clip_note = "mean over labelled rows, scores clipped to [1e-15, 1 - 1e-15]"
    out["log_loss"] = MetricValue(float(b.sum_log_loss.sum()) / labelled, n_lab, "ok", clip_note)
    out["brier"] = MetricValue(float(b.sum_brier.sum()) / labelled, n_lab, "ok", "mean (score - label)^2")
    curve = _reliability(b, ece_bins)
    ece = float(np.sum(curve.n_labelled * np.abs(curve.mean_score - curve.observed_rate))) / labelled
    exact = "" if 1000 % ece_bins == 0 else "; approximate: ece_bins does not divide 1000"
    out["ece"] = MetricValue(
        ece, n_lab, "ok", f"{ece_bins} equal-width bins, count-weighted |mean score - positive rate|{exact}"
    )
    out["positive_rate"] = MetricValue(pos / labelled, n_lab, "ok", "labelled positives / labelled rows")
    return {k: out[k] for k in _ORDER}
