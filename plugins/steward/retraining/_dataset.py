"""Assemble a challenger's training set from declared windows: log joined with labels, quarantine excluded.

Windows (``retraining`` in the registry): the prediction log's daily partitions of the
``training_window_days`` days ending on the night, joined with the labels that have arrived by that
night. Partitions quarantined by data quality (the ``quarantine`` table) are left out, of the log and
of the labels. The holdout is the last ``holdout_days`` days that have labelled rows; the days before
are the training rows. Champion and challenger are later compared on exactly these holdout rows.

The data fingerprint is the SHA-256 of a canonical text listing, for every partition used, the
dataset, the day and the SHA-256 of each file's bytes (sorted by file name; for a warehouse table:
the row count and the hash of the day's sorted (id, label) pairs). It changes when any used byte
changes, and not with file paths, modification times or machines.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from steward.monitoring import Relation, dataset_relation, quarantined_days, scan_engine
from steward.registry import Model, Registry
from steward.sources import SourceError
from steward.warehouse import Warehouse, quote_ident, render_sql

__all__ = ["RetrainingError", "TrainingSet", "assemble_training_set", "training_windows"]


class RetrainingError(Exception):
    """A retraining step that cannot go on; the message names the model, the problem and the fix."""


@dataclass(frozen=True)
class TrainingSet:
    """The rows a challenger is trained and judged on.

    Attributes
    ----------
    train, holdout
        Columns: the model's id, features, protected attributes, score and prediction as logged,
        ``steward_window`` (the log partition) and ``label`` (0/1).
    windows
        ``[{"dataset", "role", "start", "end", "days", "excluded"}]``: what was read (stored in
        ``model_versions.training_windows_json``).
    fingerprint
        SHA-256 over the partitions used (module docstring).
    """

    model: str
    night: dt.date
    train: pa.Table
    holdout: pa.Table
    windows: list[dict[str, Any]] = field(default_factory=list)
    fingerprint: str = ""

    @property
    def holdout_days(self) -> list[dt.date]:
        """The days of the holdout rows, ascending."""
        return sorted(set(self.holdout.column("steward_window").to_pylist()))


def training_windows(model: Model, night: dt.date) -> list[dt.date]:
    """Return the log days read for a retraining on ``night``: ``retraining.training_window_days``."""
    span = _policy_int(model, "training_window_days", 28)
    return [night - dt.timedelta(days=span - 1 - i) for i in range(span)]


def _policy_int(model: Model, key: str, default: int) -> int:
    policy = getattr(model, "retraining", None)
    return int(getattr(policy, key, default)) if policy is not None else default


def _row_columns(model: Model) -> list[str]:
    cols = [model.columns.id, *model.features, *model.protected_attributes]
    cols += [c for c in (model.columns.score, model.columns.prediction) if c is not None]
    return list(dict.fromkeys(cols))


def _relation(
    registry: Registry, name: str, days: list[dt.date], *, warehouse: Warehouse, engine: Warehouse
) -> tuple[Relation | None, list[dt.date]]:
    """Read ``days`` of dataset ``name`` less its quarantined days; None when nothing has landed."""
    bad = quarantined_days(warehouse, name, days)
    keep = [d for d in days if d not in bad]
    if not keep:
        return None, sorted(bad)
    try:
        rel = dataset_relation(
            registry.dataset(name), keep, warehouse=warehouse, engine=engine, skip_missing=True
        )
    except SourceError:
        return None, sorted(bad)
    return rel, sorted(bad)


def _fingerprint(parts: list[tuple[str, dt.date, list[str]]], extra: list[str]) -> str:
    lines = []
    for dataset, day, files in sorted(parts, key=lambda p: (p[0], p[1])):
        for f in sorted(files, key=lambda f: Path(f).name):
            lines.append(f"{dataset}\t{day.isoformat()}\t{Path(f).name}\t{_file_sha256(f)}")
    lines += sorted(extra)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _day_files(rel: Relation, registry: Registry, name: str) -> list[tuple[str, dt.date, list[str]]]:
    from steward.sources import partition_files

    ds = registry.dataset(name)
    if not rel.files:
        return []
    if ds.source.partitioned_by_path:
        return [(name, d, partition_files(ds, d)) for d in rel.days]
    return [(name, rel.days[0] if rel.days else dt.date.min, list(rel.files))]


def assemble_training_set(
    warehouse: Warehouse, registry: Registry, model_name: str, night: dt.date
) -> TrainingSet:
    """Read a model's labelled rows for the windows ending on ``night`` and split off the holdout.

    Parameters
    ----------
    warehouse
        Holds the ``quarantine`` table and any dataset stored as a table.
    registry
        The model, its prediction log and label datasets, ``retraining.training_window_days`` and
        ``retraining.holdout_days``.
    model_name
        The registered model.
    night
        The last day of the window (the night the decision was made).

    Raises
    ------
    RetrainingError
        No labels declared, nothing labelled in the window, or too few labelled days for a holdout.

    Examples
    --------
    >>> ts = assemble_training_set(wh, registry, "lead_scoring", dt.date(2026, 11, 14))  # doctest: +SKIP
    >>> ts.holdout_days[-1], len(ts.fingerprint)  # doctest: +SKIP
    (datetime.date(2026, 11, 12), 64)
    """
    model = registry.model(model_name)
    where = f"model {model.name!r} (include/governance.yaml)"
    if model.labels is None:
        raise RetrainingError(
            f"{where}: no 'labels' declared: a challenger cannot be trained or judged without them"
        )
    holdout_span = _policy_int(model, "holdout_days", 3)
    days = training_windows(model, night)
    engine = scan_engine()
    try:
        preds, bad_preds = _relation(registry, model.prediction_log, days, warehouse=warehouse, engine=engine)
        labels, bad_labels = _relation(
            registry, model.labels.dataset, days, warehouse=warehouse, engine=engine
        )
        if preds is None or labels is None:
            missing = model.prediction_log if preds is None else model.labels.dataset
            raise RetrainingError(
                f"{where}: dataset {missing!r} has no usable partition in {days[0]}..{days[-1]} "
                f"(quarantined: {[d.isoformat() for d in (bad_preds if preds is None else bad_labels)]}); "
                "widen retraining.training_window_days or land the data"
            )
        if preds.engine is not labels.engine:
            raise RetrainingError(
                f"{where}: the prediction log and the labels live in different engines (files and a "
                "warehouse table): keep both as files or both as warehouse tables"
            )
        sql = render_sql(
            "retraining/select_training_rows.sql.j2",
            predictions=preds.sql,
            labels=labels.sql,
            join_key=quote_ident(model.labels.join_key),
            label=quote_ident(model.labels.label_column),
            id=quote_ident(model.columns.id),
            order_id=quote_ident(model.columns.id),
            columns=",\n        ".join(f"p.{quote_ident(c)}" for c in _row_columns(model)),
        )
        rows = preds.engine.fetch_arrow(sql)
        parts = _day_files(preds, registry, model.prediction_log) + _day_files(
            labels, registry, model.labels.dataset
        )
        extra = _table_digests(preds, labels, rows, model)
    finally:
        engine.close()
    labelled = sorted({d for d in rows.column("steward_window").to_pylist() if d is not None})
    if len(labelled) <= holdout_span:
        raise RetrainingError(
            f"{where}: {len(labelled)} labelled day(s) in {days[0]}..{days[-1]} ({rows.num_rows} rows), "
            f"need more than retraining.holdout_days ({holdout_span}) to keep days for training; "
            "widen retraining.training_window_days or wait for labels"
        )
    cut = labelled[-holdout_span]
    in_holdout = pc.greater_equal(rows.column("steward_window"), pa.scalar(cut, pa.date32()))
    holdout, train = rows.filter(in_holdout), rows.filter(pc.invert(in_holdout))
    windows = [
        _window(model.prediction_log, "train", labelled[0], labelled[-holdout_span - 1], bad_preds),
        _window(model.prediction_log, "holdout", cut, labelled[-1], bad_preds),
        _window(model.labels.dataset, "labels", labels.days[0] if labels.days else None, night, bad_labels),
    ]
    return TrainingSet(model.name, night, train, holdout, windows, _fingerprint(parts, extra))


def _window(
    dataset: str, role: str, start: dt.date | None, end: dt.date, excluded: list[dt.date]
) -> dict[str, Any]:
    return {
        "dataset": dataset,
        "role": role,
        "start": start.isoformat() if start else None,
        "end": end.isoformat(),
        "excluded_quarantined": [d.isoformat() for d in excluded],
    }


def _table_digests(preds: Relation, labels: Relation, rows: pa.Table, model: Model) -> list[str]:
    """Digest warehouse-table sources (no files): per day, row count and hash of sorted (id, label) pairs."""
    if preds.files and labels.files:
        return []
    out = []
    days = rows.column("steward_window").to_pylist()
    ids = [
        f"{i}:{y}"
        for i, y in zip(
            rows.column(model.columns.id).to_pylist(), rows.column("label").to_pylist(), strict=True
        )
    ]
    by_day: dict[str, list[str]] = {}
    for d, i in zip(days, ids, strict=True):
        by_day.setdefault(str(d), []).append(i)
    for d, values in by_day.items():
        digest = hashlib.sha256(json.dumps(sorted(values)).encode()).hexdigest()
        out.append(f"table\t{model.prediction_log}\t{d}\t{len(values)}\t{digest}")
    return out
