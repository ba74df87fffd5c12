"""Impact assessments: a high-risk model without a current one cannot be promoted; others need none."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from steward.governance import check_impact_assessment, impact_assessment_ok, record_impact_assessments
from steward.registry import Registry, parse_registry
from steward.warehouse import Warehouse


def _registry(*assessments: dict[str, Any]) -> Registry:
    def model(name: str, tier: str) -> dict[str, Any]:
        return {
            "name": name,
            "owner": "o@example.com",
            "business_unit": "bu",
            "risk_tier": tier,
            "prediction_log": "log",
            "columns": {"id": "id", "timestamp": "ts", "prediction": "p"},
            "features": ["x"],
        }

    return parse_registry(
        {
            "datasets": [{"name": "log", "source": {"path": "/l/{date}.parquet"}, "owner": "o@example.com"}],
            "models": [model("credit", "high"), model("leads", "limited")],
            "privacy": {"impact_assessments": list(assessments)},
        }
    )


def _assessment(on: str, days: int = 30) -> dict[str, Any]:
    return {
        "model": "credit",
        "harms": ["qualified applicants refused"],
        "mitigations": ["human review of refusals"],
        "reviewer": "Model Risk Committee",
        "assessed_on": on,
        "valid_days": days,
    }


def test_high_risk_needs_a_current_assessment_limited_risk_does_not() -> None:
    none = _registry()
    assert not impact_assessment_ok(none, "credit", dt.date(2026, 11, 14))
    assert impact_assessment_ok(none, "leads", dt.date(2026, 11, 14))
    assert check_impact_assessment(none, "credit", dt.date(2026, 11, 14)).reason == (
        "model 'credit' is risk tier high and no impact assessment is declared: add a current one under "
        "privacy.impact_assessments in the registry before promoting it"
    )
    reg = _registry(_assessment("2026-10-01", days=30), _assessment("2026-11-10", days=30))
    day = dt.date
    assert [impact_assessment_ok(reg, "credit", d) for d in (day(2026, 9, 30), day(2026, 10, 30))] == [
        False,
        True,
    ]
    assert not impact_assessment_ok(reg, "credit", day(2026, 10, 31))  # first lapsed, second not yet made
    assert "lapsed on 2026-10-31" in check_impact_assessment(reg, "credit", day(2026, 10, 31)).reason
    assert (
        "dated 2026-10-01, after 2026-09-30"
        in check_impact_assessment(reg, "credit", day(2026, 9, 30)).reason
    )
    latest = check_impact_assessment(reg, "credit", day(2026, 11, 20))
    assert latest.ok and latest.assessment is not None and latest.assessment.assessed_on == day(2026, 11, 10)
    with pytest.raises(KeyError, match="not registered"):
        impact_assessment_ok(reg, "nope", day(2026, 11, 1))


def test_declared_assessments_are_recorded_with_their_expiry(warehouse: Warehouse) -> None:
    reg = _registry(_assessment("2026-10-01", days=30))
    assert record_impact_assessments(reg, warehouse=warehouse) == 1
    assert record_impact_assessments(reg, warehouse=warehouse) == 1
    rows = warehouse.fetch(
        "select model, assessed_on, valid_until, reviewer, harms_json from impact_assessments"
    )
    assert rows == [
        {
            "model": "credit",
            "assessed_on": dt.date(2026, 10, 1),
            "valid_until": dt.date(2026, 10, 31),
            "reviewer": "Model Risk Committee",
            "harms_json": '["qualified applicants refused"]',
        }
    ]
