"""Steward as a small Airflow provider: its ``steward://`` asset URIs become OpenLineage datasets.

Every task's reads and writes (:mod:`steward._tracking`) are handed to Airflow's hook lineage
collector by :func:`steward.airflow.context.warehouse` as ``steward://datasets/<dataset>/<partition>``
and ``steward://warehouse/<table>`` assets. ``apache-airflow-providers-openlineage``'s listener turns
collected assets into the inputs and outputs of the task's OpenLineage events, through the converter
that a provider registers for the URI scheme: :func:`get_provider_info` (entry point
``apache_airflow_provider`` in ``pyproject.toml``) registers :func:`convert_asset_to_openlineage` for
``steward``. Nothing is emitted until a transport is configured (``AIRFLOW__OPENLINEAGE__TRANSPORT``:
file or console in the demo, HTTP for Marquez; docs/governance.md).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

__all__ = ["convert_asset_to_openlineage", "dataset_uri", "get_provider_info", "table_uri"]


def dataset_uri(dataset: str, partition: str) -> str:
    """Return the asset URI of a dataset partition read by a task.

    Examples
    --------
    >>> dataset_uri("leads", "2026-11-04")
    'steward://datasets/leads/2026-11-04'
    """
    return f"steward://datasets/{dataset}/{partition}"


def table_uri(table: str) -> str:
    """Return the asset URI of a warehouse table written by a task (``steward://warehouse/<table>``)."""
    return f"steward://warehouse/{table}"


def get_provider_info() -> dict[str, Any]:
    """Return Steward's provider information (read by Airflow's providers manager)."""
    from steward import __version__

    return {
        "package-name": "steward",
        "name": "Steward",
        "description": "Governance records of Steward's tasks: steward:// assets as OpenLineage datasets.",
        "versions": [__version__],
        "asset-uris": [
            {
                "schemes": ["steward"],
                "handler": None,
                "to_openlineage_converter": "steward.airflow.openlineage.convert_asset_to_openlineage",
            }
        ],
    }


def convert_asset_to_openlineage(asset: Any, lineage_context: Any) -> Any:
    """Turn ``steward://<kind>/<name>`` into the OpenLineage dataset ``<name>`` in ``steward://<kind>``."""
    from airflow.providers.common.compat.openlineage.facet import Dataset

    parts = urlsplit(asset.uri)
    return Dataset(namespace=f"steward://{parts.netloc}", name=parts.path.lstrip("/"))
