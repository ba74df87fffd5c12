"""Cloud billing sources: AWS Cost Explorer, AWS data exports in S3, GCP BigQuery export, local files."""

from __future__ import annotations

from steward.registry._base import Name, Strict

__all__ = ["CostSource"]


class CostSource(Strict):
    """One billing source read by the nightly cost DAG."""

    name: Name
