"""Drift detection from small aggregates: bin and category counts, never raw rows."""

from steward.drift._fdr import benjamini_hochberg
from steward.drift._methods import (
    METHODS,
    PSI_EPSILON,
    ColumnType,
    DefaultMethods,
    DriftMethod,
    MethodResult,
    default_method,
    get_method,
)
from steward.drift._profile import (
    CategoricalProfile,
    NumericProfile,
    bin_counts,
    categorical_profile,
    numeric_profile,
)

__all__ = [
    # profiles (aggregates of a column)
    "CategoricalProfile",
    "NumericProfile",
    "bin_counts",
    "categorical_profile",
    "numeric_profile",
    # methods
    "METHODS",
    "PSI_EPSILON",
    "ColumnType",
    "DriftMethod",
    "MethodResult",
    "get_method",
    # defaults
    "DefaultMethods",
    "default_method",
    # multiple testing
    "benjamini_hochberg",
]
