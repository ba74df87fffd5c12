"""Carbon settings: codecarbon location and PUE, provider carbon sources, usage-estimate coefficients."""

from __future__ import annotations

from steward.registry._base import Strict

__all__ = ["CarbonConfig"]


class CarbonConfig(Strict):
    """How emissions are measured and estimated."""
