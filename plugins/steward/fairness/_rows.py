"""The frozen metric row and the settings it is judged with (shared by rates, disparities and verdicts)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from steward.registry import Model

__all__ = ["Correction", "Direction", "Judgement", "MetricRow", "finite"]

#: Multiple-testing correction across the judged tests of one window.
Correction = Literal["holm", "benjamini_hochberg"]
#: ``both``: a gap beyond tolerance either way can breach; ``disadvantage``: only gaps against the group.
Direction = Literal["both", "disadvantage"]


def finite(v: float | None) -> float | None:
    """Return ``v`` as a float, or None when it is missing, NaN or infinite (stored as NULL)."""
    return None if v is None or not np.isfinite(v) else float(v)


@dataclass(frozen=True)
class Judgement:
    """The settings a set of counts is judged with (the monitoring policy, or a stricter gate)."""

    alpha: float
    tolerance: float
    four_fifths: float
    min_group_size: int
    confidence: float
    correction: Correction
    power: float
    metrics: tuple[str, ...]
    direction: Direction = "both"

    @classmethod
    def for_model(cls, model: Model, *, strict: bool = False) -> Judgement:
        """Return the model's monitoring settings, or (``strict``) its high-risk gate settings."""
        p = model.fairness
        tolerance = model.thresholds.fairness_tolerance
        alpha = p.alpha
        four_fifths = p.four_fifths
        if strict:
            tolerance *= p.high_risk_tolerance_factor
            alpha = max(alpha, p.high_risk_alpha)
            # the ratio band narrows like the difference tolerance: 0.8 -> 0.9 for factor 0.5
            four_fifths = 1 - (1 - four_fifths) * p.high_risk_tolerance_factor
        return cls(
            alpha=alpha,
            tolerance=tolerance,
            four_fifths=four_fifths,
            min_group_size=model.thresholds.min_group_size,
            confidence=p.confidence,
            correction=p.correction,
            power=p.power,
            metrics=tuple(p.metrics),
            direction=p.direction,
        )


@dataclass(frozen=True)
class MetricRow:
    """One row of ``fairness_metrics`` before it is stamped with model, window and run.

    ``family`` (attribute, group, hypothesis) and ``signed`` (the direction of an unsigned gap) are
    set on disparities awaiting a verdict (status ``pending``); they are not stored. ``against`` (how
    far the interval reaches against the group, in the gap's units) is kept through the verdict for
    :func:`steward.fairness._verdicts.shortfalls`; it is not stored either.
    """

    attribute: str
    group_value: str
    reference_group: str | None
    metric: str
    n: int | None
    n_labelled: int | None
    denominator: int | None
    reference_n: int | None = None
    value: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    p_adjusted: float | None = None
    test: str | None = None
    tolerance: float | None = None
    min_detectable_gap: float | None = None
    status: str = "info"
    note: str = ""
    family: tuple[str, str, str] | None = None
    signed: float | None = None
    against: float | None = None

    @classmethod
    def of(
        cls,
        *,
        value: float | None = None,
        ci: tuple[float, float] | None = None,
        p_value: float | None = None,
        mdg: float | None = None,
        **fields: Any,
    ) -> MetricRow:
        """Build a row; non-finite numbers become None (NULL)."""
        return cls(
            value=finite(value),
            ci_low=finite(ci[0]) if ci else None,
            ci_high=finite(ci[1]) if ci else None,
            p_value=finite(p_value),
            min_detectable_gap=finite(mdg),
            **fields,
        )

    def as_dict(self, *, model: str, window: dt.date, run_id: str) -> dict[str, Any]:
        """Return the ``fairness_metrics`` columns (without ``computed_at``, set when written)."""
        return {
            "model": model,
            "window_date": window,
            "attribute": self.attribute,
            "group_value": self.group_value,
            "reference_group": self.reference_group,
            "metric": self.metric,
            "value": self.value,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "p_value": self.p_value,
            "p_adjusted": self.p_adjusted,
            "test": self.test,
            "n": self.n,
            "n_labelled": self.n_labelled,
            "denominator": self.denominator,
            "reference_n": self.reference_n,
            "tolerance": self.tolerance,
            "min_detectable_gap": self.min_detectable_gap,
            "status": self.status,
            "note": self.note,
            "run_id": run_id,
        }
