"""The warehouse pool: named by STEWARD_WAREHOUSE_POOL (set by the local setup), created by the CLI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from steward.airflow.local import airflow_env
from steward.airflow.pools import POOL_ENV, WAREHOUSE_POOL, ensure_warehouse_pool, warehouse_pool_args


def test_the_local_setup_names_the_one_slot_pool(tmp_path: Path) -> None:
    env = airflow_env(steward_home=tmp_path)
    assert env[POOL_ENV] == WAREHOUSE_POOL == "steward_warehouse"
    assert warehouse_pool_args(env) == {"pool": "steward_warehouse"}


@pytest.mark.parametrize("value", [None, "", "  "])
def test_no_setting_means_airflows_default_pool(value: str | None) -> None:
    env = {} if value is None else {POOL_ENV: value}
    assert warehouse_pool_args(env) == {}


def test_a_metadata_database_that_is_not_migrated_is_reported(tmp_path: Path) -> None:
    env = {**os.environ, **airflow_env(steward_home=tmp_path)}
    env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{tmp_path / 'empty.db'}"
    with pytest.raises(RuntimeError) as info:
        ensure_warehouse_pool(env)
    message = str(info.value)
    assert message.startswith("`airflow pools set steward_warehouse 1` failed (exit 1): ")
    assert "run `airflow db migrate`" in message
