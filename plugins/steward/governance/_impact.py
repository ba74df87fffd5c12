"""Algorithmic impact assessments: high-risk models need a current one before they can be promoted.

Assessments are declared in the registry (``privacy.impact_assessments``: harms, mitigations, reviewer,
date, how long it stays current, a link to the document). :func:`impact_assessment_ok` is the gate the
retraining promotion calls; :func:`record_impact_assessments` copies the declarations to the warehouse
(``impact_assessments``) so the audit trail shows what was declared and when it lapses.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from steward.registry import ImpactAssessment, Registry
from steward.warehouse import Warehouse

__all__ = [
    "ASSESSED_TIERS",
    "ImpactCheck",
    "check_impact_assessment",
    "impact_assessment_ok",
    "record_impact_assessments",
]

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


def record_impact_assessments(registry: Registry, *, warehouse: Warehouse) -> int:
    """Write every declared assessment to ``impact_assessments`` (one row per model and date); count them."""
    now = dt.datetime.now(dt.UTC)
    writes = [
        (
            "impact_assessments",
            {"model": a.model, "assessed_on": a.assessed_on},
            [
                {
                    "reviewer": a.reviewer,
                    "harms_json": json.dumps(a.harms),
                    "mitigations_json": json.dumps(a.mitigations),
                    "valid_until": a.assessed_on + dt.timedelta(days=a.valid_days),
                    "document": a.document,
                    "recorded_at": now,
                }
            ],
        )
        for a in registry.privacy.impact_assessments
    ]
    if writes:
        warehouse.replace_partitions(writes)
    return len(writes)
