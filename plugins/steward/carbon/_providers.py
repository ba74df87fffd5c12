"""Provider carbon data: the AWS ``sustainability`` API and the GCP Carbon Footprint BigQuery export.

Both give monthly emissions per account, service and region; they land in
``carbon_provider_monthly`` in kg CO2e, replaced by (provider, account, month). Every call is retried
with backoff when throttled, and each fetch's page loop stops at ``max_pages`` and ``time_budget_s``
and on a page token seen twice (:class:`steward.costs.PageGuard`), as the billing sources do.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from steward._dates import billing_months, next_month, period_start
from steward.costs._retry import PageGuard, with_backoff
from steward.registry._carbon import CarbonProvider
from steward.registry._cost_sources import DEFAULT_MAX_PAGES, DEFAULT_TIME_BUDGET_S
from steward.warehouse import render_sql

if TYPE_CHECKING:
    from steward.warehouse import Warehouse

__all__ = [
    "AWS_EMISSIONS_TYPES",
    "PROVIDER_COLUMNS",
    "PROVIDER_TABLE",
    "fetch_aws_emissions",
    "fetch_gcp_emissions",
    "months_back",
    "write_provider_months",
]

log = logging.getLogger(__name__)

PROVIDER_TABLE = "carbon_provider_monthly"

#: Every emissions type the API offers (botocore ``sustainability`` 2018-05-10 service model).
AWS_EMISSIONS_TYPES: tuple[str, ...] = (
    "TOTAL_LBM_CARBON_EMISSIONS",
    "TOTAL_MBM_CARBON_EMISSIONS",
    "TOTAL_SCOPE_1_CARBON_EMISSIONS",
    "TOTAL_SCOPE_2_LBM_CARBON_EMISSIONS",
    "TOTAL_SCOPE_2_MBM_CARBON_EMISSIONS",
    "TOTAL_SCOPE_3_LBM_CARBON_EMISSIONS",
    "TOTAL_SCOPE_3_MBM_CARBON_EMISSIONS",
)
#: API emissions type -> our column.
_AWS_COLUMNS = {
    "TOTAL_LBM_CARBON_EMISSIONS": "location_based_co2e_kg",
    "TOTAL_MBM_CARBON_EMISSIONS": "market_based_co2e_kg",
    "TOTAL_SCOPE_1_CARBON_EMISSIONS": "scope1_co2e_kg",
    "TOTAL_SCOPE_2_LBM_CARBON_EMISSIONS": "scope2_location_based_co2e_kg",
    "TOTAL_SCOPE_2_MBM_CARBON_EMISSIONS": "scope2_market_based_co2e_kg",
    "TOTAL_SCOPE_3_LBM_CARBON_EMISSIONS": "scope3_location_based_co2e_kg",
    "TOTAL_SCOPE_3_MBM_CARBON_EMISSIONS": "scope3_market_based_co2e_kg",
}
#: Metric tons CO2e -> kg.
_KG_PER_MTCO2E = 1000.0

PROVIDER_COLUMNS = pa.schema(
    [
        ("provider", pa.string()),
        ("source_name", pa.string()),
        ("account_id", pa.string()),
        ("usage_month", pa.date32()),
        ("project_id", pa.string()),
        ("service", pa.string()),
        ("region", pa.string()),
        ("location_based_co2e_kg", pa.float64()),
        ("market_based_co2e_kg", pa.float64()),
        ("scope1_co2e_kg", pa.float64()),
        ("scope2_location_based_co2e_kg", pa.float64()),
        ("scope2_market_based_co2e_kg", pa.float64()),
        ("scope3_location_based_co2e_kg", pa.float64()),
        ("scope3_market_based_co2e_kg", pa.float64()),
        ("model_version", pa.string()),
    ]
)


def months_back(day: dt.date, lookback: int) -> list[dt.date]:
    """Return the first days of ``day``'s month and the ``lookback`` months before it, oldest first.

    Examples
    --------
    >>> months_back(dt.date(2026, 1, 15), 2)
    [datetime.date(2025, 11, 1), datetime.date(2025, 12, 1), datetime.date(2026, 1, 1)]
    """
    return billing_months(day, months_back=lookback)


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).date() if value.tzinfo else value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def fetch_aws_emissions(
    client: Any,
    *,
    months: Sequence[dt.date],
    source_name: str,
    max_pages: int = DEFAULT_MAX_PAGES,
    time_budget_s: float = DEFAULT_TIME_BUDGET_S,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] | None = None,
) -> pa.Table:
    """Read monthly estimated emissions per usage account, region and service from AWS.

    Calls ``GetEstimatedCarbonEmissions`` (``Granularity=MONTHLY``, grouped by ``USAGE_ACCOUNT_ID``,
    ``REGION`` and ``SERVICE``, every emissions type) over the months, through all pages
    (``NextToken``), and converts MTCO2e to kg. Throttled calls are retried with backoff; the loop
    stops at ``max_pages``, at ``time_budget_s`` and on a ``NextToken`` seen twice.

    Parameters
    ----------
    client
        A boto3 ``sustainability`` client.
    months
        First days of the months to read (the request spans the first to the month after the last).
    source_name
        The registry's provider name, stored on every row.
    max_pages, time_budget_s
        Bounds of the fetch (the provider's registry settings).
    sleep, clock
        Waits between throttled retries and monotonic seconds (defaults: :mod:`time`; tests pass fakes).

    Returns
    -------
    pyarrow.Table
        :data:`PROVIDER_COLUMNS` with ``provider = 'aws'``.

    Raises
    ------
    ValueError
        A value comes in a unit other than MTCO2e (the message names it), or a
        :class:`~steward.costs.PaginationError`: a ``NextToken`` came twice or pages passed ``max_pages``.
    FetchTimeoutError
        The fetch, throttling waits included, took longer than ``time_budget_s``.

    Examples
    --------
    >>> client = boto3.client("sustainability", region_name="us-east-1")  # doctest: +SKIP
    >>> fetch_aws_emissions(client, months=[dt.date(2026, 10, 1)], source_name="aws_carbon")  # doctest: +SKIP
    """
    if not months:
        return PROVIDER_COLUMNS.empty_table()
    start = min(months)
    end = next_month(max(months))
    request: dict[str, Any] = {
        "TimePeriod": {
            "Start": period_start(start),
            "End": period_start(end),
        },
        "GroupBy": ["USAGE_ACCOUNT_ID", "REGION", "SERVICE"],
        "EmissionsTypes": list(AWS_EMISSIONS_TYPES),
        "Granularity": "MONTHLY",
        "MaxResults": 1000,
    }
    rows: list[dict[str, Any]] = []
    wanted = set(months)
    what = f"carbon provider {source_name!r} (AWS sustainability)"
    guard = PageGuard(what, max_pages=max_pages, time_budget_s=time_budget_s, clock=clock)
    while True:
        response = with_backoff(
            lambda: client.get_estimated_carbon_emissions(**request), what=what, sleep=sleep, guard=guard
        )
        for result in response.get("Results", []):
            month = _as_date(result["TimePeriod"]["Start"]).replace(day=1)
            if month not in wanted:
                continue
            dims = result.get("DimensionsValues", {})
            row: dict[str, Any] = {
                "provider": "aws",
                "source_name": source_name,
                "account_id": dims.get("USAGE_ACCOUNT_ID") or "",
                "usage_month": month,
                "project_id": None,
                "service": dims.get("SERVICE"),
                "region": dims.get("REGION"),
                "model_version": result.get("ModelVersion"),
            }
            for kind, value in result.get("EmissionsValues", {}).items():
                column = _AWS_COLUMNS.get(kind)
                if column is None:
                    log.warning("AWS emissions type %s is not stored (unknown to Steward)", kind)
                    continue
                if value.get("Unit") != "MTCO2e":
                    raise ValueError(
                        f"carbon provider {source_name!r}: AWS returned {kind} in unit "
                        f"{value.get('Unit')!r}, "
                        "expected MTCO2e; update steward.carbon._providers for the new unit"
                    )
                row[column] = float(value["Value"]) * _KG_PER_MTCO2E
            rows.append(row)
        token = response.get("NextToken") or None
        if not guard.page(token):
            break
        request["NextToken"] = token
    log.info("AWS sustainability: %d rows over %d page(s) for %s", len(rows), guard.pages, source_name)
    return pa.Table.from_pylist(rows, schema=PROVIDER_COLUMNS)


def fetch_gcp_emissions(
    client: Any,
    *,
    table: str,
    months: Sequence[dt.date],
    source_name: str,
    max_pages: int = DEFAULT_MAX_PAGES,
    time_budget_s: float = DEFAULT_TIME_BUDGET_S,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] | None = None,
) -> pa.Table:
    """Read the GCP Carbon Footprint export (location- and market-based kg CO2e) for ``months``.

    The query is retried with backoff on HTTP 429; its result pages are read within ``max_pages`` and
    ``time_budget_s``, and a page token seen twice stops the loop.

    Parameters
    ----------
    client
        A ``google.cloud.bigquery.Client`` (or an object with the same ``query(sql, job_config=)``).
    table
        The export table, ``project.dataset.table``.
    months
        First days of the months to read (``usage_month`` values).
    source_name
        The registry's provider name, stored on every row.
    max_pages, time_budget_s
        Bounds of the fetch (the provider's registry settings).
    sleep, clock
        Waits between throttled retries and monotonic seconds (defaults: :mod:`time`; tests pass fakes).

    Returns
    -------
    pyarrow.Table
        :data:`PROVIDER_COLUMNS` with ``provider = 'gcp'``; scope 3 (one figure in the export) fills
        both scope-3 columns, as it enters both totals.

    Raises
    ------
    ValueError
        ``table`` is not a BigQuery table id, or a :class:`~steward.costs.PaginationError`.
    FetchTimeoutError
        The query and its pages took longer than ``time_budget_s``.

    Examples
    --------
    >>> fetch_gcp_emissions(bigquery.Client(), table="p.carbon.footprint",  # doctest: +SKIP
    ...                     months=[dt.date(2026, 10, 1)], source_name="gcp_carbon")
    """
    from google.cloud import bigquery

    if not re.fullmatch(r"[A-Za-z0-9_.:-]+", table) or table.count(".") < 1:
        raise ValueError(
            f"carbon provider {source_name!r}: table {table!r} is not a BigQuery table id "
            "(project.dataset.table)"
        )
    if not months:
        return PROVIDER_COLUMNS.empty_table()
    config = bigquery.QueryJobConfig(
        query_parameters=[bigquery.ArrayQueryParameter("months", "DATE", sorted(months))]
    )
    what = f"carbon provider {source_name!r} (BigQuery {table})"
    guard = PageGuard(what, max_pages=max_pages, time_budget_s=time_budget_s, clock=clock)
    job = with_backoff(
        lambda: client.query(
            render_sql("carbon/extract_gcp_carbon_footprint.sql.j2", table=table), job_config=config
        ),
        what=what,
        sleep=sleep,
        guard=guard,
    )
    result = with_backoff(
        lambda: job.result(timeout=max(guard.remaining_s(), 1.0)), what=what, sleep=sleep, guard=guard
    )
    records = []
    for page in result.pages:
        records.extend(page)
        if not guard.page(result.next_page_token, scope="rows"):
            break
    rows = []
    for r in records:
        scope3 = r["scope3_co2e_kg"]
        rows.append(
            {
                "provider": "gcp",
                "source_name": source_name,
                "account_id": r["billing_account_id"] or "",
                "usage_month": _as_date(r["usage_month"]).replace(day=1),
                "project_id": r["project_id"],
                "service": r["service"],
                "region": r["region"],
                "location_based_co2e_kg": r["location_based_co2e_kg"],
                "market_based_co2e_kg": r["market_based_co2e_kg"],
                "scope1_co2e_kg": r["scope1_co2e_kg"],
                "scope2_location_based_co2e_kg": r["scope2_location_based_co2e_kg"],
                "scope2_market_based_co2e_kg": r["scope2_market_based_co2e_kg"],
                "scope3_location_based_co2e_kg": scope3,
                "scope3_market_based_co2e_kg": scope3,
                "model_version": None
                if r["carbon_model_version"] is None
                else str(r["carbon_model_version"]),
            }
        )
    log.info("GCP Carbon Footprint: %d rows from %s for %s", len(rows), table, source_name)
    return pa.Table.from_pylist(rows, schema=PROVIDER_COLUMNS)


def write_provider_months(
    warehouse: Warehouse,
    rows: pa.Table,
    *,
    provider: CarbonProvider,
    run_id: str,
    accounts_months: Iterable[tuple[str, dt.date]] = (),
) -> int:
    """Replace ``carbon_provider_monthly`` for each (provider, account, month) of ``rows`` in one transaction.

    ``accounts_months`` adds keys to clear even when ``rows`` has none for them (an account whose
    restated month is now empty). Returns the rows written.
    """
    kind = "aws" if provider.kind == "aws_sustainability" else "gcp"
    now = dt.datetime.now(dt.UTC)
    n = rows.num_rows
    stamped = rows.append_column("run_id", pa.array([run_id] * n, pa.string())).append_column(
        "loaded_at", pa.array([now] * n, pa.timestamp("us", tz="UTC"))
    )
    keys = sorted(
        {
            (str(r["account_id"]), r["usage_month"])
            for r in rows.select(["account_id", "usage_month"]).to_pylist()
        }
        | set(accounts_months)
    )
    writes = []
    accounts = stamped.column("account_id").to_pylist()
    months = stamped.column("usage_month").to_pylist()
    for account, month in keys:
        mask = pa.array([a == account and m == month for a, m in zip(accounts, months, strict=True)])
        writes.append(
            (
                PROVIDER_TABLE,
                {"provider": kind, "account_id": account, "usage_month": month},
                stamped.filter(mask),
            )
        )
    if not writes:
        return 0
    return sum(warehouse.replace_partitions(writes))
