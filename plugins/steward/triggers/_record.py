"""Writing decisions and manual requests, and reading them back."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from steward.triggers._decide import Decision
from steward.warehouse import Warehouse, read_sql, render_sql

__all__ = [
    "DECISIONS_TABLE",
    "REQUESTS_TABLE",
    "decision_row",
    "format_decisions",
    "list_decisions",
    "record_decision",
    "record_decisions",
    "request_retraining",
]

DECISIONS_TABLE = "retraining_decisions"
REQUESTS_TABLE = "retraining_requests"


def decision_row(decision: Decision) -> dict[str, Any]:
    """Return ``decision`` as a ``retraining_decisions`` row (JSON columns as text)."""
    return {
        "decision_id": decision.decision_id,
        "model": decision.model,
        "night": decision.night,
        "evaluated_at": decision.evaluated_at,
        "run_id": decision.run_id,
        "action": decision.action,
        "policy": decision.policy,
        "signals_json": json.dumps([s.as_json() for s in decision.signals], sort_keys=True, default=str),
        "evidence_json": json.dumps(decision.evidence, sort_keys=True, default=str),
        "guard": decision.guard,
        "deferred_until": decision.deferred_until,
        "reason": decision.reason,
        "triggered_run_id": decision.triggered_run_id,
    }


def record_decision(warehouse: Warehouse, decision: Decision) -> None:
    """Write ``decision`` as the model's one row for its night, in one transaction.

    The model x night row is replaced (a rerun writes the same row); the manual requests it fired on
    are marked consumed by it, and those an earlier run of the same decision consumed but this one
    does not are released.
    """
    record_decisions(warehouse, [decision])


def record_decisions(warehouse: Warehouse, decisions: Sequence[Decision]) -> None:
    """Write several decisions (see :func:`record_decision`) in one transaction: all or none."""
    writes: list[tuple[str, dict[str, object], list[dict[str, Any]]]] = []
    for decision in decisions:
        writes.append(
            (DECISIONS_TABLE, {"model": decision.model, "night": decision.night}, [decision_row(decision)])
        )
        for r in decision.read_requests:
            consumed = decision.decision_id if str(r["request_id"]) in decision.consumed_requests else None
            row = {k: r[k] for k in ("request_id", "model", "requested_at", "requested_by", "reason")}
            writes.append(
                (REQUESTS_TABLE, {"request_id": r["request_id"]}, [{**row, "consumed_by": consumed}])
            )
    if writes:
        warehouse.replace_partitions(writes)


def request_retraining(
    warehouse: Warehouse, model: str, *, reason: str, requested_by: str, requested_at: dt.datetime
) -> str:
    """Store a manual retraining request; the next evaluation of ``model`` acts on it. Returns its id."""
    if not reason.strip():
        raise ValueError(f"retraining request for model {model!r}: give a reason (--reason)")
    request_id = (
        "rq-" + hashlib.sha256(f"{model}|{requested_at.isoformat()}|{reason}".encode()).hexdigest()[:16]
    )
    row = {
        "request_id": request_id,
        "model": model,
        "requested_at": requested_at,
        "requested_by": requested_by,
        "reason": reason.strip(),
        "consumed_by": None,
    }
    warehouse.replace_partition(REQUESTS_TABLE, {"request_id": request_id}, [row])
    return request_id


def list_decisions(warehouse: Warehouse, *, model: str | None = None) -> list[dict[str, object]]:
    """Return the recorded decisions (all models or one), by night then model."""
    where = "where model = :model" if model else ""
    return warehouse.fetch(
        render_sql("triggers/select_decisions.sql.j2", where=where), {"model": model} if model else None
    )


def fired_runs(warehouse: Warehouse, model: str, *, limit: int = 20) -> list[str]:
    """Return the ``model_retraining`` run ids the model's fired decisions started, newest first."""
    rows = warehouse.fetch(read_sql("triggers/select_fired_runs.sql"), {"model": model, "limit": limit})
    return [str(r["triggered_run_id"]) for r in rows]


def format_decisions(rows: Sequence[dict[str, object]], *, width: int = 100) -> list[str]:
    """Return the decisions table (night, model, action, reason) as aligned text lines."""
    lines = [f"{'night':<10}  {'model':<14} {'action':<18} reason"]
    for r in rows:
        action = str(r["action"]) + (f"/{r['guard']}" if r.get("guard") else "")
        reason = str(r["reason"])
        reason = reason if len(reason) <= width else reason[: width - 1] + "…"
        lines.append(f"{r['night']!s:<10}  {r['model']!s:<14} {action:<18} {reason}")
    return lines
