"""The governance registry: datasets, models and policies declared in one YAML file."""

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
    "ModelColumns",
    "ModelThresholds",
    "Reference",
    "Registry",
    "RiskTier",
    "Sensitivity",
    "Severity",
    # identifiers
    "check_column",
    "check_name",
]
