"""Incidents: a breach on N consecutive nights opens one, it persists, and it resolves when the breach
clears; a failed critical DQ run opens one at once; by-hand resolution sticks; reruns write the same rows.
Both backends."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from steward.governance import evaluate_incidents, incident_notice, resolve_incident
from steward.registry import Registry, parse_registry
from steward.warehouse import Warehouse
from tests.unit.governance.test_impact import CARD

D1 = dt.date(2026, 11, 1)


def night(i: int) -> dt.date:
    return D1 + dt.timedelta(days=i - 1)


def _registry(**incidents: Any) -> Registry:
    def ds(name: str, severity: str) -> dict[str, Any]:
        return {
            "name": name,
            "source": {"path": f"/lake/{name}/{{date}}.parquet"},
            "owner": f"{name}@example.com",
            "severity": severity,
        }

    return parse_registry(
        {
            "datasets": [ds("loans", "critical"), ds("clicks", "warning")],
            "models": [
                {
                    "name": "credit",
                    "owner": "risk@example.com",
                    "business_unit": "lending",
                    "risk_tier": "high",
                    "card": CARD,
                    "prediction_log": "loans",
                    "columns": {"id": "id", "timestamp": "ts", "score": "score", "prediction": "p"},
                    "features": ["x"],
                }
            ],
            "privacy": {"incidents": {"persist_nights": 3, **incidents}},
        }
    )


def _breach(wh: Warehouse, i: int, kind: str = "performance", subject: str = "auc") -> None:
    wh.replace_partition(
        "monitoring_breaches",
        {"model": "credit", "window_date": night(i), "kind": kind, "subject": subject},
        [
            {
                "value": 0.61,
                "threshold": 0.7,
                "message": f"auc 0.61 < 0.7 on night {i}",
                "run_id": f"r{i}",
                "detected_at": dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
            }
        ],
    )


def _dq(wh: Warehouse, dataset: str, i: int, status: str) -> None:
    wh.replace_partition(
        "dq_runs",
        {"dataset": dataset, "partition_date": night(i)},
        [
            {
                "suite": dataset,
                "status": status,
                "run_id": f"r{i}",
                "validated_at": dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
            }
        ],
    )


def _table(wh: Warehouse) -> list[dict[str, object]]:
    return wh.fetch(
        "select incident_id, kind, subject, severity, owner, status, opened_on, first_evidence_on,"
        " resolved_on,"
        " resolution, evidence_json from incidents order by opened_on, kind"
    )


def test_a_breach_opens_on_the_third_night_persists_and_resolves_when_it_clears(warehouse: Warehouse) -> None:
    registry = _registry()
    for i in (1, 2, 3, 4):
        _breach(warehouse, i)
    _breach(warehouse, 2, kind="drift", subject="x")  # drift is not an incident kind by default
    nights = {i: evaluate_incidents(registry, night(i), warehouse=warehouse) for i in (1, 2, 3, 4, 5)}
    assert [len(nights[i].opened) for i in (1, 2, 3, 4, 5)] == [0, 0, 1, 0, 0]
    (opened,) = nights[3].opened
    assert (opened.kind, opened.subject, opened.severity, opened.owner) == (
        "performance", "auc", "critical", "risk@example.com",
    )  # fmt: skip
    assert opened.first_evidence_on == night(1)
    assert [r["message"] for r in opened.evidence["rows"]] == [
        f"auc 0.61 < 0.7 on night {i}" for i in (1, 2, 3)
    ]
    assert [i.incident_id for i in nights[4].persisting] == [opened.incident_id]
    (resolved,) = nights[5].resolved
    assert (resolved.incident_id, resolved.resolved_on) == (opened.incident_id, night(5))
    events = warehouse.fetch(
        "select event_on, event from incident_events where incident_id = :i order by event_on",
        {"i": opened.incident_id},
    )
    assert [(e["event_on"], e["event"]) for e in events] == [
        (night(3), "opened"), (night(4), "persists"), (night(5), "resolved"),
    ]  # fmt: skip
    before = _table(warehouse)
    evaluate_incidents(registry, night(5), warehouse=warehouse)  # a rerun of the last night
    after = _table(warehouse)
    assert [{k: v for k, v in r.items()} for r in after] == before
    assert [(r["status"], r["resolved_on"]) for r in after] == [("resolved", night(5))]


def test_a_gap_restarts_the_count(warehouse: Warehouse) -> None:
    registry = _registry()
    for i in (1, 2, 4, 5):
        _breach(warehouse, i)
    assert [len(evaluate_incidents(registry, night(i), warehouse=warehouse).opened) for i in range(1, 6)] == [
        0
    ] * 5
    _breach(warehouse, 6)
    (opened,) = evaluate_incidents(registry, night(6), warehouse=warehouse).opened
    assert opened.first_evidence_on == night(4)


def test_a_failed_critical_dataset_opens_at_once_a_warning_dataset_never(warehouse: Warehouse) -> None:
    registry = _registry()
    _dq(warehouse, "loans", 1, "failed")
    _dq(warehouse, "clicks", 1, "failed")
    (opened,) = evaluate_incidents(registry, night(1), warehouse=warehouse).opened
    assert (opened.source, opened.dataset, opened.kind, opened.owner) == (
        "data_quality", "loans", "dq_failed", "loans@example.com",
    )  # fmt: skip
    _dq(warehouse, "loans", 2, "passed")
    (resolved,) = evaluate_incidents(registry, night(2), warehouse=warehouse).resolved
    assert resolved.resolution == f"the breach cleared: none on {night(2)}"
    off = _registry(failed_critical_dq=False)
    assert evaluate_incidents(off, night(1), warehouse=warehouse).opened == ()


def test_resolved_by_hand_stays_resolved_while_the_breach_goes_on(warehouse: Warehouse) -> None:
    registry = _registry(persist_nights=1)
    _breach(warehouse, 1)
    (opened,) = evaluate_incidents(registry, night(1), warehouse=warehouse).opened
    done = resolve_incident(warehouse, opened.incident_id, note="model rolled back", actor="ana", on=night(1))
    assert done.resolution == "resolved by hand (ana): model rolled back"
    _breach(warehouse, 2)
    tonight = evaluate_incidents(registry, night(2), warehouse=warehouse)
    assert (tonight.opened, tonight.persisting, tonight.resolved) == ((), (), ())
    (row,) = _table(warehouse)
    assert (row["status"], row["resolution"]) == ("resolved", "resolved by hand (ana): model rolled back")
    with pytest.raises(KeyError, match=r"nope.* does not exist: list them"):
        resolve_incident(warehouse, "nope", note="x", actor="ana", on=night(2))
    with pytest.raises(ValueError, match="give a --note"):
        resolve_incident(warehouse, opened.incident_id, note=" ", actor="ana", on=night(2))


def test_the_notice_is_one_line_naming_severity_owner_and_breach(warehouse: Warehouse) -> None:
    registry = _registry(persist_nights=1)
    _breach(warehouse, 1, kind="fairness", subject="selection_rate_ratio:sex")
    (opened,) = evaluate_incidents(registry, night(1), warehouse=warehouse).opened
    notice = incident_notice(opened, event="incident_opened")
    assert notice["text"] == (
        "Steward incident opened [critical] credit fairness (selection_rate_ratio:sex), "
        "owner risk@example.com: credit fairness (selection_rate_ratio:sex) since 2026-11-01: "
        "auc 0.61 < 0.7 on night 1"
    )
