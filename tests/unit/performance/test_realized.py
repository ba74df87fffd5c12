from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    f1_score,
    log_loss,
    precision_score,
    recall_score,
    roc_auc_score,
)

from steward.performance import BIN_COLUMNS, MetricValue, realized_metrics, reliability_curve
from tests.unit.performance.data_for_test import Log, aggregate, ece_reference, rng, simulated_log

EXACT = 1e-9


def assert_no_nan(metrics: dict[str, MetricValue]) -> None:
    for key, m in metrics.items():
        assert (m.value is None) == (m.status != "ok"), key
        assert m.value is None or math.isfinite(m.value), key


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("ece_bins", [10, 20])
def test_matches_sklearn_on_raw_rows(seed: int, ece_bins: int) -> None:
    log = simulated_log(seed)
    m = realized_metrics(aggregate(log), ece_bins=ece_bins)
    y, p, pred = log.y, log.p, log.pred
    assert m["accuracy"].value == pytest.approx(accuracy_score(y, pred), rel=EXACT)
    assert m["precision"].value == pytest.approx(precision_score(y, pred), rel=EXACT)
    assert m["recall"].value == pytest.approx(recall_score(y, pred), rel=EXACT)
    assert m["f1"].value == pytest.approx(f1_score(y, pred), rel=EXACT)
    assert m["log_loss"].value == pytest.approx(log_loss(y, p), rel=EXACT)
    assert m["brier"].value == pytest.approx(brier_score_loss(y, p), rel=EXACT)
    assert m["ece"].value == pytest.approx(ece_reference(y, p, ece_bins), rel=EXACT)
    assert m["label_coverage"].value == pytest.approx(log.labelled.mean(), rel=EXACT)
    assert m["positive_rate"].value == pytest.approx(y.mean(), rel=EXACT)
    assert m["predicted_positive_rate"].value == pytest.approx(log.predicted.mean(), rel=EXACT)
    # AUC: the raw AUC lies within value +/- bound; with continuous scores the bound is tiny
    auc = m["auc"]
    assert auc.bound is not None and auc.bound < 1e-3
    assert abs(roc_auc_score(y, p) - (auc.value or 0)) <= auc.bound + 1e-12
    assert (m["accuracy"].n, m["precision"].n, m["recall"].n) == (
        log.labelled.sum(),
        (pred == 1).sum(),
        (y == 1).sum(),
    )
    assert all(v.status == "ok" for v in m.values())


def test_reliability_curve_equals_sklearn_calibration_curve() -> None:
    log = simulated_log(3)
    curve = reliability_curve(aggregate(log), n_bins=10)
    prob_true, prob_pred = calibration_curve(log.y, log.p, n_bins=10, strategy="uniform")
    np.testing.assert_allclose(curve.observed_rate, prob_true, rtol=EXACT)
    np.testing.assert_allclose(curve.mean_score, prob_pred, rtol=EXACT)
    assert curve.n_labelled.sum() == log.labelled.sum()


def test_auc_exact_when_ties_are_real() -> None:
    # scores rounded to 0.05: every pair in a score bin is a true tie, which sklearn also counts 1/2
    g = rng(5)
    score = np.round(g.beta(2, 3, size=5_000) / 0.05) * 0.05
    y = (g.uniform(size=score.size) < score).astype(float)
    log = Log(score, (score >= 0.5).astype(int), y)
    auc = realized_metrics(aggregate(log))["auc"]
    assert auc.bound is not None and auc.bound > 0.02  # ties matter: many pairs share a bin
    assert auc.value == pytest.approx(roc_auc_score(y, score), rel=EXACT)


@pytest.mark.parametrize("positives_on_top", [True, False])
def test_auc_bound_is_attained_when_bins_hide_the_order(positives_on_top: bool) -> None:
    # coarse scores (multiples of 0.05) plus an offset inside the 0.001 bin: positives get the top
    # (or the bottom) of their bin, so every within-bin pair is ordered and the raw AUC sits at
    # value + bound (or value - bound) exactly
    g = rng(6)
    coarse = np.round(g.beta(2, 3, size=5_000) / 0.05) * 0.05
    coarse = np.clip(coarse, 0.0, 0.95)
    y = (g.uniform(size=coarse.size) < coarse + 0.02).astype(float)
    high, low = 0.0009, 0.0001
    offset = np.where(y == 1, high if positives_on_top else low, low if positives_on_top else high)
    score = coarse + offset
    log = Log(score, (score >= 0.5).astype(int), y)
    auc = realized_metrics(aggregate(log))["auc"]
    raw = roc_auc_score(y, score)
    assert auc.value is not None and auc.bound is not None and auc.bound > 0.02
    expected = auc.value + auc.bound if positives_on_top else auc.value - auc.bound
    assert raw == pytest.approx(expected, rel=EXACT)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, 9), st.booleans()),
        min_size=2,
        max_size=60,
    ).filter(lambda rows: len({r[2] for r in rows}) == 2)
)
def test_raw_auc_within_bound(rows: list[tuple[int, int, bool]]) -> None:
    # score = bin / 1000 + offset / 10000: several distinct scores per 0.001 bin
    score = np.array([b / 1000 + o / 10_000 for b, o, _ in rows])
    y = np.array([float(lab) for *_, lab in rows])
    log = Log(score, (score >= 0.02).astype(int), y)
    auc = realized_metrics(aggregate(log))["auc"]
    assert auc.value is not None and auc.bound is not None
    assert abs(roc_auc_score(y, score) - auc.value) <= auc.bound + 1e-12


def test_no_labels() -> None:
    log = simulated_log(1, n=500, coverage=0.0)
    m = realized_metrics(aggregate(log))
    assert_no_nan(m)
    assert m["label_coverage"] == MetricValue(0.0, 500, "ok", "labelled rows / rows")
    for key in ("auc", "accuracy", "precision", "recall", "f1", "log_loss", "brier", "ece", "positive_rate"):
        assert m[key].status == "no_labels" and m[key].value is None
        assert "none of the window's 500 rows has a label yet" in m[key].note
    assert m["predicted_positive_rate"].status == "ok"


def test_single_class_and_no_predicted_positives() -> None:
    g = rng(2)
    score = g.uniform(0.0, 0.4, size=300)
    y = np.zeros(score.size)
    log = Log(score, np.zeros(score.size, dtype=int), y)
    m = realized_metrics(aggregate(log))
    assert_no_nan(m)
    assert m["auc"].status == "single_class" and "all 300 labelled rows are negative" in m["auc"].note
    assert m["recall"].status == "single_class"
    assert m["precision"].status == "undefined"  # nothing served as positive
    assert m["f1"].status == "undefined"
    assert m["accuracy"].value == 1.0
    assert m["log_loss"].value == pytest.approx(log_loss(y, score, labels=[0, 1]), rel=EXACT)
    assert m["brier"].value == pytest.approx(brier_score_loss(y, score, labels=[0, 1]), rel=EXACT)
    # all positive, all served positive: precision 1, recall 1, AUC undefined
    log1 = Log(score + 0.5, np.ones(score.size, dtype=int), np.ones(score.size))
    m1 = realized_metrics(aggregate(log1))
    assert m1["auc"].status == "single_class" and "positive" in m1["auc"].note
    assert (m1["precision"].value, m1["recall"].value, m1["f1"].value) == (1.0, 1.0, 1.0)


def test_f1_defined_without_predicted_positives() -> None:
    # precision is undefined but F1 = 2TP / (2TP + FP + FN) = 0 as sklearn computes it
    log = Log(np.array([0.1, 0.2, 0.3]), np.array([0, 0, 0]), np.array([1.0, 0.0, 1.0]))
    m = realized_metrics(aggregate(log))
    assert m["precision"].status == "undefined"
    assert m["f1"].value == f1_score([1, 0, 1], [0, 0, 0], zero_division=0.0) == 0.0


@pytest.mark.parametrize("empty", [[], "table"])
def test_empty_window(empty: object) -> None:
    bins = aggregate(simulated_log(0, n=10)).slice(0, 0) if empty == "table" else []
    m = realized_metrics(bins)
    assert_no_nan(m)
    assert m["label_coverage"].status == "undefined" and m["auc"].status == "no_labels"
    assert m["auc"].note == "empty window: no rows"


def test_list_of_dicts_with_sql_nulls() -> None:
    table = aggregate(simulated_log(4, n=2_000))
    rows = table.to_pylist()
    for row in rows:
        if row["n_labelled"] == 0:  # SQL sum over no labelled rows is null
            row["sum_log_loss"] = row["sum_brier"] = row["sum_score_labelled"] = None
    assert realized_metrics(rows) == realized_metrics(table)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"n_positive": 99},
            r"leads 2026-11-20: row 0 \(score_bin=0.5, predicted_label=1\) has n_positive > n_labelled",
        ),
        ({"score_bin": 1.5}, r"has a score_bin outside \[0, 1\]"),
        ({"predicted_label": 2}, "has a predicted_label other than 0 or 1"),
        ({"n": 2.5}, "has n not a count"),
        ({"sum_brier": -1.0}, "has a negative sum_brier"),
    ],
)
def test_bad_rows_are_named(change: dict[str, float], message: str) -> None:
    row = {
        "score_bin": 0.5, "predicted_label": 1, "n": 10, "sum_score": 5.0, "n_labelled": 4, "n_positive": 2,
        "sum_log_loss": 2.8, "sum_brier": 1.0, "sum_score_labelled": 2.0,
    }  # fmt: skip
    with pytest.raises(ValueError, match=message):
        realized_metrics([{**row, **change}], source="leads 2026-11-20")


def test_missing_columns_and_wrong_type() -> None:
    table = aggregate(simulated_log(0, n=50)).drop_columns(["sum_brier", "n_positive"])
    with pytest.raises(ValueError, match=r"leads: missing columns \['n_positive', 'sum_brier'\]"):
        realized_metrics(table, source="leads")
    with pytest.raises(ValueError, match="column 'score_bin' has 1 null"):
        realized_metrics(pa.table({c: [None] if c == "score_bin" else [1] for c in BIN_COLUMNS}))
    with pytest.raises(TypeError, match=r"expected a pyarrow\.Table or a list of dicts"):
        realized_metrics("select *")
    with pytest.raises(ValueError, match="ece_bins must be at least 1"):
        realized_metrics([], ece_bins=0)
