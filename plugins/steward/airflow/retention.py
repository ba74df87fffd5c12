"""Tasks of the governance-records DAGs (``dags/retention.py``, ``dags/esg_extract.py``).

Thin shells around :mod:`steward.governance`; the CLI's ``steward retention run`` calls the same
functions. The ``dry_run`` param of the retention DAG records and logs what would go, touching nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.sdk import get_current_context, task

from steward.airflow import context as ctx

__all__ = ["erasure", "esg_extract", "retention", "storage_footprint"]

log = logging.getLogger(__name__)


@task
def retention() -> dict[str, Any]:
    """Delete or archive partitions and warehouse rows past retention on the run's date; record why."""
    from steward.governance import run_retention
    from steward.registry import load_registry

    context = get_current_context()
    as_of = ctx.partition_date(context)
    dry_run = bool((context.get("params") or {}).get("dry_run"))
    with ctx.warehouse() as wh:
        outcome = run_retention(
            load_registry(check_suites=False),
            as_of,
            warehouse=wh,
            run_id=ctx.run_id(context),
            dry_run=dry_run,
        )
    for item in outcome.items:
        log.info("%s", item.line())
    log.info("%s", outcome.summary())
    return {"as_of": as_of.isoformat(), "dry_run": dry_run, "summary": outcome.summary()}


@task
def erasure() -> list[str]:
    """Carry out every open erasure request: remove the subjects' rows, record evidence, write reports."""
    from steward.governance import run_erasure
    from steward.registry import load_registry

    context = get_current_context()
    with ctx.warehouse() as wh:
        outcomes = run_erasure(load_registry(check_suites=False), warehouse=wh, run_id=ctx.run_id(context))
    lines = [o.summary() for o in outcomes] or ["no open erasure request"]
    for line in lines:
        log.info("%s", line)
    return lines


@task
def storage_footprint() -> dict[str, int]:
    """Measure every file dataset's bytes, files and partitions for the run's date (after retention)."""
    from steward.governance import measure_footprint
    from steward.registry import load_registry

    context = get_current_context()
    day = ctx.partition_date(context)
    with ctx.warehouse() as wh:
        rows = measure_footprint(
            load_registry(check_suites=False), day, warehouse=wh, run_id=ctx.run_id(context)
        )
    for r in rows:
        log.info(
            "%s: %s partitions, %s files, %s bytes", r["dataset"], r["partitions"], r["files"], r["bytes"]
        )
    return {str(r["dataset"]): int(str(r["bytes"])) for r in rows}


@task
def esg_extract() -> dict[str, str]:
    """Write the ESG extract of the run's quarter (the ``quarter`` param, else the data interval's)."""
    from steward.governance import esg_extract as extract
    from steward.governance import quarter_of
    from steward.registry import load_registry

    context = get_current_context()
    quarter = (context.get("params") or {}).get("quarter") or quarter_of(ctx.partition_date(context))
    with ctx.warehouse() as wh:
        out = extract(load_registry(check_suites=False), str(quarter), warehouse=wh)
    log.info(
        "ESG extract %s: %d rows, %s, %s",
        out.quarter,
        len(out.rows),
        ctx.report_location(out.csv_path),
        ctx.report_location(out.html_path),
    )
    return {"quarter": out.quarter, "csv": str(out.csv_path), "html": str(out.html_path)}
