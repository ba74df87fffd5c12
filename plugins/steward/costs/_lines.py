"""The allocation input shared by allocation and tag coverage: its dimensions, types, checks, engine and tags.

``_allocate`` (splitting cost) and ``_coverage`` (measuring tagging) both read the same FOCUS lines
and resolve the same tags; what they share lives here, so neither imports the other's private parts.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from steward.costs._tags import TagResolution, match_rule, parse_tags, resolve_tags
from steward.registry import AllocationConfig, Model, check_column
from steward.warehouse import ScratchEngine, scratch

if TYPE_CHECKING:
    import duckdb

__all__ = ["AMOUNT", "DIMENSIONS", "TS", "check_input", "engine", "quote", "resolutions"]

#: FOCUS dimensions kept on every allocated row.
DIMENSIONS: tuple[str, ...] = (
    "ChargePeriodStart",
    "BillingPeriodStart",
    "BillingAccountId",
    "SubAccountId",
    "BillingCurrency",
    "ProviderName",
    "ServiceName",
    "ServiceCategory",
    "RegionId",
)
#: Columns a tag resolution is keyed on.
_RESOLUTION_KEY: tuple[str, ...] = (
    "Tags",
    "ProviderName",
    "ServiceName",
    "ServiceCategory",
    "BillingAccountId",
    "SubAccountId",
)
_NOT_NULL = ("ChargePeriodStart", "BillingAccountId", "BillingCurrency")
AMOUNT = pa.decimal128(38, 10)
TS = pa.timestamp("us", tz="UTC")


def quote(name: str) -> str:
    return '"' + check_column(name, "column") + '"'


def check_input(lines: pa.Table, measures: Sequence[str]) -> None:
    if not measures:
        raise ValueError("allocate: give at least one measure column (e.g. measures=('BilledCost',))")
    if len(set(measures)) != len(measures):
        raise ValueError(f"allocate: measures {list(measures)} repeat a column")
    for m in measures:
        check_column(m, "measure")
    missing = [c for c in (*DIMENSIONS, "Tags", *measures) if c not in lines.column_names]
    if missing:
        raise ValueError(
            f"billing lines lack column(s) {missing}: allocation needs the FOCUS columns "
            f"{[*DIMENSIONS, 'Tags']} and the measures {list(measures)} (cost_line_daily has them all)"
        )
    for name in _NOT_NULL:
        nulls = lines.column(name).null_count
        if nulls:
            raise ValueError(
                f"billing lines: {nulls} line(s) have no {name}: every line needs a charge day, a billing "
                "account and a currency; fix the billing source's normalization"
            )


_ENGINE: list[ScratchEngine] = []
_ENGINE_LOCK = threading.Lock()


def engine() -> duckdb.DuckDBPyConnection:
    """Return a fresh connection to this process's in-memory scratch engine (close it after use).

    Opening a DuckDB database costs about 60 ms; a cursor on a shared one costs under 1 ms and has
    its own registered relations and temporary tables, so concurrent calls do not see each other.
    The engine keeps DuckDB's insertion order (``allocate_cost_lines.sql`` numbers pool rows with
    ``row_number() over ()``) and its default memory budget.
    """
    with _ENGINE_LOCK:
        if not _ENGINE:
            _ENGINE.append(scratch(memory_limit=None, preserve_insertion_order=True))
        return _ENGINE[0].cursor()


def resolutions(
    con: duckdb.DuckDBPyConnection, config: AllocationConfig, models: Sequence[Model]
) -> pa.Table:
    """Resolve every distinct tag/provider/service/account combination of ``lines`` (registered)."""
    cols = ", ".join(quote(c) for c in _RESOLUTION_KEY)
    keys = con.sql(f"select distinct {cols} from lines").to_arrow_table().to_pylist()
    parsed: dict[str | None, dict[str, str]] = {}
    rows: dict[str, list[Any]] = {c: [] for c in (*_RESOLUTION_KEY, *_RESOLVED_COLUMNS)}
    for key in keys:
        text = key["Tags"]
        if text not in parsed:
            parsed[text] = parse_tags(text)
        tags = parsed[text]
        res = resolve_tags(tags, config, models=models)
        rule = None
        if res.business_unit is None:
            rule = match_rule(
                config,
                tags,
                provider=key["ProviderName"],
                service=key["ServiceName"],
                service_category=key["ServiceCategory"],
                billing_account=key["BillingAccountId"],
                sub_account=key["SubAccountId"],
            )
        for c in _RESOLUTION_KEY:
            rows[c].append(key[c])
        for c, value in zip(_RESOLVED_COLUMNS, (*_values(res), rule.id if rule else None), strict=True):
            rows[c].append(value)
    schema = con.sql(f"select {cols} from lines limit 0").to_arrow_table().schema
    arrays = [pa.array(rows[c], schema.field(c).type) for c in _RESOLUTION_KEY]
    arrays += [pa.array(rows[c], pa.string()) for c in _RESOLVED_COLUMNS]
    return pa.Table.from_arrays(arrays, names=[*_RESOLUTION_KEY, *_RESOLVED_COLUMNS])


_RESOLVED_COLUMNS = ("business_unit", "project", "model_id", "environment", "tag_status", "rule_id")


def _values(res: TagResolution) -> tuple[str | None, ...]:
    return (res.business_unit, res.project, res.model_id, res.environment, res.status)
