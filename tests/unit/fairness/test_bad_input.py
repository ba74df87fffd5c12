"""Bad input: no positives, no labels, one group, no protected attributes, missing columns."""

from __future__ import annotations

import datetime as dt
import math

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from steward.fairness import evaluate_arrow, evaluate_window, fairness_gate
from steward.warehouse import connect
from tests.unit.fairness.data_for_test import log, model, one, rows

DAY = dt.date(2026, 11, 10)


def _no_nan(result_rows: list[dict[str, object]]) -> None:
    for r in result_rows:
        for key in ("value", "ci_low", "ci_high", "p_value", "p_adjusted"):
            v = r[key]
            assert v is None or not math.isnan(float(v)), (r["metric"], key)  # type: ignore[arg-type]


def test_a_group_with_no_favourable_labels_is_undefined_not_nan() -> None:
    table = log(3000)
    young = pc.equal(table["age_band"], "18-25")
    table = table.set_column(
        table.schema.get_field_index("label"), "label", pc.if_else(young, 0, table["label"])
    )
    result = evaluate_arrow(model(), table, window=DAY, run_id="r")
    tpr = one(result.rows, attribute="age_band", group_value="18-25", metric="true_positive_rate")
    eod = one(result.rows, attribute="age_band", group_value="18-25", metric="equal_opportunity_difference")
    assert tpr["status"] == "undefined" and "favourable true outcome" in tpr["note"]
    assert eod["status"] == "undefined" and eod["value"] is None and "the group has no" in eod["note"]
    _no_nan(result.rows)


def test_no_labels_at_all_keeps_the_selection_metrics() -> None:
    result = evaluate_arrow(model(), log(3000, label_share=0.0), window=DAY, run_id="r")
    spd = one(result.rows, attribute="age_band", group_value="18-25", metric="statistical_parity_difference")
    eod = one(result.rows, attribute="age_band", group_value="18-25", metric="equal_opportunity_difference")
    assert spd["status"] == "ok" and spd["p_value"] is not None
    assert eod["status"] == "undefined"
    assert all(c["n_labelled"] == 0 for c in result.counts)
    assert not result.calibration or all(c["mean_score"] is None for c in result.calibration)
    _no_nan(result.rows)


def test_a_single_group_gets_an_explicit_status() -> None:
    table = log(500).filter(pc.equal(log(500)["sex"], "male"))
    result = evaluate_arrow(model(protected=("sex",)), table, window=DAY, run_id="r")
    status = {r["status"] for r in rows(result.rows, attribute="sex", group_value="*")}
    assert status == {"single_group"}
    assert not result.breach and "single_group" not in {
        r["status"] for r in result.rows if r["group_value"] != "*"
    }


def test_small_groups_get_insufficient_data_and_a_detectable_gap() -> None:
    result = evaluate_arrow(model(min_group_size=150), log(3000, gap=0.4), window=DAY, run_id="r")
    spd = one(result.rows, attribute="sex", group_value="undisclosed", metric="statistical_parity_difference")
    assert spd["status"] == "insufficient_data"
    assert 0 < spd["min_detectable_gap"] < 1 and "could be detected" in spd["note"]
    assert spd["p_adjusted"] is None
    assert not any("undisclosed" in b for b in result.breaches)


def test_a_model_without_protected_attributes_is_skipped() -> None:
    with connect("duckdb:///:memory:") as wh:
        result = evaluate_window(wh, model(protected=()), source_sql="select 1", window=DAY, run_id="r")
    assert result.rows == [] and not result.breach and "no protected attributes" in result.summary()


def test_a_holdout_without_the_needed_columns_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"holdout lacks columns \[.label.\]"):
        fairness_gate(model(), log(100).drop(["label"]))


def test_an_intersection_of_unknown_attributes_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="not protected attributes"):
        evaluate_arrow(model(intersections=[["sex", "region"]]), log(100), window=DAY, run_id="r")


def test_configured_reference_absent_falls_back_with_a_note() -> None:
    result = evaluate_arrow(model(reference_groups={"sex": "nobody"}), log(1000), window=DAY, run_id="r")
    spd = rows(result.rows, attribute="sex", metric="statistical_parity_difference")
    assert {r["reference_group"] for r in spd} == {"male"} or {r["reference_group"] for r in spd} == {
        "female"
    }
    assert all("absent from this window" in r["note"] for r in spd)


def test_a_score_only_log_decides_by_threshold() -> None:
    table = log(1000)
    table = table.drop(["pred"]).append_column("pred", pa.nulls(len(table), pa.int64()))
    result = evaluate_arrow(model(decide_by="score"), table, window=DAY, run_id="r")
    expected = pc.sum(pc.greater_equal(table["score"], 0.5).cast(pa.int64())).as_py()
    assert one(result.counts, attribute="*", group_value="*")["predicted_favourable"] == expected
