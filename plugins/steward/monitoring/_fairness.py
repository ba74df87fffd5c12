"""Fairness of a model's nightly window, wired into monitoring (see :mod:`steward.fairness`).

The window's predictions are joined with the labels that have arrived so far (NULL label = not yet
labelled) inside the engine that reads them, and :func:`steward.fairness.evaluate_windows` aggregates
the confusion counts of every group and intersection of tonight's window and of every earlier window
of the label horizon in one SQL pass (grouped by window).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from steward import paths
from steward.fairness import (
    FairnessResult,
    Partition,
    assess_training_data,
    evaluate_horizon,
    evaluate_window,
    evaluate_windows,
    fairness_writes,
    file_source_sql,
    forget_windows,
    write_bias_assessment,
    write_fairness_report,
)
from steward.monitoring._aggregate import column_types
from steward.monitoring._asof import asof_writes
from steward.monitoring._reference import files_fingerprint, horizon_days
from steward.monitoring._relation import Relation, dataset_relation, files_relation, scan_engine
from steward.monitoring._version import majority_versions, stamp_version, version_column, window_versions
from steward.registry import Dataset, Model, Registry
from steward.sources import SourceError
from steward.warehouse import Warehouse, quote_ident

__all__ = [
    "FairnessNight",
    "assess_training_once",
    "fairness_night",
    "fairness_source_sql",
    "fairness_window",
    "write_night_report",
]

log = logging.getLogger(__name__)


def fairness_source_sql(model: Model, window: Relation, labels: Relation | None) -> str:
    """Return the window's rows with a ``label`` column (the arrived label, else NULL)."""
    if model.labels is None or labels is None:
        return f"select w.*, cast(null as integer) as label from ({window.sql}) as w"
    key = quote_ident(model.labels.join_key)
    label = quote_ident(model.labels.label_column)
    ident = quote_ident(model.columns.id)
    return (
        f"select w.*, l.steward_label as label from ({window.sql}) as w left join ("
        f"select {key} as steward_key, max(cast({label} as integer)) as steward_label "
        f"from ({labels.sql}) as lr where {label} is not null group by {key}"
        f") as l on w.{ident} = l.steward_key"
    )


def assess_training_once(
    model: Model, registry: Registry, *, warehouse: Warehouse, engine: Warehouse, run_id: str
) -> str | None:
    """Assess the model's training data for bias once per version of its files; return the version.

    The version is ``<dataset>@<hash of the files' paths, sizes and modification times>``: a new
    training snapshot is assessed on the first night it is in use, and never again after that.
    Returns None when the model has no training data (or it is a warehouse table, assessed with
    ``steward fairness assess``).
    """
    import hashlib
    import json

    from steward.sources._read import partition_files

    if model.training_data is None or not model.protected_attributes:
        return None
    ds = registry.dataset(model.training_data)
    if ds.source.path is None:
        return None
    try:
        files = partition_files(ds, None)
    except SourceError as exc:
        log.warning("bias assessment of %s skipped: %s", ds.name, exc)
        return None
    stamp = files_fingerprint(files)
    version = f"{ds.name}@{hashlib.sha256(json.dumps(stamp).encode()).hexdigest()[:12]}"
    done = warehouse.fetch(
        "select count(*) as n from bias_assessment where model = :m and dataset_version = :v",
        {"m": model.name, "v": version},
    )
    if done and int(done[0]["n"]):  # type: ignore[call-overload]
        return version
    label = model.labels.label_column if model.labels else model.columns.label
    source = file_source_sql(engine, files, fmt=ds.source.format or "parquet", label_column=label)
    rows = assess_training_data(engine, model, source_sql=source, dataset_version=version, run_id=run_id)
    write_bias_assessment(warehouse, model, version, rows)
    flagged = [r for r in rows if r.get("verdict") == "flagged"]
    log.info("bias assessment of %s (%s): %d rows, %d flagged", ds.name, version, len(rows), len(flagged))
    return version


@dataclass(frozen=True)
class FairnessNight:
    """One window's fairness, computed and not yet written: the rows go into the night's one transaction.

    ``writes`` are partition replaces for :meth:`Warehouse.replace_partitions` (this window and the
    earlier windows re-evaluated with the labels that arrived); ``rows`` their ``fairness_metrics`` rows
    (for the control charts); ``result`` tonight's window.
    """

    result: FairnessResult
    writes: list[tuple[str, dict[str, Any], Any]]
    rows: list[dict[str, Any]]
    redone: int
    assessed: str | None  # the snapshot version assessed tonight (once per version), if any
    counted: dict[dt.date, str] = field(default_factory=dict)  # full | delta | stored, from stored counts

    def summary(self, report_path: str | None) -> dict[str, Any]:
        """Return the JSON-ready summary of the night's fairness (logs, XCom, the CLI)."""
        return {
            "evaluated": True,
            "breach": bool(self.result.breach),
            "breaches": list(self.result.breaches),
            "summary": self.result.summary(),
            "report_path": report_path,
            "windows_reevaluated": self.redone,
            "training_data_assessed": self.assessed,
            "windows_counted": {k: list(self.counted.values()).count(k) for k in ("full", "delta", "stored")},
        }


def fairness_night(
    model: Model,
    day: dt.date,
    *,
    registry: Registry,
    warehouse: Warehouse,
    run_id: str,
    engine: Warehouse | None = None,
) -> FairnessNight | str:
    """Evaluate ``model``'s window ``day`` (and re-evaluate the label horizon); write nothing.

    Returns the computed night, or a sentence saying why nothing was evaluated (no protected
    attributes, a quarantined partition). The training snapshot's bias assessment, done once per
    snapshot version, is written at once (it is keyed by the version, not by the night).
    """
    from steward.monitoring._run import quarantined_days

    if not model.protected_attributes:
        return "no protected attributes declared"
    log_ds = registry.dataset(model.prediction_log)
    if quarantined_days(warehouse, log_ds.name, [day]):
        return f"{log_ds.name} {day} is quarantined"
    engine = engine or scan_engine()
    assessed = assess_training_once(model, registry, warehouse=warehouse, engine=engine, run_id=run_id)
    horizon = model.monitoring.label_horizon_days if model.labels is not None else 0
    days = horizon_days(day, horizon)
    if model.labels is not None and horizon > 0:
        labels_ds = registry.dataset(model.labels.dataset)
        if log_ds.source.partitioned_by_path and labels_ds.source.partitioned_by_path:
            return _stored_night(
                model,
                log_ds,
                labels_ds,
                days,
                warehouse=warehouse,
                engine=engine,
                run_id=run_id,
                assessed=assessed,
            )
    labels: Relation | None = None
    if model.labels is not None:
        try:
            labels = dataset_relation(
                registry.dataset(model.labels.dataset),
                days,
                warehouse=warehouse,
                engine=engine,
                skip_missing=True,
            )
        except SourceError:
            labels = None
    if labels is not None and labels.engine is engine and labels.files:
        # Read the arrived labels once (not once per window) into the private engine's memory.
        assert model.labels is not None
        key, label = quote_ident(model.labels.join_key), quote_ident(model.labels.label_column)
        table = quote_ident(f"steward_labels_{model.name}")
        engine.execute(
            f"create or replace temp table {table} as select {key}, max(cast({label} as integer)) as {label} "
            f"from ({labels.sql}) as lr where {label} is not null group by {key}"
        )
        labels = Relation(f"select * from {table}", engine, labels.days)
    # Earlier windows are re-evaluated too: their label-based metrics (TPR, FPR, ...) change as labels arrive.
    skip = quarantined_days(warehouse, log_ds.name, days)
    past = [p for p in days[:-1] if p not in skip] if labels is not None else []
    results, versions = _horizon_results(
        model, log_ds, past, day, labels, warehouse=warehouse, engine=engine, run_id=run_id
    )
    if versions is None:  # evaluated window by window: the versions take one scan of their own
        versions = _horizon_versions(model, log_ds, list(results), warehouse=warehouse, engine=engine)
    return _night(model, day, results, versions, [], assessed)


def _night(
    model: Model,
    day: dt.date,
    results: dict[dt.date, FairnessResult],
    versions: dict[dt.date, str],
    stored: list[tuple[str, dict[str, Any], Any]],
    assessed: str | None,
    counted: dict[dt.date, str] | None = None,
) -> FairnessNight:
    """Return the night: each window's fairness rows (stamped with its majority version), then ``stored``."""
    rows: list[dict[str, Any]] = []
    writes: list[tuple[str, dict[str, Any], Any]] = []
    for window_day, evaluated in results.items():
        writes += stamp_version(
            fairness_writes(model, window_day, evaluated), "fairness_metrics", versions.get(window_day)
        )
        rows += [{**r, "window_date": window_day} for r in evaluated.rows]
    result, redone = results[day], len(results) - 1
    log.info("fairness of %s %s: %d earlier windows re-evaluated with their labels", model.name, day, redone)
    return FairnessNight(result, [*writes, *stored], rows, redone, assessed, counted or {})


def _stored_night(
    model: Model,
    log_ds: Dataset,
    labels_ds: Dataset,
    days: list[dt.date],
    *,
    warehouse: Warehouse,
    engine: Warehouse,
    run_id: str,
    assessed: str | None,
) -> FairnessNight:
    """Evaluate the label horizon from stored counts, updated with the labels that arrived since.

    Used when the log and its labels are daily files (``{date}`` paths): each partition's fingerprint
    (its files' paths, sizes and times) tells whether stored counts still hold. The results equal a
    full recount (:func:`steward.fairness.evaluate_horizon`); the stored counts are written with the
    night's rows. Quarantined earlier windows are left out and their stored counts dropped.
    """
    from steward.monitoring._run import quarantined_days
    from steward.sources._read import partition_files

    day = days[-1]

    def partition(ds: Dataset, d: dt.date, *, required: bool = False) -> Partition | None:
        try:
            files = partition_files(ds, d)
        except SourceError:
            if required:
                raise
            return None
        sql = files_relation(engine, files, ds.source.format or "parquet", window=d)
        stamp = hashlib.sha256(json.dumps(files_fingerprint(files)).encode()).hexdigest()
        return Partition(d, sql, stamp)

    skip = set(quarantined_days(warehouse, log_ds.name, days[:-1]))
    labels = [p for d in days if (p := partition(labels_ds, d)) is not None]
    # no label arrived in the horizon: tonight's window only, as when every window is counted
    earlier = days[:-1] if labels else []
    windows = [p for d in earlier if d not in skip and (p := partition(log_ds, d)) is not None]
    tonight = partition(log_ds, day, required=True)
    assert tonight is not None
    windows.append(tonight)
    relation = dataset_relation(log_ds, [day], warehouse=warehouse, engine=engine)
    column, timestamp = _version_columns(model, relation)
    night = evaluate_horizon(
        engine,
        warehouse,
        model,
        windows=windows,
        labels=labels,
        earlier_labels=lambda d: partition(labels_ds, d),
        run_id=run_id,
        version_column=column,
        timestamp_column=timestamp,
    )
    versions = _majority_versions(model, night.results, column)
    how = {k: sum(1 for v in night.counted.values() if v == k) for k in ("full", "delta", "stored")}
    log.info("fairness of %s %s from stored counts: windows %s", model.name, day, how)
    writes = [*night.writes, *forget_windows(model, sorted(skip))]
    return _night(model, day, night.results, versions, writes, assessed, night.counted)


def _version_columns(model: Model, relation: Relation) -> tuple[str | None, str | None]:
    """Return the log's model-version column and, when the log has it, its timestamp column."""
    timestamp = model.columns.timestamp
    has_ts = column_types(relation, [timestamp]).get(timestamp) is not None
    return version_column(model, relation), timestamp if has_ts else None


def _majority_versions(
    model: Model, results: Mapping[dt.date, FairnessResult], column: str | None
) -> dict[dt.date, str]:
    """Return each window's majority model version (none when the log names no version)."""
    counted = [v for r in results.values() for v in r.versions]
    return majority_versions(counted, model=model.name) if column else {}


def _horizon_versions(
    model: Model, log_ds: Dataset, days: Sequence[dt.date], *, warehouse: Warehouse, engine: Warehouse
) -> dict[dt.date, str]:
    """Return the majority model version of each window of ``days`` that landed (one scan)."""
    if not days:
        return {}
    try:
        relation = dataset_relation(log_ds, list(days), warehouse=warehouse, engine=engine, skip_missing=True)
    except SourceError:
        return {}
    return window_versions(model, relation)


def _horizon_results(
    model: Model,
    log_ds: Dataset,
    past: list[dt.date],
    day: dt.date,
    labels: Relation | None,
    *,
    warehouse: Warehouse,
    engine: Warehouse,
    run_id: str,
) -> tuple[dict[dt.date, FairnessResult], dict[dt.date, str] | None]:
    """Evaluate window ``day`` and the earlier windows ``past`` that have landed, in date order.

    One aggregation over all of them (grouped by window, each window's model versions counted in
    the same pass), when the log names each row's window (a ``{date}`` path or a partition column);
    otherwise one evaluation per window. Returns the results and the windows' majority versions
    (None when they were not counted: evaluated window by window).
    """
    windowed = log_ds.source.partitioned_by_path or log_ds.partition_column is not None
    if past and windowed:
        try:
            relation: Relation | None = dataset_relation(
                log_ds, [*past, day], warehouse=warehouse, engine=engine, skip_missing=True
            )
        except SourceError:
            relation = None
        if relation is None or day not in relation.days:
            dataset_relation(log_ds, [day], warehouse=warehouse, engine=engine)  # raises, naming tonight
            raise AssertionError(f"{log_ds.name} {day}: listed alone but not with the horizon")
        column, timestamp = _version_columns(model, relation)
        evaluated = evaluate_windows(
            engine,
            model,
            source_sql=fairness_source_sql(model, relation, labels),
            windows=list(relation.days),
            run_id=run_id,
            version_column=column,
            timestamp_column=timestamp,
        )
        return evaluated, _majority_versions(model, evaluated, column)
    results: dict[dt.date, FairnessResult] = {}
    for window_day in [*past, day]:
        try:
            relation = dataset_relation(log_ds, [window_day], warehouse=warehouse, engine=engine)
        except SourceError:
            if window_day == day:
                raise
            continue  # an earlier partition that never landed
        source = fairness_source_sql(model, relation, labels)
        results[window_day] = evaluate_window(
            engine, model, source_sql=source, window=window_day, run_id=run_id
        )
    return results, None


def write_night_report(
    model: Model, day: dt.date, night: FairnessNight, *, warehouse: Warehouse, reports_dir: Path | None = None
) -> Path:
    """Write the window's fairness report (after the night's rows are written: it plots their history)."""
    out_dir = (reports_dir or paths.reports_dir()) / "fairness"
    return write_fairness_report(warehouse, model, day, night.result, out_dir=out_dir)


def fairness_window(
    model: Model,
    day: dt.date,
    *,
    registry: Registry,
    warehouse: Warehouse,
    run_id: str,
    reports_dir: Path | None = None,
    engine: Warehouse | None = None,
) -> dict[str, Any]:
    """Evaluate, store (one transaction) and report ``model``'s window ``day``; return a summary.

    :func:`steward.monitoring.monitor_night` instead writes these rows in the night's one transaction.
    """
    night = fairness_night(model, day, registry=registry, warehouse=warehouse, run_id=run_id, engine=engine)
    if isinstance(night, str):
        return {"evaluated": False, "note": night}
    now = dt.datetime.now(dt.UTC)
    history = asof_writes(model.name, day, night.writes, run_id=run_id, now=now, whole_night=False)
    warehouse.replace_partitions([*night.writes, *history])
    report = write_night_report(model, day, night, warehouse=warehouse, reports_dir=reports_dir)
    return night.summary(str(report))
