"""GCP billing: the BigQuery billing export (google-cloud-bigquery) and Cloud Billing metadata.

The export is queried for the requested invoice months with
``include/sql/costs/extract_gcp_billing_export.sql`` (cost, summed credits, labels and project
labels, usage, service/SKU, location, invoice month). google-cloud-billing's ``CloudBillingClient``
then names the billing accounts and checks that every project in the export is linked to the
billing account that billed it. Both calls are retried with backoff on HTTP 429, and their page
loops (BigQuery result pages, ``ListProjectBillingInfo`` pages) stop at the source's ``max_pages`` and
``time_budget_s`` and on a page token seen twice (:class:`~steward.costs._retry.PageGuard`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import pyarrow as pa

from steward.costs._engine import CostSourceError, NormalizeEngine
from steward.costs._retry import PageGuard, with_backoff
from steward.registry._cost_sources import GcpBigQueryExportSource
from steward.warehouse import render_sql

__all__ = [
    "arrow_pages",
    "billing_metadata",
    "extract_query",
    "load_bigquery_export",
    "query_billing_export",
]


def extract_query(source: GcpBigQueryExportSource) -> str:
    """Return the BigQuery SQL that reads ``source.table`` (its name was checked by the registry).

    Examples
    --------
    >>> from pydantic import TypeAdapter
    >>> from steward.registry._cost_sources import CostSource
    >>> src = TypeAdapter(CostSource).validate_python(
    ...     {"name": "gcp", "kind": "gcp_bigquery_export", "table": "p.billing.gcp_billing_export_v1_X"}
    ... )
    >>> "`p.billing.gcp_billing_export_v1_X`" in extract_query(src)
    True
    """
    return render_sql("costs/extract_gcp_billing_export.sql.j2", table=source.table)


def arrow_pages(rows: Any, guard: PageGuard, *, what: str) -> pa.Table:
    """Read a BigQuery ``RowIterator`` page by page into one Arrow table, within ``guard``.

    The client library follows ``pageToken`` without checking it; a token seen twice, more pages than
    the guard allows, or a spent time budget stop the loop with a clear error.
    """
    batches = []
    for batch in rows.to_arrow_iterable(bqstorage_client=None):
        batches.append(batch)
        if not guard.page(rows.next_page_token, scope="rows"):
            break
    if not batches:
        raise CostSourceError(f"{what}: BigQuery returned no result page (not even an empty one); rerun")
    return pa.Table.from_batches(batches)


def query_billing_export(
    source: GcpBigQueryExportSource,
    client: Any,
    billing_periods: Sequence[date],
    *,
    clock: Callable[[], float] | None = None,
) -> pa.Table:
    """Run the extract query for ``billing_periods`` (invoice months) and return its rows as Arrow.

    Parameters
    ----------
    source
        The registry source.
    client
        A ``google.cloud.bigquery.Client`` built by the caller from its connection.
    billing_periods
        First days of the invoice months.
    clock
        Monotonic seconds for the time budget (default :func:`time.monotonic`; tests pass a fake).

    Raises
    ------
    PaginationError
        A result page token came back twice, or there are more than ``source.max_pages`` pages.
    FetchTimeoutError
        The query and its pages took longer than ``source.time_budget_s``.
    """
    from google.cloud import bigquery

    months = sorted({f"{p:%Y%m}" for p in billing_periods})
    config = bigquery.QueryJobConfig(
        query_parameters=[
            bigquery.ArrayQueryParameter("invoice_months", "STRING", months),
            bigquery.ScalarQueryParameter("from_date", "DATE", min(billing_periods)),
        ]
    )
    what = f"cost source {source.name!r} (BigQuery {source.table})"
    guard = _guard(source, what, clock)
    project = source.job_project or source.table.split(".")[0]
    job = with_backoff(
        lambda: client.query(extract_query(source), job_config=config, project=project),
        what=what,
        guard=guard,
    )
    rows = with_backoff(lambda: job.result(timeout=max(guard.remaining_s(), 1.0)), what=what, guard=guard)
    return arrow_pages(rows, guard, what=what)


def _guard(source: GcpBigQueryExportSource, what: str, clock: Callable[[], float] | None) -> PageGuard:
    return PageGuard(what, max_pages=source.max_pages, time_budget_s=source.time_budget_s, clock=clock)


def billing_metadata(
    client: Any, billing_account_ids: Sequence[str], *, what: str, guard: PageGuard | None = None
) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Return billing account display names and the projects linked to each account.

    Parameters
    ----------
    client
        A ``google.cloud.billing_v1.CloudBillingClient``.
    billing_account_ids
        Ids like ``01A2B3-C4D5E6-F7A8B9``.
    what
        Names the source in errors.
    guard
        Bounds the ``ListProjectBillingInfo`` page loops (default: the default limits).

    Returns
    -------
    tuple of dict
        Account id -> display name; account id -> project ids linked to it.
    """
    guard = guard or PageGuard(what)
    names: dict[str, str] = {}
    projects: dict[str, set[str]] = {}
    for account in sorted(set(billing_account_ids)):
        resource = f"billingAccounts/{account}"
        info = with_backoff(lambda r=resource: client.get_billing_account(name=r), what=what, guard=guard)  # type: ignore[misc]
        names[account] = str(info.display_name)
        pager = with_backoff(
            lambda r=resource: client.list_project_billing_info(name=r),  # type: ignore[misc]
            what=what,
            guard=guard,
        )
        linked: set[str] = set()
        for page in pager.pages:
            linked.update(str(p.project_id) for p in page.project_billing_info)
            if not guard.page(page.next_page_token or None, scope=resource):
                break
        projects[account] = linked
    return names, projects


def load_bigquery_export(
    source: GcpBigQueryExportSource,
    engine: NormalizeEngine,
    *,
    billing_periods: Sequence[date],
    client: Any | None = None,
    billing_client: Any | None = None,
    clock: Callable[[], float] | None = None,
) -> None:
    """Query the export and, when ``source.billing_metadata``, Cloud Billing; load the rows into ``engine``.

    Default clients use Application Default Credentials; the Airflow layer passes clients built from
    the source's ``google_cloud_default`` (or overridden) connection.
    """
    if client is None:
        from google.cloud import bigquery

        client = bigquery.Client(project=source.job_project or source.table.split(".")[0])
    table = query_billing_export(source, client, billing_periods, clock=clock)
    if source.billing_metadata and table.num_rows:
        if billing_client is None:
            from google.cloud import billing_v1

            billing_client = billing_v1.CloudBillingClient()
        what = f"cost source {source.name!r} (Cloud Billing)"
        accounts = [str(a) for a in table.column("billing_account_id").unique().to_pylist() if a]
        names, linked = billing_metadata(
            billing_client, accounts, what=what, guard=_guard(source, what, clock)
        )
        table = table.append_column(
            "billing_account_name",
            pa.array(
                [names.get(str(a)) for a in table.column("billing_account_id").to_pylist()], pa.string()
            ),
        )
        pairs = {
            (str(a), str(p))
            for a, p in zip(
                table.column("billing_account_id").to_pylist(),
                table.column("project_id").to_pylist(),
                strict=True,
            )
            if a and p
        }
        unlinked = sorted(p for a, p in pairs if p not in linked.get(a, set()))
        if unlinked:
            engine.warnings.append(
                f"{what}: projects {unlinked} have cost on a billing account they are no longer linked to "
                "(moved or billing disabled); their cost is kept on the account that billed it"
            )
    engine.load_arrow(table, "gcp_billing_export", origin=f"BigQuery {source.table}")
