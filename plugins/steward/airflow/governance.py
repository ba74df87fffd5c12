"""Tasks of the governance DAGs (``dags/governance_nightly.py``, ``dags/data_export.py``).

Thin shells around :mod:`steward.governance`: the nightly PII scan, incident evaluation (opened and
resolved incidents are sent to the registry's ``alerts`` destinations), feedback ingest and the impact
assessments' record; and one mapped task per declared export. Bad input (a missing column, an unknown
model) fails the task for good with the one-line message; warehouse outages are retried.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.sdk import get_current_context, task
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from steward.airflow import context as ctx

__all__ = [
    "evaluate_incidents_task",
    "export_names",
    "ingest_feedback_task",
    "notify_incidents",
    "record_assessments_task",
    "run_export_task",
    "scan_pii_task",
]

log = logging.getLogger(__name__)


def notify_incidents(night: Any, alerts: Any) -> int:
    """Send one notice per incident opened or resolved tonight; return how many destinations took them."""
    from steward.airflow.alerts import send_alert
    from steward.governance import incident_notice

    notices = [incident_notice(i, event="incident_opened") for i in night.opened]
    notices += [incident_notice(i, event="incident_resolved") for i in night.resolved]
    return sum(send_alert(notice, alerts=alerts) for notice in notices)


@task
def scan_pii_task() -> dict[str, Any]:
    """Scan every dataset's partition of the night for personal data; log undeclared PII and low classes."""
    from steward.governance import scan_pii
    from steward.registry import load_registry

    context = get_current_context()
    day = ctx.partition_date(context)
    with ctx.warehouse() as wh:
        result = scan_pii(load_registry(), day, warehouse=wh, run_id=ctx.run_id(context))
    for f in result.undeclared:
        log.warning("undeclared PII: %s.%s looks like %s (%.0f%% of %d sampled)", f.dataset, f.column_name,
                    f.entity, 100 * f.match_share, f.sample_size)  # fmt: skip
    for f in result.too_low:
        log.warning("sensitivity too low: %s is %s, its %s column warrants %s", f.dataset, f.sensitivity,
                    f.entity, f.warranted_sensitivity)  # fmt: skip
    for name, why in result.skipped:
        log.info("not scanned: %s (%s)", name, why)
    return {
        "date": day.isoformat(),
        "findings": len(result.findings),
        "undeclared": [f"{f.dataset}.{f.column_name}" for f in result.undeclared],
        "sensitivity_too_low": sorted({f.dataset for f in result.too_low}),
    }


@task
def evaluate_incidents_task() -> dict[str, Any]:
    """Open, continue and resolve incidents for the night; notify the opened and resolved ones."""
    from steward.governance import evaluate_incidents
    from steward.registry import load_registry

    context = get_current_context()
    day = ctx.partition_date(context)
    registry = load_registry()
    with ctx.warehouse() as wh:
        night = evaluate_incidents(registry, day, warehouse=wh)
    for i in night.opened:
        log.warning("incident opened [%s] %s, owner %s", i.severity, i.title, i.owner)
    for i in night.resolved:
        log.info("incident resolved: %s: %s", i.title, i.resolution)
    sent = notify_incidents(night, registry.alerts)
    return {
        "date": day.isoformat(),
        "opened": [i.incident_id for i in night.opened],
        "open": [i.incident_id for i in night.persisting],
        "resolved": [i.incident_id for i in night.resolved],
        "notices_sent": sent,
    }


@task
def ingest_feedback_task() -> dict[str, int]:
    """Load the night's user feedback into ``prediction_feedback``."""
    from steward.governance import FeedbackError, ingest_feedback
    from steward.registry import load_registry
    from steward.sources import SourceError

    context = get_current_context()
    day = ctx.partition_date(context)
    registry = load_registry()
    if not registry.privacy.feedback:
        raise AirflowSkipException("no feedback source declared (privacy.feedback)")
    with ctx.warehouse() as wh:
        try:
            counts = ingest_feedback(registry, day, warehouse=wh, run_id=ctx.run_id(context))
        except (FeedbackError, SourceError) as exc:
            raise AirflowFailException(str(exc)) from exc
    log.info("feedback rows: %s", counts)
    return counts


@task
def record_assessments_task() -> dict[str, Any]:
    """Record declared impact assessments and log each high-risk model's promotion status tonight."""
    from steward.governance import check_impact_assessment, record_impact_assessments
    from steward.registry import load_registry

    context = get_current_context()
    day = ctx.partition_date(context)
    registry = load_registry()
    with ctx.warehouse() as wh:
        n = record_impact_assessments(registry, warehouse=wh)
    checks = {m.name: check_impact_assessment(registry, m.name, day) for m in registry.models}
    for name, c in checks.items():
        (log.info if c.ok else log.warning)("%s: %s", name, c.reason)
    return {"recorded": n, "promotable": {name: c.ok for name, c in checks.items()}}


@task
def export_names() -> list[str]:
    """List the exports declared under ``privacy.exports``."""
    from steward.registry import load_registry

    names = [e.name for e in load_registry().privacy.exports]
    if not names:
        log.info("no export declared (privacy.exports is empty)")
    return names


@task(map_index_template=ctx.mapped_label("name"))
def run_export_task(name: str) -> dict[str, Any]:
    """Run one export: refused (logged, not failed) when k or l is too low or the agreement expired."""
    from steward.governance import ExportError, run_export
    from steward.registry import load_registry
    from steward.sources import SourceError

    context = get_current_context()
    context["steward_export"] = name  # type: ignore[typeddict-unknown-key]  # names the mapped task
    day = ctx.partition_date(context)
    with ctx.warehouse() as wh:
        try:
            out = run_export(load_registry(), name, day, warehouse=wh, run_id=ctx.run_id(context))
        except (ExportError, SourceError) as exc:
            raise AirflowFailException(str(exc)) from exc
    final = out.after or out.before
    line = f"{name} {day}: {out.status}: {out.reason}" + (f" (k={final.k}, l={final.l})" if final else "")
    (log.warning if out.status == "refused" else log.info)("%s", line)
    return {"export": name, "status": out.status, "reason": out.reason, "file": out.output_path}
