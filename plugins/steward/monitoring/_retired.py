"""Models that are no longer monitored: their versions were decommissioned in the model registry."""

from __future__ import annotations

from collections.abc import Iterable

from steward.lifecycle import model_history, model_state
from steward.warehouse import Warehouse

__all__ = ["retired_models"]


def retired_models(warehouse: Warehouse, models: Iterable[str]) -> dict[str, str]:
    """Return the decommissioned models among ``models`` with the reason monitoring skips each.

    A model is retired when a version of it was decommissioned and none is in production
    (:attr:`steward.lifecycle.ModelState.decommissioned`). A model with no registered version is
    monitored as before. Its history stays queryable (``steward models history MODEL``).

    Examples
    --------
    >>> retired_models(wh, ["lead_scoring", "credit_risk"])  # doctest: +SKIP
    {'credit_risk': "credit_risk: not monitored, decommissioned (version 1.8.2 on 2026-11-20 by risk: ...)"}
    """
    retired: dict[str, str] = {}
    for name in models:
        if not model_state(warehouse, name).decommissioned:
            continue
        last = [e for e in model_history(warehouse, name) if e.kind == "decommissioned"][-1]
        retired[name] = (
            f"{name}: not monitored, decommissioned (version {last.version} on {last.occurred_at:%Y-%m-%d} "
            f"by {last.actor}: {last.reason}); its history: steward models history {name}"
        )
    return retired
