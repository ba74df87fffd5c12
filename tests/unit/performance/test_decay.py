from __future__ import annotations

import pytest

from steward.performance import Breach, decay_breach


def test_absolute_floor_with_baseline_context() -> None:
    b = decay_breach(0.69, baseline=0.83, min_value=0.72, max_relative_decay=0.1, metric="AUC")
    assert b == Breach(
        "absolute", "AUC", 0.69, 0.72, 0.83, "AUC 0.69 is below the floor 0.72 (baseline 0.83, -17%)"
    )
    assert b.to_dict()["kind"] == "absolute"


def test_relative_decay() -> None:
    b = decay_breach(0.74, baseline=0.83, min_value=0.70, max_relative_decay=0.1, metric="AUC")
    assert b is not None and b.kind == "relative"
    assert b.threshold == pytest.approx(0.83 * 0.9)
    assert b.message == "AUC 0.74 is 11% worse than its baseline 0.83 (allowed 10%, limit 0.747)"


def test_lower_is_better() -> None:
    b = decay_breach(
        0.75, baseline=0.5, min_value=0.7, max_relative_decay=0.2, higher_is_better=False, metric="log_loss"
    )
    assert b is not None and b.kind == "absolute"
    assert b.message == "log_loss 0.75 is above the ceiling 0.7 (baseline 0.5, +50%)"
    r = decay_breach(0.65, baseline=0.5, min_value=0.7, max_relative_decay=0.2, higher_is_better=False)
    assert r is not None and r.kind == "relative" and r.threshold == pytest.approx(0.6)
    assert (
        decay_breach(0.45, baseline=0.5, min_value=0.7, max_relative_decay=0.2, higher_is_better=False)
        is None
    )


def test_no_breach_cases() -> None:
    assert decay_breach(None, baseline=0.8, min_value=0.7, max_relative_decay=0.1) is None
    assert decay_breach(0.72, baseline=0.8, min_value=0.72, max_relative_decay=0.1) is None  # exactly at both
    assert decay_breach(0.5, baseline=None, min_value=None, max_relative_decay=0.1) is None
    assert decay_breach(0.5, baseline=0.0, min_value=None, max_relative_decay=0.1) is None
    only_relative = decay_breach(0.5, baseline=0.8, min_value=None, max_relative_decay=0.1)
    assert only_relative is not None and only_relative.kind == "relative"
    assert decay_breach(0.6, baseline=None, min_value=0.7, max_relative_decay=0.1) == Breach(
        "absolute", "metric", 0.6, 0.7, None, "metric 0.6 is below the floor 0.7"
    )


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="max_relative_decay must be a finite share"):
        decay_breach(0.5, baseline=0.8, min_value=None, max_relative_decay=-0.1)
    with pytest.raises(ValueError, match="auc: current must be finite"):
        decay_breach(float("nan"), baseline=0.8, min_value=None, max_relative_decay=0.1, metric="auc")
