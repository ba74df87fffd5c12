"""The registry's ``costs`` section: billing sources, allocation rules and carbon settings."""

from __future__ import annotations

from pydantic import Field

from steward.registry._allocation import AllocationConfig
from steward.registry._base import Strict
from steward.registry._carbon import CarbonConfig
from steward.registry._cost_sources import CostSource

__all__ = ["CostsConfig"]


class CostsConfig(Strict):
    """Cloud costs and carbon: where billing comes from and how it is allocated."""

    sources: list[CostSource] = Field(default_factory=list)
    allocation: AllocationConfig = AllocationConfig()
    carbon: CarbonConfig = CarbonConfig()
