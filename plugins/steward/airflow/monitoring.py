"""Tasks of the model-monitoring DAG (``dags/model_monitoring.py``).

Thin shells around :mod:`steward.monitoring` (and :mod:`steward.fairness` for models with protected
attributes). The DAG runs when data quality passes a prediction log's partition (its asset event
carries the partition date); a manual or test run takes the ``date`` param and monitors every model.
A quarantined partition is skipped with a log line saying so; bad data fails fast, warehouse
outages are retried.

Every run also catches up from the warehouse's state: each partition of a model's prediction log
that passed data quality within ``monitoring.catch_up_days`` before the run's earliest date and has
no ``monitoring_runs`` row is monitored too (:func:`steward.monitoring.unmonitored_partitions`), so
no passed partition goes unmonitored when asset events arrive late or several to one run.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from airflow.sdk import get_current_context, task
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from steward.airflow import context as ctx
from steward.airflow.assets import MODEL_MONITORING, model_monitoring

if TYPE_CHECKING:
    from steward.registry import Registry

__all__ = ["add_catch_up", "jobs_from_events", "monitor", "monitoring_jobs", "summarize_monitoring"]

log = logging.getLogger(__name__)


def jobs_from_events(
    events: dict[str, list[dict[str, Any]]], log_of: dict[str, list[str]]
) -> list[dict[str, str]]:
    """Turn triggering asset events into monitoring jobs, one per model and partition date.

    Parameters
    ----------
    events
        Asset name (``dq_<dataset>``) -> the events' ``extra`` dicts.
    log_of
        Prediction-log dataset -> the models logging to it.

    Examples
    --------
    >>> jobs_from_events({"dq_p": [{"partition_date": "2026-11-08"}]}, {"p": ["m"]})
    [{'model': 'm', 'date': '2026-11-08'}]
    """
    jobs: dict[tuple[str, str], dict[str, str]] = {}
    for asset, extras in events.items():
        dataset = asset.removeprefix("dq_")
        for extra in extras:
            day = str((extra or {}).get("partition_date") or "")
            if not day:
                continue
            for model in log_of.get(dataset, []):
                jobs[(model, day)] = {"model": model, "date": day}
    return [jobs[k] for k in sorted(jobs)]


def add_catch_up(
    jobs: list[dict[str, str]], unmonitored: dict[str, list[dt.date]]
) -> tuple[list[dict[str, str]], list[str]]:
    """Add the unmonitored (model, date) pairs to ``jobs``.

    Returns every job ordered by date, then model (control charts read their series in date order),
    and the ``model@date`` labels of the jobs added.

    Examples
    --------
    >>> days = [dt.date(2026, 11, 6), dt.date(2026, 11, 8)]
    >>> add_catch_up([{"model": "m", "date": "2026-11-08"}], {"m": days})
    ([{'model': 'm', 'date': '2026-11-06'}, {'model': 'm', 'date': '2026-11-08'}], ['m@2026-11-06'])
    """
    by_key = {(j["date"], j["model"]): j for j in jobs}
    added: list[str] = []
    for model, days in unmonitored.items():
        for day in days:
            key = (day.isoformat(), model)
            if key not in by_key:
                by_key[key] = {"model": model, "date": key[0]}
                added.append(f"{model}@{key[0]}")
    return [by_key[k] for k in sorted(by_key)], sorted(added)


@task
def monitoring_jobs() -> list[dict[str, str]]:
    """List (model, date) pairs to monitor, oldest first.

    The triggering data-quality events (else every model for the run's date), plus every
    passed-but-unmonitored partition of each model's look-back window (``catch_up_days``) before
    the earliest of them. A run given the ``date`` param monitors that day only (no catch-up).
    """
    from steward.registry import load_registry

    context = get_current_context()
    registry = load_registry()
    log_of: dict[str, list[str]] = {}
    for m in registry.models:
        log_of.setdefault(m.prediction_log, []).append(m.name)
    triggering = context.get("triggering_asset_events") or {}
    events: dict[str, list[dict[str, Any]]] = {}
    for asset in triggering:
        events[str(getattr(asset, "name", asset))] = [dict(e.extra or {}) for e in triggering[asset]]
    jobs = jobs_from_events(events, log_of)
    if not jobs:
        day = ctx.partition_date(context).isoformat()
        jobs = [{"model": m.name, "date": day} for m in registry.models]
    pinned = bool((context.get("params") or {}).get("date"))
    if pinned:  # a run for one given day (a rerun, the demo) monitors that day only
        log.info("the date param pins this run to %s: no catch-up", jobs[0]["date"] if jobs else "-")
    else:
        jobs = _with_catch_up(jobs, registry)
    jobs = _without_retired(jobs)
    log.info(
        "monitoring %d model-windows: %s", len(jobs), ", ".join(f"{j['model']}@{j['date']}" for j in jobs)
    )
    return jobs


def _without_retired(jobs: list[dict[str, str]]) -> list[dict[str, str]]:
    """Drop the jobs of decommissioned models, logging why each is skipped."""
    from steward.monitoring import retired_models

    with ctx.warehouse() as wh:
        retired = retired_models(wh, sorted({j["model"] for j in jobs}))
    for reason in retired.values():
        log.warning("%s", reason)
    return [j for j in jobs if j["model"] not in retired]


def _with_catch_up(jobs: list[dict[str, str]], registry: Registry) -> list[dict[str, str]]:
    from steward.monitoring import unmonitored_partitions

    earliest = min(dt.date.fromisoformat(j["date"]) for j in jobs) if jobs else dt.date.today()
    unmonitored: dict[str, list[dt.date]] = {}
    with ctx.warehouse() as wh:
        for m in registry.models:
            if m.monitoring.catch_up_days:
                since = earliest - dt.timedelta(days=m.monitoring.catch_up_days)
                unmonitored[m.name] = unmonitored_partitions(wh, m, since=since)
    jobs, added = add_catch_up(jobs, unmonitored)
    if added:
        log.warning(
            "catching up %d passed partition(s) that were never monitored: %s", len(added), ", ".join(added)
        )
    return jobs


@task(outlets=[MODEL_MONITORING], map_index_template=ctx.mapped_label("job", "model", "date"))
def monitor(job: dict[str, str]) -> dict[str, Any]:
    """Monitor one model for one window (drift, performance, review queue, fairness) and report."""
    from steward.monitoring import MonitoringError, monitor_night
    from steward.registry import load_registry
    from steward.sources import SourceError

    context = get_current_context()
    context["steward_job"] = f"{job['model']} {job['date']}"  # type: ignore[typeddict-unknown-key]
    registry = load_registry()
    model = registry.model(job["model"])
    day = dt.date.fromisoformat(job["date"])
    run = ctx.run_id(context)
    with ctx.warehouse() as wh:
        try:
            night = monitor_night(model, day, registry=registry, warehouse=wh, run_id=run)
        except (SourceError, MonitoringError) as exc:
            raise AirflowFailException(str(exc)) from exc
    outcome, fairness = night.monitoring, night.fairness
    for line in night.fairness_breaches:
        log.warning("fairness breach: %s", line)
    if fairness:
        log.info("fairness report: %s", ctx.report_location(fairness.get("report_path")))
    if outcome.status == "skipped":
        log.warning("%s", outcome.message)
        raise AirflowSkipException(outcome.message)
    log.info("%s", outcome.summary())
    for alert in outcome.chart_alerts:
        log.warning("control chart: %s", alert)
    for b in outcome.breaches:
        log.warning("breach (%s): %s", b["kind"], b["message"])
    log.info("report: %s", ctx.report_location(outcome.report_path))
    context["outlet_events"][MODEL_MONITORING].add(
        model_monitoring(model.name),
        extra={
            "window": day.isoformat(),
            "status": outcome.status,
            "drift": bool(outcome.drifted_features or outcome.prediction_drift),
            "performance_breach": outcome.performance_breach,
            "fairness_breach": bool(fairness and fairness.get("breach")),
        },
    )
    return night.to_dict()


@task(trigger_rule="all_done")
def summarize_monitoring(jobs: list[dict[str, str]]) -> dict[str, Any]:
    """Log one line per model-window from the warehouse; fail the run when one could not be monitored."""
    from steward.monitoring import run_summary, write_monitoring_overview
    from steward.registry import load_registry

    context = get_current_context()
    registry = load_registry()
    pairs = [(job["model"], dt.date.fromisoformat(job["date"])) for job in jobs]
    logs = {m: registry.model(m).prediction_log for m in {m for m, _ in pairs}}
    with ctx.warehouse() as wh:
        summary = run_summary(wh, pairs, run_id=ctx.run_id(context), prediction_logs=logs)
        overview = write_monitoring_overview(wh)
    log.info("monitoring overview: %s", overview)
    for line in summary.lines:
        log.info("%s", line)
    if summary.missing:
        # the DAG's leaf: failing it marks the night failed in the UI
        raise AirflowFailException(
            f"not monitored (see the failed monitor tasks): {', '.join(summary.missing)}"
        )
    return {"monitored": summary.monitored, "lines": list(summary.lines)}
