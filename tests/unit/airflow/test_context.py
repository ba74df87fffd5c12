"""Partition dates from an Airflow 3 context: manual and asset-triggered runs have no data interval."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from steward.airflow.context import partition_date, resolve_partition_date

UTC = dt.UTC


def test_param_wins_over_everything() -> None:
    interval = dt.datetime(2026, 11, 1, 2, tzinfo=UTC)
    assert resolve_partition_date("2026-11-04", interval, interval) == dt.date(2026, 11, 4)


def test_data_interval_start_for_scheduled_runs() -> None:
    assert resolve_partition_date(None, dt.datetime(2026, 11, 4, 2, tzinfo=UTC), None) == dt.date(2026, 11, 4)


def test_run_after_minus_one_day_for_manual_and_asset_runs() -> None:
    run_after = dt.datetime(2026, 11, 5, 0, 30, tzinfo=UTC)
    assert resolve_partition_date(None, None, run_after) == dt.date(2026, 11, 4)


def test_bad_param_is_explained() -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        resolve_partition_date("04/11/2026", None, None)


def test_nothing_to_go_on() -> None:
    with pytest.raises(ValueError, match="'date' param"):
        resolve_partition_date(None, None, None)


def test_context_without_logical_date_keys() -> None:
    # An asset-triggered run's context: no data_interval_start key at all.
    context = {
        "params": {"date": None},
        "dag_run": SimpleNamespace(run_after=dt.datetime(2026, 11, 9, tzinfo=UTC)),
    }
    assert partition_date(context) == dt.date(2026, 11, 8)
