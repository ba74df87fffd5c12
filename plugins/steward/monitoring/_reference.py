"""A model's reference profiles: computed once per reference, stored in the warehouse, reused nightly.

Two references per model: the **feature reference** (the registry's ``reference``: a dataset such as
the training snapshot, or a window of the prediction log) and, when that has no score column, the
**score reference** (``monitoring.prediction_reference``: days of the prediction log). A reference's
id hashes what it was computed from (files with sizes and modification times, or table and window)
and the settings, so a changed snapshot or setting yields a new profile and never a stale one; the
set it replaces (same model, same kind) is then retired (``retired_at`` set), so each model has one
active feature reference and at most one active score reference.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass

from steward.monitoring._aggregate import ColumnProfile, ColumnSpec, column_types, profile_reference
from steward.monitoring._relation import Relation, dataset_relation
from steward.registry import Model, Registry
from steward.warehouse import Warehouse

__all__ = [
    "Reference",
    "ReferenceNotReady",
    "files_fingerprint",
    "horizon_days",
    "load_or_build",
    "reference_relation",
    "score_reference_days",
]

log = logging.getLogger(__name__)

TABLE = "monitoring_reference_profiles"


class ReferenceNotReady(Exception):
    """The reference cannot be used yet (its window has not ended, or it has no rows); says why."""


@dataclass(frozen=True)
class Reference:
    """Stored reference profiles of one model (one per column) and where they came from."""

    reference_id: str
    source: str
    profiles: tuple[ColumnProfile, ...]

    def get(self, name: str) -> ColumnProfile | None:
        """Return the profile of column ``name``, if the reference has it."""
        return next((p for p in self.profiles if p.name == name), None)


def files_fingerprint(files: Sequence[str]) -> list[object]:
    """Return ``[path, size, mtime_ns]`` per file: changes whenever a file is replaced or rewritten."""
    out: list[object] = []
    for f in files:
        st = os.stat(f)
        out.append([f, st.st_size, st.st_mtime_ns])
    return out


def _fingerprint(relation: Relation) -> list[object]:
    return files_fingerprint(relation.files) if relation.files else [relation.sql]


def horizon_days(day: dt.date, horizon: int) -> list[dt.date]:
    """Return the ``horizon`` days before ``day`` and ``day`` itself, oldest first."""
    return [day - dt.timedelta(days=i) for i in range(horizon, -1, -1)]


def score_reference_days(model: Model) -> list[dt.date] | None:
    """Days of the prediction log that form the score reference, or None if the model declares none."""
    ref = model.monitoring.prediction_reference
    if ref is None:
        return None
    n = (ref.window_end - ref.window_start).days + 1
    return [ref.window_start + dt.timedelta(days=i) for i in range(n)]


def reference_relation(
    model: Model, registry: Registry, *, warehouse: Warehouse, engine: Warehouse
) -> Relation:
    """Return the relation of the model's feature reference (dataset or log window)."""
    ref = model.reference
    if ref is None:
        raise ReferenceNotReady(
            f"model {model.name!r} declares no reference: add 'reference: {{dataset: <training data>}}' "
            "or a window of its prediction log to include/governance.yaml"
        )
    if ref.dataset is not None:
        return dataset_relation(registry.dataset(ref.dataset), None, warehouse=warehouse, engine=engine)
    assert ref.window_start is not None and ref.window_end is not None
    n = (ref.window_end - ref.window_start).days + 1
    days = [ref.window_start + dt.timedelta(days=i) for i in range(n)]
    return dataset_relation(registry.dataset(model.prediction_log), days, warehouse=warehouse, engine=engine)


def load_or_build(
    model: Model,
    relation: Relation,
    columns: Sequence[str],
    *,
    role_of: dict[str, str],
    warehouse: Warehouse,
    run_id: str,
    source: str,
) -> Reference:
    """Return the stored reference profile for ``relation``, computing and storing it the first time.

    Parameters
    ----------
    model
        The model (its ``monitoring`` policy gives bins and type overrides).
    relation
        The reference rows.
    columns
        Columns to profile; those absent from the reference are left out (the caller reports them).
    role_of
        ``feature`` or ``score`` per column.
    """
    policy = model.monitoring
    types = column_types(relation, columns)
    present = [c for c in columns if types[c] is not None]
    overrides = {c: r.type for c, r in policy.columns.items() if r.type is not None}
    key = {
        "fingerprint": _fingerprint(relation),
        "columns": present,
        "types": {c: overrides.get(c, types[c]) for c in present},
        "bins": policy.bins,
        "version": 2,  # 2: point-mass bins and invalid values
    }
    reference_id = hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()[:16]
    rows = warehouse.fetch(
        f"select * from {TABLE} where model = :model and reference_id = :rid",
        {"model": model.name, "rid": reference_id},
    )
    kind = "feature" if any(role_of.get(c, "feature") == "feature" for c in present) else "score"
    if rows:
        by_name = {str(r["feature"]): ColumnProfile.from_row(r) for r in rows}
        if any(r.get("retired_at") is not None for r in rows):  # an older set is back in use
            _activate(warehouse, model.name, reference_id, kind)
        return Reference(
            reference_id, str(rows[0]["source"]), tuple(by_name[c] for c in present if c in by_name)
        )
    if not present:
        raise ReferenceNotReady(f"the reference {source} has none of the columns {list(columns)}")
    specs = [ColumnSpec(c, role_of.get(c, "feature"), overrides.get(c) or types[c]) for c in present]  # type: ignore[arg-type]
    log.info("profiling the reference of %s (%s): %d columns", model.name, source, len(specs))
    profiles = profile_reference(relation, specs, bins=policy.bins)
    if profiles and profiles[0].n_rows == 0:
        raise ReferenceNotReady(f"the reference {source} has no rows")
    now = dt.datetime.now(dt.UTC)
    warehouse.replace_partition(
        TABLE,
        {"model": model.name, "reference_id": reference_id},
        [{**p.to_row(), "source": source, "computed_at": now, "run_id": run_id} for p in profiles],
    )
    _activate(warehouse, model.name, reference_id, kind)
    return Reference(reference_id, source, tuple(profiles))


def _activate(warehouse: Warehouse, model: str, reference_id: str, kind: str) -> None:
    """Make ``reference_id`` the model's one active set of its kind; retire the others of that kind.

    A set's kind is ``feature`` when it profiles at least one feature (the feature reference) and
    ``score`` otherwise (the score reference), so retiring one kind never touches the other.
    Retired rows stay (``retired_at`` set) for the audit of the nights that used them.
    """
    with_features = f"select reference_id from {TABLE} where model = :model and role = 'feature'"
    same_kind = "in" if kind == "feature" else "not in"
    warehouse.execute(
        f"update {TABLE} set retired_at = :now where model = :model and reference_id <> :rid "
        f"and retired_at is null and reference_id {same_kind} ({with_features})",
        {"model": model, "rid": reference_id, "now": dt.datetime.now(dt.UTC)},
    )
    warehouse.execute(
        f"update {TABLE} set retired_at = null where model = :model and reference_id = :rid",
        {"model": model, "rid": reference_id},
    )
