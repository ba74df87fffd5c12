"""Verdicts on hand-built rows: significance AND a gap beyond tolerance, families adjusted once."""

from __future__ import annotations

import dataclasses

import pytest

from steward.fairness import Judgement, MetricRow, judge

J = Judgement(
    alpha=0.05,
    tolerance=0.1,
    four_fifths=0.8,
    min_group_size=30,
    confidence=0.95,
    correction="holm",
    power=0.8,
    metrics=("statistical_parity_difference", "disparate_impact_ratio", "equal_opportunity_difference"),
)


def _pending(group: str, metric: str, value: float, p: float, family: str = "selection") -> MetricRow:
    return MetricRow(
        attribute="sex",
        group_value=group,
        reference_group="male",
        metric=metric,
        n=500,
        n_labelled=400,
        denominator=500,
        value=value,
        ci_low=value - 0.05,
        ci_high=value + 0.05,
        p_value=p,
        status="pending",
        family=("sex", group, family),
        signed=value,
    )


def test_breach_needs_significance_and_a_gap_beyond_tolerance() -> None:
    rows = [
        _pending("female", "statistical_parity_difference", -0.2, 0.001),  # large, significant
        _pending("other", "statistical_parity_difference", -0.05, 0.001),  # small, significant
        _pending("x", "equal_opportunity_difference", -0.3, 0.3, family="tpr"),  # large, not significant
    ]
    judged, breaches = judge(rows, J)
    assert [r.status for r in judged] == ["breach", "ok", "ok"]
    # Holm over three families: 0.001 * 3, 0.001 * 2 (raised to 0.003: monotone), 0.3 * 1
    assert [r.p_adjusted for r in judged] == pytest.approx([0.003, 0.003, 0.3])
    assert len(breaches) == 1 and breaches[0].startswith("sex='female' vs 'male': statistical_parity")
    assert all(r.family is None and r.signed is None for r in judged)


def test_a_shared_family_is_adjusted_once() -> None:
    rows = [
        _pending("female", "statistical_parity_difference", -0.2, 0.01),
        _pending("female", "disparate_impact_ratio", 0.7, 0.01),
        _pending("female", "equal_opportunity_difference", 0.0, 0.5, family="tpr"),
    ]
    judged, breaches = judge(rows, J)
    assert [r.p_adjusted for r in judged] == pytest.approx([0.02, 0.02, 0.5])  # two families, not three
    assert [r.status for r in judged] == ["breach", "breach", "ok"]
    assert "four-fifths rule fails (0.700 outside [0.8, 1.25])" in breaches[1]


def test_direction_disadvantage_spares_the_favoured_group() -> None:
    rows = [_pending("female", "statistical_parity_difference", 0.2, 0.001)]
    assert judge(rows, J)[0][0].status == "breach"
    judged, breaches = judge(rows, dataclasses.replace(J, direction="disadvantage"))
    assert judged[0].status == "ok" and breaches == []
    assert "in the group's favour" in judged[0].note


def test_rows_not_pending_pass_unchanged() -> None:
    info = MetricRow("sex", "female", None, "selection_rate", 500, 400, 500, value=0.4)
    judged, _ = judge([info], J)
    assert judged == [info]


def test_metric_row_is_frozen_and_stores_nan_as_null() -> None:
    row = MetricRow.of(
        attribute="sex", group_value="*", reference_group=None, metric="x", n=1, n_labelled=0,
        denominator=None, value=float("nan"), ci=(float("-inf"), 0.5),
    )  # fmt: skip
    assert (row.value, row.ci_low, row.ci_high) == (None, None, 0.5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.status = "breach"  # type: ignore[misc]
