"""Idempotent partition writes: one transaction, exactly the partition, nothing changed on failure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from steward.warehouse import Warehouse, WarehouseError

DAY = date(2026, 11, 20)
NEXT_DAY = date(2026, 11, 21)
LEADS = {"dataset": "leads", "partition_date": DAY}
VALIDATED_AT = datetime(2026, 11, 21, 2, 30, tzinfo=UTC)


def result(expectation_id: str, **overrides: Any) -> dict[str, Any]:
    """One valid dq_results row for the leads partition of DAY."""
    row: dict[str, Any] = {
        "dataset": "leads",
        "partition_date": DAY,
        "suite": "leads",
        "expectation_id": expectation_id,
        "expectation_type": "expect_column_values_to_not_be_null",
        "column_name": "score",
        "severity": "critical",
        "success": True,
        "observed_value": "0",
        "element_count": 100,
        "unexpected_count": 0,
        "unexpected_percent": 0.0,
        "run_id": "run-1",
        "validated_at": VALIDATED_AT,
    }
    row.update(overrides)
    return row


def partition(wh: Warehouse, dataset: str = "leads", day: date = DAY) -> list[dict[str, object]]:
    return wh.fetch(
        "select expectation_id, run_id, element_count from dq_results "
        "where dataset = :dataset and partition_date = :day order by expectation_id",
        {"dataset": dataset, "day": day},
    )


def ids(rows: Sequence[dict[str, object]]) -> list[object]:
    return [r["expectation_id"] for r in rows]


def test_insert_then_rerun_leaves_the_same_rows(warehouse: Warehouse) -> None:
    rows = [result("e1"), result("e2"), result("e3")]
    other = {"dataset": "leads", "partition_date": NEXT_DAY}
    assert warehouse.replace_partition("dq_results", other, [result("n1", partition_date=NEXT_DAY)]) == 1
    assert warehouse.replace_partition("dq_results", LEADS, rows) == 3
    first = partition(warehouse)
    assert warehouse.replace_partition("dq_results", LEADS, rows) == 3
    assert partition(warehouse) == first
    assert ids(first) == ["e1", "e2", "e3"]
    assert ids(partition(warehouse, day=NEXT_DAY)) == ["n1"]
    assert warehouse.fetch("select count(*) as n from dq_results") == [{"n": 4}]


def test_new_rows_replace_old_ones_and_other_partitions_are_untouched(warehouse: Warehouse) -> None:
    warehouse.replace_partition("dq_results", LEADS, [result("e1"), result("e2")])
    orders = {"dataset": "orders", "partition_date": DAY}
    warehouse.replace_partition("dq_results", orders, [result("o1", dataset="orders")])
    assert warehouse.replace_partition("dq_results", LEADS, [result("e9", run_id="run-2")]) == 1
    assert partition(warehouse) == [{"expectation_id": "e9", "run_id": "run-2", "element_count": 100}]
    assert ids(partition(warehouse, dataset="orders")) == ["o1"]


def test_zero_rows_clears_the_partition(warehouse: Warehouse) -> None:
    warehouse.replace_partition("dq_results", LEADS, [result("e1")])
    assert warehouse.replace_partition("dq_results", LEADS, []) == 0
    assert partition(warehouse) == []
    assert (
        warehouse.replace_partition(
            "dq_results", LEADS, pa.table({"expectation_id": pa.array([], pa.string())})
        )
        == 0
    )


def test_key_columns_are_filled_when_left_out(warehouse: Warehouse) -> None:
    key = {"dataset": "leads", "partition_date": DAY}
    rows = [{"reason": "critical expectations failed", "run_id": "run-1"}]
    assert warehouse.replace_partition("quarantine", key, rows) == 1
    assert warehouse.fetch("select dataset, partition_date, reason from quarantine") == [
        {"dataset": "leads", "partition_date": DAY, "reason": "critical expectations failed"}
    ]


def test_pandas_and_arrow_rows(warehouse: Warehouse) -> None:
    frame = pd.DataFrame([result("e1"), result("e2", element_count=None, unexpected_percent=float("nan"))])
    assert warehouse.replace_partition("dq_results", LEADS, frame) == 2
    got = warehouse.fetch(
        "select expectation_id, element_count, unexpected_percent from dq_results order by expectation_id"
    )
    assert got == [
        {"expectation_id": "e1", "element_count": 100, "unexpected_percent": 0.0},
        {"expectation_id": "e2", "element_count": None, "unexpected_percent": None},
    ]
    table = pa.Table.from_pylist([result("a1"), result("a2")])
    assert warehouse.replace_partition("dq_results", LEADS, table) == 2
    assert ids(partition(warehouse)) == ["a1", "a2"]


@pytest.mark.parametrize(
    "bad",
    [
        {"partition_date": NEXT_DAY},
        {"dataset": "orders"},
        {"dataset": None},
    ],
)
def test_rows_outside_the_partition_are_refused(warehouse: Warehouse, bad: dict[str, Any]) -> None:
    warehouse.replace_partition("dq_results", LEADS, [result("e1")])
    with pytest.raises(WarehouseError, match="rows outside the partition"):
        warehouse.replace_partition("dq_results", LEADS, [result("e2"), result("e3", **bad)])
    assert ids(partition(warehouse)) == ["e1"]
    assert warehouse.fetch("select count(*) as n from dq_results") == [{"n": 1}]


def test_unknown_columns_are_named(warehouse: Warehouse) -> None:
    warehouse.replace_partition("dq_results", LEADS, [result("e1")])
    with pytest.raises(WarehouseError, match=r"unknown column\(s\) \['colour', 'size'\]"):
        warehouse.replace_partition("dq_results", LEADS, [result("e2"), result("e3", colour="red", size=1)])
    assert ids(partition(warehouse)) == ["e1"]


def test_missing_table_is_explained(warehouse: Warehouse) -> None:
    with pytest.raises(WarehouseError, match=r"table 'no_such_table'.*does not exist.*migrate"):
        warehouse.replace_partition("no_such_table", LEADS, [result("e1")])


@pytest.mark.parametrize("key", [{}, {"dataset": None}])
def test_empty_or_null_key_is_refused(warehouse: Warehouse, key: dict[str, Any]) -> None:
    warehouse.replace_partition("dq_results", LEADS, [result("e1")])
    with pytest.raises(WarehouseError, match="partition key"):
        warehouse.replace_partition("dq_results", key, [])
    assert ids(partition(warehouse)) == ["e1"]


@pytest.mark.parametrize(
    ("table", "key", "rows"),
    [
        ("x; drop table dq_results", LEADS, []),
        ('a"b', LEADS, []),
        ("dq_results", {'dataset"; drop table dq_results; --': "leads"}, []),
        ("dq_results", LEADS, [{"run_id) select 1; drop table dq_results; --": "x"}]),
        ("dq_results", LEADS, [{'a"b': "x"}]),
    ],
)
def test_malicious_identifiers_are_refused_before_any_sql(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch, table: str, key: dict[str, Any], rows: list[Any]
) -> None:
    warehouse.replace_partition("dq_results", LEADS, [result("e1")])
    opened: list[bool] = []
    original = warehouse._open
    monkeypatch.setattr(warehouse, "_open", lambda: opened.append(True) or original())
    with pytest.raises(WarehouseError, match="not a valid"):
        warehouse.replace_partition(table, key, rows)
    assert opened == []
    monkeypatch.undo()
    assert ids(partition(warehouse)) == ["e1"]


def test_malicious_table_name_refused_by_table_exists_and_columns(warehouse: Warehouse) -> None:
    for call in (warehouse.table_exists, warehouse.columns):
        with pytest.raises(WarehouseError, match="not a valid identifier"):
            call("dq_results; drop table dq_runs")
    assert warehouse.table_exists("dq_runs")


def test_wrong_type_in_last_row_fails_in_the_database_and_keeps_previous_rows(warehouse: Warehouse) -> None:
    warehouse.replace_partition("dq_results", LEADS, [result("e1")])
    # Text for a bigint column: Arrow accepts it, the engine's cast fails on the last row only.
    rows = [
        result("e2", element_count="10"),
        result("e3", element_count="20"),
        result("e4", element_count="many"),
    ]
    with pytest.raises(WarehouseError, match="previous rows of this partition are unchanged") as info:
        warehouse.replace_partition("dq_results", LEADS, rows)
    assert "many" in str(info.value)
    assert partition(warehouse) == [{"expectation_id": "e1", "run_id": "run-1", "element_count": 100}]


def test_mixed_python_types_are_refused_before_loading(warehouse: Warehouse) -> None:
    warehouse.replace_partition("dq_results", LEADS, [result("e1")])
    with pytest.raises(WarehouseError, match="dq_results"):
        warehouse.replace_partition("dq_results", LEADS, [result("e2"), result("e3", element_count="many")])
    assert ids(partition(warehouse)) == ["e1"]


def test_failure_in_the_middle_of_the_bulk_insert_rolls_back(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse.replace_partition("dq_results", LEADS, [result("e1"), result("e2")])
    original = type(warehouse)._bulk_insert
    inserted: list[int] = []

    def half_then_fail(
        self: Warehouse, session: Any, table: str, columns: Sequence[str], data: pa.Table
    ) -> None:
        original(self, session, table, columns, data.slice(0, 2))
        inserted.append(2)
        raise OSError("disk full after 2 rows")

    monkeypatch.setattr(type(warehouse), "_bulk_insert", half_then_fail)
    rows = [result(f"n{i}") for i in range(4)]
    with pytest.raises(WarehouseError, match="disk full after 2 rows") as info:
        warehouse.replace_partition("dq_results", LEADS, rows)
    assert inserted == [2]
    assert isinstance(info.value.__cause__, OSError)
    assert ids(partition(warehouse)) == ["e1", "e2"]


def test_error_names_table_partition_backend_and_fix(warehouse: Warehouse) -> None:
    with pytest.raises(WarehouseError) as info:
        warehouse.replace_partition("dq_results", LEADS, [result("e1", colour="red")])
    message = str(info.value)
    assert "table 'dq_results'" in message
    assert "dataset=leads, partition_date=2026-11-20" in message
    assert f"{warehouse.backend} warehouse {warehouse.url}" in message
    assert "Fix: " in message
    assert (info.value.table, info.value.key, info.value.url) == ("dq_results", LEADS, warehouse.url)


def test_replace_partitions_is_all_or_nothing(warehouse: Warehouse) -> None:
    assert warehouse.replace_partitions(
        [("dq_results", LEADS, [result("e1")]), ("quarantine", LEADS, [{"reason": "old"}])]
    ) == [1, 1]
    with pytest.raises(
        WarehouseError, match=r"table 'quarantine' partition .*unknown column\(s\) \['colour'\]"
    ):
        warehouse.replace_partitions(
            [
                ("dq_results", LEADS, [result("e2")]),
                ("quarantine", LEADS, [{"reason": "new", "colour": "red"}]),
            ]
        )
    assert ids(partition(warehouse)) == ["e1"]
    assert warehouse.fetch("select reason from quarantine") == [{"reason": "old"}]
    writes = [("dq_results", LEADS, [result("e2"), result("e3")]), ("quarantine", LEADS, [])]
    assert warehouse.replace_partitions(writes) == [2, 0]
    assert ids(partition(warehouse)) == ["e2", "e3"]
    assert warehouse.fetch("select reason from quarantine") == []
