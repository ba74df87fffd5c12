"""Load one billing source into ``cost_line_daily``: read, normalize to FOCUS, replace billing periods.

Providers restate billing for weeks, so each night reloads the current and the previous billing
month (:func:`billing_periods_to_reload`) and replaces them whole: the rows of a source and billing
period are deleted and inserted in one transaction (:meth:`Warehouse.replace_partitions` keyed by
``("x_SourceName", "BillingPeriodStart")``). Late rows and corrections replace, never add; a rerun
writes the same rows.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from steward._dates import billing_months, check_date, check_dates, month_start, period_start
from steward.costs._engine import CostSourceError, NormalizeEngine
from steward.costs._focus import TABLE
from steward.registry._cost_sources import (
    AwsCostExplorerSource,
    AwsDataExportsSource,
    CostSource,
    GcpBigQueryExportSource,
    LocalFilesSource,
)
from steward.warehouse import Warehouse

__all__ = ["IngestResult", "billing_periods_to_reload", "ingest", "period_key"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestResult:
    """What :func:`ingest` wrote for one source.

    Attributes
    ----------
    source
        The source name.
    periods
        Billing periods replaced (first day of the month); periods skipped are in ``warnings``.
    rows
        Daily lines written over all ``periods``.
    billed_cost_total
        Sum of BilledCost written, per billing currency.
    warnings
        Documented handling that a person should know about (duplicates dropped, positive credits,
        periods skipped, Cost Explorer remainders).
    """

    source: str
    periods: list[date]
    rows: int
    billed_cost_total: dict[str, Decimal]
    warnings: list[str] = field(default_factory=list)


def billing_periods_to_reload(day: date, *, months_back: int = 1) -> list[date]:
    """Return the billing periods to reload on ``day``: its month and the ``months_back`` before it.

    Parameters
    ----------
    day
        The run's logical date.
    months_back
        How many earlier months providers may still restate (AWS and GCP: one).

    Returns
    -------
    list of date
        First days of the months, oldest first.

    Examples
    --------
    >>> billing_periods_to_reload(date(2026, 1, 3))
    [datetime.date(2025, 12, 1), datetime.date(2026, 1, 1)]
    """
    return billing_months(check_date(day, what="cost run day"), months_back=months_back)


def period_key(source_name: str, billing_period: date) -> dict[str, object]:
    """Return the ``cost_line_daily`` partition key of a source and billing period.

    Examples
    --------
    >>> period_key("aws", date(2026, 11, 1))["BillingPeriodStart"]
    datetime.datetime(2026, 11, 1, 0, 0, tzinfo=datetime.timezone.utc)
    """
    return {
        "x_SourceName": source_name,
        "BillingPeriodStart": period_start(billing_period),
    }


def ingest(
    source: CostSource,
    *,
    warehouse: Warehouse,
    billing_periods: Sequence[date],
    run_id: str,
    clients: Mapping[str, object] | None = None,
) -> IngestResult:
    """Read ``source`` for ``billing_periods``, normalize to FOCUS and replace those periods in the warehouse.

    Parameters
    ----------
    source
        A ``costs.sources`` entry of the registry.
    warehouse
        A migrated warehouse (``cost_line_daily`` exists).
    billing_periods
        First days of the months to replace (see :func:`billing_periods_to_reload`).
    run_id
        Written to ``x_PipelineRunId``.
    clients
        Prebuilt provider clients keyed ``"ce"``, ``"s3"``, ``"bigquery"``, ``"billing"`` (the Airflow
        layer builds them from connections). ``None``: default clients from the environment; local
        file sources need none.

    Returns
    -------
    IngestResult
        Periods written, row count, BilledCost totals per currency and warnings.

    Raises
    ------
    CostSourceError
        Bad input (malformed file, missing column, currency mix, ...): nothing is written.

    Examples
    --------
    >>> ingest(src, warehouse=wh, billing_periods=[date(2026, 11, 1)], run_id="r1")  # doctest: +SKIP
    IngestResult(source='aws_demo', periods=[datetime.date(2026, 11, 1)], rows=372, ...)
    """
    periods = sorted(
        {
            month_start(p)
            for p in check_dates(billing_periods, what=f"cost source {source.name!r}: billing period")
        }
    )
    if not periods:
        raise ValueError(f"cost source {source.name!r}: no billing periods to load")
    clients = dict(clients or {})
    ingested_at = datetime.now(UTC)
    extra_writes: list[tuple[str, Mapping[str, object], object]] = []
    with NormalizeEngine(source.name) as engine:
        covered = _read(
            source,
            engine,
            periods=periods,
            clients=clients,
            warehouse=warehouse,
            run_id=run_id,
            extra_writes=extra_writes,
        )
        writes: list[tuple[str, Mapping[str, object], object]] = []
        totals: dict[str, Decimal] = {}
        written: list[date] = []
        rows = 0
        if covered:
            engine.check()
            covered &= set(engine.billing_periods()) | {p for p in covered if not _is_file_source(source)}
            engine.aggregate(sorted(covered), run_id=run_id, ingested_at=ingested_at)
        for period in periods:
            if period not in covered:
                continue
            table = engine.daily(period)
            daily = engine.daily_totals(period)
            _reconcile(daily, engine.totals(period), period, source.name)
            for currency, amount in daily.items():
                totals[currency] = totals.get(currency, Decimal(0)) + amount
            # An empty period clears its rows. (Passed as no rows: Warehouse._with_key refuses an empty
            # Arrow table that carries the key columns, as pc.all() of nothing is null.)
            writes.append((TABLE, period_key(source.name, period), table if table.num_rows else []))
            written.append(period)
            rows += table.num_rows
        warnings = list(engine.warnings)
    skipped = [p for p in periods if p not in covered]
    if skipped:
        warnings.append(
            f"cost source {source.name!r}: no billing data for {[f'{p:%Y-%m}' for p in skipped]}; "
            "the rows loaded before for those periods are kept"
        )
    if writes or extra_writes:
        warehouse.replace_partitions([*writes, *extra_writes])
    for w in warnings:
        _log.warning("%s", w)
    _log.info("cost source %s: %d daily lines for %s", source.name, rows, [f"{p:%Y-%m}" for p in written])
    return IngestResult(
        source=source.name, periods=written, rows=rows, billed_cost_total=totals, warnings=warnings
    )


def _read(
    source: CostSource,
    engine: NormalizeEngine,
    *,
    periods: list[date],
    clients: dict[str, object],
    warehouse: Warehouse,
    run_id: str,
    extra_writes: list[tuple[str, Mapping[str, object], object]],
) -> set[date]:
    """Load the source's raw lines into ``engine``; return the billing periods it holds data for."""
    if isinstance(source, LocalFilesSource):
        from steward.costs._local import load_local_files

        return set(periods) if load_local_files(source, engine, billing_periods=periods) else set()
    if isinstance(source, AwsCostExplorerSource):
        from steward.costs._aws_ce import load_cost_explorer

        load_cost_explorer(source, engine, billing_periods=periods, client=clients.get("ce"))
        return set(periods)  # the API is authoritative: an empty period is cleared
    if isinstance(source, AwsDataExportsSource):
        from steward.costs._aws_exports import load_data_exports

        changed, manifest_writes = load_data_exports(
            source,
            engine,
            billing_periods=periods,
            client=clients.get("s3"),
            warehouse=warehouse,
            run_id=run_id,
        )
        extra_writes.extend(manifest_writes)
        return changed
    if isinstance(source, GcpBigQueryExportSource):
        from steward.costs._gcp import load_bigquery_export

        load_bigquery_export(
            source,
            engine,
            billing_periods=periods,
            client=clients.get("bigquery"),
            billing_client=clients.get("billing"),
        )
        return set(periods)
    raise CostSourceError(f"cost source {source.name!r}: unknown kind {source.kind!r}")  # pragma: no cover


def _is_file_source(source: CostSource) -> bool:
    """File sources hold only the periods their files hold; API sources answer for every period asked."""
    return isinstance(source, LocalFilesSource | AwsDataExportsSource)


def _reconcile(daily: dict[str, Decimal], lines: dict[str, Decimal], period: date, source_name: str) -> None:
    """Check that the daily lines sum to the source lines, per currency, exactly (an internal invariant)."""
    if {c: v for c, v in daily.items() if v} != {c: v for c, v in lines.items() if v}:
        raise CostSourceError(
            f"cost source {source_name!r}: daily lines of {period:%Y-%m} sum to {daily} but the source lines "
            f"to {lines}; nothing was written. Fix: report this as a bug with the source files"
        )
