"""A model's monitoring policy: drift methods per column, missing/new-category limits, control charts."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from steward.registry._base import Column, Strict

__all__ = [
    "ColumnDrift",
    "ControlChartPolicy",
    "MonitoringPolicy",
    "PredictionReference",
    "ReviewPolicy",
    "SeriesKind",
]


class ColumnDrift(Strict):
    """Override of the default drift rule for one column.

    ``significance`` is a p-value test (``ks`` numeric, ``chisquare`` categorical), ``effect_size`` a
    distance (``wasserstein_normed``, ``jensenshannon``, ``psi``, ``hellinger``). A column drifts when
    the test's BH-adjusted q-value is below ``alpha`` AND the distance reaches ``threshold``
    (default: the method's own). ``auto`` picks the default for the column type; ``none`` judges by
    the distance alone. ``type`` overrides the type read from the reference (e.g. a numeric code
    that is really a category).
    """

    type: Literal["numeric", "categorical"] | None = None
    significance: Literal["auto", "ks", "chisquare", "none"] = "auto"
    effect_size: Literal["psi", "jensenshannon", "hellinger", "wasserstein_normed"] | None = None
    threshold: float | None = Field(default=None, gt=0)


class PredictionReference(Strict):
    """Days of the prediction log that serve as the reference for the score distribution and baseline.

    Needed when the reference dataset (e.g. the training snapshot) has no score column.
    """

    window_start: dt.date
    window_end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> PredictionReference:
        if self.window_start > self.window_end:
            raise ValueError("window_start is after window_end")
        return self


SeriesKind = Literal["mean", "drift", "performance", "estimate", "fairness"]
_KINDS: tuple[SeriesKind, ...] = ("mean", "drift", "performance", "estimate", "fairness")


class ControlChartPolicy(Strict):
    """EWMA, CUSUM and Shewhart charts of every nightly series, alerting at a stated false-alarm rate.

    A feature's daily mean is charted against known in-control parameters from the reference (its mean,
    and its std over the square root of the night's rows). Series without such a reference (drift
    distances, performance, fairness gaps) learn centre and sigma from a Phase I of ``baseline`` nights,
    shown as provisional and silent; their widths are then calibrated by simulation so that a false
    signal within ``horizon`` nights is as likely as with an in-control ARL of ``arl0[kind]`` nights,
    estimation error included (docs/adr/0003-control-chart-limits.md). ``L``/``warn_L`` and
    ``h``/``warn_h`` are the uncalibrated widths: only their ratio (warning/control) is kept.
    """

    baseline: int = Field(default=20, ge=5)
    lam: float = Field(default=0.2, gt=0, le=1)
    L: float = Field(default=3.0, gt=0)
    warn_L: float = Field(default=2.0, gt=0)
    k: float = Field(default=0.5, ge=0)
    h: float = Field(default=5.0, gt=0)
    warn_h: float = Field(default=4.0, gt=0)
    #: In-control average run length (nights) each kind of series is calibrated to.
    arl0: dict[SeriesKind, float] = Field(default_factory=lambda: dict.fromkeys(_KINDS, 370.0))
    #: Horizon (nights) of the calibration: P(false signal within horizon) = 1 - (1 - 1/arl0)^horizon.
    horizon: int = Field(default=60, ge=10, le=730)

    @model_validator(mode="after")
    def _arl0_above_one(self) -> ControlChartPolicy:
        for kind, value in self.arl0.items():
            if not value > 1:
                raise ValueError(f"control_chart.arl0.{kind} must be above 1 night, got {value}")
        return self

    def arl0_of(self, kind: SeriesKind) -> float:
        """Return the in-control ARL a series of ``kind`` is calibrated to (370 nights unless configured)."""
        return self.arl0.get(kind, 370.0)


class ReviewPolicy(Strict):
    """Which segments go to the low-confidence review queue.

    A segment (a category, or a bin of a numeric feature) is queued when it has at least
    ``min_rows`` rows and its share of scores within ``thresholds.review_band`` of the decision
    threshold is at least ``share_factor`` times the window's overall share and at least ``min_share``.
    """

    min_rows: int = Field(default=30, ge=1)
    share_factor: float = Field(default=2.0, ge=1)
    min_share: float = Field(default=0.1, ge=0, le=1)
    examples: int = Field(default=5, ge=0, le=50)


class MonitoringPolicy(Strict):
    """How a model is monitored. Every setting has a documented default (see include/governance.yaml)."""

    #: False-discovery rate for the drift tests of one model in one night (Benjamini-Hochberg).
    alpha: float = Field(default=0.05, gt=0, lt=1)
    #: Quantile bins of numeric features in the reference profile.
    bins: int = Field(default=20, ge=2, le=200)
    #: Per-column overrides of the default drift rule (see ColumnDrift).
    columns: dict[Column, ColumnDrift] = Field(default_factory=dict)
    #: A window smaller than this is recorded as "too_few_rows", not judged.
    min_rows: int = Field(default=100, ge=1)
    #: Missing-value signal: the window's missing share exceeds the reference's by this much.
    max_missing_increase: float = Field(default=0.05, ge=0, le=1)
    #: New-category signal: share of the window's rows in categories the reference never saw.
    max_new_category_share: float = Field(default=0.01, ge=0, le=1)
    #: The score-distribution reference when the reference dataset has no score column.
    prediction_reference: PredictionReference | None = None
    #: Known baseline metrics (e.g. the holdout AUC from training), the yardstick of relative decay.
    baseline_metrics: dict[str, float] = Field(default_factory=dict)
    #: How many past windows are re-evaluated each night as their late labels arrive.
    label_horizon_days: int = Field(default=30, ge=0, le=366)
    #: Realized performance is judged (breach or not) only once this share of a window is labelled:
    #: early labels are often a biased subset (fast defaults, quick conversions).
    min_label_coverage: float = Field(default=0.5, gt=0, le=1)
    #: Each monitoring run also monitors every partition of the prediction log that passed data quality
    #: within this many days before the run's earliest date and has no ``monitoring_runs`` row (catch-up
    #: from the warehouse's state, whatever the timing of asset events). 0 turns catch-up off.
    catch_up_days: int = Field(default=7, ge=0, le=366)
    control_chart: ControlChartPolicy = ControlChartPolicy()
    review: ReviewPolicy = ReviewPolicy()
