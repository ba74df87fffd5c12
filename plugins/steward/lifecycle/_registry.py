"""The model registry's operations: register, alias, stage, promote, roll back, decommission, read state.

Every change is an append-only ``model_events`` row; the current aliases and stages are derived
from the events only (the views ``model_aliases_current`` and ``model_stage_current``). A change
that touches several aliases or stages (a promotion, a rollback) is written in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from steward.lifecycle._artifacts import ArtifactStore
from steward.lifecycle._model import (
    EVENT_KINDS,
    STAGES,
    LifecycleError,
    ModelEvent,
    ModelState,
    ModelVersion,
)
from steward.lifecycle._store import (
    event_row,
    fetch_events,
    fetch_versions,
    now,
    stored_ids,
    version_row,
    write,
)
from steward.registry import check_name
from steward.warehouse import Warehouse, read_sql

__all__ = [
    "champion_version",
    "decommission",
    "latest_version",
    "model_history",
    "model_state",
    "promote",
    "record_event",
    "register_version",
    "register_with_artifact",
    "registered_models",
    "remove_alias",
    "rollback",
    "set_alias",
    "set_stage",
]

_VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")
CHAMPION = "champion"


def _check(model: str, version: str | None = None) -> None:
    try:
        check_name(model, "model")
    except ValueError as exc:
        raise LifecycleError(str(exc)) from None
    if version is not None and not _VERSION_RE.match(version):
        raise LifecycleError(
            f"model {model!r}: version {version!r} is not a valid version: use letters, digits and "
            "'.', '_', '+', '-', starting with a letter or digit, at most 64 characters (e.g. '2.3.0')"
        )


def _check_alias(model: str, alias: str) -> None:
    try:
        check_name(alias, "alias")
    except ValueError as exc:
        raise LifecycleError(f"model {model!r}: {exc}") from None


def register_version(warehouse: Warehouse, mv: ModelVersion, *, actor: str, reason: str) -> None:
    """Register a model version (its row and a ``registered`` event, stage ``candidate``).

    Idempotent: registering the same version again with the same fields writes nothing. A version is
    immutable: the same version with other fields is an error (register a new version instead).

    Parameters
    ----------
    warehouse
        A migrated warehouse.
    mv
        The version; ``created_at`` defaults to now.
    actor, reason
        Who registers it and why (stored on the event).

    Raises
    ------
    LifecycleError
        A bad model name or version, or the version is already registered with other fields.

    Examples
    --------
    >>> mv = ModelVersion("lead_scoring", "2.3.0", trainer="steward.demo:train")
    >>> register_version(wh, mv, actor="ci", reason="trained")  # doctest: +SKIP
    """
    _check(mv.model, mv.version)
    existing = {v.version: v for v in fetch_versions(warehouse, mv.model)}
    if mv.version in existing:
        stored = existing[mv.version]
        differing = [
            f.name
            for f in fields(mv)
            if f.name != "created_at" and _plain(getattr(mv, f.name)) != _plain(getattr(stored, f.name))
        ]
        if differing:
            raise LifecycleError(
                f"model {mv.model!r} version {mv.version!r} is already registered with other values of "
                f"{', '.join(differing)}: a version never changes; register a new version instead"
            )
        if mv.created_at is None:
            mv = replace(mv, created_at=stored.created_at)
    created_at = mv.created_at or now()
    event = event_row(
        mv.model,
        mv.version,
        "registered",
        actor=actor,
        reason=reason,
        occurred_at=created_at,
        stage="candidate",
        evidence_run_id=mv.run_id,
        once=True,
    )
    rows = [] if mv.version in existing else [version_row(mv, created_at)]
    write(warehouse, mv.model, [event], version_rows=rows)


def register_with_artifact(
    warehouse: Warehouse,
    mv: ModelVersion,
    local_path: Path,
    *,
    store: ArtifactStore,
    actor: str,
    reason: str,
) -> ModelVersion:
    """Store the version's artifact, then register the version with its ``artifact_uri``.

    The artifact goes first: when the store is unreachable nothing is registered (no version row, no
    event), so no registered version ever points at a missing artifact.

    Returns
    -------
    ModelVersion
        ``mv`` with ``artifact_uri`` set.

    Raises
    ------
    LifecycleError
        The store refused the artifact (nothing registered), or :func:`register_version` refused it.
    """
    _check(mv.model, mv.version)
    uri = store.put(mv.model, mv.version, local_path)
    stored = replace(mv, artifact_uri=uri)
    register_version(warehouse, stored, actor=actor, reason=reason)
    return stored


def _plain(value: object) -> object:
    """Normalise JSON-like values (tuples vs lists, dates vs strings) for comparison."""
    if isinstance(value, Mapping | list | tuple):
        return json.loads(json.dumps(value, sort_keys=True, default=str))
    return value


def record_event(
    warehouse: Warehouse,
    model: str,
    version: str,
    kind: str,
    *,
    actor: str,
    reason: str,
    evidence_run_id: str | None = None,
    alias: str | None = None,
    stage: str | None = None,
    details: Mapping[str, Any] | None = None,
    occurred_at: dt.datetime | None = None,
) -> str:
    """Append one event about a registered version and return its id.

    Use it for approvals (``approval_requested``, ``approved``, ``rejected``) and other records;
    prefer :func:`set_alias`, :func:`set_stage`, :func:`promote`, :func:`rollback` and
    :func:`decommission` for changes of state, which check the transition. The id is deterministic:
    the same event under the same ``evidence_run_id`` is written once.

    Raises
    ------
    LifecycleError
        An unknown kind or stage, a bad alias, or a version that is not registered.

    Examples
    --------
    >>> record_event(wh, "credit_risk", "1.9.0", "approval_requested", actor="airflow",  # doctest: +SKIP
    ...              reason="high risk tier", evidence_run_id="manual__2026-11-14")
    '5f0c...'
    """
    _check(model, version)
    if kind not in EVENT_KINDS:
        raise LifecycleError(
            f"model {model!r}: unknown event kind {kind!r}; use one of {', '.join(EVENT_KINDS)}"
        )
    if stage is not None and stage not in STAGES:
        raise LifecycleError(f"model {model!r}: unknown stage {stage!r}; use one of {', '.join(STAGES)}")
    if alias is not None:
        _check_alias(model, alias)
    _require_version(warehouse, model, version)
    return _one_event(
        warehouse, model, version, kind,
        actor=actor, reason=reason, occurred_at=occurred_at, evidence_run_id=evidence_run_id,
        alias=alias, stage=stage, details=details,
    )  # fmt: skip


def _one_event(
    warehouse: Warehouse,
    model: str,
    version: str,
    kind: str,
    *,
    actor: str,
    reason: str,
    occurred_at: dt.datetime | None,
    evidence_run_id: str | None,
    alias: str | None = None,
    stage: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> str:
    """Write one event (stamped now unless ``occurred_at`` is given) and return its id."""
    event = event_row(
        model,
        version,
        kind,
        actor=actor,
        reason=reason,
        occurred_at=occurred_at or now(),
        alias=alias,
        stage=stage,
        evidence_run_id=evidence_run_id,
        details=details,
    )
    write(warehouse, model, [event])
    return str(event["event_id"])


def _require_version(warehouse: Warehouse, model: str, version: str) -> ModelState:
    state = model_state(warehouse, model)
    if version not in {v.version for v in state.versions}:
        known = ", ".join(v.version for v in state.versions) or "none"
        raise LifecycleError(
            f"model {model!r} has no registered version {version!r} (registered: {known}); "
            "register it first (steward.lifecycle.register_version) or name a registered version"
        )
    return state


def _require_live(warehouse: Warehouse, model: str, version: str, what: str) -> ModelState:
    state = _require_version(warehouse, model, version)
    if state.stages.get(version) == "decommissioned":
        raise LifecycleError(
            f"model {model!r} version {version!r} is decommissioned and cannot be {what}; "
            "register and use another version"
        )
    return state


def set_alias(
    warehouse: Warehouse,
    model: str,
    version: str,
    alias: str,
    *,
    actor: str,
    reason: str,
    evidence_run_id: str | None = None,
    occurred_at: dt.datetime | None = None,
) -> str | None:
    """Point ``alias`` at ``version``; return the event id, or ``None`` when it already points there.

    Raises
    ------
    LifecycleError
        A bad alias, an unregistered or decommissioned version.
    """
    _check(model, version)
    _check_alias(model, alias)
    state = _require_live(warehouse, model, version, f"given the alias {alias!r}")
    if state.aliases.get(alias) == version:
        return None
    return _one_event(
        warehouse, model, version, "alias_set",
        actor=actor, reason=reason, occurred_at=occurred_at, evidence_run_id=evidence_run_id,
        alias=alias, details={"previous": state.aliases.get(alias)},
    )  # fmt: skip


def remove_alias(
    warehouse: Warehouse,
    model: str,
    alias: str,
    *,
    actor: str,
    reason: str,
    evidence_run_id: str | None = None,
    occurred_at: dt.datetime | None = None,
) -> str | None:
    """Remove ``alias``; return the event id, or ``None`` when the model has no such alias."""
    _check(model)
    _check_alias(model, alias)
    version = model_state(warehouse, model).aliases.get(alias)
    if version is None:
        return None
    return _one_event(
        warehouse, model, version, "alias_removed",
        actor=actor, reason=reason, occurred_at=occurred_at, evidence_run_id=evidence_run_id, alias=alias,
    )  # fmt: skip


def set_stage(
    warehouse: Warehouse,
    model: str,
    version: str,
    stage: str,
    *,
    actor: str,
    reason: str,
    evidence_run_id: str | None = None,
    occurred_at: dt.datetime | None = None,
) -> str | None:
    """Move ``version`` to ``stage``; return the event id, or ``None`` when it is already there.

    Use :func:`promote` for production (it moves the champion alias too) and :func:`decommission`
    to retire a version.

    Raises
    ------
    LifecycleError
        An unknown stage, ``production``/``decommissioned`` (use their functions), an unregistered or
        decommissioned version.
    """
    _check(model, version)
    if stage not in STAGES:
        raise LifecycleError(f"model {model!r}: unknown stage {stage!r}; use one of {', '.join(STAGES)}")
    if stage in ("production", "decommissioned"):
        use = "promote" if stage == "production" else "decommission"
        raise LifecycleError(
            f"model {model!r} version {version!r}: move it to {stage} with steward.lifecycle.{use}, "
            "which keeps the aliases consistent"
        )
    state = _require_live(warehouse, model, version, f"moved to {stage}")
    if state.stages.get(version) == stage:
        return None
    return _one_event(
        warehouse, model, version, "stage_changed",
        actor=actor, reason=reason, occurred_at=occurred_at, evidence_run_id=evidence_run_id,
        stage=stage, details={"previous": state.stages.get(version)},
    )  # fmt: skip


def promote(
    warehouse: Warehouse,
    model: str,
    version: str,
    *,
    actor: str,
    reason: str,
    evidence_run_id: str | None,
    occurred_at: dt.datetime | None = None,
) -> None:
    """Make ``version`` the champion, in production; archive the previous champion. One transaction.

    Writes ``alias_set`` (champion), ``stage_changed`` (production), ``stage_changed`` (archived) for the
    previous champion, and ``alias_removed`` (challenger) when the challenger alias pointed at this
    version. Promoting the current champion again writes nothing.

    Raises
    ------
    LifecycleError
        The version is not registered or is decommissioned.

    Examples
    --------
    >>> promote(wh, "lead_scoring", "2.4.0", actor="airflow", reason="gates passed",  # doctest: +SKIP
    ...         evidence_run_id="manual__2026-11-14T02:00:00+00:00")
    """
    _check(model, version)
    state = _require_live(warehouse, model, version, "promoted")
    previous = state.champion
    if previous == version and state.stages.get(version) == "production":
        return
    when = occurred_at or now()
    common: dict[str, Any] = {
        "actor": actor,
        "reason": reason,
        "occurred_at": when,
        "evidence_run_id": evidence_run_id,
    }
    events = [
        event_row(model, version, "alias_set", alias=CHAMPION, details={"previous": previous}, **common),
        event_row(
            model,
            version,
            "stage_changed",
            stage="production",
            details={"previous_champion": previous},
            **common,
        ),
    ]
    if previous is not None and previous != version:
        events.append(
            event_row(
                model, previous, "stage_changed", stage="archived", details={"replaced_by": version}, **common
            )
        )
    if state.aliases.get("challenger") == version:
        events.append(event_row(model, version, "alias_removed", alias="challenger", **common))
    if evidence_run_id and stored_ids(warehouse, [str(events[0]["event_id"])]):
        return  # this run promoted it already (a retried task): never re-archive what came after
    write(warehouse, model, events)


def _common(actor: str, reason: str, when: dt.datetime, evidence_run_id: str | None) -> dict[str, Any]:
    """Return the fields every event of one change shares."""
    return {"actor": actor, "reason": reason, "occurred_at": when, "evidence_run_id": evidence_run_id}


def _champion_history(events: list[ModelEvent]) -> list[str]:
    """Replay the champion alias: promotions push a version, a rollback or removal pops it."""
    stack: list[str] = []
    for e in events:
        if e.alias != CHAMPION:
            continue
        if e.kind == "alias_set" and (not stack or stack[-1] != e.version):
            stack.append(e.version)
        elif e.kind == "rollback":
            if stack:
                stack.pop()
            if not stack or stack[-1] != e.version:
                stack.append(e.version)
        elif e.kind == "alias_removed" and stack and stack[-1] == e.version:
            stack.pop()
    return stack


def rollback(
    warehouse: Warehouse,
    model: str,
    *,
    actor: str,
    reason: str,
    evidence_run_id: str | None = None,
    occurred_at: dt.datetime | None = None,
) -> str:
    """Put the previous champion back in production and return its version. One transaction.

    Writes a ``rollback`` event (champion alias and production stage to the previous champion) and
    archives the current champion. Under the same ``evidence_run_id`` (a retried task) a second call
    writes nothing and returns the same version.

    Raises
    ------
    LifecycleError
        The model has no champion, or no earlier champion that is still registered and not decommissioned.

    Examples
    --------
    >>> rollback(wh, "lead_scoring", actor="alice", reason="2.4.0 mis-scores")  # doctest: +SKIP
    '2.3.0'
    """
    _check(model)
    events = fetch_events(warehouse, model)
    if evidence_run_id:
        for e in events:
            if e.kind == "rollback" and e.evidence_run_id == evidence_run_id:
                return e.version
    state = model_state(warehouse, model)
    current = state.champion
    if current is None:
        raise LifecycleError(
            f"model {model!r} has no champion to roll back from; promote a version first "
            f"(steward models show {model})"
        )
    history = _champion_history(events)
    earlier = [v for v in reversed(history[:-1]) if v != current and state.stages.get(v) != "decommissioned"]
    if not earlier:
        raise LifecycleError(
            f"model {model!r} has no previous champion to roll back to (champion history: "
            f"{', '.join(history) or current}); promote another registered version instead"
        )
    target = earlier[0]
    when = occurred_at or now()
    common: dict[str, Any] = {
        "actor": actor,
        "reason": reason,
        "occurred_at": when,
        "evidence_run_id": evidence_run_id,
    }
    write(
        warehouse,
        model,
        [
            event_row(
                model,
                target,
                "rollback",
                alias=CHAMPION,
                stage="production",
                details={"from_version": current},
                **common,
            ),
            event_row(
                model,
                current,
                "stage_changed",
                stage="archived",
                details={"rolled_back_to": target},
                **common,
            ),
        ],
    )
    return target


def decommission(
    warehouse: Warehouse,
    model: str,
    version: str,
    *,
    actor: str,
    reason: str,
    evidence_run_id: str | None = None,
    occurred_at: dt.datetime | None = None,
) -> str | None:
    """Retire ``version``: stage ``decommissioned`` and every alias pointing at it removed. One transaction.

    Its rows and history stay queryable. When it was the champion, the model has no version in
    production any more and monitoring skips it. Returns the event id, or ``None`` when the version
    was already decommissioned.

    Raises
    ------
    LifecycleError
        The version is not registered.
    """
    _check(model, version)
    state = _require_version(warehouse, model, version)
    if state.stages.get(version) == "decommissioned":
        return None
    when = occurred_at or now()
    common: dict[str, Any] = {
        "actor": actor,
        "reason": reason,
        "occurred_at": when,
        "evidence_run_id": evidence_run_id,
    }
    main = event_row(
        model,
        version,
        "decommissioned",
        stage="decommissioned",
        details={"previous": state.stages.get(version)},
        **common,
    )
    removed = [
        event_row(model, version, "alias_removed", alias=alias, **common)
        for alias, target in sorted(state.aliases.items())
        if target == version
    ]
    write(warehouse, model, [main, *removed])
    return str(main["event_id"])


def model_state(warehouse: Warehouse, model: str) -> ModelState:
    """Return the model's current aliases, stages and versions, derived from its events.

    Raises
    ------
    LifecycleError
        An alias points at a version that is not registered (a broken registry, never passed silently).

    Examples
    --------
    >>> model_state(wh, "lead_scoring").champion  # doctest: +SKIP
    '2.3.0'
    """
    _check(model)
    versions = tuple(fetch_versions(warehouse, model))
    current = warehouse.fetch(  # one round trip for both views
        read_sql("lifecycle/select_current_aliases_and_stages.sql"), {"model": model}
    )
    aliases = {str(r["name"]): str(r["value"]) for r in current if r["kind"] == "alias"}
    stages = {str(r["name"]): str(r["value"]) for r in current if r["kind"] == "stage"}
    known = {v.version for v in versions}
    for alias, version in aliases.items():
        if version not in known:
            raise LifecycleError(
                f"model {model!r}: alias {alias!r} points at version {version!r}, which is not in "
                "model_versions; register that version or point the alias at a registered one "
                f"({', '.join(sorted(known)) or 'none'})"
            )
    return ModelState(model=model, aliases=aliases, stages=stages, versions=versions)


def champion_version(warehouse: Warehouse, model: str) -> str | None:
    """Return the champion's version, or ``None`` when the model has none (no promotion yet)."""
    return model_state(warehouse, model).champion


def latest_version(warehouse: Warehouse, model: str) -> ModelVersion | None:
    """Return the most recently registered version, or ``None`` when the model has none."""
    _check(model)
    versions = fetch_versions(warehouse, model)
    return versions[-1] if versions else None


def registered_models(warehouse: Warehouse) -> list[str]:
    """Return the names of the models with at least one registered version, sorted."""
    rows = warehouse.fetch("select distinct model from model_versions order by model")
    return [str(r["model"]) for r in rows]


def model_history(warehouse: Warehouse, model: str) -> list[ModelEvent]:
    """Return every event of the model, oldest first (decommissioned versions included)."""
    _check(model)
    return fetch_events(warehouse, model)
