"""Every Airflow Asset of Steward, defined once here (always with ``name=``).

The data-quality DAG emits one event per validated partition through the alias
:data:`DATA_QUALITY`, onto the asset of that dataset (:func:`dataset_quality`), with
``extra = {"partition_date": "YYYY-MM-DD", "status": "passed" | "warning", ...}``.
Quarantined or unreadable partitions emit nothing: consumers scheduled on a dataset's
asset only ever see partitions that may be used.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import Asset, AssetAlias

from steward.registry import check_name

__all__ = [
    # data quality
    "DATA_QUALITY",
    "dataset_quality",
    # monitoring
    "MODEL_MONITORING",
    "model_monitoring",
    "monitoring_assets",
    "prediction_log_assets",
    # costs and carbon
    "CARBON",
    "COST_ALLOCATED",
    "COST_LINES",
]

#: Alias through which the mapped data-quality task attaches events to per-dataset assets.
DATA_QUALITY = AssetAlias(name="steward_data_quality", group="data_quality")


def dataset_quality(dataset: str) -> Asset:
    """Return the asset "dataset ``dataset`` passed its nightly data quality checks"."""
    check_name(dataset, "dataset")
    return Asset(name=f"dq_{dataset}", uri=f"steward://data-quality/{dataset}", group="data_quality")


#: Alias through which the mapped monitoring task attaches events to per-model assets.
MODEL_MONITORING = AssetAlias(name="steward_model_monitoring", group="monitoring")


def model_monitoring(model: str) -> Asset:
    """Return the asset "model ``model`` was monitored for a window" (drift, performance, fairness).

    Events carry ``extra = {"window": "YYYY-MM-DD", "drift": bool, "performance_breach": bool,
    "fairness_breach": bool}`` for retraining and ROI.
    """
    check_name(model, "model")
    return Asset(name=f"monitoring_{model}", uri=f"steward://monitoring/{model}", group="monitoring")


def _any_of(assets: list[Asset]) -> Any:
    """Return the schedule "any of ``assets``" (OR-ed), or None when there is none."""
    if not assets:
        return None
    schedule: Any = assets[0]
    for asset in assets[1:]:
        schedule = schedule | asset
    return schedule


def prediction_log_assets() -> Any:
    """Return the schedule "any registered model's prediction log passed data quality" (assets OR-ed).

    Read from the registry when the DAG file is parsed (a small YAML file, no heavy imports).
    """
    from steward.registry import load_registry

    logs = sorted({m.prediction_log for m in load_registry(check_suites=False).models})
    return _any_of([dataset_quality(name) for name in logs])


def monitoring_assets() -> Any:
    """Return the schedule "any registered model was monitored" (its ``monitoring_<model>`` assets OR-ed).

    Read from the registry when the DAG file is parsed, like :func:`prediction_log_assets`.
    """
    from steward.registry import load_registry

    names = sorted(m.name for m in load_registry(check_suites=False).models)
    return _any_of([model_monitoring(name) for name in names])


#: FOCUS cost lines (``cost_line_daily``) were (re)loaded for some billing periods.
COST_LINES = Asset(name="cost_line_daily", uri="steward://costs/cost_line_daily", group="costs")
#: Allocated costs (``cost_allocated_daily``) and tag coverage were recomputed.
COST_ALLOCATED = Asset(name="cost_allocated_daily", uri="steward://costs/cost_allocated_daily", group="costs")
#: Carbon tables (training runs, provider data, usage estimates) were updated.
CARBON = Asset(name="carbon", uri="steward://carbon/emissions", group="carbon")
