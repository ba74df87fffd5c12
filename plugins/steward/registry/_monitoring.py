"""A model's monitoring policy: drift methods per column, missing/new-category limits, control charts."""

from __future__ import annotations

from steward.registry._base import Strict

__all__ = ["MonitoringPolicy"]


class MonitoringPolicy(Strict):
    """How a model is monitored. Every setting has a documented default."""
