"""Allocate FOCUS billing lines to business units, projects, models and environments.

How the work is split, and why:

- **Tags** (JSON text, a few distinct values among millions of lines) are resolved in Python,
  once per distinct ``(Tags, provider, service, accounts)`` combination
  (:mod:`steward.costs._tags`), into a small mapping table.
- **Rows** are allocated by one SQL file, ``include/sql/costs/allocate_cost_lines.sql``,
  run by an in-process DuckDB over Arrow. :func:`allocate` is a pure function over an Arrow table
  (the carbon module calls it with a kgCO2e measure, without any warehouse), and DuckDB keeps it
  vectorised and bounded in memory at 10M lines.
- **The warehouse** (DuckDB or PostgreSQL) does the heavy reduction first: :func:`allocate_days`
  reads ``cost_line_daily`` grouped by the allocation grain (``allocate_input_lines.sql``, portable
  SQL), so only thousands of rows leave it, whichever engine it is.

Precision: allocated amounts keep the source's (``decimal(38, 10)``), never rounded to cents. A shared
line is split over its receivers in integer units of 1e-10 with the largest remainder, so its pieces add
back to it exactly; per billing period, account, currency and charge day the allocated rows sum to
``cost_line_daily`` with Decimal equality. Cents are for display only: :func:`spend_summary` rounds
with the largest remainder (:func:`~steward.costs.round_to_total`) so the shown rows add up.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from steward._dates import check_dates, month_start, period_start
from steward._runs import new_run_id
from steward.costs._lines import AMOUNT, DIMENSIONS, TS, check_input, engine, quote, resolutions
from steward.costs._money import round_to_total
from steward.registry import AllocationConfig, Model

if TYPE_CHECKING:
    import duckdb

    from steward.warehouse import Warehouse

__all__ = [
    "ALLOCATED_TABLE",
    "AllocationResult",
    "DIMENSIONS",
    "allocate",
    "allocate_days",
    "format_spend",
    "load_allocation_input",
    "spend_summary",
]

log = logging.getLogger(__name__)

#: The table :func:`allocate_days` writes (one ``BillingPeriodStart`` at a time).
ALLOCATED_TABLE = "cost_allocated_daily"


def _rule_tables(config: AllocationConfig) -> tuple[pa.Table, pa.Table]:
    rules = pa.table(
        {
            "rule_id": pa.array([r.id for r in config.shared], pa.string()),
            "method": pa.array([r.method for r in config.shared], pa.string()),
            "scope": pa.array([r.scope for r in config.shared], pa.string()),
        }
    )
    receivers: list[tuple[str, str, float | None]] = []
    for r in config.shared:
        receivers += [(r.id, bu, pct) for bu, pct in r.shares.items()]
        receivers += [(r.id, bu, None) for bu in dict.fromkeys(r.to)]
    receiver_table = pa.table(
        {
            "rule_id": pa.array([x[0] for x in receivers], pa.string()),
            "business_unit": pa.array([x[1] for x in receivers], pa.string()),
            "percent": pa.array([x[2] for x in receivers], pa.float64()),
        }
    )
    return rules, receiver_table


def _register_measures(con: duckdb.DuckDBPyConnection, measures: Sequence[str]) -> None:
    dims = ", ".join(quote(c) for c in (*DIMENSIONS, "Tags"))
    parts = [
        f"select {dims}, '{m}' as measure, cast({quote(m)} as decimal(38, 10)) as amount from lines"
        for m in measures
    ]
    con.execute("create temp view line_measures as " + "\nunion all\n".join(parts))


def _output_select(measures: Sequence[str]) -> str:
    """Pivot the long, rounded rows back to one row per allocation grain with a column per measure."""
    dims = ", ".join(quote(c) for c in DIMENSIONS)
    pivots = ",\n    ".join(
        f"coalesce(sum(case when measure = '{m}' then amount end), 0) as {quote(m)}" for m in measures
    )
    nonzero = " or ".join(f"sum(case when measure = '{m}' then amount end) <> 0" for m in measures)
    return f"""
select
    {dims},
    {pivots},
    business_unit as "x_BusinessUnit",
    project as "x_Project",
    model_id as "x_ModelId",
    environment as "x_Environment",
    method as "x_AllocationMethod",
    rule_id as "x_AllocationRuleId",
    max(share) as "x_AllocationShare"
from allocation
group by {dims}, business_unit, project, model_id, environment, method, rule_id
having {nonzero}
order by {dims}, "x_AllocationMethod", "x_BusinessUnit" nulls first, "x_Project" nulls first,
    "x_ModelId" nulls first, "x_Environment" nulls first, "x_AllocationRuleId" nulls first
"""


def _empty_output(lines: pa.Table, measures: Sequence[str]) -> pa.Table:
    fields = [lines.schema.field(c) for c in DIMENSIONS]
    fields += [pa.field(m, AMOUNT) for m in measures]
    fields += [pa.field(c, pa.string()) for c in _X_TEXT]
    fields.append(pa.field("x_AllocationShare", pa.float64()))
    return pa.schema(fields).empty_table()


_X_TEXT = (
    "x_BusinessUnit",
    "x_Project",
    "x_ModelId",
    "x_Environment",
    "x_AllocationMethod",
    "x_AllocationRuleId",
)


def allocate(
    lines: pa.Table,
    config: AllocationConfig,
    *,
    models: Sequence[Model] = (),
    measures: Sequence[str] = ("BilledCost", "EffectiveCost"),
) -> pa.Table:
    """Allocate billing lines to business units, projects, models and environments.

    Lines whose tags resolve a business unit (directly or through a model's ``cost_tags``) are
    DIRECT. Lines without one go to the first matching shared-cost rule of ``config.shared``,
    split PROPORTIONAL to the receivers' direct cost of the first measure (same day, currency
    and scope), EVEN, or FIXED; lines no rule takes, or whose rule finds no receiver, stay
    UNALLOCATED (``x_BusinessUnit`` NULL). Amounts keep the source's precision: a shared line's
    pieces are whole units of 1e-10 (largest remainder) that add back to the line exactly, so per
    day x billing account x currency every measure sums to the source total with Decimal equality.

    Parameters
    ----------
    lines
        FOCUS billing lines: the :data:`DIMENSIONS`, ``Tags`` (JSON object text) and the measures.
        Extra columns are ignored.
    config
        The registry's ``costs.allocation``.
    models
        Registered models: their ``cost_tags`` identify model cost, their ``business_unit`` its owner.
    measures
        Numeric columns to allocate (read as ``decimal(38, 10)``); the first drives PROPORTIONAL
        splits (e.g. ``("kgCO2e",)``).

    Returns
    -------
    pyarrow.Table
        One row per :data:`DIMENSIONS` x ``x_BusinessUnit`` x ``x_Project`` x ``x_ModelId`` x
        ``x_Environment`` x ``x_AllocationMethod`` x ``x_AllocationRuleId``, with each measure as
        ``decimal(38, 10)`` and ``x_AllocationShare`` (the share of the matched cost the row got).
        Rows whose measures are all zero are left out.

    Raises
    ------
    ValueError
        A column is missing, a line has no day, account or currency, a ``Tags`` value is not a
        JSON object, or a shared amount and its drivers are too large to split exactly (above about
        1.3e9 each); the message says which and how to fix it.

    Examples
    --------
    >>> out = allocate(lines, registry.costs.allocation, models=registry.models)  # doctest: +SKIP
    >>> out.group_by("x_BusinessUnit").aggregate([("BilledCost", "sum")])  # doctest: +SKIP
    """
    import duckdb

    from steward.warehouse import bind_params, read_sql

    measures = list(measures)
    check_input(lines, measures)
    if lines.num_rows == 0:
        return _empty_output(lines, measures)
    con = engine()
    try:
        con.register("lines", lines.select([*DIMENSIONS, "Tags", *measures]))
        con.register("resolved", resolutions(con, config, models))
        rules, receivers = _rule_tables(config)
        con.register("rules", rules)
        con.register("rule_receivers", receivers)
        _register_measures(con, measures)
        sql, params = bind_params(
            "create temp table allocation as " + read_sql("costs/allocate_cost_lines.sql"),
            {"driver_measure": measures[0]},
        )
        try:
            con.execute(sql, params)
        except duckdb.OutOfRangeException as exc:
            raise ValueError(
                "allocate: a shared amount times its receivers' driver is past the exact integer range "
                "(each above about 1.3e9 in one day x account x currency), so it cannot be split exactly; "
                f"nothing was written. Split such lines by day or account at the source ({exc})"
            ) from exc
        out = con.sql(_output_select(measures)).to_arrow_table()
    finally:
        con.close()
    return _conform(out, lines, measures)


def _conform(out: pa.Table, lines: pa.Table, measures: Sequence[str]) -> pa.Table:
    """Give the result the input's dimension types and fixed measure/x_ types."""
    target = _empty_output(lines, measures).schema
    return out.select(target.names).cast(target)


# ---------------------------------------------------------------- the warehouse


@dataclass
class AllocationResult:
    """What :func:`allocate_days` wrote."""

    billing_periods: list[dt.date]
    run_id: str
    allocated_rows: int = 0
    coverage_rows: int = 0
    #: Per currency: total BilledCost, and the part left UNALLOCATED.
    billed_cost: dict[str, Decimal] = field(default_factory=dict)
    unallocated_cost: dict[str, Decimal] = field(default_factory=dict)
    #: Per currency: the share of EffectiveCost whose tags resolve a business unit.
    tagged_share: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly summary (for XCom and logs)."""
        return {
            "billing_periods": [p.isoformat() for p in self.billing_periods],
            "run_id": self.run_id,
            "allocated_rows": self.allocated_rows,
            "coverage_rows": self.coverage_rows,
            "billed_cost": {k: str(v) for k, v in self.billed_cost.items()},
            "unallocated_cost": {k: str(v) for k, v in self.unallocated_cost.items()},
            "tagged_share": dict(self.tagged_share),
        }


def load_allocation_input(warehouse: Warehouse, billing_period: dt.date) -> pa.Table:
    """Read one billing period of ``cost_line_daily``, reduced in the warehouse to the allocation grain.

    Returns the :data:`DIMENSIONS`, ``Tags``, ``BilledCost``, ``EffectiveCost`` (``decimal(38, 10)``)
    and ``x_LineCount``: lines that differ only in resource, SKU or usage are summed, exactly.
    """
    from steward.warehouse import read_sql

    table = warehouse.fetch_arrow(
        read_sql("costs/allocate_input_lines.sql"), {"billing_period_start": period_start(billing_period)}
    )
    return _input_types(table)


def _input_types(table: pa.Table) -> pa.Table:
    types: dict[str, pa.DataType] = dict.fromkeys(DIMENSIONS, pa.string())
    types.update({"ChargePeriodStart": TS, "BillingPeriodStart": TS, "Tags": pa.string()})
    types.update({"BilledCost": AMOUNT, "EffectiveCost": AMOUNT, "x_LineCount": pa.int64()})
    arrays = []
    for name, typ in types.items():
        column = table.column(name)
        arrays.append(column.cast(typ) if column.type != pa.null() else pa.nulls(len(column), typ))
    return pa.Table.from_arrays(arrays, names=list(types))


def allocate_days(
    warehouse: Warehouse,
    config: AllocationConfig,
    *,
    billing_periods: Iterable[dt.date] | None = None,
    days: Iterable[dt.date] | None = None,
    run_id: str | None = None,
    models: Sequence[Model] = (),
) -> AllocationResult:
    """Allocate whole billing periods of ``cost_line_daily`` and write them, with their tag coverage.

    For each billing period (the month of each of ``days``, or ``billing_periods``), reads the
    lines, allocates them (:func:`allocate`), computes :func:`~steward.costs.tag_coverage`, and
    replaces that ``BillingPeriodStart`` of ``cost_allocated_daily`` and ``tag_coverage_daily`` in
    one transaction: a rerun writes the same rows, restated billing replaces, never adds.

    Parameters
    ----------
    warehouse
        A migrated warehouse holding ``cost_line_daily``.
    config
        The registry's ``costs.allocation``.
    billing_periods, days
        Billing months (any day of the month) to recompute; give one of them.
    run_id
        Stored on every row (``x_PipelineRunId``); default a fresh id.
    models
        Registered models (their ``cost_tags`` and ``business_unit``).

    Returns
    -------
    AllocationResult

    Examples
    --------
    >>> reg = load_registry()  # doctest: +SKIP
    >>> allocate_days(wh, reg.costs.allocation, days=[date(2026, 11, 3)], models=reg.models)  # doctest: +SKIP
    AllocationResult(billing_periods=[datetime.date(2026, 11, 1)], ...)
    """
    from steward.costs._coverage import COVERAGE_TABLE, tag_coverage

    if (billing_periods is None) == (days is None):
        raise ValueError("allocate_days: give exactly one of billing_periods= or days=")
    chosen = billing_periods if billing_periods is not None else days
    assert chosen is not None
    periods = sorted({month_start(d) for d in check_dates(chosen, what="cost allocation: billing period")})
    run_id = run_id or new_run_id("manual")
    result = AllocationResult(billing_periods=periods, run_id=run_id)
    for period in periods:
        lines = load_allocation_input(warehouse, period)
        now = dt.datetime.now(dt.UTC)
        allocated = _stamp(allocate(lines, config, models=models), run_id, now, "x_AllocatedAt")
        coverage = _stamp(tag_coverage(lines, config, models=models), run_id, now, "x_ComputedAt")
        key = {"BillingPeriodStart": period_start(period)}
        # An empty period clears its rows (Warehouse refuses a zero-row table that carries the key column).
        written = warehouse.replace_partitions(
            [
                (ALLOCATED_TABLE, key, allocated if allocated.num_rows else []),
                (COVERAGE_TABLE, key, coverage if coverage.num_rows else []),
            ]
        )
        result.allocated_rows += written[0]
        result.coverage_rows += written[1]
        _add_totals(result, allocated, coverage)
        log.info(
            "billing period %s: %d lines grouped into %d, %d allocated rows, %d coverage rows",
            period.strftime("%Y-%m"),
            sum(lines.column("x_LineCount").to_pylist()),
            lines.num_rows,
            written[0],
            written[1],
        )
    return result


def _stamp(table: pa.Table, run_id: str, now: dt.datetime, at_column: str) -> pa.Table:
    n = table.num_rows
    table = table.append_column("x_PipelineRunId", pa.array([run_id] * n, pa.string()))
    return table.append_column(at_column, pa.array([now] * n, TS))


def _add_totals(result: AllocationResult, allocated: pa.Table, coverage: pa.Table) -> None:
    for row in allocated.select(["BillingCurrency", "BilledCost", "x_AllocationMethod"]).to_pylist():
        cur = str(row["BillingCurrency"])
        result.billed_cost[cur] = result.billed_cost.get(cur, Decimal(0)) + row["BilledCost"]
        if row["x_AllocationMethod"] == "UNALLOCATED":
            result.unallocated_cost[cur] = result.unallocated_cost.get(cur, Decimal(0)) + row["BilledCost"]
    total: dict[str, Decimal] = {}
    tagged: dict[str, Decimal] = {}
    for row in coverage.select(["BillingCurrency", "EffectiveCost", "x_TagStatus"]).to_pylist():
        cur = str(row["BillingCurrency"])
        total[cur] = total.get(cur, Decimal(0)) + row["EffectiveCost"]
        if row["x_TagStatus"] == "business_unit":
            tagged[cur] = tagged.get(cur, Decimal(0)) + row["EffectiveCost"]
    for cur, value in total.items():
        if value:
            result.tagged_share[cur] = float(tagged.get(cur, Decimal(0)) / value)


def spend_summary(
    warehouse: Warehouse, *, start: dt.date, end: dt.date, places: int = 2
) -> list[dict[str, Any]]:
    """Return allocated spend by business unit for ``start`` <= day <= ``end``, with each unit's share.

    One dict per currency x business unit (``None``: UNALLOCATED): ``currency``, ``business_unit``,
    ``billed_cost``, ``effective_cost`` (``Decimal``, for display: rounded to ``places`` with the
    largest remainder, so a currency's rows add up to its exact total rounded half away from zero),
    ``share`` of the currency's EffectiveCost (from the exact amounts), and ``untagged_share``: the
    share of that currency's EffectiveCost whose tags named no business unit, and ``no_tags_share``:
    the share with no tags at all (both from ``tag_coverage_daily``, repeated on each row).

    Examples
    --------
    >>> for row in spend_summary(wh, start=date(2026, 11, 1), end=date(2026, 11, 30)):  # doctest: +SKIP
    ...     print(row["business_unit"], row["effective_cost"], f"{row['share']:.0%}")
    lending 812.44 41%
    """
    from steward.warehouse import read_sql

    params = {
        "start": dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC),
        "end": dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC),
    }
    rows = warehouse.fetch(read_sql("costs/allocate_spend_summary.sql"), params)
    out: list[dict[str, Any]] = [
        {
            "currency": r["currency"],
            "business_unit": r["business_unit"],
            "billed_cost": Decimal(str(r["billed_cost"])),
            "effective_cost": Decimal(str(r["effective_cost"])),
            "share": _float(r["share"]),
            "untagged_share": _float(r["untagged_share"]),
            "no_tags_share": _float(r["no_tags_share"]),
        }
        for r in rows
    ]
    for currency in dict.fromkeys(r["currency"] for r in out):
        mine = [r for r in out if r["currency"] == currency]
        for measure in ("billed_cost", "effective_cost"):
            for r, shown in zip(mine, round_to_total([r[measure] for r in mine], places=places), strict=True):
                r[measure] = shown
    return out


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def format_spend(rows: Sequence[dict[str, object]]) -> list[str]:
    """Render :func:`steward.costs.spend_summary` rows as aligned lines: one per currency x unit, a total.

    The rows come rounded for display with the largest remainder, so each currency's lines add up to its
    total line exactly.
    """
    lines: list[str] = []
    for currency in dict.fromkeys(str(r["currency"]) for r in rows):
        mine = [r for r in rows if r["currency"] == currency]
        total = Decimal(0)
        for r in mine:
            unit = r["business_unit"] or "(unallocated)"
            share = r["share"] if isinstance(r["share"], float) else 0.0
            amount = Decimal(str(r["effective_cost"]))
            total += amount
            lines.append(f"  {unit:<16} {currency} {amount:>14,}  {share:6.1%}")
        lines.append(f"  {'total':<16} {currency} {total:>14,}")
        untagged, no_tags = mine[0]["untagged_share"], mine[0]["no_tags_share"]
        if isinstance(untagged, float) and isinstance(no_tags, float):
            lines.append(
                f"  {currency}: {untagged:.1%} of cost has no business-unit tag "
                f"({no_tags:.1%} has no tag at all)"
            )
    return lines
