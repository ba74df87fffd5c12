"""Property: whatever the order of partition writes, each partition holds exactly its last rows."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.warehouse import Warehouse

PARTITIONS = [("leads", date(2026, 11, 20)), ("leads", date(2026, 11, 21)), ("orders", date(2026, 11, 20))]
COLUMNS = ["expectation_type", "observed_value", "unexpected_count", "success", "unexpected_percent"]

rows = st.lists(
    st.fixed_dictionaries(
        {
            "expectation_type": st.sampled_from(["not_null", "between", "unique"]),
            "observed_value": st.none()
            | st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=6),
            "unexpected_count": st.none() | st.integers(-(2**63), 2**63 - 1),
            "success": st.none() | st.booleans(),
            "unexpected_percent": st.none() | st.floats(allow_nan=False, allow_infinity=False, width=64),
        }
    ),
    max_size=4,
)
writes = st.lists(st.tuples(st.sampled_from(PARTITIONS), rows), min_size=1, max_size=6)


def canonical(records: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return sorted((tuple(r[c] for c in COLUMNS) for r in records), key=repr)


# One warehouse per backend serves every example; each example starts by emptying the table.
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=writes)
def test_last_write_per_partition_wins(
    warehouse: Warehouse, writes: list[tuple[tuple[str, date], list[dict[str, object]]]]
) -> None:
    warehouse.execute("delete from dq_results")
    common = {
        "suite": "s",
        "severity": "warning",
        "run_id": "r",
        "validated_at": datetime(2026, 11, 21, tzinfo=UTC),
    }
    last: dict[tuple[str, date], list[dict[str, object]]] = {}
    for (dataset, day), batch in writes:
        key = {"dataset": dataset, "partition_date": day}
        assert warehouse.replace_partition("dq_results", key, [{**common, **r} for r in batch]) == len(batch)
        last[(dataset, day)] = batch
    stored: dict[tuple[object, object], list[dict[str, object]]] = {}
    for row in warehouse.fetch(f"select dataset, partition_date, {', '.join(COLUMNS)} from dq_results"):
        stored.setdefault((row["dataset"], row["partition_date"]), []).append(row)
    assert set(stored) <= set(PARTITIONS)
    for part in PARTITIONS:
        assert canonical(stored.get(part, [])) == canonical(last.get(part, []))
