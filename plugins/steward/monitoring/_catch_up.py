"""Catch-up from the warehouse's state: partitions that passed data quality but were never monitored.

Asset events can be consumed late or several to one run (``max_active_runs=1``, backfills): a
monitoring run therefore also looks in the warehouse for every partition of each model's prediction
log that passed data quality within the model's ``monitoring.catch_up_days`` and has no
``monitoring_runs`` row, so no passed partition goes unmonitored whatever the event timing.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from steward.warehouse import read_sql

if TYPE_CHECKING:
    from steward.registry import Model
    from steward.warehouse import Warehouse

__all__ = ["unmonitored_partitions"]


def unmonitored_partitions(warehouse: Warehouse, model: Model, *, since: dt.date) -> list[dt.date]:
    """Return the passed-but-unmonitored partition dates of ``model``'s prediction log, oldest first.

    A date qualifies when its partition of ``model.prediction_log`` passed data quality (``dq_runs``
    status passed or warning), it is ``since`` or later, and ``monitoring_runs`` has no row for
    ``model`` and that window.

    Parameters
    ----------
    warehouse
        The migrated warehouse (``dq_runs`` and ``monitoring_runs``).
    model
        The registered model; its ``prediction_log`` is the dataset whose data-quality runs count.
    since
        The earliest partition date considered.

    Examples
    --------
    >>> model = registry.model("lead_scoring")  # doctest: +SKIP
    >>> unmonitored_partitions(wh, model, since=dt.date(2026, 11, 1))  # doctest: +SKIP
    [datetime.date(2026, 11, 3), datetime.date(2026, 11, 4)]
    """
    rows = warehouse.fetch(
        read_sql("monitoring/select_unmonitored_partitions.sql"),
        {"model": model.name, "dataset": model.prediction_log, "since": since},
    )
    return [
        r["partition_date"]
        if isinstance(r["partition_date"], dt.date)
        else dt.date.fromisoformat(str(r["partition_date"]))
        for r in rows
    ]
