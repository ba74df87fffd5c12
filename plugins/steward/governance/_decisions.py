"""The decision log of AI initiatives and stage gates, and the one audit trail an auditor reads.

A decision (``proposed``, ``approved`` or ``rejected``) names the initiative, its stage gate (idea,
pilot, production, retirement...), the sponsor, the rationale and the success criteria, and optionally
the model it concerns. :func:`audit_trail` unions decisions, ``audit_log`` events, incidents' timelines
and the model registry's events (``model_events``): one query answers "what was
decided and what happened to this model, by whom, when".
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import asdict, dataclass
from typing import Literal

from steward.warehouse import Warehouse, render_sql

__all__ = ["Decision", "audit_trail", "record_decision"]

DecisionStatus = Literal["proposed", "approved", "rejected"]
STATUSES: tuple[DecisionStatus, ...] = ("proposed", "approved", "rejected")


@dataclass(frozen=True)
class Decision:
    """One decision on an initiative's stage gate (a ``governance_decisions`` row)."""

    initiative: str
    stage: str
    status: DecisionStatus
    sponsor: str
    rationale: str
    decided_at: dt.datetime
    success_criteria: str | None = None
    model: str | None = None
    decided_by: str | None = None

    @property
    def decision_id(self) -> str:
        """A deterministic id: the same decision recorded twice is one row."""
        text = "|".join([self.initiative, self.stage, self.status, self.decided_at.isoformat()])
        return hashlib.sha256(text.encode()).hexdigest()[:24]


def record_decision(warehouse: Warehouse, decision: Decision, *, run_id: str | None = None) -> str:
    """Record ``decision`` in ``governance_decisions`` and return its id (a rerun replaces the same row).

    Raises
    ------
    ValueError
        A status other than proposed/approved/rejected, or an empty sponsor or rationale.

    Examples
    --------
    >>> d = Decision("credit_v2", "production", "approved", "CRO", "beats v1 on AUC; fairness within 0.1",
    ...              dt.datetime(2026, 11, 10, tzinfo=dt.UTC), model="credit_risk")
    >>> record_decision(wh, d)  # doctest: +SKIP
    '6f1c...'
    """
    if decision.status not in STATUSES:
        raise ValueError(f"decision on {decision.initiative!r}: status must be one of {list(STATUSES)}")
    for name in ("initiative", "stage", "sponsor", "rationale"):
        if not str(getattr(decision, name)).strip():
            raise ValueError(f"decision on {decision.initiative!r}: give a {name}")
    row = {**asdict(decision), "decision_id": decision.decision_id, "run_id": run_id}
    warehouse.replace_partition("governance_decisions", {"decision_id": decision.decision_id}, [row])
    return decision.decision_id


def audit_trail(warehouse: Warehouse, *, model: str | None = None) -> list[dict[str, object]]:
    """Return the audit trail, newest first: decisions, audit-log events, incidents, model registry events.

    Parameters
    ----------
    warehouse
        The migrated warehouse.
    model
        Only the rows about this model.
    """
    sql = render_sql("governance/select_audit_trail.sql.j2", where="where model = :model" if model else "")
    return warehouse.fetch(sql, {"model": model} if model else None)
