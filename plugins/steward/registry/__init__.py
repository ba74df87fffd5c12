"""The governance registry: datasets, models and policies declared in one YAML file.

Modules
-------
``_allocation``
    Cost allocation rules: tag keys and value aliases, shared-cost splits.
``_base``
    Building blocks shared by every section of the registry schema: ``Strict`` (a frozen model that rejects
    unknown keys) and the ``Name`` and ``Column`` identifier types.
``_carbon``
    Carbon settings: codecarbon location and PUE, provider carbon sources, usage-estimate coefficients.
``_card``
    A model card declared in the registry: what the model is for, where it fails, who answers for it.
``_cost_sources``
    Cloud billing sources: AWS Cost Explorer, AWS data exports in S3, GCP BigQuery export, local files.
``_costs``
    The registry's ``costs`` section: billing sources, allocation rules and carbon settings.
``_fairness``
    A model's fairness policy: favourable outcomes, reference groups, intersections, tests, gates.
``_finance``
    The registry's finance keys: the cost ledger, budgets, and each model's KPI benefit declaration.
``_governance``
    Registry keys of the governance records: retention per dataset, identifier columns, the archive.
``_identifiers``
    Identifiers that reach SQL: validated here, quoted by the warehouse.
``_impact``
    The impact-assessment gate: high-risk models need a current assessment before they can be promoted.
``_load``
    Load and validate ``governance.yaml`` into a :class:`~steward.registry.Registry`.
``_models``
    The governance registry's schema: datasets, models and their policies.
``_monitoring``
    A model's monitoring policy: drift methods per column, missing/new-category limits, control charts.
``_privacy``
    The registry's ``privacy`` section, and what a sensitivity class allows.
``_retraining``
    A model's retraining policy: the signals that call for retraining, the guards that hold it back.
``_schedule``
    When data is expected, how long the night waits for it, and who is told when a night is late or fails.
"""

from steward.registry._allocation import AllocationConfig, CostMatch, SharedCostRule, TagDimension
from steward.registry._carbon import CandidateRegion, CarbonConfig, CarbonProvider, TrainingLocation
from steward.registry._card import ModelCard
from steward.registry._cost_sources import CostSource
from steward.registry._costs import CostsConfig
from steward.registry._fairness import FairnessPolicy
from steward.registry._finance import FinanceConfig, KpiMeasure, WorkloadRule
from steward.registry._governance import GovernanceSettings, RetentionHold, RetentionPolicy
from steward.registry._identifiers import check_column, check_name
from steward.registry._impact import (
    ASSESSED_TIERS,
    ImpactCheck,
    check_impact_assessment,
    impact_assessment_ok,
)
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
from steward.registry._privacy import (
    HIDDEN_EXAMPLES,
    MASKED_SENSITIVITY,
    DataSharingAgreement,
    ExampleKind,
    ExportJob,
    FeedbackSource,
    Generalization,
    ImpactAssessment,
    IncidentPolicy,
    PiiScan,
    PrivacyConfig,
    mask_examples,
    masks_examples,
)
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
    # governance records
    "GovernanceSettings",
    "RetentionHold",
    "RetentionPolicy",
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
    # finance
    "FinanceConfig",
    "KpiMeasure",
    "WorkloadRule",
    # privacy and accountability
    "ASSESSED_TIERS",
    "ImpactCheck",
    "check_impact_assessment",
    "impact_assessment_ok",
    "DataSharingAgreement",
    "ExampleKind",
    "ExportJob",
    "FeedbackSource",
    "Generalization",
    "HIDDEN_EXAMPLES",
    "ImpactAssessment",
    "IncidentPolicy",
    "MASKED_SENSITIVITY",
    "PiiScan",
    "PrivacyConfig",
    "mask_examples",
    "masks_examples",
    # identifiers
    "check_column",
    "check_name",
]
