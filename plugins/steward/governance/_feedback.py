"""User feedback on predictions: ingested nightly from declared datasets and joined to the review queue.

Each source (registry ``privacy.feedback``) is a dataset whose rows name a model, a prediction id and
the reported issue. :func:`ingest_feedback` loads a day's rows into ``prediction_feedback``, replacing
that source and day; :func:`review_feedback` lists the feedback with the review-queue segment that
showed the same prediction as an example.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc

from steward.registry import FeedbackSource, Registry
from steward.sources import read_partition
from steward.warehouse import Warehouse, render_sql

__all__ = ["FeedbackError", "ingest_feedback", "review_feedback"]


class FeedbackError(ValueError):
    """A feedback dataset lacks a declared column or names an unregistered model; nothing was written."""


def _rows(
    source: FeedbackSource, table: pa.Table, registry: Registry, day: dt.date
) -> list[dict[str, object]]:
    where = f"feedback dataset {source.dataset!r} (privacy.feedback), partition {day}"
    wanted = [source.model_column, source.prediction_id_column, source.issue_column]
    if source.reported_at_column:
        wanted.append(source.reported_at_column)
    missing = [c for c in wanted if c not in table.column_names]
    if missing:
        raise FeedbackError(
            f"{where}: no column(s) {missing} (it has {table.column_names}): fix the *_column keys of its "
            "privacy.feedback entry"
        )
    models = {m.name for m in registry.models}
    named = set(pc.unique(table.column(source.model_column).cast(pa.string())).to_pylist()) - {None}
    unknown = sorted(named - models)
    if unknown:
        raise FeedbackError(f"{where}: model(s) {unknown} are not registered; registered: {sorted(models)}")
    out = []
    for r in table.select(wanted).to_pylist():
        if r[source.prediction_id_column] is None or r[source.model_column] is None:
            continue
        out.append(
            {
                "model": str(r[source.model_column]),
                "prediction_id": str(r[source.prediction_id_column]),
                "issue": str(r[source.issue_column] or ""),
                "reported_at": r[source.reported_at_column] if source.reported_at_column else None,
            }
        )
    return out


def ingest_feedback(registry: Registry, day: dt.date, *, warehouse: Warehouse, run_id: str) -> dict[str, int]:
    """Load each feedback source's ``day`` (daily) or whole file set (snapshot); return rows per source.

    All sources are written in one transaction; a rerun writes the same rows.

    Raises
    ------
    FeedbackError
        A declared column is missing or a model is not registered (named, with the fix).
    SourceError
        The partition cannot be read.
    """
    writes = []
    counts: dict[str, int] = {}
    now = dt.datetime.now(dt.UTC)
    for source in registry.privacy.feedback:
        ds = registry.dataset(source.dataset)
        part = read_partition(ds, day if ds.cadence == "daily" else None, warehouse=warehouse)
        rows = [{**r, "run_id": run_id, "ingested_at": now} for r in _rows(source, part.table, registry, day)]
        counts[source.dataset] = len(rows)
        writes.append(("prediction_feedback", {"source_dataset": source.dataset, "feedback_date": day}, rows))
    if writes:
        warehouse.replace_partitions(writes)
    return counts


def review_feedback(warehouse: Warehouse, *, model: str | None = None) -> list[dict[str, object]]:
    """Return feedback rows with the review-queue segment that listed the same prediction (if any)."""
    sql = render_sql(
        "governance/select_review_feedback.sql.j2", where="where f.model = :model" if model else ""
    )
    return warehouse.fetch(sql, {"model": model} if model else None)
