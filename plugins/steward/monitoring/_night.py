"""One model's night, as the DAG task and ``steward monitor run`` both run it: fairness, then monitoring."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from steward.monitoring._fairness import fairness_window
from steward.monitoring._run import MonitoringOutcome, monitor_window
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

    Fairness runs first (for models with protected attributes): its gaps join the control charts that
    monitoring recomputes. ``options`` go to :func:`monitor_window` (``write_report``, ``reports_dir``).
    """
    fairness = None
    if model.protected_attributes:
        fairness = fairness_window(model, day, registry=registry, warehouse=warehouse, run_id=run_id)
    outcome = monitor_window(model, day, registry=registry, warehouse=warehouse, run_id=run_id, **options)
    return NightOutcome(outcome, fairness)
