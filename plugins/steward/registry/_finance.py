"""The registry's finance keys: the cost ledger, budgets, and each model's KPI benefit declaration."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from steward.registry._base import Column, Name, Strict

__all__ = ["FinanceConfig", "KpiMeasure", "WorkloadRule"]

#: ISO 4217 code: three capital letters.
_CURRENCY = r"^[A-Z]{3}$"


class KpiMeasure(Strict):
    """How the realized KPI is computed from outcomes: ``scale`` x sum(numerator) / sum(denominator).

    Rows are those of ``dataset`` whose ``business_unit_column`` equals ``business_unit`` (default: the
    model's business unit). The interval treats each day as one observation of the ratio (delta method).
    """

    dataset: Name
    numerator: Column
    denominator: Column
    business_unit_column: Column = "business_unit"
    business_unit: Name | None = None
    scale: float = Field(default=1.0, gt=0)


class WorkloadRule(Strict):
    """Which of a model's tagged cloud cost lines are training or inference.

    A line is ``workload`` when its operation, usage type or charge description contains one of
    ``contains`` (case-insensitive). Rules are tried in order; unmatched lines are ``other``.
    """

    workload: Literal["training", "inference"]
    contains: list[str] = Field(min_length=1)


_DEFAULT_WORKLOADS = (
    WorkloadRule(workload="training", contains=["train"]),
    WorkloadRule(
        workload="inference", contains=["host:", "endpoint", "prediction", "inference", "transform"]
    ),
)


class FinanceConfig(Strict):
    """Finance settings: the currency of the review, the cost ledger, monthly budgets, when a month closes."""

    #: The review's currency: ledger lines, cloud cost lines and KPI money must all be in it.
    currency: str = Field(default="USD", pattern=_CURRENCY)
    #: Cost ledger file (YAML or CSV). ``{period}`` is replaced by the month (``2026-11``): one file per
    #: month; without it one file holds every month. Relative paths are relative to the project checkout.
    ledger: str | None = None
    #: Monthly budget per model (total cost of ownership, the review's currency).
    budgets: dict[Name, Decimal] = Field(default_factory=dict)
    #: A month is closed (its review final) this many days after its last day; before that the
    #: review is written as provisional.
    close_after_days: int = Field(default=5, ge=0)
    #: Confidence level of KPI and benefit intervals.
    confidence: float = Field(default=0.95, gt=0, lt=1)
    #: Versioned, cited commitment discounts for the commitment findings (relative: the project checkout).
    commitment_discounts: str = "include/finance/commitment_discounts_2026.11.yaml"
    #: How a model's tagged cloud cost splits into training and inference (the rest is ``other``).
    workloads: list[WorkloadRule] = Field(default_factory=lambda: list(_DEFAULT_WORKLOADS))
    #: Cost per 1,000 predictions is flagged as rising when the period's second half exceeds its first
    #: half by more than this share.
    rising_cost_share: float = Field(default=0.1, ge=0)
    #: Hourly carbon intensity and price per region (CSV ``region,hour_utc,gco2e_per_kwh,price_per_hour``,
    #: relative to the project checkout): the off-peak / low-carbon window findings. None: not computed.
    hourly_profile: str | None = None
    #: Mean power of a nightly batch job (data quality, monitoring) in kW, for its kg CO2e; training runs
    #: use codecarbon's measured energy. None: the batch jobs' window findings give no kg CO2e.
    batch_power_kw: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _budgets_not_negative(self) -> FinanceConfig:
        bad = sorted(k for k, v in self.budgets.items() if v < 0)
        if bad:
            raise ValueError(f"budgets of {bad} are negative: give a monthly amount >= 0")
        return self


#: What a KPI's direction means for benefit: a fall is good (cost, default rate) or a rise is.
Direction = Literal["lower_is_better", "higher_is_better"]
Cadence = Literal["monthly", "quarterly"]
