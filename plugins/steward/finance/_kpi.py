"""Realized KPI of a period: a ratio of sums with a delta-method interval, and its value in money."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

__all__ = ["Benefit", "RatioEstimate", "kpi_benefit", "ratio_interval"]


@dataclass(frozen=True)
class RatioEstimate:
    """``scale`` x sum(numerator) / sum(denominator) over ``n`` periods, with its interval (n >= 2)."""

    value: float
    low: float | None
    high: float | None
    n: int
    denominator: float


def ratio_interval(
    numerators: Sequence[float],
    denominators: Sequence[float],
    *,
    confidence: float = 0.95,
    scale: float = 1.0,
) -> RatioEstimate:
    """Estimate a ratio of sums (e.g. CAC = spend / conversions) with a delta-method normal interval.

    Each index is one observation (a day). With R = sum(x) / sum(y), the linearized variance is
    ``sum((x_i - R y_i)^2) / ((n - 1) n) / mean(y)^2`` (the classical ratio-estimator variance,
    Cochran 1977, eq. 6.9, without finite-population correction).

    Parameters
    ----------
    numerators, denominators
        One value per observation; the denominators must not sum to 0.
    confidence
        Two-sided level of the interval.
    scale
        Multiplies the ratio (100 for percent).

    Raises
    ------
    ValueError
        Lengths differ, no observations, or the denominators sum to 0 (the ratio is not defined).

    Examples
    --------
    >>> r = ratio_interval([10, 12, 8], [2, 3, 2])
    >>> round(r.value, 4), round(r.low, 3), round(r.high, 3)
    (4.2857, 3.682, 4.89)
    """
    if len(numerators) != len(denominators):
        raise ValueError(f"{len(numerators)} numerators but {len(denominators)} denominators")
    n = len(numerators)
    if n == 0:
        raise ValueError("no observations: the period has no outcome rows")
    total_y = math.fsum(denominators)
    if total_y == 0:
        raise ValueError("the denominator sums to 0 over the period: the ratio is not defined")
    ratio = math.fsum(numerators) / total_y
    if n < 2:
        return RatioEstimate(scale * ratio, None, None, n, total_y)
    mean_y = total_y / n
    residual_ss = math.fsum((x - ratio * y) ** 2 for x, y in zip(numerators, denominators, strict=True))
    se = math.sqrt(residual_ss / ((n - 1) * n)) / mean_y
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    return RatioEstimate(scale * ratio, scale * (ratio - z * se), scale * (ratio + z * se), n, total_y)


@dataclass(frozen=True)
class Benefit:
    """Benefit in money of a realized KPI against its baseline, and of the projected KPI."""

    realized: float
    low: float | None
    high: float | None
    projected: float | None
    projected_kpi: float | None


def kpi_benefit(
    estimate: RatioEstimate,
    *,
    baseline: float,
    value_per_unit: float,
    direction: Literal["lower_is_better", "higher_is_better"],
    target_change_pct: float | None,
) -> Benefit:
    """Value the KPI: ``sign x (baseline - kpi) x sum(denominator) x value_per_unit``.

    ``sign`` is +1 when lower is better (a CAC under the baseline saves money on every conversion), -1
    otherwise. The interval of the benefit is the KPI interval's image (the map is monotone).

    Examples
    --------
    >>> est = RatioEstimate(value=250.0, low=240.0, high=260.0, n=30, denominator=100.0)
    >>> b = kpi_benefit(
    ...     est, baseline=262.0, value_per_unit=1.0, direction="lower_is_better", target_change_pct=-15
    ... )
    >>> b.realized, b.low, b.high, round(b.projected, 2)
    (1200.0, 200.0, 2200.0, 3930.0)
    """
    sign = 1.0 if direction == "lower_is_better" else -1.0

    def money(kpi: float) -> float:
        return sign * (baseline - kpi) * estimate.denominator * value_per_unit

    ends = [money(v) for v in (estimate.low, estimate.high) if v is not None]
    projected_kpi = None if target_change_pct is None else baseline * (1 + target_change_pct / 100)
    return Benefit(
        realized=money(estimate.value),
        low=min(ends) if ends else None,
        high=max(ends) if ends else None,
        projected=None if projected_kpi is None else money(projected_kpi),
        projected_kpi=projected_kpi,
    )
