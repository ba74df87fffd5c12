"""The fairness gate: breaches fail, high risk needs demonstrated fairness, unacceptable never passes."""

from __future__ import annotations

from steward.fairness import fairness_gate
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
