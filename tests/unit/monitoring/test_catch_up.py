"""Catch-up from the warehouse: exactly the partitions that passed data quality and have no monitoring
row for the model, oldest first, from the look-back date on; same answer on DuckDB and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from steward.monitoring import unmonitored_partitions
from steward.registry import load_registry
from steward.warehouse import Warehouse

D = [dt.date(2026, 11, 1) + dt.timedelta(days=i) for i in range(8)]  # 2026-11-01 .. 2026-11-08
NOW = dt.datetime(2026, 11, 9, 3, tzinfo=dt.UTC)


def _dq(wh: Warehouse, dataset: str, day: dt.date, status: str) -> None:
    wh.execute(
        "insert into dq_runs (dataset, partition_date, suite, status, run_id, validated_at) "
        "values (:ds, :d, :ds, :s, 'r', :t)",
        {"ds": dataset, "d": day, "s": status, "t": NOW},
    )


def _monitored(wh: Warehouse, model: str, day: dt.date) -> None:
    wh.execute(
        "insert into monitoring_runs (model, window_date, status, run_id, computed_at) "
        "values (:m, :d, 'ok', 'r', :t)",
        {"m": model, "d": day, "t": NOW},
    )


def test_passed_partitions_without_a_monitoring_row_oldest_first(warehouse: Warehouse) -> None:
    registry = load_registry()
    lead, credit = registry.model("lead_scoring"), registry.model("credit_risk")
    log = lead.prediction_log  # lead_scoring_predictions
    # given: D[0] passed but before the look-back; D[1] passed, monitored; D[2] failed (quarantined);
    # D[3] error (not landed); D[4] warning; D[5] passed; D[7] passed; D[6] never validated.
    for day, status in [(D[0], "passed"), (D[1], "passed"), (D[2], "failed"), (D[3], "error")]:
        _dq(warehouse, log, day, status)
    for day, status in [(D[7], "passed"), (D[4], "warning"), (D[5], "passed")]:  # inserted out of order
        _dq(warehouse, log, day, status)
    _monitored(warehouse, "lead_scoring", D[1])
    # noise: another dataset passed, another model monitored D[5]
    _dq(warehouse, credit.prediction_log, D[6], "passed")
    _monitored(warehouse, "credit_risk", D[5])

    # expect: the warning and passed partitions from the look-back date on, minus the monitored one
    assert unmonitored_partitions(warehouse, lead, since=D[1]) == [D[4], D[5], D[7]]
    assert unmonitored_partitions(warehouse, lead, since=D[0]) == [D[0], D[4], D[5], D[7]]
    assert unmonitored_partitions(warehouse, lead, since=D[6]) == [D[7]]
    assert unmonitored_partitions(warehouse, credit, since=D[0]) == [D[6]]

    # once monitored, a window is no longer caught up
    _monitored(warehouse, "lead_scoring", D[5])
    assert unmonitored_partitions(warehouse, lead, since=D[1]) == [D[4], D[7]]


def test_an_empty_warehouse_has_nothing_to_catch_up(warehouse: Warehouse) -> None:
    assert unmonitored_partitions(warehouse, load_registry().model("credit_risk"), since=D[0]) == []
