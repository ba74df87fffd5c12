"""Monitor one model for one window: drift, prediction drift, performance with late labels, review queue.

Everything row-level is SQL run where the rows live (DuckDB over the lake's files, or the warehouse
for table sources); Python sees aggregates only. Each stage returns its rows; all results of a night
(drift_metrics, review_queue, model_performance, control_chart_points, monitoring_breaches,
monitoring_runs) are written at the end in one transaction, each table replaced exactly for its own
keys, so a failure anywhere leaves the warehouse as it was, and a rerun or backfill writes the same
rows and never duplicates them. (The reference profile, computed once per reference, is stored
when it is built.)
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from steward._dates import check_date
from steward.monitoring._aggregate import ColumnProfile, ColumnType, WindowCounts, aggregate, column_types
from steward.monitoring._asof import asof_writes
from steward.monitoring._charts import chart_model, registry_fingerprint
from steward.monitoring._judge import ColumnDrift, apply_fdr, judge_column, missing_column
from steward.monitoring._outcome import MonitoringOutcome, Status
from steward.monitoring._performance import evaluate_performance
from steward.monitoring._reference import (
    Reference,
    ReferenceNotReady,
    horizon_days,
    load_or_build,
    reference_relation,
    score_reference_days,
)
from steward.monitoring._relation import Relation, dataset_relation, scan_engine
from steward.monitoring._review import review_segments
from steward.monitoring._version import window_versions
from steward.registry import Model, Registry
from steward.sources import SourceError
from steward.warehouse import Warehouse

__all__ = ["MonitoringError", "monitor_relation", "monitor_window", "quarantined_days"]

log = logging.getLogger(__name__)


class MonitoringError(RuntimeError):
    """Monitoring could not run for a model and window; the message names both and the fix."""


def quarantined_days(warehouse: Warehouse, dataset: str, days: Sequence[dt.date]) -> set[dt.date]:
    """Return the days among ``days`` whose partition of ``dataset`` is quarantined."""
    if not days:
        return set()
    rows = warehouse.fetch(
        "select partition_date from quarantine where dataset = :d and partition_date between :a and :b",
        {"d": dataset, "a": min(days), "b": max(days)},
    )
    found = {r["partition_date"] for r in rows}
    return {d for d in days if d in found}


def _score_reference(
    model: Model, registry: Registry, day: dt.date, *, warehouse: Warehouse, engine: Warehouse, run_id: str
) -> tuple[ColumnProfile | None, str]:
    """Return the score profile from ``monitoring.prediction_reference``, or None and why not."""
    days = score_reference_days(model)
    score = model.columns.score
    if days is None or score is None:
        return (
            None,
            "no score reference: the reference has no score column and no prediction_reference is set",
        )
    if days[-1] >= day:
        return None, f"the score reference window ends {days[-1]}: usable from the next day's window"
    try:
        rel = dataset_relation(
            registry.dataset(model.prediction_log), days, warehouse=warehouse, engine=engine
        )
        ref = load_or_build(
            model,
            rel,
            [score],
            role_of={score: "score"},
            warehouse=warehouse,
            run_id=run_id,
            source=f"{model.prediction_log} {days[0]}..{days[-1]}",
        )
    except (SourceError, ReferenceNotReady) as exc:
        return None, f"score reference unavailable: {exc}"
    return ref.get(score), ""


def monitor_window(
    model: Model,
    day: dt.date,
    *,
    registry: Registry,
    warehouse: Warehouse,
    run_id: str,
    reports_dir: Path | None = None,
    engine: Warehouse | None = None,
    write_report: bool = True,
    also_write: Sequence[tuple[str, Mapping[str, Any], Any]] = (),
    fairness_rows: Sequence[Mapping[str, Any]] = (),
) -> MonitoringOutcome:
    """Monitor ``model``'s prediction-log partition ``day`` and write every result table.

    Parameters
    ----------
    model, day
        The registered model and the window (one partition of its prediction log).
    registry
        The registry (datasets of the log, labels and reference).
    warehouse
        Where results are written (and table sources read).
    run_id
        Recorded on every row.
    reports_dir
        Where the HTML report goes (default ``$STEWARD_HOME/reports``); ``None`` writes the default.
    engine
        The engine that reads files (default: a fresh in-memory DuckDB with a 1 GB budget).
    write_report
        Write the HTML report (plots take a second or two; backfills may skip them).
    also_write, fairness_rows
        More rows of the same night (its fairness tables) written in the same transaction, and their
        ``fairness_metrics`` rows for the control charts (see :func:`steward.monitoring.monitor_night`).

    Returns
    -------
    MonitoringOutcome
        ``status`` ``skipped`` when the partition is quarantined (nothing is written then).

    Raises
    ------
    SourceError
        The window's files are missing, empty or corrupt.
    MonitoringError
        The reference cannot be built (named, with the fix).
    """
    check_date(day, what=f"model {model.name!r}: window date")  # before anything is written
    started = time.monotonic()
    engine = engine or scan_engine()
    log_dataset = registry.dataset(model.prediction_log)
    # the label horizon (tonight and the days whose labels may still arrive), looked up once
    horizon = horizon_days(day, model.monitoring.label_horizon_days)
    quarantined = quarantined_days(warehouse, log_dataset.name, horizon)
    if day in quarantined:
        return MonitoringOutcome(
            model.name,
            day,
            status="skipped",
            message=f"partition {day} of {log_dataset.name} is quarantined by data quality: not monitored",
        )
    window = dataset_relation(log_dataset, [day], warehouse=warehouse, engine=engine)
    try:
        ref_rel = reference_relation(model, registry, warehouse=warehouse, engine=engine)
    except SourceError as exc:
        raise MonitoringError(f"model {model.name!r}: its reference cannot be read: {exc}") from exc
    labels = _labels_relation(model, registry, horizon, warehouse=warehouse, engine=engine)
    # performance is (re)computed for the horizon's windows that are not quarantined
    history = [d for d in horizon if d not in quarantined] if model.labels and model.columns.score else []
    perf_rel = (
        dataset_relation(log_dataset, history, warehouse=warehouse, engine=engine, skip_missing=True)
        if history
        else None
    )
    outcome = monitor_relation(
        model,
        day,
        window=window,
        reference=ref_rel,
        reference_source=_describe_reference(model),
        warehouse=warehouse,
        run_id=run_id,
        score_reference=_score_reference(
            model, registry, day, warehouse=warehouse, engine=engine, run_id=run_id
        ),
        performance_relation=perf_rel,
        labels_relation=labels,
        reports_dir=reports_dir,
        write_report=write_report,
        also_write=also_write,
        fairness_rows=fairness_rows,
        sensitivity=log_dataset.sensitivity,
    )
    outcome.duration_s = time.monotonic() - started
    return outcome


def _describe_reference(model: Model) -> str:
    ref = model.reference
    if ref is None:
        return "(none)"
    return ref.dataset if ref.dataset else f"{model.prediction_log} {ref.window_start}..{ref.window_end}"


def _labels_relation(
    model: Model, registry: Registry, horizon: Sequence[dt.date], *, warehouse: Warehouse, engine: Warehouse
) -> Relation | None:
    """Labels that have arrived for the label ``horizon`` (arrival partitions, or all rows); None if none."""
    if model.labels is None:
        return None
    ds = registry.dataset(model.labels.dataset)
    try:
        return dataset_relation(ds, horizon, warehouse=warehouse, engine=engine, skip_missing=True)
    except SourceError:
        log.info("no labels of %s have arrived for %s..%s", model.name, horizon[0], horizon[-1])
        return None


def monitor_relation(
    model: Model,
    day: dt.date,
    *,
    window: Relation,
    reference: Relation,
    reference_source: str,
    warehouse: Warehouse,
    run_id: str,
    score_reference: tuple[ColumnProfile | None, str] = (None, "no score reference"),
    performance_relation: Relation | None = None,
    labels_relation: Relation | None = None,
    reports_dir: Path | None = None,
    write_report: bool = True,
    also_write: Sequence[tuple[str, Mapping[str, Any], Any]] = (),
    fairness_rows: Sequence[Mapping[str, Any]] = (),
    sensitivity: str = "internal",
) -> MonitoringOutcome:
    """Monitor ``window`` against ``reference`` (any relations: a partition, a whole file) and write results.

    :func:`monitor_window` builds the relations from the registry; the CLI passes a reference file and
    a current file directly. See :func:`monitor_window` for the tables written. ``sensitivity`` is the
    prediction log's class: restricted logs keep no example row ids in the review queue.
    """
    check_date(day, what=f"model {model.name!r}: window date")
    started = time.monotonic()
    score = model.columns.score
    outcome = MonitoringOutcome(model.name, day)
    profiled = _profile(
        model,
        window=window,
        reference=reference,
        reference_source=reference_source,
        score_reference=score_reference[0],
        warehouse=warehouse,
        run_id=run_id,
    )
    outcome.reference_id = profiled.reference.reference_id
    counts = _count(model, day, window, profiled)
    outcome.rows = counts.n_rows
    judged = _judge(
        model, profiled, counts, reference_source=reference_source, no_score_reason=score_reference[1]
    )
    outcome.drift = list(judged.drift)
    outcome.drift_share = judged.drift_share
    outcome.dataset_drift = judged.dataset_drift
    outcome.prediction_drift = judged.prediction_drift

    if score and score in counts.columns:
        outcome.review = review_segments(
            model,
            window,
            {p.name: (p, counts.columns[p.name]) for p in profiled.counted},
            n_rows=counts.n_rows,
            n_low=counts.n_low,
            day=day,
            sensitivity=sensitivity,
        )

    if performance_relation is not None and score:
        outcome.performance = evaluate_performance(
            model, performance_relation, labels_relation, warehouse=warehouse
        )
        outcome.performance_breach = any(w.breach is not None for w in outcome.performance)

    versions = window_versions(model, performance_relation) if performance_relation is not None else {}
    versions.update(window_versions(model, window))
    writes = _writes(model, day, outcome, run_id=run_id, versions=versions)
    tonight_performance = [
        {**r, "window_date": key["window_date"]}
        for table, key, rows in writes
        if table == "model_performance"
        for r in rows
    ]
    night = chart_model(
        model,
        day,
        warehouse=warehouse,
        run_id=run_id,
        drift_rows=[
            {**r, "window_date": day} for table, _, rows in writes if table == "drift_metrics" for r in rows
        ],
        performance_rows=tonight_performance,
        fairness_rows=fairness_rows,
        registry_fingerprint=registry_fingerprint(model),
    )
    outcome.chart_alerts = list(night.alerts)
    outcome.chart_episodes = list(night.episodes)
    outcome.breaches = _breach_rows(model, day, outcome, run_id=run_id) + list(night.breaches)
    # read from the breach rows; an alert episode still open keeps the night a breach (its one
    # breach row is on the night the episode began)
    outcome.status = "breach" if outcome.chart_alerts else _night_status(outcome.drift, outcome.breaches)
    outcome.duration_s = time.monotonic() - started  # the report shows the computation's time
    if write_report:
        from steward.monitoring._report import write_model_report

        outcome.report_path = str(
            write_model_report(
                model,
                day,
                outcome,
                warehouse=warehouse,
                reports_dir=reports_dir,
                chart_rows=night.rows,
                performance_rows=tonight_performance,
            )
        )
    outcome.duration_s = time.monotonic() - started
    now = dt.datetime.now(dt.UTC)
    # the whole night in one transaction: all or nothing
    warehouse.replace_partitions(
        [
            *also_write,
            *writes,
            *asof_writes(model.name, day, [*also_write, *writes], run_id=run_id, now=now),  # DDL 0021
            ("control_chart_points", {"model": model.name}, list(night.rows)),
            (
                "monitoring_breaches",
                {"model": model.name, "window_date": day, "kind": "drift"},
                _rows(outcome.breaches, "drift", day),
            ),
            (
                "monitoring_breaches",
                {"model": model.name, "window_date": day, "kind": "control_chart"},
                _rows(outcome.breaches, "control_chart", day),
            ),
            *(
                (
                    "monitoring_breaches",
                    {"model": model.name, "window_date": w.window, "kind": "performance"},
                    _rows(outcome.breaches, "performance", w.window),
                )
                for w in outcome.performance
            ),
            (
                "monitoring_runs",
                {"model": model.name, "window_date": day},
                [{**_run_row(outcome, run_id, now), "registry_fingerprint": registry_fingerprint(model)}],
            ),
        ]
    )
    outcome.message = outcome.summary()
    return outcome


@dataclass(frozen=True)
class _Profiled:
    """The profile stage: the reference's profiles and which monitored columns the window holds."""

    reference: Reference
    #: The score's reference profile (from the reference itself, else the score reference), or None.
    score_profile: ColumnProfile | None
    #: Each feature's (and the score's) type in the window, None when the window lacks it.
    present: Mapping[str, ColumnType | None]

    @property
    def features(self) -> tuple[ColumnProfile, ...]:
        """The reference's feature profiles."""
        return tuple(p for p in self.reference.profiles if p.role == "feature")

    @property
    def counted(self) -> tuple[ColumnProfile, ...]:
        """The feature profiles whose column the window holds (counted tonight)."""
        return tuple(p for p in self.features if self.present.get(p.name) is not None)


@dataclass(frozen=True)
class _Judged:
    """The judge stage: every column's verdict (FDR applied) and the night's drift summary."""

    drift: tuple[ColumnDrift, ...]
    drift_share: float
    dataset_drift: bool
    prediction_drift: bool


def _profile(
    model: Model,
    *,
    window: Relation,
    reference: Relation,
    reference_source: str,
    score_reference: ColumnProfile | None,
    warehouse: Warehouse,
    run_id: str,
) -> _Profiled:
    """Load (or build once and store) the reference profiles; read the window's column types."""
    score = model.columns.score
    monitored = [*model.features, *([score] if score else [])]
    score_in_reference = bool(score and column_types(reference, monitored).get(score))
    try:
        ref = load_or_build(
            model,
            reference,
            [*model.features, *([score] if score_in_reference and score else [])],
            role_of={c: "feature" for c in model.features} | ({score: "score"} if score else {}),
            warehouse=warehouse,
            run_id=run_id,
            source=reference_source,
        )
    except ReferenceNotReady as exc:
        raise MonitoringError(f"model {model.name!r}: {exc}") from exc
    return _Profiled(
        reference=ref,
        score_profile=ref.get(score) if score_in_reference and score else score_reference,
        present=column_types(window, monitored),
    )


def _count(model: Model, day: dt.date, window: Relation, profiled: _Profiled) -> WindowCounts:
    """Count the window into the reference's bins and categories, with the review band's rows: one scan."""
    score = model.columns.score
    scored = score if score and profiled.present.get(score) else None
    specs = [p.spec for p in profiled.counted]
    if profiled.score_profile is not None and scored:
        specs.append(profiled.score_profile.spec)
    if not specs:
        raise MonitoringError(
            f"model {model.name!r}, window {day}: none of its features is in the window's data: "
            "check the prediction log's columns against the registry"
        )
    counts = aggregate(
        window,
        specs,
        score=scored,
        decision=model.thresholds.decision,
        band=model.thresholds.review_band,
    )
    if counts.n_rows == 0:
        raise MonitoringError(
            f"model {model.name!r}, window {day}: the prediction log has no rows for this window"
        )
    return counts


def _judge(
    model: Model,
    profiled: _Profiled,
    counts: WindowCounts,
    *,
    reference_source: str,
    no_score_reason: str,
) -> _Judged:
    """Judge every feature and the score against the reference, then the night's drift as a whole."""
    policy, score = model.monitoring, model.columns.score
    results: list[ColumnDrift] = []
    for p in profiled.features:
        if profiled.present.get(p.name) is None:
            results.append(missing_column(p, dataset=model.prediction_log))
        else:
            results.append(judge_column(p, counts.columns[p.name], n_rows=counts.n_rows, policy=policy))
    for name in model.features:
        if profiled.reference.get(name) is None:
            results.append(
                ColumnDrift(
                    feature=name,
                    role="feature",
                    column_type=None,
                    status="no_reference",
                    message=(
                        f"column {name!r} is not in the reference ({reference_source}): "
                        "add it there or drop the feature from the registry"
                    ),
                )
            )
    if score:
        if profiled.score_profile is not None and score in counts.columns:
            results.append(
                judge_column(
                    profiled.score_profile, counts.columns[score], n_rows=counts.n_rows, policy=policy
                )
            )
        else:
            why = (
                no_score_reason
                if profiled.score_profile is None
                else f"column {score!r} is missing from the window"
            )
            results.append(
                ColumnDrift(
                    feature=score, role="score", column_type="numeric", status="no_reference", message=why
                )
            )
    drift = apply_fdr(results, alpha=policy.alpha)
    judged = [d for d in drift if d.role == "feature" and d.status == "ok"]
    drifted = [d for d in drift if d.drifted and d.role == "feature"]  # as MonitoringOutcome counts them
    share = len(drifted) / len(judged) if judged else 0.0
    return _Judged(
        drift=tuple(drift),
        drift_share=share,
        dataset_drift=bool(judged) and share >= model.thresholds.drift_share,
        prediction_drift=any(d.drifted for d in drift if d.role == "score"),
    )


#: Column statuses that mean a declared feature could not be monitored at all tonight.
UNMONITORED = frozenset({"missing_column", "all_null", "no_reference"})


def _breaches(d: ColumnDrift) -> bool:
    """Whether a column's verdict is a breach row (every signal, and every unmonitored feature)."""
    unmonitored = d.status in UNMONITORED and (d.role == "feature" or d.status != "no_reference")
    return d.drifted or d.missing_alert or d.invalid_alert or d.new_category_alert or unmonitored


def _night_status(drift: Sequence[ColumnDrift], breaches: Sequence[dict[str, Any]]) -> Status:
    """Return the night's status, read from its breach rows so that the two always agree.

    ``ok`` exactly when there is no breach row; ``breach`` when a row is a performance or
    control-chart breach or names a feature that could not be monitored (absent from the window,
    entirely null, or absent from the reference); ``drift`` otherwise (drift, missing, invalid or
    new-category signals).
    """
    if not breaches:
        return "ok"
    unmonitored = {d.feature for d in drift if d.status in UNMONITORED and _breaches(d)}
    if any(b["kind"] != "drift" or b["subject"] in unmonitored for b in breaches):
        return "breach"
    return "drift"


def _rows(breaches: list[dict[str, Any]], kind: str, day: dt.date) -> list[dict[str, Any]]:
    return [b for b in breaches if b["kind"] == kind and b["window_date"] == day]


def _run_row(o: MonitoringOutcome, run_id: str, now: dt.datetime) -> dict[str, Any]:
    return {
        "status": o.status,
        "rows_scanned": o.rows,
        "features_checked": sum(1 for d in o.drift if d.role == "feature"),
        "features_drifted": len(o.drifted_features),
        "drift_share": o.drift_share,
        "dataset_drift": o.dataset_drift,
        "prediction_drift": o.prediction_drift,
        "performance_breach": o.performance_breach,
        "review_segments": len(o.review),
        "report_path": o.report_path,
        "message": o.summary(),
        "duration_s": o.duration_s,
        "run_id": run_id,
        "computed_at": now,
    }


def _writes(
    model: Model, day: dt.date, o: MonitoringOutcome, *, run_id: str, versions: Mapping[dt.date, str]
) -> list[tuple[str, dict[str, Any], Any]]:
    now = dt.datetime.now(dt.UTC)
    key = {"model": model.name, "window_date": day}
    drift_rows = [
        {**d.row(), "model_version": versions.get(day), "reference_id": o.reference_id, "run_id": run_id,
         "computed_at": now}
        for d in o.drift
    ]  # fmt: skip
    review_rows = [{**r.row(), "run_id": run_id, "computed_at": now} for r in o.review]
    writes: list[tuple[str, dict[str, Any], Any]] = [
        ("drift_metrics", key, drift_rows),
        ("review_queue", key, review_rows),
    ]
    for w in o.performance:
        writes.append(
            (
                "model_performance",
                {"model": model.name, "window_date": w.window},
                [
                    {**r, "model_version": versions.get(w.window), "run_id": run_id, "computed_at": now}
                    for r in w.rows
                ],
            )
        )
    return writes


def _breach_rows(model: Model, day: dt.date, o: MonitoringOutcome, *, run_id: str) -> list[dict[str, Any]]:
    now = dt.datetime.now(dt.UTC)
    out: list[dict[str, Any]] = []

    def add(
        kind: str,
        window: dt.date,
        subject: str,
        value: float | None,
        threshold: float | None,
        message: str,
        evidence: dict[str, Any],
    ) -> None:
        out.append(
            {
                "kind": kind,
                "window_date": window,
                "subject": subject,
                "value": value,
                "threshold": threshold,
                "message": message,
                "evidence_json": json.dumps(evidence, default=str, sort_keys=True),
                "run_id": run_id,
                "detected_at": now,
            }
        )

    for d in o.drift:
        if _breaches(d):
            add(
                "drift",
                day,
                d.feature,
                d.effect_size,
                d.effect_threshold,
                f"{d.role} {d.feature!r}: {d.message or d.status}",
                {k: v for k, v in d.row().items() if k not in {"current_counts_json"}},
            )
    if o.dataset_drift:
        add(
            "drift",
            day,
            "(dataset)",
            o.drift_share,
            model.thresholds.drift_share,
            f"dataset drift: {len(o.drifted_features)} features drifted ({o.drift_share:.0%} >= "
            f"{model.thresholds.drift_share:.0%}): {', '.join(o.drifted_features)}",
            {"drifted": o.drifted_features},
        )
    for w in o.performance:
        if w.breach is not None:
            add(
                "performance",
                w.window,
                w.breach.metric,
                w.breach.value,
                w.breach.threshold,
                w.breach.message,
                w.breach.evidence,
            )
    return out
