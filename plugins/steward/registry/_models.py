"""The governance registry's schema: datasets, models and their policies.

Every model here forbids unknown keys, so a typo in ``governance.yaml`` is an error
that names the key path instead of a silently ignored setting.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from steward.registry._base import Column, Name, Strict
from steward.registry._card import ModelCard
from steward.registry._costs import CostsConfig
from steward.registry._fairness import FairnessPolicy
from steward.registry._finance import Cadence, Direction, FinanceConfig, KpiMeasure
from steward.registry._governance import GovernanceSettings, RetentionPolicy
from steward.registry._monitoring import MonitoringPolicy
from steward.registry._privacy import PrivacyConfig
from steward.registry._retraining import RetrainingPolicy
from steward.registry._schedule import Alerts, Landing

__all__ = [
    "BusinessKpi",
    "Dataset",
    "DatasetSource",
    "LabelSource",
    "Model",
    "ModelColumns",
    "ModelThresholds",
    "Reference",
    "Registry",
    "RiskTier",
    "Sensitivity",
    "Severity",
]

Sensitivity = Literal["public", "internal", "confidential", "restricted"]
Severity = Literal["critical", "warning", "info"]
#: EU AI Act risk categories.
RiskTier = Literal["minimal", "limited", "high", "unacceptable"]


class DatasetSource(Strict):
    """Where a dataset's data lives.

    Exactly one of ``path`` (a file path or glob, local or ``s3://``) or ``table`` (a
    warehouse table). A ``{date}`` placeholder in ``path`` selects one partition
    (e.g. ``${STEWARD_HOME}/lake/leads/date={date}/*.parquet``); without it, the rows of
    a partition are those whose ``partition_column`` equals the date.
    """

    path: str | None = None
    table: Name | None = None
    format: Literal["parquet", "csv"] | None = None

    @model_validator(mode="after")
    def _one_location(self) -> DatasetSource:
        if (self.path is None) == (self.table is None):
            raise ValueError("give exactly one of 'path' (file, glob or s3:// URI) or 'table'")
        if self.path is not None and self.format is None:
            lowered = self.path.lower()
            fmt: Literal["parquet", "csv"] | None = (
                "parquet" if ".parquet" in lowered else "csv" if ".csv" in lowered else None
            )
            if fmt is None:
                raise ValueError(
                    f"cannot tell the file format of {self.path!r}: add 'format: parquet' or 'format: csv'"
                )
            object.__setattr__(self, "format", fmt)
        return self

    @property
    def partitioned_by_path(self) -> bool:
        """Whether ``path`` selects a partition by its ``{date}`` placeholder."""
        return self.path is not None and "{date}" in self.path


class Dataset(Strict):
    """A registered dataset: its source, ownership, sensitivity and quality suite."""

    name: Name
    description: str = ""
    source: DatasetSource
    partition_column: Column | None = None
    owner: str
    steward: str | None = None
    sensitivity: Sensitivity = "internal"
    retention_days: int = Field(default=365, ge=1)
    #: Derived-row retention, legal basis, region, delete or archive, holds (``steward retention run``).
    retention: RetentionPolicy = RetentionPolicy()
    #: Subject key -> the column holding it, e.g. ``{lead_id: lead_id}`` (``steward erasure request``).
    identifier_columns: dict[Name, Column] = Field(default_factory=dict)
    #: The GX suite (``<expectations folder>/<suite>.json``). Without it, ``<dataset name>.json`` is used
    #: when it exists, else a default suite: at least one row, and no nulls in ``key_columns``.
    suite: Name | None = None
    #: Columns that identify a row (never null); checked by the default suite.
    key_columns: list[Column] = Field(default_factory=list)
    severity: Severity = "critical"
    #: Where the data lives, ``<aws|gcp>:<region>`` (e.g. ``aws:eu-west-1``): a model trained in another
    #: region is flagged by the finance review (data transfer). None: not known.
    region: str | None = Field(default=None, pattern=r"^(aws|gcp):[a-z0-9-]+$")
    kind: Literal["raw", "training", "predictions", "labels", "billing", "outcomes", "other"] = "other"
    #: ``daily``: one partition a day, validated by the nightly DAG. ``snapshot``: one whole
    #: file set (e.g. a training set), validated on demand (CLI, retraining).
    cadence: Literal["daily", "snapshot"] = "daily"
    #: When a daily partition is expected and how long the nightly run waits for it. Without it a
    #: partition that has not landed fails the night at once.
    landing: Landing | None = None

    @model_validator(mode="after")
    def _partition_rule(self) -> Dataset:
        if self.cadence == "snapshot":
            if self.landing is not None:
                raise ValueError(
                    "'landing' applies to daily datasets only: remove it or set 'cadence: daily'"
                )
            return self
        if not self.source.partitioned_by_path and self.partition_column is None:
            raise ValueError(
                "a daily dataset needs a partition: put a {date} placeholder in source.path, "
                "set partition_column to the date column, or declare 'cadence: snapshot'"
            )
        return self

    @property
    def suite_name(self) -> str:
        """Name of the GX suite (``<expectations folder>/<suite>.json``); defaults to the dataset name."""
        return self.suite or self.name


class ModelColumns(Strict):
    """Column roles in a model's prediction log."""

    id: Column
    timestamp: Column
    score: Column | None = None
    prediction: Column
    label: Column | None = None
    #: The model version that scored each row; default: a ``model_version`` column when the log has one.
    version: Column | None = None


class LabelSource(Strict):
    """Where late-arriving labels come from and how they join the prediction log."""

    dataset: Name
    join_key: Column
    label_column: Column


class Reference(Strict):
    """A model's reference distribution: a dataset (e.g. its training data) or a window of its log."""

    dataset: Name | None = None
    window_start: dt.date | None = None
    window_end: dt.date | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Reference:
        has_window = self.window_start is not None or self.window_end is not None
        if (self.dataset is None) == (not has_window):
            raise ValueError("give either 'dataset' or both 'window_start' and 'window_end'")
        if has_window and (self.window_start is None or self.window_end is None):
            raise ValueError("a reference window needs both 'window_start' and 'window_end'")
        if self.window_start and self.window_end and self.window_start > self.window_end:
            raise ValueError("window_start is after window_end")
        return self


class ModelThresholds(Strict):
    """Thresholds a model is governed by. Each has a sensible default."""

    decision: float = Field(default=0.5, ge=0, le=1)
    review_band: float = Field(default=0.05, ge=0, le=0.5)
    drift_share: float = Field(default=0.3, gt=0, le=1)
    min_auc: float | None = Field(default=None, ge=0, le=1)
    max_relative_decay: float = Field(default=0.1, gt=0, le=1)
    fairness_tolerance: float = Field(default=0.1, gt=0, le=1)
    min_group_size: int = Field(default=30, ge=1)


class BusinessKpi(Strict):
    """The business outcome a model serves, and its projected benefit, read by the ROI review.

    Realized benefit in money = (baseline - realized KPI) x sum(denominator) x ``value_per_unit``
    for ``lower_is_better`` (the sign flips for ``higher_is_better``); the projection applies
    ``target_change_pct`` to the baseline.
    """

    name: Name
    unit: str
    description: str = ""
    #: How the realized KPI is computed from outcomes; without it the review shows costs only.
    measure: KpiMeasure | None = None
    direction: Direction = "lower_is_better"
    #: The KPI before the model (same unit), e.g. CAC 262 USD.
    baseline: float | None = None
    #: Projected relative change of the KPI against the baseline, in percent (e.g. -15).
    target_change_pct: float | None = None
    #: Money (finance.currency) per KPI unit per denominator unit: 1 for CAC (USD per conversion).
    value_per_unit: float | None = Field(default=None, ge=0)
    #: The assumptions behind the projection, stored beside the review's numbers.
    assumptions: list[str] = Field(default_factory=list)
    sponsor: str | None = None
    review_cadence: Cadence = "monthly"

    @model_validator(mode="after")
    def _baseline_usable(self) -> BusinessKpi:
        if self.baseline is not None and self.baseline == 0 and self.target_change_pct is not None:
            raise ValueError(
                "baseline is 0, so a relative target_change_pct has no meaning: "
                "state the KPI's pre-model value as baseline"
            )
        if self.measure is not None and (self.baseline is None or self.value_per_unit is None):
            raise ValueError(
                "a KPI with a measure needs 'baseline' and 'value_per_unit' to value its benefit"
            )
        return self


class Model(Strict):
    """A registered model: ownership, risk tier, prediction log and governance settings."""

    name: Name
    description: str = ""
    owner: str
    business_unit: Name
    risk_tier: RiskTier
    prediction_log: Name
    training_data: Name | None = None
    labels: LabelSource | None = None
    columns: ModelColumns
    features: list[Column] = Field(min_length=1)
    protected_attributes: list[Column] = Field(default_factory=list)
    reference: Reference | None = None
    thresholds: ModelThresholds = ModelThresholds()
    cost_tags: dict[str, str] = Field(default_factory=dict)
    business_kpi: BusinessKpi | None = None
    #: Drift and performance monitoring settings (methods per column, control charts).
    monitoring: MonitoringPolicy = MonitoringPolicy()
    #: Fairness settings (reference groups, intersections, intervals, gates).
    fairness: FairnessPolicy = FairnessPolicy()
    #: The model card (intended use, limitations, assumptions, failure modes), stored with each
    #: registered version. Required for the high and unacceptable risk tiers.
    card: ModelCard | None = None
    #: When the model is retrained (signals, guards) and how (trainer, windows, promotion gates).
    retraining: RetrainingPolicy = RetrainingPolicy()

    @model_validator(mode="after")
    def _no_duplicate_columns(self) -> Model:
        for field in ("features", "protected_attributes"):
            values = getattr(self, field)
            dupes = sorted({v for v in values if values.count(v) > 1})
            if dupes:
                raise ValueError(f"{field} lists {dupes} more than once")
        unknown = sorted(set(self.retraining.policies.drift.features or ()) - set(self.features))
        if unknown:
            raise ValueError(
                f"retraining.policies.drift.features lists {unknown}, which are not in the model's "
                f"features {self.features}: name monitored features only"
            )
        return self


class Registry(Strict):
    """The whole governance registry."""

    version: Literal[1] = 1
    datasets: list[Dataset] = Field(default_factory=list)
    models: list[Model] = Field(default_factory=list)
    #: Cloud billing sources, cost allocation rules and carbon settings.
    costs: CostsConfig = CostsConfig()
    #: Who is told when a night is late or failed (webhook, e-mail), per DAG.
    alerts: Alerts = Alerts()
    #: Finance: review currency, cost ledger, budgets, month close (see docs/finance.md).
    finance: FinanceConfig = FinanceConfig()
    #: Where model artifacts are stored by version: a folder or ``s3://bucket/prefix``. The
    #: environment variable ``STEWARD_ARTIFACTS`` wins; default ``${STEWARD_HOME}/artifacts``.
    artifacts: str | None = None
    #: PII scan, declared personal data, data-sharing exports, impact assessments, incidents, feedback.
    privacy: PrivacyConfig = PrivacyConfig()
    #: Governance records: where retention archives partitions.
    governance: GovernanceSettings = GovernanceSettings()

    def dataset(self, name: str) -> Dataset:
        """Return the dataset called ``name``, or raise ``KeyError`` listing the registered names."""
        for d in self.datasets:
            if d.name == name:
                return d
        raise KeyError(f"dataset {name!r} is not registered; registered: {[d.name for d in self.datasets]}")

    def model(self, name: str) -> Model:
        """Return the model called ``name``, or raise ``KeyError`` listing the registered names."""
        for m in self.models:
            if m.name == name:
                return m
        raise KeyError(f"model {name!r} is not registered; registered: {[m.name for m in self.models]}")
