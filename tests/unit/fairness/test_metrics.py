"""Metric definitions against Fairlearn (same seeded data) and AIF360's formulas (hand-computed)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    count,
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
    true_negative_rate,
    true_positive_rate,
)
from sklearn.metrics import accuracy_score, precision_score

from steward.fairness import evaluate_arrow
from tests.unit.fairness.data_for_test import log, model, one

DAY = dt.date(2026, 11, 10)
FAIRLEARN_METRICS = {
    "selection_rate": selection_rate,
    "true_positive_rate": true_positive_rate,
    "false_positive_rate": false_positive_rate,
    "false_negative_rate": false_negative_rate,
    "true_negative_rate": true_negative_rate,
    "precision": lambda y, p: precision_score(y, p, zero_division=np.nan),
    "accuracy": accuracy_score,
    "count": count,
}


def _fairlearn_frame(favourable: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    df = log(3000, seed=11).to_pandas()
    y_true = (df["label"] == favourable).to_numpy().astype(int)
    y_pred = (df["pred"] == favourable).to_numpy().astype(int)
    return df, y_true, y_pred


@pytest.mark.parametrize("favourable", [1, 0])
@pytest.mark.parametrize("attribute", ["sex", "age_band", "sex*age_band"])
def test_group_rates_match_fairlearn_metricframe(favourable: int, attribute: str) -> None:
    df, y_true, y_pred = _fairlearn_frame(favourable)
    m = model(min_group_size=1, favourable_prediction=favourable, favourable_label=favourable)
    result = evaluate_arrow(m, log(3000, seed=11), window=DAY, run_id="t")
    parts = attribute.split("*")
    frame = MetricFrame(metrics=FAIRLEARN_METRICS, y_true=y_true, y_pred=y_pred, sensitive_features=df[parts])
    by_group = frame.by_group
    ours = {r["group_value"] for r in result.rows if r["attribute"] == attribute and r["group_value"] != "*"}
    assert len(by_group) == len(ours)
    for key, expected in by_group.iterrows():
        group = "*".join(key) if isinstance(key, tuple) else key
        assert (
            one(result.rows, attribute=attribute, group_value=group, metric="group_size")["value"]
            == (expected["count"])
        )
        for metric in FAIRLEARN_METRICS:
            if metric == "count":
                continue
            ours = one(result.rows, attribute=attribute, group_value=group, metric=metric)["value"]
            assert ours == pytest.approx(expected[metric], abs=1e-12), (group, metric)
    overall = frame.overall
    for metric in ("selection_rate", "true_positive_rate", "accuracy"):
        assert one(result.rows, attribute="*", group_value="*", metric=metric)["value"] == pytest.approx(
            overall[metric]
        )


@pytest.mark.parametrize("attribute", ["sex", "age_band", "sex*age_band"])
def test_between_group_summaries_match_fairlearn(attribute: str) -> None:
    df, y_true, y_pred = _fairlearn_frame(1)
    result = evaluate_arrow(model(min_group_size=1), log(3000, seed=11), window=DAY, run_id="t")
    sf = df[attribute.split("*")]
    expected = {
        "demographic_parity_difference": demographic_parity_difference(y_true, y_pred, sensitive_features=sf),
        "demographic_parity_ratio": demographic_parity_ratio(y_true, y_pred, sensitive_features=sf),
        "equalized_odds_difference": equalized_odds_difference(y_true, y_pred, sensitive_features=sf),
        "equalized_odds_ratio": equalized_odds_ratio(y_true, y_pred, sensitive_features=sf),
    }
    for metric, value in expected.items():
        row = one(result.rows, attribute=attribute, group_value="*", metric=metric)
        assert row["value"] == pytest.approx(value, abs=1e-12), metric
        if row["ci_low"] is not None:
            assert row["ci_low"] <= row["value"] <= row["ci_high"]


def test_aif360_definitions_by_hand() -> None:
    """AIF360: SPD = P(fav|unpriv) - P(fav|priv), DI = ratio, EOD = TPR_u - TPR_p, AOD = mean of gaps."""
    import pyarrow as pa

    # privileged 'male': 10 rows; unprivileged 'female': 10 rows. Favourable = 1.
    #            label:  1 1 1 1 1 1 0 0 0 0
    male_pred = [1, 1, 1, 1, 1, 0, 1, 1, 0, 0]  # TPR 5/6, FPR 2/4, selection 7/10
    female_pred = [1, 1, 1, 0, 0, 0, 1, 0, 0, 0]  # TPR 3/6, FPR 1/4, selection 4/10
    labels = [1, 1, 1, 1, 1, 1, 0, 0, 0, 0]
    table = pa.table(
        {
            "sex": ["male"] * 10 + ["female"] * 10,
            "pred": male_pred + female_pred,
            "label": labels + labels,
        }
    )
    m = model(protected=("sex",), score=False, min_group_size=1, reference_groups={"sex": "male"})
    result = evaluate_arrow(m, table, window=DAY, run_id="t")

    def value(metric: str) -> float:
        row = one(result.rows, attribute="sex", group_value="female", metric=metric)
        assert row["reference_group"] == "male"
        return float(row["value"])

    assert value("statistical_parity_difference") == pytest.approx(0.4 - 0.7)
    assert value("disparate_impact_ratio") == pytest.approx(0.4 / 0.7)
    assert value("equal_opportunity_difference") == pytest.approx(3 / 6 - 5 / 6)
    assert value("false_positive_rate_difference") == pytest.approx(1 / 4 - 2 / 4)
    assert value("average_odds_difference") == pytest.approx(((1 / 4 - 2 / 4) + (3 / 6 - 5 / 6)) / 2)
    assert value("equalized_odds_difference") == pytest.approx(max(abs(3 / 6 - 5 / 6), abs(1 / 4 - 2 / 4)))


def test_intervals_and_p_values_from_the_counts() -> None:
    from scipy import stats

    table = log(3000, seed=11)
    result = evaluate_arrow(model(reference_groups={"sex": "male"}), table, window=DAY, run_id="t")
    df = table.to_pandas()
    g, r = df[df["sex"] == "female"], df[df["sex"] == "male"]
    x1, n1, x2, n2 = int(g["pred"].sum()), len(g), int(r["pred"].sum()), len(r)
    row = one(result.rows, attribute="sex", group_value="female", metric="statistical_parity_difference")
    assert row["p_value"] == pytest.approx(stats.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]]).pvalue)
    assert row["n"] == n1 and row["reference_n"] == n2
    rate = one(result.rows, attribute="sex", group_value="female", metric="selection_rate")
    ci = stats.binomtest(x1, n1).proportion_ci(method="wilson")
    assert (rate["ci_low"], rate["ci_high"]) == pytest.approx((ci.low, ci.high))


def _family(result_rows: list[dict[str, object]]) -> dict[tuple[object, ...], float]:
    """One hypothesis per attribute x group x test (SPD and DI share the selection-rate test)."""
    tests = {"statistical_parity_difference": "selection", "disparate_impact_ratio": "selection"}
    return {
        (r["attribute"], r["group_value"], tests.get(str(r["metric"]), r["metric"])): float(r["p_value"])  # type: ignore[arg-type]
        for r in result_rows
        if r["p_adjusted"] is not None
    }


def test_holm_across_groups_and_metrics_of_the_night() -> None:
    result = evaluate_arrow(model(min_group_size=1), log(3000, seed=11, gap=0.1), window=DAY, run_id="t")
    family = _family(result.rows)
    m = len(family)
    assert m > 20
    ordered = sorted(family.values())
    expected = np.maximum.accumulate([min(1.0, (m - i) * p) for i, p in enumerate(ordered)])
    adjusted = {k: None for k in family}
    for r in result.rows:
        if r["p_adjusted"] is not None:
            key = next(
                k for k in family if k[:2] == (r["attribute"], r["group_value"]) and family[k] == r["p_value"]
            )
            adjusted[key] = r["p_adjusted"]
    assert sorted(adjusted.values()) == pytest.approx(sorted(expected))  # type: ignore[type-var]


def test_benjamini_hochberg_matches_scipy() -> None:
    from scipy.stats import false_discovery_control

    m = model(min_group_size=1, correction="benjamini_hochberg")
    result = evaluate_arrow(m, log(3000, seed=11, gap=0.1), window=DAY, run_id="t")
    family = _family(result.rows)
    q = dict(zip(family, false_discovery_control(list(family.values()), method="bh"), strict=True))
    for r in result.rows:
        if r["p_adjusted"] is not None:
            key = next(
                k for k in family if k[:2] == (r["attribute"], r["group_value"]) and family[k] == r["p_value"]
            )
            assert r["p_adjusted"] == pytest.approx(q[key])


def test_a_real_gap_breaches_and_names_the_group() -> None:
    result = evaluate_arrow(model(), log(6000, seed=5, gap=0.25), window=DAY, run_id="t")
    assert result.breach
    assert any("age_band='18-25'" in b and "statistical_parity_difference" in b for b in result.breaches)
    spd = one(result.rows, attribute="age_band", group_value="18-25", metric="statistical_parity_difference")
    assert spd["status"] == "breach" and spd["value"] < -0.1 and spd["p_adjusted"] < 0.05
    assert "BREACH" in result.summary()


def test_direction_disadvantage_ignores_gaps_in_the_groups_favour() -> None:
    table = log(6000, seed=5, gap=-0.25)  # 18-25 favoured
    both = evaluate_arrow(model(), table, window=DAY, run_id="t")
    one_sided = evaluate_arrow(model(direction="disadvantage"), table, window=DAY, run_id="t")
    spd = one(
        one_sided.rows, attribute="age_band", group_value="18-25", metric="statistical_parity_difference"
    )
    assert both.breach and not one_sided.breach
    assert spd["status"] == "ok" and "in the group's favour" in spd["note"]
