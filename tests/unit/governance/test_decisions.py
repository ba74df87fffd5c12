"""Decisions and the one audit trail (decisions, audit_log, incidents, model_events when present)."""

from __future__ import annotations

import datetime as dt

import pytest

from steward.governance import Decision, audit_trail, record_decision
from steward.lifecycle import ModelVersion, promote, register_version
from steward.warehouse import Warehouse

AT = dt.datetime(2026, 11, 10, 9, tzinfo=dt.UTC)


def _decision(status: str = "approved", **kw: object) -> Decision:
    fields: dict[str, object] = {
        "initiative": "credit_v2",
        "stage": "production",
        "status": status,
        "sponsor": "Chief Risk Officer",
        "rationale": "beats v1 on AUC",
        "decided_at": AT,
        "success_criteria": "AUC >= 0.75 for 3 months",
        "model": "credit_risk",
        "decided_by": "risk committee",
        **kw,
    }
    return Decision(**fields)  # type: ignore[arg-type]


def test_a_decision_is_recorded_once_and_bad_ones_are_refused(warehouse: Warehouse) -> None:
    first = record_decision(warehouse, _decision())
    assert record_decision(warehouse, _decision()) == first
    assert record_decision(warehouse, _decision("proposed", decided_at=AT - dt.timedelta(days=7))) != first
    rows = warehouse.fetch(
        "select status, sponsor, success_criteria from governance_decisions order by decided_at"
    )
    assert rows == [
        {
            "status": "proposed",
            "sponsor": "Chief Risk Officer",
            "success_criteria": "AUC >= 0.75 for 3 months",
        },
        {
            "status": "approved",
            "sponsor": "Chief Risk Officer",
            "success_criteria": "AUC >= 0.75 for 3 months",
        },
    ]
    with pytest.raises(ValueError, match="status must be one of"):
        record_decision(warehouse, _decision("maybe"))
    with pytest.raises(ValueError, match="give a rationale"):
        record_decision(warehouse, _decision(rationale=" "))


def test_the_trail_unions_every_source_newest_first(warehouse: Warehouse) -> None:
    record_decision(warehouse, _decision())
    record_decision(
        warehouse,
        _decision(initiative="lead_v3", model="lead_scoring", decided_at=AT + dt.timedelta(hours=1)),
    )
    warehouse.replace_partition(
        "audit_log",
        {"event_id": "e1"},
        [{"occurred_at": AT + dt.timedelta(days=1), "actor": "steward", "action": "quarantine",
          "subject_type": "model", "subject_id": "credit_risk", "details_json": "{}"}],
    )  # fmt: skip
    warehouse.replace_partition(
        "incidents",
        {"incident_id": "i1"},
        [{"source": "monitoring", "model": "credit_risk", "kind": "performance", "subject": "auc",
          "severity": "critical", "owner": "o", "status": "open", "opened_on": dt.date(2026, 11, 12),
          "first_evidence_on": dt.date(2026, 11, 10), "updated_at": AT}],
    )  # fmt: skip
    warehouse.replace_partition(
        "incident_events",
        {"incident_id": "i1", "event_on": dt.date(2026, 11, 12)},
        [{"event": "opened", "message": "auc low since 2026-11-10", "actor": "steward", "recorded_at": AT}],
    )
    trail = audit_trail(warehouse, model="credit_risk")
    assert [(r["source"], r["action"]) for r in trail] == [
        ("incident", "incident_opened"), ("audit_log", "quarantine"), ("decision", "decision_approved"),
    ]  # fmt: skip
    assert trail[-1]["details"] == "production: beats v1 on AUC"
    assert len(audit_trail(warehouse)) == 4
    register_version(warehouse, ModelVersion("credit_risk", "1.9.0"), actor="ci", reason="trained")
    promote(
        warehouse, "credit_risk", "1.9.0", actor="gate", reason="both gates passed", evidence_run_id="r9",
        occurred_at=AT + dt.timedelta(days=5),
    )  # fmt: skip
    registry = [r for r in audit_trail(warehouse, model="credit_risk") if r["source"] == "model_registry"]
    assert {(r["actor"], r["action"], r["details"]) for r in registry} >= {
        ("ci", "registered", "trained"),
        ("gate", "alias_set", "both gates passed"),
    }
    assert all(r["subject_id"] == "credit_risk 1.9.0" for r in registry)
    assert len(audit_trail(warehouse)) == 4 + len(registry)
