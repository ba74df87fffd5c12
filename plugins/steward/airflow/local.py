"""Environment for running Airflow on one machine against this project (demo, tests, UI).

Everything lives under ``STEWARD_HOME``: Airflow's home and SQLite metadata in
``$STEWARD_HOME/airflow``, the DAGs and plugins from the project checkout. This module
sets environment variables only; it must run before Airflow is first imported.

By default the api-server listens on 127.0.0.1 only and every visitor is an admin (no login), which
is safe because nobody else can reach it. ``expose=True`` listens on every interface and turns the
login on (Airflow's simple auth manager: user ``admin``, its generated password stored in
:func:`passwords_file`), which also guards Steward's pages (the Governance page and the reports).
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import MutableMapping
from pathlib import Path

from steward import paths

__all__ = ["EXPOSED_HOST", "LOCAL_HOST", "airflow_env", "apply_airflow_env", "passwords_file", "ui_url"]

#: Where the api-server listens by default: this machine only.
LOCAL_HOST = "127.0.0.1"
#: Where it listens when exposed on purpose: every interface, with a login.
EXPOSED_HOST = "0.0.0.0"  # noqa: S104 - only with expose=True, which also turns the login on

#: Settings always set from the arguments, never taken from the caller's environment: who can reach the
#: UI and as whom (a stale ``AIRFLOW__API__HOST=0.0.0.0`` must not expose an all-admins UI), and the port,
#: so that the printed URL and the tasks' execution API URL are the ones the api-server listens on.
_FORCED_KEYS = (
    "AIRFLOW__API__HOST",
    "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS",
    "AIRFLOW__API__PORT",
    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
)


def passwords_file(steward_home: Path | None = None) -> Path:
    """Return the file where Airflow's simple auth manager stores the generated ``admin`` password."""
    return (steward_home or paths.steward_home()) / "airflow" / "simple_auth_manager_passwords.json.generated"


def ui_url(*, port: int = 8080, expose: bool = False) -> str:
    """Return the URL the UI is reachable at: 127.0.0.1, or this machine's name when exposed.

    Examples
    --------
    >>> ui_url(port=8081)
    'http://127.0.0.1:8081'
    """
    return f"http://{socket.getfqdn() if expose else LOCAL_HOST}:{port}"


def airflow_env(
    *, steward_home: Path | None = None, port: int = 8080, parallelism: int = 4, expose: bool = False
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
    expose
        Listen on every interface (``0.0.0.0``) with a login; by
        default the api-server listens on 127.0.0.1 only and needs no login. Steward's pages are
        served either way, behind the same login (``STEWARD_SERVE_REPORTS=false`` turns them off).
    """
    state = steward_home or paths.steward_home()
    home = state / "airflow"
    project = paths.project_dir()
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(project / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(project / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        # .airflowignore as regular expressions: the glob syntax builds pathspec's deprecated
        # GitWildMatchPattern in every task process, one DeprecationWarning per pattern in every log
        "AIRFLOW__CORE__DAG_IGNORE_FILE_SYNTAX": "regexp",
        "AIRFLOW__CORE__PARALLELISM": str(parallelism),
        "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": str(parallelism),
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        # Every visitor is an admin only while nobody else can reach the api-server.
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False" if expose else "True",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords_file(state)),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://{LOCAL_HOST}:{port}/execution/",
        "AIRFLOW__API__HOST": EXPOSED_HOST if expose else LOCAL_HOST,
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__SCHEDULER__STANDALONE_DAG_PROCESSOR": "False",
        "STEWARD_HOME": str(state),
        "STEWARD_PROJECT_DIR": str(project),
        "GX_ANALYTICS_ENABLED": "false",
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
    expose: bool = False,
) -> dict[str, str]:
    """Set :func:`airflow_env` in ``environ`` (default ``os.environ``).

    Values the user already set win unless ``override`` (tests use it to stay isolated), except
    who can reach the UI and whether it asks for a login, which always follow ``expose``, and the
    port.
    """
    target = os.environ if environ is None else environ
    env = airflow_env(steward_home=steward_home, port=port, parallelism=parallelism, expose=expose)
    forced = set(_FORCED_KEYS)
    # `airflow standalone` starts its components as `airflow ...` from PATH: put our venv's bin first.
    venv_bin = str(Path(sys.executable).parent)
    path = target.get("PATH", "")
    if venv_bin not in path.split(os.pathsep):
        target["PATH"] = os.pathsep.join([venv_bin, path]) if path else venv_bin
    for key, value in env.items():
        if override or key in forced:
            target[key] = value
        else:
            target.setdefault(key, value)
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    return env
