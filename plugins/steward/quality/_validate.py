"""Validate one dataset partition, record the results, quarantine bad batches.

The flow for one dataset and one day:

1. read the partition (missing, empty, corrupt files become an ``error`` outcome);
2. run the dataset's GX suite;
3. decide: a failed ``critical`` expectation (a missing column fails the expectations that use it,
   at their severity) quarantines the batch; ``warning`` failures are recorded and do not fail the
   run; failed expectations keep a sample of their unexpected values (masked for confidential and
   restricted datasets);
4. write ``dq_results`` (one row per expectation), ``quarantine`` and, last, ``dq_runs``
   (the outcome that downstream monitoring reads), each replacing exactly this
   dataset x partition, so a rerun writes the same rows;
5. write an HTML report and return a small :class:`ValidationOutcome` (safe for XCom).
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import logging
import time
from dataclasses import asdict, replace
from pathlib import Path

from steward._dates import check_date
from steward.quality._gx import ExpectationOutcome, run_suite
from steward.quality._outcome import ValidationOutcome
from steward.quality._report import write_dataset_report
from steward.quality._suites import SuiteError, referenced_columns, suite_for
from steward.registry import Dataset, Registry, mask_examples, masks_examples
from steward.sources import SourceError, read_partition
from steward.warehouse import Warehouse

__all__ = ["validate_partition"]

log = logging.getLogger(__name__)


def _describe(o: ExpectationOutcome, missing: dict[str, str] | None = None) -> str:
    target = f"{o.column_name}: " if o.column_name else ""
    if missing and o.column_name is not None and o.column_name in missing:  # once, instead of GX's text
        return f"{target}{o.expectation_type} [{o.severity}] — {missing[o.column_name]}"
    detail = ""
    if o.unexpected_count:
        pct = f" ({o.unexpected_percent:.2f}%)" if o.unexpected_percent is not None else ""
        detail = f" — {o.unexpected_count} unexpected{pct}"
        if o.unexpected_sample_json:
            sample = json.loads(o.unexpected_sample_json)
            shown = ", ".join(f"{s['value']!r} x{s['count']}" for s in sample[:5])
            detail += f", e.g. {shown}"
    elif o.observed_value is not None:
        detail = f" — observed {o.observed_value[:80]}"
    if o.exception_message:
        detail += f" — error: {o.exception_message[:160]}"
    return f"{target}{o.expectation_type} [{o.severity}]{detail}"


def _missing_columns(suite: dict, present: list[str]) -> dict[str, str]:
    """Return each column the suite uses that the partition lacks, with a sentence (and a likely rename)."""
    messages = {}
    for col in referenced_columns(suite):
        if col not in present:
            close = difflib.get_close_matches(col, present, n=1)
            hint = f" (renamed to {close[0]!r}?)" if close else ""
            messages[col] = f"column {col!r} is missing{hint}"
    return messages


def _masked(results: list[ExpectationOutcome], dataset: Dataset) -> list[ExpectationOutcome]:
    """Replace sample values by a mask for sensitive datasets (the counts stay)."""
    if not masks_examples(dataset.sensitivity):
        return results
    out = []
    for r in results:
        if r.unexpected_sample_json:
            sample = json.loads(r.unexpected_sample_json)
            values = mask_examples([s["value"] for s in sample], sensitivity=dataset.sensitivity)
            masked = [{"value": v, "count": s["count"]} for v, s in zip(values, sample, strict=True)]
            r = replace(r, unexpected_sample_json=json.dumps(masked))
        out.append(r)
    return out


def _event_id(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def validate_partition(
    registry: Registry,
    dataset_name: str,
    day: dt.date,
    *,
    warehouse: Warehouse,
    run_id: str,
    reports_dir: Path | None = None,
    attempt: int = 1,
) -> ValidationOutcome:
    """Validate ``dataset_name``'s partition for ``day`` and record everything in the warehouse.

    Parameters
    ----------
    registry
        The loaded governance registry.
    dataset_name
        A registered dataset.
    day
        The partition date (for snapshot datasets: the date the snapshot is validated as of).
    warehouse
        Where ``dq_results``, ``dq_runs``, ``quarantine`` and ``audit_log`` are written.
    run_id
        The Airflow run id, or a CLI run id; stored on every row.
    reports_dir
        Where the HTML report goes (default ``$STEWARD_HOME/reports``).
    attempt
        The task's try number: each attempt is its own ``audit_log`` event (the log is append-only),
        while the partition's tables are replaced.

    Returns
    -------
    ValidationOutcome
        ``status`` is ``passed``, ``warning`` (only warning-severity failures), ``failed``
        (a critical failure: the batch is quarantined) or ``error`` (the data could not be
        read or the suite is broken).

    Raises
    ------
    steward.warehouse.WarehouseError
        The warehouse could not be written (infrastructure: worth a retry).
    """
    check_date(day, what=f"dataset {dataset_name!r}: partition date")  # before anything is written
    started = time.monotonic()
    dataset: Dataset = registry.dataset(dataset_name)
    suite_name = dataset.suite_name
    validated_at = dt.datetime.now(dt.UTC)
    outcome = ValidationOutcome(
        dataset=dataset.name, partition_date=day.isoformat(), suite=suite_name, status="error"
    )
    results: list[ExpectationOutcome] = []
    files: list[str] = []
    try:
        suite = suite_for(suite_name, explicit=dataset.suite is not None, key_columns=dataset.key_columns)
        outcome.suite = suite_name = str(suite["name"])
        for expectation in suite["expectations"]:  # the dataset's severity is the suite's default
            expectation.setdefault("severity", dataset.severity)
        part = read_partition(dataset, None if dataset.cadence == "snapshot" else day, warehouse=warehouse)
        files = part.files
        outcome.row_count = part.num_rows
        frame = part.table.to_pandas()
        missing = _missing_columns(suite, list(frame.columns))
        results = _masked(run_suite(frame, suite, asset_name=dataset.name), dataset)
    except SourceError as exc:
        outcome.message = str(exc)
        quarantine = exc.kind in ("empty", "corrupt", "schema")
        outcome.quarantined = quarantine
        outcome.failed_expectations = []
        log.error("%s", outcome.message)
    except SuiteError as exc:
        outcome.message = f"dataset {dataset.name!r}, partition {day}: {exc}"
        log.error("%s", outcome.message)
    else:
        # A missing column fails the expectations that use it, at their own severity: one used only by
        # warning checks is a warning, not a quarantine. Counts come from the results alone, so the
        # message, dq_runs and the report agree.
        failed = [r for r in results if not r.success]
        outcome.evaluated = len(results)
        outcome.failed = len(failed)
        outcome.critical_failed = sum(r.severity == "critical" for r in failed)
        outcome.warning_failed = sum(r.severity == "warning" for r in failed)
        outcome.failed_expectations = [_describe(r, missing) for r in failed]
        if outcome.critical_failed:
            outcome.status = "failed"
            outcome.quarantined = True
            reasons = [_describe(r, missing) for r in failed if r.severity == "critical"]
            outcome.message = (
                f"dataset {dataset.name!r}, partition {day}: quarantined; suite {suite_name!r} failed "
                f"{len(reasons)} critical check(s): " + "; ".join(reasons)
            )
            if missing:
                outcome.message += f". Columns present: {sorted(frame.columns)}"
        elif outcome.warning_failed:
            outcome.status = "warning"
            outcome.message = (
                f"dataset {dataset.name!r}, partition {day}: "
                f"passed with {outcome.warning_failed} warning(s): "
                + "; ".join(_describe(r, missing) for r in failed if r.severity == "warning")
            )
            if missing:
                outcome.message += f". Columns present: {sorted(frame.columns)}"
        else:
            outcome.status = "passed"
            outcome.message = (
                f"dataset {dataset.name!r}, partition {day}: all {outcome.evaluated} expectations passed "
                f"on {outcome.row_count} rows"
            )
    outcome.duration_s = round(time.monotonic() - started, 3)
    outcome.report_path = str(
        write_dataset_report(
            outcome, results, files=files, validated_at=validated_at, reports_dir=reports_dir
        )
    )
    _record(warehouse, dataset, day, outcome, results, files, run_id, validated_at, attempt)
    return outcome


def _record(
    warehouse: Warehouse,
    dataset: Dataset,
    day: dt.date,
    outcome: ValidationOutcome,
    results: list[ExpectationOutcome],
    files: list[str],
    run_id: str,
    validated_at: dt.datetime,
    attempt: int,
) -> None:
    key = {"dataset": dataset.name, "partition_date": day}
    rows = [
        {**key, "suite": outcome.suite, **asdict(r), "run_id": run_id, "validated_at": validated_at}
        for r in results
    ]
    quarantine_rows = []
    if outcome.quarantined:
        quarantine_rows.append(
            {
                **key,
                "reason": outcome.message,
                "failed_expectations_json": json.dumps(outcome.failed_expectations),
                "run_id": run_id,
                "quarantined_at": validated_at,
            }
        )
    run_row = {
        **key,
        "suite": outcome.suite,
        "status": outcome.status,
        "row_count": outcome.row_count,
        "expectations_evaluated": outcome.evaluated,
        "expectations_failed": outcome.failed,
        "critical_failed": outcome.critical_failed,
        "warning_failed": outcome.warning_failed,
        "error_message": None if outcome.status == "passed" else outcome.message,
        "source_files": json.dumps(files),
        "report_path": outcome.report_path,
        "duration_s": outcome.duration_s,
        "run_id": run_id,
        "validated_at": validated_at,
    }
    audit = {
        # one event per run and attempt: a rerun adds to the history, an identical retry replaces itself
        "event_id": _event_id("data_quality", dataset.name, day.isoformat(), run_id, str(attempt)),
        "occurred_at": validated_at,
        "actor": "steward.quality",
        "action": "quarantine" if outcome.quarantined else f"validate:{outcome.status}",
        "subject_type": "dataset_partition",
        "subject_id": f"{dataset.name}/{day.isoformat()}",
        "details_json": json.dumps(
            {"status": outcome.status, "message": outcome.message, "suite": outcome.suite, "files": files}
        ),
        "run_id": run_id,
        "attempt": attempt,
    }
    # dq_runs goes last: it is the outcome downstream jobs read, written only once the details are in.
    warehouse.replace_partitions(
        [
            ("dq_results", key, rows),
            ("quarantine", key, quarantine_rows),
            ("audit_log", {"event_id": audit["event_id"]}, [audit]),
            ("dq_runs", key, [run_row]),
        ]
    )
