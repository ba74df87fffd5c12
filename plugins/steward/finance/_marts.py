"""The finance marts (``include/sql/marts/*.sql``): run for one period, inside the warehouse."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from steward.finance._periods import Period

if TYPE_CHECKING:
    from steward.warehouse import Warehouse

__all__ = ["MART_TABLES", "MartRows", "mart_params", "run_marts"]

#: Stable mart tables, each replaced by ``period`` (DDL 0016), and the SQL file that fills each.
MART_TABLES = {
    "finance_tco": "marts/tco.sql",
    "finance_showback": "marts/showback.sql",
    "finance_unit_costs": "marts/unit_costs.sql",
}


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def mart_params(period: Period) -> dict[str, object]:
    """Return the named parameters of every mart: the period as timestamps and dates, and its midpoint."""
    return {
        "start": _at(period.start),
        "end": _at(period.end),
        "mid": _at(period.mid),
        "start_day": period.start,
        "end_day": period.end,
        "mid_day": period.mid,
    }


def _money(value: object) -> Decimal:
    return Decimal(0) if value is None else Decimal(str(value))


@dataclass(frozen=True)
class MartRows:
    """One period's mart rows (``table -> rows``), totals per currency, daily spend and source runs."""

    marts: dict[str, list[dict[str, Any]]]
    totals: list[dict[str, Any]]
    daily_spend: list[dict[str, Any]]
    sources: list[dict[str, Any]]


def run_marts(warehouse: Warehouse, period: Period) -> MartRows:
    """Run every mart for ``period``; money columns come back as exact ``Decimal``."""
    from steward.warehouse import read_sql

    params = mart_params(period)
    marts = {table: warehouse.fetch(read_sql(path), params) for table, path in MART_TABLES.items()}
    money = {
        "billed_cost", "effective_cost", "cloud_billed_cost", "cloud_effective_cost", "ledger_cost",
        "chargeback_cost", "showback_cost", "tco_cost", "cloud_cost", "cost_per_1k_predictions",
        "first_half_cost_per_1k", "second_half_cost_per_1k",
    }  # fmt: skip
    for rows in marts.values():
        for r in rows:
            for k in money & set(r):
                if r[k] is not None or k in ("billed_cost", "effective_cost", "tco_cost", "cloud_cost"):
                    r[k] = _money(r[k])
    totals = warehouse.fetch(read_sql("marts/review_totals.sql"), params)
    for r in totals:
        for k in ("cloud_billed_cost", "cloud_effective_cost", "ledger_cost"):
            r[k] = _money(r[k])
    daily = warehouse.fetch(read_sql("marts/daily_spend.sql"), params)
    sources = warehouse.fetch(read_sql("marts/review_sources.sql"), params)
    return MartRows(marts=marts, totals=totals, daily_spend=daily, sources=sources)
