"""Where Steward keeps its files: the project checkout and the local state folder.

All local state (Airflow home with its SQLite metadata, the DuckDB warehouse, the demo
data lake and the reports) lives under one folder, ``STEWARD_HOME`` (default ``.steward/``
in the project checkout).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "airflow_home",
    "expectations_dir",
    "lake_dir",
    "project_dir",
    "registry_path",
    "reports_dir",
    "sql_dir",
    "steward_home",
]


def project_dir() -> Path:
    """Return the project checkout (the folder holding ``dags/``, ``include/`` and ``plugins/``).

    ``STEWARD_PROJECT_DIR`` overrides it, for installs outside a checkout.
    """
    env = os.environ.get("STEWARD_PROJECT_DIR")
    if env:
        return Path(env).resolve()
    # plugins/steward/paths.py -> project root
    return Path(__file__).resolve().parents[2]


def steward_home() -> Path:
    """Return the local state folder (``STEWARD_HOME``, default ``<project>/.steward``)."""
    env = os.environ.get("STEWARD_HOME")
    return Path(env).resolve() if env else project_dir() / ".steward"


def airflow_home() -> Path:
    """Return Airflow's home under ``STEWARD_HOME`` (SQLite metadata, logs, airflow.cfg)."""
    return steward_home() / "airflow"


def lake_dir() -> Path:
    """Return the demo data lake (Parquet partitioned by date)."""
    return steward_home() / "lake"


def reports_dir() -> Path:
    """Return the folder for HTML reports."""
    return steward_home() / "reports"


def include_dir() -> Path:
    """Return ``include/`` of the project (SQL, expectation suites, the default registry)."""
    return project_dir() / "include"


def sql_dir() -> Path:
    """Return ``include/sql``."""
    return include_dir() / "sql"


def expectations_dir(registry: Path | None = None) -> Path:
    """Return the folder of GX suites (one JSON per dataset).

    ``STEWARD_EXPECTATIONS`` if set; else ``expectations/`` beside the registry file when that folder
    exists (so a registry kept outside the checkout brings its suites along); else
    ``include/expectations`` (which is beside the default registry, ``include/governance.yaml``).
    """
    env = os.environ.get("STEWARD_EXPECTATIONS")
    if env:
        return Path(env).expanduser().resolve()
    beside = (registry or registry_path()).parent / "expectations"
    return beside if beside.is_dir() else include_dir() / "expectations"


def registry_path() -> Path:
    """Return the governance registry file: ``STEWARD_REGISTRY`` or ``include/governance.yaml``."""
    env = os.environ.get("STEWARD_REGISTRY")
    return Path(env).expanduser().resolve() if env else include_dir() / "governance.yaml"
