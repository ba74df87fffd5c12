from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    f1_score,
    log_loss,
    precision_score,
    recall_score,
    roc_auc_score,
)

from steward.performance import estimated_metrics, fit_calibration
from tests.unit.performance.data_for_test import Log, aggregate, rng, simulated_log

REPLICATES = 12
METRICS = {
    "auc": lambda y, s, pred: roc_auc_score(y, s),
    "accuracy": lambda y, s, pred: accuracy_score(y, pred),
    "precision": lambda y, s, pred: precision_score(y, pred),
    "recall": lambda y, s, pred: recall_score(y, pred),
    "f1": lambda y, s, pred: f1_score(y, pred),
    "log_loss": lambda y, s, pred: log_loss(y, s),
    "brier": lambda y, s, pred: brier_score_loss(y, s),
    "positive_rate": lambda y, s, pred: float(np.mean(y)),
}


def realized_replicates(log: Log, true_p: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """The metrics sklearn gives on the raw window for REPLICATES label draws from the true probabilities."""
    g = rng(seed)
    out: dict[str, list[float]] = {k: [] for k in METRICS}
    for _ in range(REPLICATES):
        y = (g.uniform(size=log.score.size) < true_p).astype(int)
        for key, fn in METRICS.items():
            out[key].append(float(fn(y, log.score, log.predicted)))
    return {k: np.array(v) for k, v in out.items()}


def z_scores(estimate: dict, realized: dict[str, np.ndarray]) -> dict[str, float]:
    """(estimate - mean realized) in units of the realized metric's spread across label draws."""
    return {k: (estimate[k].value - v.mean()) / v.std(ddof=1) for k, v in realized.items()}


def test_calibrated_scores_estimate_the_realized_metrics() -> None:
    window = simulated_log(10, coverage=0.0)  # no labels at all: the estimate never sees them
    est = estimated_metrics(aggregate(window))
    realized = realized_replicates(window, window.score, seed=12)
    z = z_scores(est, realized)
    # each estimate sits within a few standard errors of the realized mean (sd / sqrt(12) here)
    for key, value in z.items():
        assert abs(value) < 3 / math.sqrt(REPLICATES) + 0.1, (key, value)
    # std_error predicts the label-noise spread of accuracy and positive rate
    for key in ("accuracy", "positive_rate"):
        ratio = (est[key].std_error or 0) / realized[key].std(ddof=1)
        assert 0.6 < ratio < 1.6, (key, ratio)
    assert "scores taken as calibrated probabilities" in est["accuracy"].note
    assert all(m.status == "ok" and m.n == window.score.size for m in est.values())


def test_miscalibration_breaks_the_estimate_and_fit_calibration_repairs_it() -> None:
    # true P(y=1) = score^2: the raw scores overstate the probability
    window = simulated_log(20, coverage=0.0, truth="squared")
    reference = simulated_log(21, n=50_000, coverage=1.0, truth="squared")  # labelled history
    calibration = fit_calibration(aggregate(reference))
    assert calibration is not None
    naive = estimated_metrics(aggregate(window))
    fitted = estimated_metrics(aggregate(window), calibration=calibration)
    realized = realized_replicates(window, window.score**2, seed=22)
    z_naive, z_fitted = z_scores(naive, realized), z_scores(fitted, realized)
    for key in ("auc", "accuracy", "precision", "recall", "brier", "positive_rate"):
        assert abs(z_naive[key]) > 10, (key, z_naive[key])
        assert abs(z_fitted[key]) < 3, (key, z_fitted[key])
        assert abs(z_fitted[key]) < abs(z_naive[key]) / 5
    assert "calibrated by histogram binning fitted on 50000 labelled rows" in fitted["auc"].note


def test_hand_computed_expected_counts() -> None:
    # two bins: mean score 0.25 served 0 (100 rows), mean score 0.75 served 1 (100 rows)
    rows = [
        {"score_bin": 0.25, "predicted_label": 0, "n": 100, "sum_score": 25.0, "n_labelled": 0,
         "n_positive": 0, "sum_log_loss": None, "sum_brier": None, "sum_score_labelled": None},
        {"score_bin": 0.75, "predicted_label": 1, "n": 100, "sum_score": 75.0, "n_labelled": 0,
         "n_positive": 0, "sum_log_loss": None, "sum_brier": None, "sum_score_labelled": None},
    ]  # fmt: skip
    m = estimated_metrics(rows)
    tp, fp, fn, tn = 75.0, 25.0, 25.0, 75.0
    assert m["accuracy"].value == pytest.approx((tp + tn) / 200)
    assert m["precision"].value == pytest.approx(0.75) and m["recall"].value == pytest.approx(0.75)
    assert m["f1"].value == pytest.approx(2 * tp / (2 * tp + fp + fn))
    # AUC: positives 25 | 75, negatives 75 | 25 -> (75 * 75 + 0.5 * (25 * 75 + 75 * 25)) / (100 * 100)
    assert m["auc"].value == pytest.approx((75 * 75 + 0.5 * (25 * 75 + 75 * 25)) / 10_000)
    expected_log_loss = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))  # same in both bins
    assert m["log_loss"].value == pytest.approx(expected_log_loss)
    assert m["brier"].value == pytest.approx(0.25 * 0.75)  # E(s - y)^2 = p(1 - p) when s = p
    assert m["accuracy"].std_error == pytest.approx(math.sqrt(200 * 0.25 * 0.75) / 200)


def test_edge_cases() -> None:
    empty = estimated_metrics([])
    assert all(m.status == "undefined" and m.value is None for m in empty.values())
    zero = Log(np.zeros(50), np.zeros(50, dtype=int), np.full(50, np.nan))  # every score 0
    m = estimated_metrics(aggregate(zero))
    assert m["auc"].status == "undefined" and "expected positives are 0" in m["auc"].note
    assert m["precision"].status == "undefined" and m["recall"].status == "undefined"
    assert m["accuracy"].value == 1.0 and m["log_loss"].value == pytest.approx(0.0, abs=1e-12)
    for metric in m.values():
        assert metric.value is None or math.isfinite(metric.value)
