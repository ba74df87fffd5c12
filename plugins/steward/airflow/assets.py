"""Every Airflow Asset of Steward, defined once here (always with ``name=``).

The data-quality DAG emits one event per validated partition through the alias
:data:`DATA_QUALITY`, onto the asset of that dataset (:func:`dataset_quality`), with
``extra = {"partition_date": "YYYY-MM-DD", "status": "passed" | "warning", ...}``.
Quarantined or unreadable partitions emit nothing: consumers scheduled on a dataset's
asset only ever see partitions that may be used.
"""

from __future__ import annotations

from airflow.sdk import Asset, AssetAlias

from steward.registry import check_name

__all__ = ["DATA_QUALITY", "dataset_quality"]

#: Alias through which the mapped data-quality task attaches events to per-dataset assets.
DATA_QUALITY = AssetAlias(name="steward_data_quality", group="data_quality")


def dataset_quality(dataset: str) -> Asset:
    """Return the asset "dataset ``dataset`` passed its nightly data quality checks"."""
    check_name(dataset, "dataset")
    return Asset(name=f"dq_{dataset}", uri=f"steward://data-quality/{dataset}", group="data_quality")
