"""Carbon intensity of a region at a time: the pluggable source a preferred window consults."""

from __future__ import annotations

import datetime as dt
from typing import Protocol, runtime_checkable

from steward.carbon import Coefficients, load_coefficients

__all__ = ["GridFactorIntensity", "IntensitySource"]


@runtime_checkable
class IntensitySource(Protocol):
    """Where carbon intensities come from (a grid operator's forecast, an API, a table)."""

    def intensity(self, region: str, at: dt.datetime) -> float | None:
        """Return the grid's intensity in g CO2e per kWh in ``region`` (``aws:eu-north-1``) at ``at``.

        None when the source does not know the region.
        """
        ...


class GridFactorIntensity:
    """Steward's own grid factors per cloud region (the CCF coefficient file): offline, constant in time.

    Examples
    --------
    >>> src = GridFactorIntensity()
    >>> round(src.intensity("aws:eu-north-1", dt.datetime(2026, 11, 5, tzinfo=dt.UTC)))
    8
    """

    def __init__(self, coefficients: Coefficients | None = None) -> None:
        self._coefficients = coefficients or load_coefficients()

    def intensity(self, region: str, at: dt.datetime) -> float | None:
        """Return the region's grid factor in g CO2e per kWh (the same at every hour); None if unknown."""
        provider, _, name = region.partition(":")
        coefficients = self._coefficients.provider(provider)
        if coefficients is None:
            return None
        factor, known = coefficients.grid(name)
        return factor * 1000.0 if known else None
