"""Write ``cost_line_daily`` as a FOCUS 1.2 file (Parquet or CSV) for finance tools and focus-validator."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from steward._dates import period_start
from steward.costs._focus import COST_LINE_COLUMNS, FOCUS_COLUMNS, TABLE, cost_line_schema
from steward.warehouse import Warehouse

__all__ = ["export_focus"]

#: x_ columns kept in the export (FOCUS permits custom columns prefixed ``x_``).
_EXPORTED_X = ("x_SourceName", "x_SourceSystem", "x_Estimated", "x_Credits")


def export_focus(warehouse: Warehouse, out_path: Path, *, billing_period: date | None = None) -> Path:
    """Write the FOCUS 1.2 columns of ``cost_line_daily`` (plus a few ``x_`` columns) to ``out_path``.

    Parameters
    ----------
    warehouse
        A warehouse holding ``cost_line_daily``.
    out_path
        ``.parquet`` or ``.csv``; parent folders are created.
    billing_period
        Only this billing period (first day of a month); default: every row.

    Returns
    -------
    Path
        ``out_path``.

    Examples
    --------
    >>> export_focus(wh, Path("focus.parquet"), billing_period=date(2026, 11, 1))  # doctest: +SKIP
    PosixPath('focus.parquet')
    """
    columns = [*FOCUS_COLUMNS, *_EXPORTED_X]
    select = ", ".join(f'"{c}"' for c in columns)
    sql = f"select {select} from {TABLE}"
    params: dict[str, object] = {}
    if billing_period is not None:
        sql += ' where "BillingPeriodStart" = :period'
        params["period"] = period_start(billing_period)
    sql += ' order by "ChargePeriodStart", "x_SourceName", "x_SourceRowHash"'
    table = warehouse.fetch_arrow(sql, params)
    schema = pa.schema([cost_line_schema().field(c) for c in columns if c in COST_LINE_COLUMNS])
    table = table.select(columns).cast(schema)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if out_path.suffix.lower() == ".csv":
        pacsv.write_csv(table, out_path)
    else:
        pq.write_table(table, out_path)
    return out_path
