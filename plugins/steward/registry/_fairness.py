"""A model's fairness policy: reference groups, intersections, minimum group size, gates."""

from __future__ import annotations

from steward.registry._base import Strict

__all__ = ["FairnessPolicy"]


class FairnessPolicy(Strict):
    """How a model's fairness is measured and judged. Every setting has a documented default."""
