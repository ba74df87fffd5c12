"""The impact-assessment gate: high-risk models need a current assessment before they can be promoted.

A pure function of the registry (``privacy.impact_assessments``), so any layer can call it: the
retraining promotion gate, the governance DAG, the CLI. :mod:`steward.governance` re-exports it and
records the declarations in the warehouse.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from steward.registry._models import Registry
from steward.registry._privacy import ImpactAssessment

__all__ = ["ASSESSED_TIERS", "ImpactCheck", "check_impact_assessment", "impact_assessment_ok"]

#: Risk tiers (EU AI Act) whose models need a current impact assessment to be promoted.
ASSESSED_TIERS = ("high", "unacceptable")


@dataclass(frozen=True)
class ImpactCheck:
    """Whether a model may be promoted on a date, why, and the assessment that decided it."""

    model: str
    on: dt.date
    ok: bool
    reason: str
    assessment: ImpactAssessment | None = None


def check_impact_assessment(registry: Registry, model: str, on: dt.date) -> ImpactCheck:
    """Check model ``model``'s impact assessment on ``on``, with the reason in one sentence.

    Models below the high risk tier need none. A high-risk model needs an assessment made on or before
    ``on`` and still current (``assessed_on + valid_days``); the latest such one decides.

    Raises
    ------
    KeyError
        The model is not registered.

    Examples
    --------
    >>> check_impact_assessment(registry, "credit_risk", dt.date(2026, 11, 14)).reason  # doctest: +SKIP
    'assessment of 2026-10-15 by Model Risk Committee is current until 2027-10-15'
    """
    m = registry.model(model)
    if m.risk_tier not in ASSESSED_TIERS:
        return ImpactCheck(model, on, True, f"risk tier {m.risk_tier}: no impact assessment required")
    mine = sorted(
        (a for a in registry.privacy.impact_assessments if a.model == model), key=lambda a: a.assessed_on
    )
    current = [a for a in mine if a.current_on(on)]
    if current:
        a = current[-1]
        until = a.assessed_on + dt.timedelta(days=a.valid_days)
        return ImpactCheck(
            model, on, True, f"assessment of {a.assessed_on} by {a.reviewer} is current until {until}", a
        )
    if not mine:
        why = "no impact assessment is declared"
    elif mine[0].assessed_on > on:
        why = f"its first impact assessment is dated {mine[0].assessed_on}, after {on}"
    else:
        last = [a for a in mine if a.assessed_on <= on][-1]
        lapsed = last.assessed_on + dt.timedelta(days=last.valid_days)
        why = f"its impact assessment of {last.assessed_on} lapsed on {lapsed}"
    return ImpactCheck(
        model,
        on,
        False,
        f"model {model!r} is risk tier {m.risk_tier} and {why}: add a current one under "
        "privacy.impact_assessments in the registry before promoting it",
    )


def impact_assessment_ok(registry: Registry, model: str, on: dt.date) -> bool:
    """Return whether ``model`` may be promoted on ``on`` as far as impact assessments go.

    The retraining promotion gate calls this; :func:`check_impact_assessment` gives the reason.

    Examples
    --------
    >>> impact_assessment_ok(registry, "lead_scoring", dt.date(2026, 11, 14))  # doctest: +SKIP
    True
    """
    return check_impact_assessment(registry, model, on).ok
