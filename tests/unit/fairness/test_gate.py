"""The fairness gate: breaches fail, high risk needs demonstrated fairness, unacceptable never passes."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

from steward.fairness import fairness_gate
from steward.registry import Model
from tests.unit.fairness.data_for_test import log, model


def test_a_fair_holdout_passes() -> None:
    gate = fairness_gate(model(), log(6000, seed=3))
    assert gate.passed, gate.reasons
    assert gate.metrics is not None and "no breach" in gate.reasons[0]


def test_an_unfair_holdout_fails_naming_the_group() -> None:
    gate = fairness_gate(model(), log(6000, seed=3, gap=0.3))
    assert not gate.passed
    assert any("age_band='18-25'" in r for r in gate.reasons)


def test_high_risk_is_stricter() -> None:
    holdout = log(20000, seed=3, gap=0.05)  # a real gap of about 0.07 for 18-25: within 0.1, beyond 0.05
    limited = fairness_gate(model(protected=("age_band",), risk_tier="limited"), holdout)
    high = fairness_gate(model(protected=("age_band",), risk_tier="high"), holdout)
    assert limited.passed, limited.reasons
    assert not high.passed
    assert any("statistical_parity_difference" in r and "tolerance 0.05" in r for r in high.reasons)
    assert any("high-risk rules" in r for r in high.reasons)


def test_high_risk_needs_the_interval_within_tolerance() -> None:
    holdout = log(20000, seed=3, gap=0.03)  # gap about 0.036, interval reaching beyond 0.05 on one metric
    high = fairness_gate(model(protected=("age_band",), risk_tier="high"), holdout)
    assert not high.passed
    assert any("not shown within tolerance" in r for r in high.reasons)


def test_high_risk_cannot_pass_on_too_little_data() -> None:
    gate = fairness_gate(model(risk_tier="high", min_group_size=200), log(3000, seed=3))
    assert not gate.passed
    assert any("cannot be demonstrated" in r and "undisclosed" in r for r in gate.reasons)


def test_unacceptable_risk_never_passes() -> None:
    gate = fairness_gate(model(risk_tier="unacceptable"), log(500))
    assert not gate.passed and "unacceptable" in gate.reasons[0]


def test_no_protected_attributes() -> None:
    assert fairness_gate(model(protected=()), log(100)).passed
    assert not fairness_gate(model(protected=(), risk_tier="high"), log(100)).passed


# ---------------------------------------------------------------- the three outcomes of the high-risk gate
def _counts_table(groups: dict[str, tuple[int, int, int, int]]) -> pa.Table:
    """A hand-built holdout: per sex value (tp, fn, fp, tn) with 1 = favourable prediction and label."""
    sex: list[str] = []
    pred: list[int] = []
    label: list[int] = []
    for value, (tp, fn, fp, tn) in groups.items():
        for p, y, k in ((1, 1, tp), (0, 1, fn), (1, 0, fp), (0, 0, tn)):
            sex += [value] * k
            pred += [p] * k
            label += [y] * k
    return pa.table({"sex": sex, "pred": pred, "label": label})


MALE = (1920, 480, 320, 1280)  # 4000 rows: TPR 0.80, FPR 0.20, selection 0.56
#: female as male at scale; 20 undisclosed rows (12 good, 8 bad outcomes) too few for a verdict
THIN = {"male": MALE, "female": MALE, "undisclosed": (10, 2, 2, 6)}
#: female favoured: selection 0.59 (+0.03), TPR 0.83, FPR 0.23; within 0.05, intervals reach beyond +0.05
FAVOURED = {"male": MALE, "female": (498, 102, 92, 308)}
#: female disadvantaged: TPR 0.60, FPR 0.10, selection 0.40 (-0.16)
UNFAIR = {"male": MALE, "female": (360, 240, 40, 360)}


def _high(**fairness: Any) -> Model:
    fairness.setdefault("reference_groups", {"sex": "male"})
    return model(protected=("sex",), risk_tier="high", score=False, **fairness)


@pytest.mark.parametrize("setting", ["ask_approver", "reject"])
def test_a_demonstrated_breach_rejects_under_both_settings(setting: str) -> None:
    gate = fairness_gate(_high(high_risk_undemonstrated=setting), _counts_table(UNFAIR))
    assert (gate.outcome, gate.passed, gate.rejects, gate.caveat) == ("breach", False, True, "")
    assert any("sex='female' vs 'male': statistical_parity_difference -0.160" in r for r in gate.reasons)


def test_thin_groups_are_not_demonstrated_and_go_to_the_approver_with_the_caveat() -> None:
    holdout = _counts_table(THIN)
    gate = fairness_gate(_high(), holdout)
    assert (gate.outcome, gate.passed, gate.rejects) == ("not_demonstrated", False, False)
    # the four judged metrics of 'undisclosed' lack data; female vs male (4000 rows each) is demonstrated
    short = [r for r in gate.reasons if "cannot be demonstrated" in r or "not shown" in r]
    assert len(short) == 4 and all("sex='undisclosed' vs 'male'" in r for r in short)
    # rows needed, by hand: the smallest judged count is the equalized odds' min(12 good, 8 bad) = 8,
    # so the holdout must grow 30 / 8 times: 8020 x 30 / 8 = 30075
    assert gate.caveat == (
        "fairness NOT demonstrated: 4 comparison(s) lack data (4) or have intervals reaching beyond "
        "±0.05 (0); no breach - the approver takes this risk knowingly; holdout rows needed for every "
        "judged group to reach min_group_size 30: about 30,075 (this holdout: 8,020)"
    )
    assert gate.reasons[0] == gate.caveat


def test_thin_groups_are_rejected_when_the_policy_says_reject() -> None:
    gate = fairness_gate(_high(high_risk_undemonstrated="reject"), _counts_table(THIN))
    assert (gate.outcome, gate.rejects, gate.caveat) == ("not_demonstrated", True, "")
    assert "rejected (fairness.high_risk_undemonstrated: reject)" in gate.reasons[0]


def test_without_require_demonstrated_thin_groups_pass() -> None:
    gate = fairness_gate(_high(high_risk_require_demonstrated=False), _counts_table(THIN))
    assert (gate.outcome, gate.passed, gate.rejects) == ("pass", True, False)


def test_a_gap_in_the_groups_favour_is_not_counted_under_direction_disadvantage() -> None:
    holdout = _counts_table(FAVOURED)
    # the interval, independently (statsmodels' Newcombe): within -0.05 below, beyond +0.05 above
    low, high = confint_proportions_2indep(590, 1000, 2240, 4000, method="newcomb", compare="diff")
    assert -0.05 < low < 0 and high > 0.05
    both = fairness_gate(_high(), holdout)
    assert both.outcome == "not_demonstrated", both.reasons
    spd = next(r for r in both.reasons if "statistical_parity_difference" in r)
    assert f"+0.030 not shown within tolerance: interval [{low:.3f}, {high:.3f}] reaches beyond ±0.05" in spd
    one_sided = fairness_gate(_high(direction="disadvantage"), holdout)
    assert (one_sided.outcome, one_sided.passed) == ("pass", True), one_sided.reasons
    assert "direction disadvantage" in one_sided.reasons[0]


def test_direction_disadvantage_still_counts_the_side_against_the_group() -> None:
    # the mirror image: female's selection 0.53 (-0.03), TPR 0.77, FPR 0.17
    low, high = confint_proportions_2indep(530, 1000, 2240, 4000, method="newcomb", compare="diff")
    assert low < -0.05 and high < 0.05
    holdout = _counts_table({"male": MALE, "female": (462, 138, 68, 332)})
    gate = fairness_gate(_high(direction="disadvantage"), holdout)
    assert (gate.outcome, gate.rejects) == ("not_demonstrated", False), gate.reasons
    assert (
        f"sex='female' vs 'male': statistical_parity_difference -0.030 not shown within tolerance: interval "
        f"[{low:.3f}, {high:.3f}] reaches beyond -0.05 against the group"
    ) in gate.reasons


@pytest.mark.parametrize("table", [THIN, FAVOURED])
def test_a_limited_risk_model_is_unaffected(table: dict[str, tuple[int, int, int, int]]) -> None:
    gate = fairness_gate(model(protected=("sex",), score=False), _counts_table(table))
    assert (gate.outcome, gate.passed, gate.rejects, gate.caveat) == ("pass", True, False, "")
