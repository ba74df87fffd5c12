"""Algorithmic impact assessments: the declarations recorded in the warehouse, and the promotion gate.

Assessments are declared in the registry (``privacy.impact_assessments``: harms, mitigations, reviewer,
date, how long it stays current, a link to the document). :func:`impact_assessment_ok` (defined in
:mod:`steward.registry`, so a lower layer can call it too) is the gate the retraining promotion calls;
:func:`record_impact_assessments` copies the declarations to the warehouse (``impact_assessments``) so
the audit trail shows what was declared and when it lapses.
"""

from __future__ import annotations

import datetime as dt
import json

from steward.registry import Registry
from steward.warehouse import Warehouse

__all__ = ["record_impact_assessments"]


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
