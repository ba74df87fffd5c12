"""Promotion gates: the performance gate's two conditions and the reused fairness gate."""

from __future__ import annotations

from steward.retraining import DeLongResult, fairness_gate, gate_rejects, performance_gate
from tests.unit.fairness.data_for_test import log, model


def test_better_by_the_margin_and_not_worse_passes() -> None:
    gate = performance_gate(DeLongResult(0.82, 0.80, 1.5, 0.13, 1.8e-4), min_auc_gain=0.01, alpha=0.05)
    assert gate.passed and "gain +0.0200" in gate.reasons[0]


def test_gain_below_the_margin_fails_even_when_not_significant() -> None:
    gate = performance_gate(DeLongResult(0.805, 0.80, 0.4, 0.69, 1.5e-4), min_auc_gain=0.01, alpha=0.05)
    assert not gate.passed
    assert gate.reasons == ["AUC gain +0.0050 is below the declared margin min_auc_gain +0.0100"]


def test_significantly_worse_fails_with_both_reasons() -> None:
    gate = performance_gate(DeLongResult(0.70, 0.80, -4.0, 6e-5, 6.2e-4), min_auc_gain=-0.2, alpha=0.05)
    assert not gate.passed
    assert len(gate.reasons) == 1 and "significantly worse" in gate.reasons[0]
    # a negative margin tolerates a small loss, but not a significant one
    tolerated = performance_gate(DeLongResult(0.79, 0.80, -0.6, 0.55, 2.8e-4), min_auc_gain=-0.02, alpha=0.05)
    assert tolerated.passed


def test_no_champion_passes_on_its_own() -> None:
    gate = performance_gate(None, min_auc_gain=0.05, alpha=0.05)
    assert gate.passed and "first version" in gate.reasons[0]


def test_fairness_gate_is_the_fairness_package_gate_stricter_for_high_risk() -> None:
    holdout = log(20000, seed=3, gap=0.05)
    limited = fairness_gate(model(protected=("age_band",), risk_tier="limited"), holdout, run_id="r1")
    high = fairness_gate(model(protected=("age_band",), risk_tier="high"), holdout, run_id="r1")
    assert limited.passed and limited.name == "fairness"
    assert not high.passed and any("high-risk rules" in r for r in high.reasons)
    assert high.as_dict()["passed"] is False


def test_fairness_not_demonstrated_carries_the_caveat_and_does_not_reject() -> None:
    thin = log(3000, seed=3)  # no breach; groups too small for min_group_size 200
    high = model(risk_tier="high", min_group_size=200)
    gate = fairness_gate(high, thin, run_id="r1")
    assert (gate.passed, gate.verdict, gate.rejects) == (False, "not_demonstrated", False)
    stored = gate.as_dict()
    assert stored["outcome"] == "not_demonstrated" and stored["caveat"] == gate.caveat
    assert gate.caveat.startswith("fairness NOT demonstrated") and not gate_rejects(stored)
    rejecting = fairness_gate(
        model(risk_tier="high", min_group_size=200, high_risk_undemonstrated="reject"), thin, run_id="r1"
    )
    assert (rejecting.verdict, rejecting.rejects, rejecting.caveat) == ("not_demonstrated", True, "")
    assert gate_rejects(rejecting.as_dict())


def test_rows_stored_before_outcomes_read_as_before() -> None:
    assert gate_rejects({"name": "fairness", "passed": False, "reasons": ["x"]})
    assert not gate_rejects({"name": "fairness", "passed": True, "reasons": []})
