"""What one monitoring run concluded per model-window, read back from the warehouse (the DAG's leaf)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from steward.monitoring._run import quarantined_days
from steward.warehouse import Warehouse, read_sql

__all__ = ["RunSummary", "run_summary"]


@dataclass(frozen=True)
class RunSummary:
    """One monitoring run's model-windows: a log line for each one monitored or skipped, and the rest.

    Attributes
    ----------
    lines
        In the order of the jobs: ``monitoring_runs.message`` and the report's path of each
        model-window the run wrote, or a line saying it was skipped (its partition is quarantined).
    missing
        ``"<model> <date>"`` of each model-window the run neither wrote nor skipped (its task failed).
    """

    lines: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def monitored(self) -> int:
        """How many model-windows were monitored or skipped."""
        return len(self.lines)


def run_summary(
    warehouse: Warehouse,
    jobs: Sequence[tuple[str, dt.date]],
    *,
    run_id: str,
    prediction_logs: Mapping[str, str],
) -> RunSummary:
    """Summarize run ``run_id``'s model-windows ``jobs`` from ``monitoring_runs``.

    Parameters
    ----------
    warehouse
        Where the run wrote.
    jobs
        ``(model, window)`` pairs the run was asked to monitor.
    run_id
        The run (``monitoring_runs.run_id``).
    prediction_logs
        Each model's prediction-log dataset, to tell a quarantined (skipped) window from a failed one.

    Examples
    --------
    >>> logs = {"lead_scoring": "leads"}
    >>> run_summary(wh, [("lead_scoring", day)], run_id=run, prediction_logs=logs)  # doctest: +SKIP
    RunSummary(lines=('lead_scoring 2026-11-01: ok ... (report ...)',), missing=())
    """
    if not jobs:
        return RunSummary((), ())
    days = [d for _, d in jobs]
    rows = warehouse.fetch(
        read_sql("monitoring/select_run_nights.sql"),
        {"run_id": run_id, "first_day": min(days), "last_day": max(days)},
    )
    written = {(r["model"], r["window_date"]): r for r in rows}
    lines: list[str] = []
    missing: list[str] = []
    for model, day in jobs:
        row = written.get((model, day))
        if row is not None:
            lines.append(f"{row['message']} (report {row['report_path']})")
            continue
        dataset = prediction_logs[model]
        if quarantined_days(warehouse, dataset, [day]):
            lines.append(f"{model} {day}: skipped, {dataset} is quarantined")
        else:
            missing.append(f"{model} {day}")
    return RunSummary(tuple(lines), tuple(missing))
