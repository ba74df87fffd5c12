"""HTML reports for data quality: one page per dataset partition and an overview grid."""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import steward
from steward import paths
from steward.reports import write_report

if TYPE_CHECKING:
    from steward.quality._gx import ExpectationOutcome
    from steward.quality._outcome import ValidationOutcome
    from steward.warehouse import Warehouse

__all__ = ["dataset_report_path", "night_summary", "write_dataset_report", "write_overview"]


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def dataset_report_path(dataset: str, partition_date: str, reports_dir: Path | None = None) -> Path:
    """Where the report of one dataset partition lives."""
    return (reports_dir or paths.reports_dir()) / "data_quality" / partition_date / f"{dataset}.html"


def write_dataset_report(
    outcome: ValidationOutcome,
    results: Sequence[ExpectationOutcome],
    *,
    files: Sequence[str],
    validated_at: dt.datetime,
    reports_dir: Path | None = None,
) -> Path:
    """Write the report for one validated partition; failures first."""
    ordered = sorted(results, key=lambda r: (r.success, {"critical": 0, "warning": 1}.get(r.severity, 2)))
    return write_report(
        dataset_report_path(outcome.dataset, outcome.partition_date, reports_dir),
        "dq_dataset.html.j2",
        o=outcome,
        results=ordered,
        files=files,
        validated_at=validated_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        version=steward.__version__,
        generated_at=_now(),
    )


def write_overview(warehouse: Warehouse, *, reports_dir: Path | None = None) -> Path:
    """Write ``data_quality/index.html``: every dataset x day from ``dq_runs`` as a coloured grid."""
    from steward.warehouse import read_sql

    base = (reports_dir or paths.reports_dir()) / "data_quality"
    rows = warehouse.fetch(read_sql("quality/select_dq_runs.sql"))
    quarantined = {
        (r["dataset"], str(r["partition_date"]))
        for r in warehouse.fetch("select dataset, partition_date from quarantine")
    }
    grid = {}
    problems = []
    for r in rows:
        day = str(r["partition_date"])
        key = (r["dataset"], day)
        link = os.path.relpath(str(r["report_path"]), base) if r["report_path"] else "#"
        grid[key] = {
            "status": r["status"],
            "message": r["error_message"] or "all expectations passed",
            "link": link,
            "quarantined": key in quarantined,
        }
        if r["status"] != "passed":
            problems.append({"dataset": r["dataset"], "partition_date": day, **grid[key]})
    return write_report(
        base / "index.html",
        "dq_index.html.j2",
        datasets=sorted({r["dataset"] for r in rows}),
        dates=sorted({str(r["partition_date"]) for r in rows}),
        grid=grid,
        labels={"passed": "ok", "warning": "warn", "failed": "fail", "error": "error"},
        totals=dict(Counter(r["status"] for r in rows)),
        problems=problems,
        warehouse_url=warehouse.url,
        version=steward.__version__,
        generated_at=_now(),
    )


def night_summary(warehouse: Warehouse, day: dt.date) -> dict[str, Any]:
    """Summarize one night's ``dq_runs``: counts per status and one log line per dataset."""
    from steward.warehouse import read_sql

    rows = warehouse.fetch(read_sql("quality/select_night_runs.sql"), {"day": day})
    counts = Counter(r["status"] for r in rows)
    lines = [
        f"{r['dataset']:<28} {r['status']:<8} {r['row_count'] or 0:>9} rows"
        + (f"  {str(r['error_message'])[:200]}" if r["error_message"] else "")
        for r in rows
    ]
    not_usable = [f"{r['dataset']} ({r['status']})" for r in rows if r["status"] in ("failed", "error")]
    return {
        "partition_date": day.isoformat(),
        "datasets": len(rows),
        "by_status": dict(counts),
        "not_usable": not_usable,
        "lines": lines,
    }
