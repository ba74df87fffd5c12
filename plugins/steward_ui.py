"""Airflow plugin entry point: Steward's reports in the Airflow UI (see steward.airflow.ui)."""

from steward.airflow.ui import StewardPlugin

__all__ = ["StewardPlugin"]
