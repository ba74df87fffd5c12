"""A model's retraining policy: the signals that call for retraining, the guards that hold it back.

Signals read the warehouse (control charts, monitoring breaches, realized and estimated performance,
fairness breaches, model age, manual requests); guards hold a signalled retraining back (cool-down,
monthly cost and carbon budgets) or defer it into a preferred window (off-peak hours, a lower carbon
intensity) until a deadline. ``steward.triggers`` evaluates them; docs/retraining.md explains the rules.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from steward.registry._base import Column, Strict

__all__ = [
    "DriftSignal",
    "EstimatedPerformanceSignal",
    "FairnessSignal",
    "ManualSignal",
    "PerformanceSignal",
    "PreferredWindow",
    "PromotionGates",
    "RetrainingGuards",
    "RetrainingPolicy",
    "RetrainingSignals",
    "SignalName",
    "StalenessSignal",
]

#: The signals a retraining policy can raise, in the order they are evaluated and reported.
SignalName = Literal["drift", "performance", "estimated_performance", "fairness", "staleness", "manual"]

_TRAINER = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
_REGION = re.compile(r"^(aws|gcp):[a-z0-9-]+$")


class _Nights(Strict):
    """M-of-N: the signal holds when at least ``min_nights`` of the last ``nights`` nights show it."""

    nights: int = Field(default=3, ge=1, le=90)
    min_nights: int = Field(default=2, ge=1, le=90)

    @model_validator(mode="after")
    def _m_of_n(self) -> _Nights:
        if self.min_nights > self.nights:
            raise ValueError(f"min_nights ({self.min_nights}) is more than nights ({self.nights})")
        return self


class DriftSignal(_Nights):
    """Drift out of control on the control charts (EWMA or CUSUM ``out_of_control``), not one noisy night.

    A night counts when at least ``min_features`` of ``features`` (default: all the model's features)
    have a chart (``drift:<feature>`` or ``mean:<feature>``) out of control that night, or, with
    ``score``, when the score's chart is. The signal holds on ``min_nights`` of the last ``nights``
    nights (SageMaker's DatapointsToAlert).
    """

    enabled: bool = True
    features: list[Column] | None = None
    min_features: int = Field(default=1, ge=1)
    score: bool = True
    urgent: bool = False


class PerformanceSignal(_Nights):
    """Realized performance (labels arrived) below ``floor`` or decayed by more than ``max_relative_decay``.

    ``floor`` defaults to the model's ``thresholds.min_auc``, ``max_relative_decay`` to
    ``thresholds.max_relative_decay`` (against ``monitoring.baseline_metrics``). Windows are judged only
    once their label coverage reaches ``monitoring.min_label_coverage``; labels arrive late, so the
    lookback (``nights``, default 10) is longer than drift's.
    """

    enabled: bool = True
    metric: Literal["auc"] = "auc"
    floor: float | None = Field(default=None, ge=0, le=1)
    max_relative_decay: float | None = Field(default=None, gt=0, le=1)
    nights: int = Field(default=10, ge=1, le=90)
    min_nights: int = Field(default=1, ge=1, le=90)
    urgent: bool = True


class EstimatedPerformanceSignal(_Nights):
    """Label-free estimated performance below ``floor`` on windows whose labels have not arrived yet.

    The estimate's measured error (mean absolute ``estimate_error`` of ``model_performance`` over the
    last ``error_nights`` windows that have both values) is stated in the evidence; the signal holds only
    when the estimate stays below the floor by more than that error (``trust_margin`` x error) and the
    error is at most ``max_error`` (an estimate that has been far off is not acted on).
    """

    enabled: bool = True
    metric: Literal["auc"] = "auc"
    floor: float | None = Field(default=None, ge=0, le=1)
    max_error: float = Field(default=0.05, gt=0, le=1)
    error_nights: int = Field(default=30, ge=1, le=366)
    trust_margin: float = Field(default=1.0, ge=0)
    urgent: bool = False


class FairnessSignal(_Nights):
    """A fairness breach (a ``fairness_metrics`` gap judged ``breach``) on ``min_nights`` of ``nights``."""

    enabled: bool = True
    nights: int = Field(default=3, ge=1, le=90)
    min_nights: int = Field(default=1, ge=1, le=90)
    urgent: bool = True


class StalenessSignal(Strict):
    """The model is old (both tests off by default).

    Stale when more than ``max_age_days`` passed since its version was registered, or when monitored
    data is newer than the model by more than ``cadence_days``.
    """

    max_age_days: int | None = Field(default=None, ge=1)
    cadence_days: int | None = Field(default=None, ge=1)
    urgent: bool = False


class ManualSignal(Strict):
    """A person asked for a retraining (``steward retraining request MODEL --reason R``)."""

    enabled: bool = True
    urgent: bool = True


class RetrainingSignals(Strict):
    """Every signal of a model's retraining policy; each has its own defaults."""

    drift: DriftSignal = DriftSignal()
    performance: PerformanceSignal = PerformanceSignal()
    estimated_performance: EstimatedPerformanceSignal = EstimatedPerformanceSignal()
    fairness: FairnessSignal = FairnessSignal()
    staleness: StalenessSignal = StalenessSignal()
    manual: ManualSignal = ManualSignal()


class PreferredWindow(Strict):
    """When (and where) a non-urgent retraining should run: deferred until then, at most ``deadline_hours``.

    ``off_peak_utc`` is an hour range ``"HH-HH"`` in UTC (``"22-06"`` wraps past midnight). With
    ``max_intensity_g_per_kwh``, the training region's carbon intensity (or, failing it, one of
    ``regions``' - e.g. ``aws:eu-north-1``) must be at most that value; the intensity comes from an
    ``IntensitySource`` (default: Steward's own grid factors per region, offline). After
    ``deadline_hours`` from the first deferral the retraining runs anyway.
    """

    off_peak_utc: str | None = None
    max_intensity_g_per_kwh: float | None = Field(default=None, gt=0)
    training_region: str = "aws:us-east-1"
    regions: list[str] = Field(default_factory=list)
    deadline_hours: int = Field(default=24, ge=1, le=24 * 14)

    @field_validator("off_peak_utc")
    @classmethod
    def _hours(cls, v: str | None) -> str | None:
        if v is None:
            return v
        m = re.fullmatch(r"(\d{1,2})-(\d{1,2})", v)
        if not m or int(m[1]) > 23 or int(m[2]) > 24 or int(m[1]) == int(m[2]):
            raise ValueError(f"off_peak_utc {v!r} is not an hour range like '22-06' (start 0-23, end 0-24)")
        return v

    @field_validator("training_region", "regions")
    @classmethod
    def _regions(cls, v: str | list[str]) -> str | list[str]:
        for r in [v] if isinstance(v, str) else v:
            if not _REGION.fullmatch(r):
                raise ValueError(f"region {r!r} is not '<aws|gcp>:<region>' (e.g. 'aws:eu-north-1')")
        return v

    @model_validator(mode="after")
    def _something(self) -> PreferredWindow:
        if self.off_peak_utc is None and self.max_intensity_g_per_kwh is None:
            raise ValueError("a preferred_window needs off_peak_utc, max_intensity_g_per_kwh or both")
        return self

    @property
    def off_peak_hours(self) -> tuple[int, int] | None:
        """The off-peak range as ``(start_hour, end_hour)``, or None."""
        if self.off_peak_utc is None:
            return None
        start, end = self.off_peak_utc.split("-")
        return int(start), int(end)


class RetrainingGuards(Strict):
    """What holds a signalled retraining back: cool-down, monthly budgets, a preferred window."""

    #: Days after the last retraining (a fired decision, or a registered model version) with no new one.
    cooldown_days: int = Field(default=7, ge=0, le=366)
    #: The model's cost this month (``cost_allocated_daily``, ``x_ModelId``) at or above this: skip.
    monthly_cost_budget: float | None = Field(default=None, gt=0)
    #: The model's training emissions this month (``carbon_training_runs``) at or above this: skip.
    monthly_carbon_budget_kg: float | None = Field(default=None, gt=0)
    preferred_window: PreferredWindow | None = None


class PromotionGates(Strict):
    """Gates a challenger must pass to be promoted (``steward.retraining``; docs/retraining.md).

    Performance: the challenger is not significantly worse than the champion on the same holdout
    (paired DeLong test at ``alpha``) AND its AUC is higher by at least ``min_auc_gain`` (negative:
    a tolerated loss). Fairness: ``steward.fairness``'s gate on the holdout, stricter for high risk.
    High-risk models then wait up to ``approval_timeout_hours`` for a person; no answer is a rejection.
    """

    #: The challenger's AUC must beat the champion's by at least this much.
    min_auc_gain: float = Field(default=0.0, ge=-1, le=1)
    #: Significance level of the paired tests (DeLong, McNemar).
    alpha: float = Field(default=0.05, gt=0, lt=1)
    #: Class-stratified bootstrap resamples for the interval of the AUC difference.
    bootstrap_samples: int = Field(default=2000, ge=100, le=100_000)
    #: How long a high-risk promotion waits for a person's answer (Airflow's HITL response timeout).
    approval_timeout_hours: float = Field(default=72.0, gt=0, le=24 * 90)


class RetrainingPolicy(Strict):
    """When a model is retrained (``policies``, ``guards``) and how (``trainer``, windows, ``gates``)."""

    policies: RetrainingSignals = RetrainingSignals()
    guards: RetrainingGuards = RetrainingGuards()
    #: The training callable, ``package.module:function``.
    trainer: str | None = None
    training_window_days: int = Field(default=28, ge=1, le=3660)
    holdout_days: int = Field(default=3, ge=1, le=366)
    #: Labelled days a fire needs before the holdout: the trigger skips (guard ``training_data``) while
    #: the training window holds fewer than ``min_training_days + holdout_days`` labelled days.
    min_training_days: int = Field(default=2, ge=1, le=3660)
    gates: PromotionGates = PromotionGates()

    @field_validator("trainer")
    @classmethod
    def _trainer(cls, v: str | None) -> str | None:
        if v is not None and not _TRAINER.fullmatch(v):
            raise ValueError(f"trainer {v!r} is not a dotted path 'package.module:function'")
        return v
