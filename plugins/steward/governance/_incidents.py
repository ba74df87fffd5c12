"""Incidents: a breach that persists opens one; it resolves when the breach clears, or by hand with a note.

Rules (registry ``privacy.incidents``):

- a monitoring breach (``monitoring_breaches``; kinds ``breach_kinds``, default performance and fairness)
  of the same model, kind and subject on ``persist_nights`` consecutive nights up to tonight;
- a failed data-quality run (``dq_runs.status = 'failed'``) of a dataset whose severity is critical,
  at once (``failed_critical_dq``).

An incident is named by its source, subject and the first night of its breach (a deterministic id), so a
rerun of the same night writes the same rows, and a breach that returns after clearing opens a new one.
Each night adds to its timeline (``incident_events``): opened, persists, resolved.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from steward.registry import Registry
from steward.warehouse import Warehouse, read_sql

__all__ = ["Incident", "IncidentNight", "evaluate_incidents", "incident_notice", "resolve_incident"]

_BY_HAND = "resolved by hand"

#: How far back a streak is followed (nights).
LOOKBACK_DAYS = 90


@dataclass(frozen=True)
class Incident:
    """One incident (an ``incidents`` row)."""

    incident_id: str
    source: Literal["monitoring", "data_quality"]
    kind: str
    subject: str
    severity: str
    owner: str
    status: Literal["open", "resolved"]
    opened_on: dt.date
    first_evidence_on: dt.date
    model: str | None = None
    dataset: str | None = None
    resolved_on: dt.date | None = None
    resolution: str | None = None
    evidence: Mapping[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """One line naming what broke, e.g. ``credit_risk performance breach (auc)``."""
        what = self.model or self.dataset
        return f"{what} {self.kind} ({self.subject})"

    def row(self, now: dt.datetime) -> dict[str, object]:
        """Return the ``incidents`` columns."""
        return {
            "incident_id": self.incident_id,
            "source": self.source,
            "model": self.model,
            "dataset": self.dataset,
            "kind": self.kind,
            "subject": self.subject,
            "severity": self.severity,
            "owner": self.owner,
            "status": self.status,
            "opened_on": self.opened_on,
            "first_evidence_on": self.first_evidence_on,
            "resolved_on": self.resolved_on,
            "resolution": self.resolution,
            "evidence_json": json.dumps(self.evidence, default=str, sort_keys=True),
            "updated_at": now,
        }


@dataclass(frozen=True)
class IncidentNight:
    """What one night's evaluation did: incidents opened, still open and resolved tonight."""

    day: dt.date
    opened: tuple[Incident, ...] = ()
    persisting: tuple[Incident, ...] = ()
    resolved: tuple[Incident, ...] = ()


def _incident_id(source: str, key: tuple[str | None, ...], first: dt.date) -> str:
    text = "|".join([source, *(k or "" for k in key), first.isoformat()])
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _streak_start(days: set[dt.date], day: dt.date) -> tuple[dt.date, int]:
    """Return the first night of the consecutive nights in ``days`` ending at ``day``, and their number."""
    start, n = day, 0
    while start in days:
        start -= dt.timedelta(days=1)
        n += 1
    return start + dt.timedelta(days=1), n


def _series(registry: Registry, day: dt.date, warehouse: Warehouse) -> dict[tuple[Any, ...], set[dt.date]]:
    """Nights with a qualifying breach, per (source, model, dataset, kind, subject)."""
    policy = registry.privacy.incidents
    since = day - dt.timedelta(days=LOOKBACK_DAYS)
    series: dict[tuple[Any, ...], set[dt.date]] = defaultdict(set)
    models = {m.name for m in registry.models}
    if policy.breach_kinds:
        kinds = set(policy.breach_kinds)
        window = {"since": since, "day": day}
        for r in warehouse.fetch(read_sql("governance/select_breach_nights.sql"), window):
            if r["model"] in models and r["kind"] in kinds:
                series[("monitoring", r["model"], None, r["kind"], r["subject"])].add(r["window_date"])  # type: ignore[arg-type]
    if policy.failed_critical_dq:
        critical = {d.name for d in registry.datasets if d.severity == "critical"}
        window = {"since": since, "day": day}
        for r in warehouse.fetch(read_sql("governance/select_failed_dq_nights.sql"), window):
            if r["dataset"] in critical:
                key = ("data_quality", None, r["dataset"], "dq_failed", str(r["dataset"]))
                series[key].add(r["partition_date"])  # type: ignore[arg-type]
    return series


def _evidence(warehouse: Warehouse, key: tuple[Any, ...], first: dt.date, day: dt.date) -> dict[str, Any]:
    source, model, dataset, kind, subject = key
    if source == "monitoring":
        rows = warehouse.fetch(
            read_sql("governance/select_breach_evidence.sql"),
            {"model": model, "kind": kind, "subject": subject, "first_day": first, "last_day": day},
        )
        table = "monitoring_breaches"
    else:
        rows = warehouse.fetch(
            read_sql("governance/select_dq_failure_evidence.sql"),
            {"dataset": dataset, "first_day": first, "last_day": day},
        )
        table = "dq_runs"
    return {"table": table, "rows": rows[-10:]}


def _owner_and_severity(registry: Registry, key: tuple[Any, ...]) -> tuple[str, str]:
    source, model, dataset, _, _ = key
    if source == "monitoring":
        m = registry.model(model)
        return m.owner, "critical" if m.risk_tier in ("high", "unacceptable") else "warning"
    return registry.dataset(dataset).owner, "critical"


def _stored(warehouse: Warehouse, day: dt.date) -> dict[str, Incident]:
    """Incidents known on ``day`` (opened on or before it), by id."""
    out = {}
    for r in warehouse.fetch("select * from incidents where opened_on <= :day", {"day": day}):
        out[str(r["incident_id"])] = Incident(
            incident_id=str(r["incident_id"]),
            source=r["source"],  # type: ignore[arg-type]
            kind=str(r["kind"]),
            subject=str(r["subject"]),
            severity=str(r["severity"]),
            owner=str(r["owner"]),
            status=r["status"],  # type: ignore[arg-type]
            opened_on=r["opened_on"],  # type: ignore[arg-type]
            first_evidence_on=r["first_evidence_on"],  # type: ignore[arg-type]
            model=r["model"],  # type: ignore[arg-type]
            dataset=r["dataset"],  # type: ignore[arg-type]
            resolved_on=r["resolved_on"],  # type: ignore[arg-type]
            resolution=r["resolution"],  # type: ignore[arg-type]
            evidence=json.loads(str(r["evidence_json"] or "{}")),
        )
    return out


def evaluate_incidents(registry: Registry, day: dt.date, *, warehouse: Warehouse) -> IncidentNight:
    """Open, continue and resolve incidents for night ``day``; write them and their timeline at once.

    Parameters
    ----------
    registry
        The registry (``privacy.incidents``, models' owners and risk tiers, datasets' severities).
    day
        The night evaluated: breaches of windows and partitions up to this date count.
    warehouse
        Reads ``monitoring_breaches`` and ``dq_runs``; writes ``incidents`` and ``incident_events``.

    Returns
    -------
    IncidentNight
        The incidents opened, persisting and resolved tonight (notify the first and the last).

    Examples
    --------
    >>> night = evaluate_incidents(registry, dt.date(2026, 11, 6), warehouse=wh)  # doctest: +SKIP
    >>> [i.title for i in night.opened]  # doctest: +SKIP
    ['credit_risk fairness (selection_rate_ratio:sex)']
    """
    policy = registry.privacy.incidents
    stored = _stored(warehouse, day)
    active: dict[str, Incident] = {}
    for key, days in _series(registry, day, warehouse).items():
        first, length = _streak_start(days, day)
        need = policy.persist_nights if key[0] == "monitoring" else 1
        if length < need:
            continue
        source, model, dataset, kind, subject = key
        iid = _incident_id(source, (model, dataset, kind, subject), first)
        known = stored.get(iid)
        if known is not None and known.status == "resolved" and _closed_for_good(known, day):
            continue  # closed by hand while the breach went on: it stays closed
        owner, severity = _owner_and_severity(registry, key)
        opened_on = known.opened_on if known else day
        active[iid] = Incident(
            incident_id=iid,
            source=source,
            kind=kind,
            subject=subject,
            severity=severity,
            owner=owner,
            status="open",
            opened_on=opened_on,
            first_evidence_on=first,
            model=model,
            dataset=dataset,
            evidence=_evidence(warehouse, key, first, day),
        )
    resolved = [
        replace(i, status="resolved", resolved_on=day, resolution=f"the breach cleared: none on {day}")
        for iid, i in stored.items()
        if iid not in active
        and (i.status == "open" or (i.resolved_on == day and not _closed_for_good(i, day)))
    ]
    opened = [i for i in active.values() if i.opened_on == day]
    persisting = [i for i in active.values() if i.opened_on < day]
    now = dt.datetime.now(dt.UTC)
    writes: list[tuple[str, Mapping[str, object], list[dict[str, object]]]] = []
    for event, group in (("opened", opened), ("persists", persisting), ("resolved", resolved)):
        for i in group:
            message = i.resolution if event == "resolved" else _breach_line(i)
            writes.append(("incidents", {"incident_id": i.incident_id}, [i.row(now)]))
            writes.append(
                (
                    "incident_events",
                    {"incident_id": i.incident_id, "event_on": day},
                    [{"event": event, "message": message, "actor": "steward", "recorded_at": now}],
                )
            )
    if writes:
        warehouse.replace_partitions(writes)
    return IncidentNight(day, _by_id(opened), _by_id(persisting), _by_id(resolved))


def _by_id(incidents: list[Incident]) -> tuple[Incident, ...]:
    return tuple(sorted(incidents, key=lambda i: i.incident_id))


def _closed_for_good(i: Incident, day: dt.date) -> bool:
    """Return whether tonight's evaluation leaves it as it is (resolved by hand, or before ``day``)."""
    by_hand = (i.resolution or "").startswith(_BY_HAND)
    return by_hand or (i.resolved_on is not None and i.resolved_on < day)


def _breach_line(i: Incident) -> str:
    rows = i.evidence.get("rows") or []
    last = rows[-1] if rows else {}
    detail = last.get("message") or last.get("error_message") or ""
    since = f"since {i.first_evidence_on}"
    return f"{i.title} {since}" + (f": {detail}" if detail else "")


def resolve_incident(
    warehouse: Warehouse, incident_id: str, *, note: str, actor: str, on: dt.date
) -> Incident:
    """Resolve an incident by hand with a note (e.g. the fix shipped, or a false alarm).

    It stays resolved while its breach goes on; a breach that clears and returns opens a new incident.

    Raises
    ------
    KeyError
        No incident has this id (the message says where to find the ids).
    ValueError
        The note is empty.
    """
    if not note.strip():
        raise ValueError(f"incident {incident_id!r}: give a --note saying why it is resolved")
    rows = warehouse.fetch("select opened_on from incidents where incident_id = :i", {"i": incident_id})
    if not rows:
        raise KeyError(
            f"incident {incident_id!r} does not exist: list them with "
            '`steward warehouse query "select incident_id, status, kind, subject from incidents"`'
        )
    known = _stored(warehouse, rows[0]["opened_on"])[incident_id]  # type: ignore[arg-type]
    done = replace(
        known, status="resolved", resolved_on=on, resolution=f"{_BY_HAND} ({actor}): {note.strip()}"
    )
    now = dt.datetime.now(dt.UTC)
    warehouse.replace_partitions(
        [
            ("incidents", {"incident_id": incident_id}, [done.row(now)]),
            (
                "incident_events",
                {"incident_id": incident_id, "event_on": on, "event": "resolved"},
                [{"message": done.resolution, "actor": actor, "recorded_at": now}],
            ),
        ]
    )
    return done


def incident_notice(
    incident: Incident, *, event: Literal["incident_opened", "incident_resolved"]
) -> dict[str, Any]:
    """Return the alert payload for an incident (``text`` is one line: a Slack webhook takes it as is)."""
    verb = "opened" if event == "incident_opened" else "resolved"
    detail = incident.resolution if event == "incident_resolved" else _breach_line(incident)
    return {
        "event": event,
        "incident_id": incident.incident_id,
        "severity": incident.severity,
        "owner": incident.owner,
        "model": incident.model,
        "dataset": incident.dataset,
        "kind": incident.kind,
        "subject": incident.subject,
        "first_evidence_on": str(incident.first_evidence_on),
        "message": detail,
        "text": (
            f"Steward incident {verb} [{incident.severity}] {incident.title}, "
            f"owner {incident.owner}: {detail}"
        ),
    }
