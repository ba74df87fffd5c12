"""The registry tables: rows <-> records, deterministic event ids, one-transaction writes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import fields
from typing import Any

import pyarrow as pa

from steward.lifecycle._model import ModelEvent, ModelVersion
from steward.warehouse import Warehouse, read_sql

__all__ = [
    "EVENT_SCHEMA",
    "VERSION_SCHEMA",
    "event_id",
    "event_row",
    "fetch_events",
    "fetch_versions",
    "now",
    "stored_ids",
    "version_row",
    "write",
]

_JSON_FIELDS = (
    "training_windows_json",
    "params_json",
    "holdout_metrics_json",
    "holdout_fairness_json",
    "card_json",
)
_TS = pa.timestamp("us", tz="UTC")
VERSION_SCHEMA = pa.schema(
    [
        ("model", pa.string()),
        ("version", pa.string()),
        ("created_at", _TS),
        ("run_id", pa.string()),
        ("training_windows_json", pa.string()),
        ("data_fingerprint", pa.string()),
        ("code_version", pa.string()),
        ("trainer", pa.string()),
        ("params_json", pa.string()),
        ("holdout_metrics_json", pa.string()),
        ("holdout_fairness_json", pa.string()),
        ("energy_kwh", pa.float64()),
        ("emissions_kg", pa.float64()),
        ("gpu_utilization", pa.float64()),
        ("training_cost", pa.float64()),
        ("artifact_uri", pa.string()),
        ("card_json", pa.string()),
    ]
)
EVENT_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("seq", pa.int64()),
        ("model", pa.string()),
        ("version", pa.string()),
        ("kind", pa.string()),
        ("alias", pa.string()),
        ("stage", pa.string()),
        ("actor", pa.string()),
        ("reason", pa.string()),
        ("evidence_run_id", pa.string()),
        ("occurred_at", _TS),
        ("details_json", pa.string()),
    ]
)


def now() -> dt.datetime:
    """Return the current time in UTC (microseconds, as the warehouse stores it)."""
    return dt.datetime.now(dt.UTC)


def utc(value: dt.datetime) -> dt.datetime:
    """Return ``value`` as an aware UTC datetime (a naive one is taken as UTC)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def dumps(value: Mapping[str, Any] | Sequence[Any] | None) -> str:
    """Return ``value`` as canonical JSON text (sorted keys; dates and other objects as strings)."""
    return json.dumps(value if value is not None else {}, sort_keys=True, default=str)


def event_id(
    model: str,
    version: str,
    kind: str,
    *,
    alias: str | None,
    stage: str | None,
    evidence_run_id: str | None,
    occurred_at: dt.datetime | None,
) -> str:
    """Return the event's deterministic id.

    The same action under the same evidence run (an Airflow task retried) gets the same id, so a rerun
    writes no duplicate. Without a run id the time of the action makes it unique (two rollbacks by hand
    are two events). ``occurred_at=None`` means "once per version, whichever run" (``registered``).
    """
    if occurred_at is None:
        when = "once"
    elif evidence_run_id:
        when = f"run:{evidence_run_id}"
    else:
        when = f"at:{utc(occurred_at).isoformat()}"
    text = "\x1f".join([model, version, kind, alias or "", stage or "", when])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def event_row(
    model: str,
    version: str,
    kind: str,
    *,
    actor: str,
    reason: str,
    occurred_at: dt.datetime,
    alias: str | None = None,
    stage: str | None = None,
    evidence_run_id: str | None = None,
    details: Mapping[str, Any] | None = None,
    once: bool = False,
) -> dict[str, Any]:
    """Return one ``model_events`` row (without ``seq``, given at write time)."""
    return {
        "event_id": event_id(
            model,
            version,
            kind,
            alias=alias,
            stage=stage,
            evidence_run_id=evidence_run_id,
            occurred_at=None if once else occurred_at,
        ),
        "model": model,
        "version": version,
        "kind": kind,
        "alias": alias,
        "stage": stage,
        "actor": actor,
        "reason": reason,
        "evidence_run_id": evidence_run_id,
        "occurred_at": utc(occurred_at),
        "details_json": dumps(details),
    }


def version_row(mv: ModelVersion, created_at: dt.datetime) -> dict[str, Any]:
    """Return ``mv`` as a ``model_versions`` row (JSON fields as text)."""
    row: dict[str, Any] = {f.name: getattr(mv, f.name) for f in fields(mv)}
    row["created_at"] = utc(created_at)
    for name in _JSON_FIELDS:
        row[name] = dumps(row[name])
    return row


def _version(row: Mapping[str, object]) -> ModelVersion:
    values: dict[str, Any] = {f.name: row[f.name] for f in fields(ModelVersion)}
    for name in _JSON_FIELDS:
        values[name] = json.loads(str(row[name]))
    values["created_at"] = utc(values["created_at"])
    return ModelVersion(**values)


def fetch_versions(warehouse: Warehouse, model: str) -> list[ModelVersion]:
    """Return the model's versions in the order they were registered."""
    rows = warehouse.fetch(read_sql("lifecycle/select_model_versions.sql"), {"model": model})
    return [_version(r) for r in rows]


def fetch_events(warehouse: Warehouse, model: str) -> list[ModelEvent]:
    """Return the model's events in the order they were written."""
    rows = warehouse.fetch(
        "select * from model_events where model = :model order by seq, event_id", {"model": model}
    )
    return [
        ModelEvent(
            event_id=str(r["event_id"]),
            seq=int(str(r["seq"])),
            model=str(r["model"]),
            version=str(r["version"]),
            kind=str(r["kind"]),
            alias=None if r["alias"] is None else str(r["alias"]),
            stage=None if r["stage"] is None else str(r["stage"]),
            actor=str(r["actor"]),
            reason=str(r["reason"]),
            evidence_run_id=None if r["evidence_run_id"] is None else str(r["evidence_run_id"]),
            occurred_at=utc(r["occurred_at"]),  # type: ignore[arg-type]
            details=json.loads(str(r["details_json"])),
        )
        for r in rows
    ]


def stored_ids(warehouse: Warehouse, ids: Sequence[str]) -> set[str]:
    """Return which of the event ids ``ids`` are already stored."""
    return _stored_and_top(warehouse, None, ids)[0]


def _stored_and_top(warehouse: Warehouse, model: str | None, ids: Sequence[str]) -> tuple[set[str], int]:
    """Return the stored ones among ``ids`` and the model's highest ``seq`` (0 without events): one query."""
    params: dict[str, object] = {f"e{i}": v for i, v in enumerate(ids)}
    parts = []
    if ids:
        listed = ", ".join(f":e{i}" for i in range(len(ids)))
        parts.append(f"select event_id as id, 0 as top from model_events where event_id in ({listed})")
    if model is not None:
        params["model"] = model
        parts.append("select null as id, coalesce(max(seq), 0) as top from model_events where model = :model")
    if not parts:
        return set(), 0
    rows = warehouse.fetch(" union all ".join(parts), params)
    stored = {str(r["id"]) for r in rows if r["id"] is not None}
    return stored, max((int(str(r["top"])) for r in rows), default=0)


def write(
    warehouse: Warehouse,
    model: str,
    events: Sequence[Mapping[str, Any]],
    *,
    version_rows: Sequence[Mapping[str, Any]] = (),
) -> list[str]:
    """Append ``events`` (and write ``version_rows``) in ONE transaction; return the new event ids.

    Events whose id is already stored are left as they are (a rerun writes nothing twice and keeps
    the first time and actor). New events get the model's next sequence numbers in the given order.
    """
    stored, base = _stored_and_top(warehouse, model, [str(e["event_id"]) for e in events])
    new = [dict(e) for e in events if e["event_id"] not in stored]
    if not new and not version_rows:
        return []
    for offset, event in enumerate(new, start=1):
        event["seq"] = base + offset
    writes: list[tuple[str, Mapping[str, object], pa.Table]] = [
        (
            "model_versions",
            {"model": r["model"], "version": r["version"]},
            pa.Table.from_pylist([dict(r)], schema=VERSION_SCHEMA),
        )
        for r in version_rows
    ]
    writes += [
        ("model_events", {"event_id": e["event_id"]}, pa.Table.from_pylist([e], schema=EVENT_SCHEMA))
        for e in new
    ]
    warehouse.replace_partitions(writes)
    return [str(e["event_id"]) for e in new]
