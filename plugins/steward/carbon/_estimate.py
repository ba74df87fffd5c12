"""Daily usage estimates in the warehouse: read ``cost_line_daily``, estimate, allocate, compare regions.

The days of one call are read in one query, estimated, allocated and compared together (each
per day, as one day at a time would) and written in one transaction (``carbon_usage_daily``,
``carbon_allocated_daily``, ``carbon_region_comparison``, each replaced by day), so reruns and
restated billing replace, never add, and a failed write leaves every day as it was.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from steward._dates import check_dates, month_start, next_month, period_start
from steward._runs import new_run_id
from steward.carbon._coefficients import Coefficients
from steward.carbon._regions import compare_regions
from steward.carbon._usage import estimate_usage_emissions
from steward.registry._carbon import CandidateRegion

if TYPE_CHECKING:
    from steward.registry import AllocationConfig, Model
    from steward.warehouse import Warehouse

__all__ = [
    "ALLOCATED_TABLE",
    "CARBON_MEASURES",
    "COMPARISON_TABLE",
    "CarbonDaysResult",
    "USAGE_TABLE",
    "allocate_carbon",
    "carbon_summary",
    "estimate_days",
    "read_usage_lines",
    "usage_days",
]

log = logging.getLogger(__name__)

USAGE_TABLE = "carbon_usage_daily"
ALLOCATED_TABLE = "carbon_allocated_daily"
COMPARISON_TABLE = "carbon_region_comparison"
#: The measures allocated to business units and models; the first drives proportional splits.
CARBON_MEASURES: tuple[str, ...] = ("x_Co2eKg", "x_EnergyKwh", "BilledCost")
_TS = pa.timestamp("us", tz="UTC")


def _day_range(day: dt.date, last: dt.date | None = None) -> dict[str, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(last or day, dt.time(), tzinfo=dt.UTC) + dt.timedelta(days=1)
    return {"day_start": start, "day_end": end}


def read_usage_lines(warehouse: Warehouse, day: dt.date, last: dt.date | None = None) -> pa.Table:
    """Return the usage lines of ``cost_line_daily`` charged on ``day`` (UTC), or ``day`` .. ``last``."""
    from steward.warehouse import read_sql

    return warehouse.fetch_arrow(read_sql("carbon/select_usage_lines.sql"), _day_range(day, last))


def usage_days(warehouse: Warehouse, billing_periods: Iterable[dt.date]) -> list[dt.date]:
    """Return the charge days (UTC) ``cost_line_daily`` holds in the billing months of ``billing_periods``."""
    from steward.warehouse import read_sql

    days: set[dt.date] = set()
    checked = check_dates(billing_periods, what="carbon estimate: billing period")
    for month in sorted({month_start(p) for p in checked}):
        start, end = period_start(month), period_start(next_month(month))
        rows = warehouse.fetch(
            read_sql("carbon/select_usage_days.sql"), {"period_start": start, "period_end": end}
        )
        for r in rows:
            value = r["charge_period_start"]
            if isinstance(value, dt.datetime):
                days.add(value.astimezone(dt.UTC).date() if value.tzinfo else value.date())
            elif isinstance(value, dt.date):
                days.add(value)
    return sorted(days)


def allocate_carbon(
    usage: pa.Table,
    config: AllocationConfig,
    *,
    models: Sequence[Model] = (),
) -> pa.Table:
    """Allocate usage estimates to business units, projects and models with the cost allocation rules.

    Calls :func:`steward.costs.allocate` with the measures ``x_Co2eKg``, ``x_EnergyKwh`` and
    ``BilledCost`` (carbon drives proportional splits), exact to 1e-10 like cost (a usage line's
    pieces add back to it). Unestimated usage enters with zero carbon and its cost, so it stays visible.

    Parameters
    ----------
    usage
        The output of :func:`~steward.carbon.estimate_usage_emissions` (FOCUS dimensions and ``Tags`` kept).
    config
        The registry's ``costs.allocation``.
    models
        Registered models (their ``cost_tags`` and ``business_unit``).

    Returns
    -------
    pyarrow.Table
        ``steward.costs.allocate``'s rows with ``x_Co2eKg`` and ``x_EnergyKwh`` as float64 and
        ``x_ChargeDate`` added.
    """
    from steward.costs import allocate

    lines = usage
    for name in ("x_Co2eKg", "x_EnergyKwh"):
        col = lines.column(name)
        filled = pc.fill_null(col, 0.0)
        lines = lines.set_column(lines.schema.get_field_index(name), name, filled)
    out = allocate(lines, config, models=models, measures=CARBON_MEASURES)
    for name in ("x_Co2eKg", "x_EnergyKwh"):
        out = out.set_column(out.schema.get_field_index(name), name, out.column(name).cast(pa.float64()))
    starts = out.column("ChargePeriodStart").to_pylist()
    days = [s.astimezone(dt.UTC).date() if s is not None else None for s in starts]
    return out.append_column("x_ChargeDate", pa.array(days, pa.date32()))


@dataclass
class CarbonDaysResult:
    """What :func:`estimate_days` wrote, per day and in total."""

    run_id: str
    coefficients_version: str
    days: list[dt.date] = field(default_factory=list)
    usage_rows: int = 0
    unestimated_rows: int = 0
    allocated_rows: int = 0
    comparison_rows: int = 0
    co2e_kg: float = 0.0
    energy_kwh: float = 0.0
    unestimated_cost: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain types, for XCom and logs."""
        return {
            "run_id": self.run_id,
            "coefficients_version": self.coefficients_version,
            "days": [d.isoformat() for d in self.days],
            "usage_rows": self.usage_rows,
            "unestimated_rows": self.unestimated_rows,
            "allocated_rows": self.allocated_rows,
            "comparison_rows": self.comparison_rows,
            "co2e_kg": round(self.co2e_kg, 6),
            "energy_kwh": round(self.energy_kwh, 6),
            "unestimated_cost": {k: round(v, 2) for k, v in self.unestimated_cost.items()},
        }


def _stamp(table: pa.Table, columns: dict[str, tuple[Any, pa.DataType]]) -> pa.Table:
    for name, (value, type_) in columns.items():
        table = table.append_column(name, pa.array([value] * table.num_rows, type_))
    return table


def estimate_days(
    warehouse: Warehouse,
    *,
    days: Iterable[dt.date],
    coefficients: Coefficients,
    run_id: str | None = None,
    utilization: float | None = None,
    allocation: AllocationConfig | None = None,
    models: Sequence[Model] = (),
    candidates: Sequence[CandidateRegion] = (),
) -> CarbonDaysResult:
    """Estimate each day's usage emissions from ``cost_line_daily`` and write them in one transaction.

    Parameters
    ----------
    warehouse
        A migrated warehouse holding ``cost_line_daily``.
    days
        Charge days (UTC) to (re)compute; a day without usage lines clears its rows.
    coefficients
        The coefficient set (its version lands on every row).
    run_id
        Stored on every row; default a fresh id.
    utilization
        Assumed CPU/GPU utilization; default the coefficient file's.
    allocation, models
        When ``allocation`` is given, carbon is allocated like cost into ``carbon_allocated_daily``.
    candidates
        Regions for ``carbon_region_comparison`` (none: the table is left alone).

    Returns
    -------
    CarbonDaysResult

    Examples
    --------
    >>> estimate_days(wh, days=[date(2026, 11, 3)], coefficients=load_coefficients())  # doctest: +SKIP
    CarbonDaysResult(run_id='manual__...', coefficients_version='2026.11', days=[...], ...)
    """
    wanted = sorted(set(check_dates(days, what="carbon estimate: charge day")))
    run_id = run_id or new_run_id("manual")
    result = CarbonDaysResult(run_id=run_id, coefficients_version=coefficients.version)
    if not wanted:
        return result
    # One read, one estimate, one allocation and one comparison for all the days: each works per day
    # (the allocation splits shared lines within a day x account x currency), so the rows are those
    # of one call per day, without its fixed costs (a DuckDB engine per allocation, a transaction).
    lines = read_usage_lines(warehouse, wanted[0], wanted[-1])
    usage = estimate_usage_emissions(lines, coefficients=coefficients, utilization=utilization)
    now = dt.datetime.now(dt.UTC)
    allocated = None
    if allocation is not None and usage.num_rows:
        allocated = _stamp(
            allocate_carbon(usage, allocation, models=models),
            {
                "x_CoefficientsVersion": (coefficients.version, pa.string()),
                "x_RunId": (run_id, pa.string()),
                "x_AllocatedAt": (now, _TS),
            },
        )
    comparison = None
    if candidates:
        comparison = compare_regions(usage, candidates=candidates, coefficients=coefficients)
        comparison = _stamp(comparison, {"run_id": (run_id, pa.string()), "computed_at": (now, _TS)})
    stamped = _stamp(usage, {"x_RunId": (run_id, pa.string()), "x_EstimatedAt": (now, _TS)})
    # an empty day is written as [] (clears the day): Warehouse refuses an empty table carrying the key
    writes: list[tuple[str, dict[str, Any], Any]] = []
    per_day: list[tuple[dt.date, pa.Table]] = []
    for day in wanted:
        key = {"x_ChargeDate": day}
        day_usage = _of_day(stamped, "x_ChargeDate", day)
        writes.append((USAGE_TABLE, key, day_usage if day_usage.num_rows else []))
        if allocation is not None:
            day_allocated = _of_day(allocated, "x_ChargeDate", day) if allocated is not None else None
            writes.append(
                (
                    ALLOCATED_TABLE,
                    key,
                    day_allocated if day_allocated is not None and day_allocated.num_rows else [],
                )
            )
        if comparison is not None:
            day_comparison = _of_day(comparison, "charge_date", day)
            writes.append(
                (COMPARISON_TABLE, {"charge_date": day}, day_comparison if day_comparison.num_rows else [])
            )
        per_day.append((day, day_usage))
    written = warehouse.replace_partitions(writes)
    per_table = len(writes) // len(wanted)
    for i, (day, day_usage) in enumerate(per_day):
        counts = written[i * per_table : (i + 1) * per_table]
        result.days.append(day)
        result.usage_rows += counts[0]
        if allocation is not None:
            result.allocated_rows += counts[1]
        if comparison is not None:
            result.comparison_rows += counts[-1]
        _add_totals(result, day_usage)
        log.info("carbon usage %s: %d lines, %d written", day, day_usage.num_rows, counts[0])
    return result


def _of_day(table: pa.Table, column: str, day: dt.date) -> pa.Table:
    """Return the rows of ``table`` whose date ``column`` is ``day``, in their order."""
    return table.filter(pc.equal(table.column(column), pa.scalar(day, pa.date32())))


def _add_totals(result: CarbonDaysResult, usage: pa.Table) -> None:
    cols = usage.select(["x_UsageCategory", "x_Co2eKg", "x_EnergyKwh", "BilledCost", "BillingCurrency"])
    for row in cols.to_pylist():
        if row["x_UsageCategory"] == "unestimated":
            result.unestimated_rows += 1
            cur = str(row["BillingCurrency"])
            result.unestimated_cost[cur] = result.unestimated_cost.get(cur, 0.0) + float(
                row["BilledCost"] or 0.0
            )
            continue
        result.co2e_kg += float(row["x_Co2eKg"] or 0.0)
        result.energy_kwh += float(row["x_EnergyKwh"] or 0.0)


def carbon_summary(warehouse: Warehouse, *, start: dt.date, end: dt.date) -> dict[str, list[dict[str, Any]]]:
    """Return usage emissions by business unit and the region comparison for ``start`` .. ``end``.

    Returns
    -------
    dict
        ``{"by_unit": [{business_unit, co2e_kg, energy_kwh, share}], "regions": [{provider, region,
        candidate_provider, candidate_region, co2e_kg, candidate_co2e_kg, delta_co2e_kg}]}``.
    """
    from steward.warehouse import read_sql

    params = {"start_day": start, "end_day": end}
    return {
        "by_unit": warehouse.fetch(read_sql("carbon/summarize_carbon_by_unit.sql"), params),
        "regions": warehouse.fetch(read_sql("carbon/summarize_region_comparison.sql"), params),
    }
