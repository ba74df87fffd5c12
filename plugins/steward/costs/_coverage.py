"""Tag coverage: how much of each day's cost is tagged with a business unit, to drive tagging work."""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from steward.costs._lines import AMOUNT, DIMENSIONS, TS, check_input, engine, resolutions
from steward.registry import AllocationConfig, Model

__all__ = ["COVERAGE_TABLE", "tag_coverage"]

#: The table :func:`~steward.costs.allocate_days` writes tag coverage to.
COVERAGE_TABLE = "tag_coverage_daily"

_SCHEMA = pa.schema(
    [
        ("ChargePeriodStart", TS),
        ("BillingPeriodStart", TS),
        ("BillingAccountId", pa.string()),
        ("SubAccountId", pa.string()),
        ("ProviderName", pa.string()),
        ("ServiceName", pa.string()),
        ("BillingCurrency", pa.string()),
        ("x_BusinessUnit", pa.string()),
        ("x_TagStatus", pa.string()),
        ("x_LineCount", pa.int64()),
        ("BilledCost", AMOUNT),
        ("EffectiveCost", AMOUNT),
        ("x_ServiceEffectiveCost", AMOUNT),
        ("x_EffectiveCostShare", pa.float64()),
    ]
)


def tag_coverage(lines: pa.Table, config: AllocationConfig, *, models: Sequence[Model] = ()) -> pa.Table:
    """Return the share of cost tagged with a business unit, per day x account x service x business unit.

    A line counts as tagged when its tags resolve a business unit (as :func:`~steward.costs.allocate`
    resolves it: any key spelling, value aliases, a model's ``cost_tags``). ``x_TagStatus`` is
    ``business_unit`` (tagged), ``other_tags`` (tags, none naming a unit) or ``untagged`` (no tags).

    Parameters
    ----------
    lines
        FOCUS billing lines: the allocation dimensions, ``Tags``, ``BilledCost``, ``EffectiveCost``
        and optionally ``x_LineCount`` (lines already grouped; default 1 per row).
    config
        The registry's ``costs.allocation``.
    models
        Registered models.

    Returns
    -------
    pyarrow.Table
        ``ChargePeriodStart``, ``BillingPeriodStart``, ``BillingAccountId``, ``SubAccountId``,
        ``ProviderName``, ``ServiceName``, ``BillingCurrency``, ``x_BusinessUnit``, ``x_TagStatus``,
        ``x_LineCount``, ``BilledCost``, ``EffectiveCost`` (unrounded sums), ``x_ServiceEffectiveCost``
        (the day x account x service total) and ``x_EffectiveCostShare`` (EffectiveCost over it).

    Examples
    --------
    >>> cov = tag_coverage(lines, registry.costs.allocation, models=registry.models)  # doctest: +SKIP
    >>> tagged = cov.filter(pc.field("x_TagStatus") == "business_unit")  # doctest: +SKIP
    """
    from steward.warehouse import read_sql

    check_input(lines, ("BilledCost", "EffectiveCost"))
    if lines.num_rows == 0:
        return _SCHEMA.empty_table()
    counts = (
        lines.column("x_LineCount")
        if "x_LineCount" in lines.column_names
        else pa.array([1] * lines.num_rows, pa.int64())
    )
    data = lines.select([*DIMENSIONS, "Tags", "BilledCost", "EffectiveCost"]).append_column(
        "x_LineCount", counts
    )
    con = engine()
    try:
        con.register("lines", data)
        con.register("resolved", resolutions(con, config, models))
        out = con.sql(read_sql("costs/coverage_tag_daily.sql")).to_arrow_table()
    finally:
        con.close()
    return out.select(_SCHEMA.names).cast(_SCHEMA)
