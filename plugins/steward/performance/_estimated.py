"""Label-free expected performance from calibrated scores (confidence-based, in the spirit of CBPE).

If the calibrated probability ``p_b`` of each score bin is right, a row of that bin is positive with
probability ``p_b``, so the window's confusion counts have known expectations:
``E[TP] = sum_{pred=1} n_b p_b``, ``E[FP] = sum_{pred=1} n_b (1 - p_b)``,
``E[FN] = sum_{pred=0} n_b p_b``, ``E[TN] = sum_{pred=0} n_b (1 - p_b)``. Accuracy, precision, recall
and F1 are computed from these expected counts (ratios of expectations, which for windows of
hundreds of rows or more differ negligibly from the expected ratios); AUC is the Mann-Whitney
statistic of the expected positive and negative counts per score bin; log loss and Brier score are
their expectations under ``y ~ Bernoulli(p_b)`` for the bin's mean raw score.
NannyML's CBPE does the same per row; here a row's probability is that of its 0.001-wide score
bin, so nothing but the bins is needed.
"""

from __future__ import annotations

import math

import numpy as np

from steward.performance._bins import Bins, MetricValue, _missing, mann_whitney_auc, parse_bins, to_int
from steward.performance._calibration import Calibration

__all__ = ["estimated_metrics"]

_EPS = 1e-15


def estimated_metrics(
    bins: Bins, *, calibration: Calibration | None = None, source: str = "bins"
) -> dict[str, MetricValue]:
    """Estimate a window's classifier metrics without labels, from calibrated scores.

    Parameters
    ----------
    bins : pyarrow.Table or list of dict
        The window's aggregates (see :data:`steward.performance.BIN_COLUMNS`); the label columns
        are ignored, so this works before any label has arrived.
    calibration : Calibration, optional
        Map from score to probability (:func:`fit_calibration` on a labelled reference), applied
        to each bin's mean score. ``None`` takes the scores as calibrated probabilities, which
        the notes say, and which is only as good as the model's calibration.
    source : str, default "bins"
        Name used in error messages.

    Returns
    -------
    dict of str to MetricValue
        ``auc``, ``accuracy``, ``precision``, ``recall``, ``f1``, ``log_loss``, ``brier``,
        ``positive_rate`` (expected share of positives) and ``predicted_positive_rate`` (exact).
        ``n`` counts all rows of the window. ``accuracy`` and ``positive_rate`` carry
        ``std_error``: the standard deviation of the realized value if the probabilities are right,
        ``sqrt(sum n_b p_b (1 - p_b)) / n``, so ``|realized - estimated| / std_error`` above about 3
        says the calibration no longer holds (or labels are not a random sample).

    Examples
    --------
    >>> rows = [
    ...     {"score_bin": 0.2, "predicted_label": 0, "n": 100, "sum_score": 20.05, "n_labelled": 0,
    ...      "n_positive": 0, "sum_log_loss": 0.0, "sum_brier": 0.0, "sum_score_labelled": 0.0},
    ...     {"score_bin": 0.8, "predicted_label": 1, "n": 100, "sum_score": 80.05, "n_labelled": 0,
    ...      "n_positive": 0, "sum_log_loss": 0.0, "sum_brier": 0.0, "sum_score_labelled": 0.0},
    ... ]
    >>> m = estimated_metrics(rows)
    >>> round(m["accuracy"].value, 4), round(m["precision"].value, 4), round(m["auc"].value, 4)
    (0.8, 0.8005, 0.8)
    """
    b = parse_bins(bins, source=source)
    total = float(b.n.sum())
    order = (
        "auc", "accuracy", "precision", "recall", "f1", "log_loss", "brier", "positive_rate",
        "predicted_positive_rate",
    )  # fmt: skip
    if total == 0:
        return {k: _missing("undefined", 0, "empty window: no rows") for k in order}
    n_all = to_int(total)
    has_rows = b.n > 0
    mean_score = np.where(has_rows, b.sum_score / np.where(has_rows, b.n, 1.0), 0.0)
    mean_score = np.clip(mean_score, 0.0, 1.0)
    if calibration is None:
        p = mean_score
        how = "scores taken as calibrated probabilities (no calibration given)"
    else:
        p = np.clip(calibration.apply(mean_score), 0.0, 1.0)
        how = f"calibrated by histogram binning fitted on {calibration.n_labelled} labelled rows"
    exp_pos = b.n * p
    exp_neg = b.n - exp_pos
    pred1 = b.predicted == 1
    tp, fp = float(exp_pos[pred1].sum()), float(exp_neg[pred1].sum())
    fn, tn = float(exp_pos[~pred1].sum()), float(exp_neg[~pred1].sum())
    pos, neg = tp + fn, fp + tn
    sd = math.sqrt(float(np.sum(b.n * p * (1.0 - p)))) / total

    out: dict[str, MetricValue] = {}
    if pos <= 0 or neg <= 0:
        out["auc"] = _missing(
            "undefined", n_all, f"expected {'positives' if pos <= 0 else 'negatives'} are 0; {how}"
        )
    else:
        _, (pos_b, neg_b) = b.by_score_bin(exp_pos, exp_neg)
        auc, bound = mann_whitney_auc(pos_b, neg_b)
        out["auc"] = MetricValue(auc, n_all, "ok", f"expected counts per 0.001 score bin; {how}", bound)
    out["accuracy"] = MetricValue((tp + tn) / total, n_all, "ok", f"E[TP + TN] / rows; {how}", None, sd)
    served_pos = tp + fp
    out["precision"] = (
        MetricValue(tp / served_pos, n_all, "ok", f"E[TP] / rows served predicted_label 1; {how}")
        if served_pos > 0
        else _missing("undefined", n_all, "no row was served predicted_label 1: precision is undefined")
    )
    out["recall"] = (
        MetricValue(tp / pos, n_all, "ok", f"E[TP] / E[positives]; {how}")
        if pos > 0
        else _missing("undefined", n_all, f"expected positives are 0: recall is undefined; {how}")
    )
    out["f1"] = (
        MetricValue(2 * tp / (2 * tp + fp + fn), n_all, "ok", f"2 E[TP] / (2 E[TP] + E[FP] + E[FN]); {how}")
        if 2 * tp + fp + fn > 0
        else _missing("undefined", n_all, f"no expected positives and no positive decisions; {how}")
    )
    s = np.clip(mean_score, _EPS, 1.0 - _EPS)
    log_loss = float(np.sum(b.n * -(p * np.log(s) + (1.0 - p) * np.log1p(-s)))) / total
    brier = float(np.sum(b.n * (mean_score**2 - 2.0 * mean_score * p + p))) / total
    at_mean = "at each bin's mean score"
    out["log_loss"] = MetricValue(log_loss, n_all, "ok", f"E[log loss] {at_mean}; {how}")
    out["brier"] = MetricValue(brier, n_all, "ok", f"E[(score - label)^2] {at_mean}; {how}")
    out["positive_rate"] = MetricValue(pos / total, n_all, "ok", f"E[positives] / rows; {how}", None, sd)
    out["predicted_positive_rate"] = MetricValue(
        float(b.n[pred1].sum()) / total, n_all, "ok", "rows served predicted_label 1 / rows (exact)"
    )
    return {k: out[k] for k in order}
