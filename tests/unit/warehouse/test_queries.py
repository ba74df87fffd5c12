"""Queries with one parameter style, and values that must survive a round trip on both engines."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pyarrow as pa
import pytest

from steward.warehouse import Warehouse, WarehouseError

DAY = date(2026, 11, 20)
KEY = {"dataset": "leads", "partition_date": DAY}


def run_row(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "suite": "leads",
        "status": "passed",
        "run_id": "run-1",
        "validated_at": datetime(2026, 11, 21, 2, 30, tzinfo=UTC),
    }
    row.update(overrides)
    return row


def test_null_and_empty_string_stay_distinct(warehouse: Warehouse) -> None:
    rows = [
        {"expectation_id": "empty", "observed_value": "", "column_name": ""},
        {"expectation_id": "null", "observed_value": None, "column_name": None},
        {"expectation_id": "quoted", "observed_value": '"", ,\n\\N', "column_name": "NULL"},
    ]
    common = {"suite": "leads", "expectation_type": "t", "severity": "warning", "run_id": "r"}
    common["validated_at"] = datetime(2026, 11, 21, tzinfo=UTC)
    warehouse.replace_partition("dq_results", KEY, [{**common, **r} for r in rows])
    got = warehouse.fetch(
        "select expectation_id, observed_value, column_name from dq_results order by expectation_id"
    )
    assert got == [
        {"expectation_id": "empty", "observed_value": "", "column_name": ""},
        {"expectation_id": "null", "observed_value": None, "column_name": None},
        {"expectation_id": "quoted", "observed_value": '"", ,\n\\N', "column_name": "NULL"},
    ]
    counts = warehouse.fetch(
        "select sum(case when observed_value is null then 1 else 0 end) as nulls, "
        "sum(case when observed_value = '' then 1 else 0 end) as empties from dq_results"
    )
    assert [(int(str(c["nulls"])), int(str(c["empties"]))) for c in counts] == [(1, 1)]
    arrow = warehouse.fetch_arrow("select observed_value from dq_results order by expectation_id")
    assert arrow.column("observed_value").to_pylist() == ["", None, '"", ,\n\\N']


def test_timestamps_with_time_zone_and_dates_round_trip(warehouse: Warehouse) -> None:
    paris_winter = timezone(timedelta(hours=1))
    stamps = {
        "utc": datetime(2026, 11, 21, 2, 30, 15, 123456, tzinfo=UTC),
        "offset": datetime(2026, 11, 21, 3, 30, tzinfo=paris_winter),
        "naive_is_utc": datetime(2026, 11, 21, 4, 0),
    }
    for dataset, stamp in stamps.items():
        key = {"dataset": dataset, "partition_date": DAY}
        warehouse.replace_partition("dq_runs", key, [run_row(validated_at=stamp)])
    got = {
        str(r["dataset"]): r
        for r in warehouse.fetch(
            "select dataset, partition_date, validated_at, validated_at::text as as_text from dq_runs"
        )
    }
    assert got["utc"]["validated_at"] == stamps["utc"]
    assert got["offset"]["validated_at"] == datetime(2026, 11, 21, 2, 30, tzinfo=UTC)
    assert got["naive_is_utc"]["validated_at"] == datetime(2026, 11, 21, 4, 0, tzinfo=UTC)
    for row in got.values():
        assert row["partition_date"] == DAY
        assert isinstance(row["validated_at"], datetime)
        assert row["validated_at"].utcoffset() == timedelta(0)
    assert str(got["offset"]["as_text"]).startswith("2026-11-21 02:30:00")
    arrow = warehouse.fetch_arrow("select partition_date, validated_at from dq_runs where dataset = 'utc'")
    assert arrow.schema.field("partition_date").type == pa.date32()
    assert pa.types.is_timestamp(arrow.schema.field("validated_at").type)
    assert arrow.to_pylist() == [{"partition_date": DAY, "validated_at": stamps["utc"]}]


def test_named_params_with_percent_casts_and_quotes(warehouse: Warehouse) -> None:
    warehouse.replace_partition("dq_runs", KEY, [run_row(error_message="100% of rows: 'null'")])
    got = warehouse.fetch(
        "select :label as label, '50%' as pct, :day::text as day_text, ':not_a_param' as literal, "
        "partition_date::text as stored, count(*) as n "
        "from dq_runs where dataset = :dataset and error_message like '100%' and partition_date = :day "
        "group by partition_date",
        {"label": "a%b", "day": DAY, "dataset": "leads"},
    )
    assert got == [
        {
            "label": "a%b",
            "pct": "50%",
            "day_text": "2026-11-20",
            "literal": ":not_a_param",
            "stored": "2026-11-20",
            "n": 1,
        }
    ]


def test_execute_and_fetch_arrow_share_the_param_style(warehouse: Warehouse) -> None:
    warehouse.execute(
        "insert into audit_log (event_id, occurred_at, actor, action, details_json) "
        "values (:id, :at, :actor, 'override', '{\"pct\": \"5%\"}')",
        {"id": "e1", "at": datetime(2026, 11, 21, tzinfo=UTC), "actor": "ana"},
    )
    table = warehouse.fetch_arrow(
        "select event_id, actor, details_json from audit_log where actor = :a", {"a": "ana"}
    )
    assert table.to_pylist() == [{"event_id": "e1", "actor": "ana", "details_json": '{"pct": "5%"}'}]


def test_empty_result_keeps_column_names(warehouse: Warehouse) -> None:
    assert warehouse.fetch("select dataset, row_count from dq_runs") == []
    table = warehouse.fetch_arrow("select dataset, row_count, validated_at from dq_runs")
    assert table.num_rows == 0
    assert table.column_names == ["dataset", "row_count", "validated_at"]
    assert table.schema.field("row_count").type == pa.int64()


def test_missing_parameter_is_named(warehouse: Warehouse) -> None:
    with pytest.raises(WarehouseError, match=":dataset have no value"):
        warehouse.fetch("select * from dq_runs where dataset = :dataset")


def test_sql_error_shows_the_statement(warehouse: Warehouse) -> None:
    with pytest.raises(WarehouseError, match="check the SQL: select nope from dq_runs"):
        warehouse.fetch("select nope from dq_runs")


def test_table_exists_and_columns(warehouse: Warehouse) -> None:
    assert warehouse.table_exists("dq_runs")
    assert not warehouse.table_exists("dq_nothing")
    assert warehouse.columns("dq_nothing") == []
    assert warehouse.columns("audit_log")[:3] == ["event_id", "occurred_at", "actor"]


def test_fetch_batches_streams_every_row_in_bounded_batches(warehouse: Warehouse) -> None:
    sql = "select n, cast(n as varchar) as t from generate_series(1, 5000) as s(n)"
    batches = list(warehouse.fetch_batches(sql + " where n % :m <> 0", {"m": 7}, rows=1_000))
    assert all(b.num_rows <= 1_000 for b in batches) and len(batches) >= 5
    numbers = sorted(n for b in batches for n in b.column("n").to_pylist())
    assert numbers == [n for n in range(1, 5001) if n % 7]
    assert all(b.schema.field("t").type == pa.string() for b in batches)


def test_fetch_batches_names_a_bad_query(warehouse: Warehouse) -> None:
    with pytest.raises(WarehouseError, match="check the SQL: select nope from dq_runs"):
        list(warehouse.fetch_batches("select nope from dq_runs"))
    with pytest.raises(ValueError, match="rows must be at least 1"):
        list(warehouse.fetch_batches("select 1", rows=0))
