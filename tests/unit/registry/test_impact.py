"""Impact assessments: a high-risk model without a current one cannot be promoted; others need none."""

from __future__ import annotations

import datetime as dt

import pytest

from steward.registry import check_impact_assessment, impact_assessment_ok
from tests.unit.governance.test_impact import _assessment, _registry


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
