"""Run a one-off audit end to end: read, check, compute, store under ``adhoc-<name>``, report."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from steward.adhoc._fairness import FairnessAudit, prepare_fairness_audit
from steward.adhoc._inputs import AuditInputError, adhoc_model, adhoc_name, require_columns
from steward.registry import check_column
from steward.sources import FileFormat, scan_files_sql
from steward.warehouse import Warehouse

__all__ = ["AdhocOutcome", "compare_files", "run_fairness_audit"]


@dataclass(frozen=True)
class AdhocOutcome:
    """What a one-off run found and where it stored it."""

    kind: str
    stored_as: str
    window: dt.date
    summary: str
    warnings: tuple[str, ...]
    report_path: str | None
    breach: bool
    rows_written: int = 0
    details: list[str] = field(default_factory=list)


def _run_row(
    kind: str,
    stored_as: str,
    window: dt.date,
    run_id: str,
    files: Sequence[str],
    options: dict[str, Any],
    warnings: Sequence[str],
    summary: str,
) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "kind": kind,
        "stored_as": stored_as,
        "window_date": window,
        "files_json": json.dumps(list(files)),
        "options_json": json.dumps(options, sort_keys=True, default=str),
        "warnings_json": json.dumps(list(warnings)),
        "summary": summary,
        "computed_at": dt.datetime.now(dt.UTC),
    }


def run_fairness_audit(
    audit: FairnessAudit,
    *,
    warehouse: Warehouse,
    window: dt.date,
    run_id: str,
    reports_dir: Path,
) -> AdhocOutcome:
    """Audit the files' fairness and store it under ``adhoc-<name>`` (fairness tables + ``adhoc_runs``).

    Every table of the run is written in one transaction, after every check passed: a refused input
    leaves the warehouse as it was.
    """
    from steward.fairness import (
        Judgement,
        compute_fairness,
        count_groups,
        fairness_writes,
        write_fairness_report,
    )
    from steward.monitoring import scan_engine

    engine = scan_engine()
    try:
        prepared = prepare_fairness_audit(audit, engine)
        model = prepared.model
        counts = count_groups(
            engine.fetch, model, source_sql=prepared.source_sql, score_column=prepared.score_column
        )
    finally:
        engine.close()
    result = compute_fairness(
        counts, model, window=window, run_id=run_id, judgement=Judgement.for_model(model)
    )
    summary = result.summary()
    files = [f.path for f in audit.formats]
    writes = [
        *fairness_writes(model, window, result),
        (
            "adhoc_runs",
            {"run_id": run_id, "kind": "fairness_audit"},
            [
                _run_row(
                    "fairness_audit",
                    model.name,
                    window,
                    run_id,
                    files,
                    prepared.options,
                    prepared.warnings,
                    summary,
                )
            ],
        ),
    ]
    written = warehouse.replace_partitions(writes)
    report = write_fairness_report(
        warehouse, model, window, result, out_dir=reports_dir, warnings=prepared.warnings
    )
    return AdhocOutcome(
        kind="fairness_audit",
        stored_as=model.name,
        window=window,
        summary=summary,
        warnings=prepared.warnings,
        report_path=str(report),
        breach=result.breach,
        rows_written=written[2],
    )


def compare_files(
    reference: FileFormat,
    current: FileFormat,
    *,
    warehouse: Warehouse,
    window: dt.date,
    run_id: str,
    features: Sequence[str] | None = None,
    score: str | None = None,
    name: str | None = None,
    reports_dir: Path | None = None,
) -> AdhocOutcome:
    """Compare ``current`` with ``reference`` for drift, without a registry, stored as ``adhoc-<name>``.

    The features default to every column the two files share (``--features`` narrows them). The
    comparison is the nightly one (same profiles, tests, thresholds and report).
    """
    from steward.monitoring import MonitoringError, Relation, monitor_relation, scan_engine
    from steward.monitoring._relation import WINDOW_COLUMN

    shared = [c for c in reference.columns if c in set(current.columns) and c != WINDOW_COLUMN]
    if features:
        require_columns(list(reference.columns), {f: "--features" for f in features}, where=reference.path)
        require_columns(list(current.columns), {f: "--features" for f in features}, where=current.path)
        chosen = list(dict.fromkeys(features))
    else:
        chosen = [c for c in shared if c != score]
    if score is not None:
        require_columns(list(current.columns), {score: "--score"}, where=current.path)
    if not chosen:
        raise AuditInputError(
            f"{reference.path} and {current.path} share no column to compare "
            f"(reference: {', '.join(reference.columns[:10])}; current: {', '.join(current.columns[:10])})"
        )
    bad = [c for c in chosen if not _is_column(c)]
    if bad:
        raise AuditInputError(
            f"column names {bad} cannot be monitored as features (use letters, digits and underscores); "
            "rename them in the files or pass --columns for delimited text"
        )
    files = [reference.path, current.path]
    model = adhoc_model(
        adhoc_name(name, [current.path]),
        description=f"one-off drift comparison of {current.path} against {reference.path}",
        owner="steward monitor files",
        features=chosen,
        score=score,
    )
    engine = scan_engine()
    try:
        ref = Relation(
            f"select cast(null as date) as {WINDOW_COLUMN}, t.* from {scan_files_sql(reference)} as t",
            engine,
            (),
            (reference.path,),
        )
        cur = Relation(
            f"select cast('{window.isoformat()}' as date) as {WINDOW_COLUMN}, t.* "
            f"from {scan_files_sql(current)} as t",
            engine,
            (window,),
            (current.path,),
        )
        try:
            outcome = monitor_relation(
                model,
                window,
                window=cur,
                reference=ref,
                reference_source=reference.path,
                warehouse=warehouse,
                run_id=run_id,
                reports_dir=reports_dir,
            )
        except MonitoringError as exc:
            raise AuditInputError(str(exc)) from None
    finally:
        engine.close()
    warnings = tuple(f.note for f in (reference, current) if f.note)
    details = [
        f"{d.feature}: {d.message or d.status}"
        for d in outcome.drift
        if d.drifted or d.status != "ok" or d.missing_alert or d.invalid_alert or d.new_category_alert
    ]
    options = {"features": chosen, "score": score}
    summary = outcome.summary()
    warehouse.replace_partitions(
        [
            (
                "adhoc_runs",
                {"run_id": run_id, "kind": "drift_comparison"},
                [_run_row("drift_comparison", model.name, window, run_id, files, options, warnings, summary)],
            )
        ]
    )
    return AdhocOutcome(
        kind="drift_comparison",
        stored_as=model.name,
        window=window,
        summary=summary,
        warnings=warnings,
        report_path=outcome.report_path,
        breach=outcome.status == "breach",
        details=details,
    )


def _is_column(name: str) -> bool:
    """Whether ``name`` passes the registry's column rule (features are registry columns)."""
    try:
        check_column(name)
    except ValueError:
        return False
    return True
