"""Cost allocation rules: tag keys and value aliases, shared-cost splits."""

from __future__ import annotations

from steward.registry._base import Strict

__all__ = ["AllocationConfig"]


class AllocationConfig(Strict):
    """How billed cost is allocated to business units, projects, models and environments."""
