"""Drift detection from small aggregates: bin and category counts, never raw rows.

Modules
-------
``_fdr``
    Benjamini-Hochberg false discovery rate control across the columns of a dataset (scipy's, NaN-aware).
``_methods``
    Drift methods as named objects, computed from bin or category counts.
``_profile``
    Small aggregates of a column: the only thing drift methods ever see.
"""

from steward.drift._fdr import benjamini_hochberg
from steward.drift._methods import (
    METHODS,
    PSI_EPSILON,
    ColumnType,
    DefaultMethods,
    DriftMethod,
    MethodResult,
    batch_statistics,
    default_method,
    get_method,
)
from steward.drift._profile import (
    MAX_EXACT_VALUES,
    POINT_SHARE,
    CategoricalProfile,
    NumericProfile,
    bin_counts,
    bin_means,
    categorical_profile,
    merge_edges,
    numeric_profile,
    point_bin_mask,
    point_masses,
)

__all__ = [
    # profiles (aggregates of a column)
    "CategoricalProfile",
    "NumericProfile",
    "bin_counts",
    "bin_means",
    "categorical_profile",
    "numeric_profile",
    # point masses (values with their own exact bin)
    "MAX_EXACT_VALUES",
    "POINT_SHARE",
    "merge_edges",
    "point_bin_mask",
    "point_masses",
    # methods
    "METHODS",
    "PSI_EPSILON",
    "ColumnType",
    "DriftMethod",
    "MethodResult",
    "get_method",
    # defaults
    "DefaultMethods",
    "batch_statistics",
    "default_method",
    # multiple testing
    "benjamini_hochberg",
]
