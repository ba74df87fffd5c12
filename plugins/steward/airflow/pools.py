"""The Airflow pool through which Steward's warehouse tasks queue when the warehouse is one DuckDB file.

DuckDB lets one process at a time open a file for writing: parallel task processes would wait on
its lock and fail after ``lock_timeout_s``. With the local setup (``steward demo``, ``make airflow``,
:func:`steward.airflow.local.airflow_env`), ``STEWARD_WAREHOUSE_POOL=steward_warehouse`` is set and
the pool is created with one slot, so those tasks queue in Airflow (visible in the UI as
"scheduled", waiting for a pool slot) instead of fighting for the file. With a PostgreSQL warehouse,
leave the variable unset: tasks use Airflow's ``default_pool`` and run in parallel.

The DAG files read the variable when they are parsed (:func:`warehouse_pool_args`): no Airflow
Variable, no database call. A pool named there must exist, or Airflow never queues the tasks:
:func:`ensure_warehouse_pool` creates it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

__all__ = [
    "POOL_ENV",
    "WAREHOUSE_POOL",
    "create_warehouse_pool_here",
    "ensure_warehouse_pool",
    "warehouse_pool_args",
]

#: The pool's name in the local setup.
WAREHOUSE_POOL = "steward_warehouse"
#: Environment variable naming the pool of the warehouse tasks (unset: Airflow's default_pool).
POOL_ENV = "STEWARD_WAREHOUSE_POOL"


def warehouse_pool_args(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return ``{"pool": name}`` for a DAG's ``default_args`` when ``STEWARD_WAREHOUSE_POOL`` is set.

    Examples
    --------
    >>> warehouse_pool_args({"STEWARD_WAREHOUSE_POOL": "steward_warehouse"})
    {'pool': 'steward_warehouse'}
    >>> warehouse_pool_args({})
    {}
    """
    name = (os.environ if environ is None else environ).get(POOL_ENV, "").strip()
    return {"pool": name} if name else {}


_DESCRIPTION = "Steward: tasks that open the DuckDB warehouse file queue here, one at a time"


def create_warehouse_pool_here(*, name: str = WAREHOUSE_POOL, slots: int = 1) -> None:
    """Create (or resize) the pool in this process's Airflow metadata database, through Airflow's ORM.

    For a process that imports Airflow anyway, with its settings applied before (``steward demo``'s
    runner): it saves the 2 s an ``airflow pools set`` process takes to start. The database must be
    migrated.
    """
    from airflow.models.pool import Pool

    Pool.create_or_update_pool(name=name, slots=slots, description=_DESCRIPTION, include_deferred=False)


def ensure_warehouse_pool(
    env: Mapping[str, str] | None = None, *, name: str = WAREHOUSE_POOL, slots: int = 1
) -> None:
    """Create (or resize) the pool ``name`` with ``slots`` slots in the metadata database of ``env``.

    Runs ``airflow pools set`` from this interpreter's environment, so the metadata database must be
    migrated first (``airflow db migrate``; ``airflow standalone`` does it when it starts).

    Raises
    ------
    RuntimeError
        The command failed; the message carries its last output lines.
    """
    airflow_bin = str(Path(sys.executable).with_name("airflow"))
    out = subprocess.run(  # noqa: S603 - our own venv's airflow, fixed arguments
        [airflow_bin, "pools", "set", name, str(slots), _DESCRIPTION],
        env=dict(os.environ if env is None else env),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    if out.returncode != 0:
        tail = (out.stderr or out.stdout).strip().splitlines()[-3:]
        raise RuntimeError(
            f"`airflow pools set {name} {slots}` failed (exit {out.returncode}): {' | '.join(tail)}"
        )


def main() -> int:
    """Prepare the local Airflow's metadata for Steward's DAGs: migrate it and create the pool.

    ``make airflow`` runs it (``python -m steward.airflow.pools``) before ``airflow standalone``.
    """
    from steward.airflow.local import apply_airflow_env

    apply_airflow_env()
    airflow_bin = str(Path(sys.executable).with_name("airflow"))
    migrate = subprocess.run(  # noqa: S603 - our own venv's airflow, fixed arguments
        [airflow_bin, "db", "migrate"], capture_output=True, text=True, timeout=600, check=False
    )
    if migrate.returncode != 0:
        print(f"`airflow db migrate` failed: {migrate.stderr.strip()[-500:]}", file=sys.stderr)
        return 1
    ensure_warehouse_pool()
    print(f"Airflow pool {WAREHOUSE_POOL} (1 slot) ready in {os.environ['AIRFLOW_HOME']}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
