"""The governance registry: datasets, models and policies declared in one YAML file."""

from steward.registry._allocation import AllocationConfig, CostMatch, SharedCostRule, TagDimension
from steward.registry._carbon import CandidateRegion, CarbonConfig, CarbonProvider, TrainingLocation
from steward.registry._card import ModelCard
from steward.registry._cost_sources import CostSource
from steward.registry._costs import CostsConfig
from steward.registry._fairness import FairnessPolicy
from steward.registry._identifiers import check_column, check_name
from steward.registry._load import RegistryError, load_registry, parse_registry
from steward.registry._models import (
    BusinessKpi,
    Dataset,
    DatasetSource,
    LabelSource,
    Model,
    ModelColumns,
    ModelThresholds,
    Reference,
    Registry,
    RiskTier,
    Sensitivity,
    Severity,
)
from steward.registry._monitoring import MonitoringPolicy
from steward.registry._retraining import (
    DriftSignal,
    EstimatedPerformanceSignal,
    FairnessSignal,
    ManualSignal,
    PerformanceSignal,
    PreferredWindow,
    PromotionGates,
    RetrainingGuards,
    RetrainingPolicy,
    RetrainingSignals,
    SignalName,
    StalenessSignal,
)
from steward.registry._schedule import STEWARD_DAGS, Alerts, DagAlerts, Landing

__all__ = [
    # loading
    "RegistryError",
    "load_registry",
    "parse_registry",
    # schema
    "BusinessKpi",
    "Dataset",
    "DatasetSource",
    "LabelSource",
    "Model",
    "ModelCard",
    "ModelColumns",
    "ModelThresholds",
    "Reference",
    "Registry",
    "RiskTier",
    "Sensitivity",
    "Severity",
    # schedule and alerts
    "Alerts",
    "DagAlerts",
    "Landing",
    "STEWARD_DAGS",
    # policies
    "FairnessPolicy",
    "MonitoringPolicy",
    # retraining
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
    # costs and carbon
    "AllocationConfig",
    "CandidateRegion",
    "CarbonConfig",
    "CarbonProvider",
    "CostMatch",
    "CostSource",
    "CostsConfig",
    "SharedCostRule",
    "TagDimension",
    "TrainingLocation",
    # identifiers
    "check_column",
    "check_name",
]
