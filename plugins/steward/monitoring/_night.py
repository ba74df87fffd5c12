"""One model's night, as the DAG task and ``steward monitor run`` both run it: fairness, then monitoring."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from steward.monitoring._fairness import FairnessNight, fairness_night, write_night_report
from steward.monitoring._outcome import MonitoringOutcome
from steward.monitoring._run import monitor_window
from steward.registry import Model, Registry
from steward.warehouse import Warehouse

__all__ = ["NightOutcome", "monitor_night"]


@dataclass(frozen=True)
class NightOutcome:
    """What one model's night found: the monitoring outcome and, with protected attributes, fairness."""

    monitoring: MonitoringOutcome
    fairness: dict[str, Any] | None

    @property
    def fairness_breaches(self) -> list[str]:
        """The night's fairness breaches, one readable line each."""
        return list((self.fairness or {}).get("breaches", []))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready summary (the DAG task's return value)."""
        return self.monitoring.to_dict() | {"fairness": self.fairness}


def monitor_night(
    model: Model, day: dt.date, *, registry: Registry, warehouse: Warehouse, run_id: str, **options: Any
) -> NightOutcome:
    """Run everything a night does for ``model``'s window ``day``: the one function the DAG and CLI call.

    Fairness (for models with protected attributes) and monitoring are computed first, then every row
    of the night (fairness tables, drift, performance, control charts, breaches, the run) is written in
    one transaction: a failure anywhere leaves the warehouse as it was. Tonight's fairness gaps join the
    control charts. ``options`` go to :func:`monitor_window` (``write_report``, ``reports_dir``).
    """
    fairness = None
    if model.protected_attributes:
        fairness = fairness_night(model, day, registry=registry, warehouse=warehouse, run_id=run_id)
    computed = fairness if isinstance(fairness, FairnessNight) else None
    outcome = monitor_window(
        model,
        day,
        registry=registry,
        warehouse=warehouse,
        run_id=run_id,
        also_write=computed.writes if computed else (),
        fairness_rows=computed.rows if computed else (),
        **options,
    )
    summary: dict[str, Any] | None = None
    if computed is not None and outcome.status != "skipped":
        report = None
        if options.get("write_report", True):
            report = write_night_report(
                model, day, computed, warehouse=warehouse, reports_dir=options.get("reports_dir")
            )
        summary = computed.summary(None if report is None else str(report))
    elif isinstance(fairness, str):
        summary = {"evaluated": False, "note": fairness}
    return NightOutcome(outcome, summary)
