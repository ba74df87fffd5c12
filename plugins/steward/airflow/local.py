"""Environment for running Airflow on one machine against this project (demo, tests, UI).

Everything lives under ``STEWARD_HOME``: Airflow's home and SQLite metadata in
``$STEWARD_HOME/airflow``, the DAGs and plugins from the project checkout. This module
sets environment variables only; it must run before Airflow is first imported.
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping
from pathlib import Path

from steward import paths

__all__ = ["airflow_env", "apply_airflow_env"]


def airflow_env(
    *, steward_home: Path | None = None, port: int = 8080, parallelism: int = 4
) -> dict[str, str]:
    """Return the environment variables for a local Airflow over this project.

    Parameters
    ----------
    steward_home
        The state folder to run against (default :func:`steward.paths.steward_home`).
    port
        The api-server port (the UI); tasks reach the execution API through it.
    parallelism
        Task slots. ``airflow standalone`` defaults to 32 workers (~6 GB): keep it low.
    """
    state = steward_home or paths.steward_home()
    home = state / "airflow"
    project = paths.project_dir()
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(project / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(project / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": str(parallelism),
        "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": str(parallelism),
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://localhost:{port}/execution/",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__SCHEDULER__STANDALONE_DAG_PROCESSOR": "False",
        "STEWARD_HOME": str(state),
        "STEWARD_PROJECT_DIR": str(project),
        "GX_ANALYTICS_ENABLED": "false",
        "STEWARD_SERVE_REPORTS": "true",  # local only: the reports under /steward/ in the UI
        # the DuckDB file takes one writer at a time: warehouse tasks queue in this one-slot pool
        # (created by steward.airflow.pools.ensure_warehouse_pool)
        "STEWARD_WAREHOUSE_POOL": "steward_warehouse",
        "NO_PROXY": "*",
    }


def apply_airflow_env(
    environ: MutableMapping[str, str] | None = None,
    *,
    override: bool = False,
    steward_home: Path | None = None,
    port: int = 8080,
    parallelism: int = 4,
) -> dict[str, str]:
    """Set :func:`airflow_env` in ``environ`` (default ``os.environ``).

    Values the user already set win unless ``override`` (tests use it to stay isolated).
    """
    target = os.environ if environ is None else environ
    env = airflow_env(steward_home=steward_home, port=port, parallelism=parallelism)
    # `airflow standalone` starts its components as `airflow ...` from PATH: put our venv's bin first.
    venv_bin = str(Path(sys.executable).parent)
    path = target.get("PATH", "")
    if venv_bin not in path.split(os.pathsep):
        target["PATH"] = os.pathsep.join([venv_bin, path]) if path else venv_bin
    for key, value in env.items():
        if override:
            target[key] = value
        else:
            target.setdefault(key, value)
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    return env
