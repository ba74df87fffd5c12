"""Airflow plugin entry point: Steward's Governance page and reports (see steward.airflow.ui)."""

from steward.airflow.ui import StewardPlugin

__all__ = ["StewardPlugin"]
