"""GCP billing: the BigQuery billing export (google-cloud-bigquery) and Cloud Billing metadata.

The export is queried for the requested invoice months with
``include/sql/costs/extract_gcp_billing_export.sql`` (cost, summed credits, labels and project
labels, usage, service/SKU, location, invoice month). google-cloud-billing's ``CloudBillingClient``
then names the billing accounts and checks that every project in the export is linked to the
billing account that billed it. Both calls are retried with backoff on HTTP 429.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pyarrow as pa

from steward.costs._engine import CostSourceError, NormalizeEngine
from steward.costs._retry import with_backoff
from steward.registry._cost_sources import GcpBigQueryExportSource
from steward.warehouse import read_sql

__all__ = ["billing_metadata", "extract_query", "load_bigquery_export", "query_billing_export"]


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
    return read_sql("costs/extract_gcp_billing_export.sql").replace("{table}", source.table)


def query_billing_export(
    source: GcpBigQueryExportSource, client: Any, billing_periods: Sequence[date]
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
    project = source.job_project or source.table.split(".")[0]
    job = with_backoff(
        lambda: client.query(extract_query(source), job_config=config, project=project), what=what
    )
    result = with_backoff(lambda: job.result(), what=what)
    table = result.to_arrow(create_bqstorage_client=False)
    if not isinstance(table, pa.Table):
        raise CostSourceError(f"{what}: the query returned {type(table).__name__}, not an Arrow table")
    return table


def billing_metadata(
    client: Any, billing_account_ids: Sequence[str], *, what: str
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

    Returns
    -------
    tuple of dict
        Account id -> display name; account id -> project ids linked to it.
    """
    names: dict[str, str] = {}
    projects: dict[str, set[str]] = {}
    for account in sorted(set(billing_account_ids)):
        resource = f"billingAccounts/{account}"
        info = with_backoff(lambda r=resource: client.get_billing_account(name=r), what=what)  # type: ignore[misc]
        names[account] = str(info.display_name)
        pager = with_backoff(lambda r=resource: client.list_project_billing_info(name=r), what=what)  # type: ignore[misc]
        projects[account] = {str(p.project_id) for p in pager}
    return names, projects


def load_bigquery_export(
    source: GcpBigQueryExportSource,
    engine: NormalizeEngine,
    *,
    billing_periods: Sequence[date],
    client: Any | None = None,
    billing_client: Any | None = None,
) -> None:
    """Query the export and, when ``source.billing_metadata``, Cloud Billing; load the rows into ``engine``.

    Default clients use Application Default Credentials; the Airflow layer passes clients built from
    the source's ``google_cloud_default`` (or overridden) connection.
    """
    if client is None:
        from google.cloud import bigquery

        client = bigquery.Client(project=source.job_project or source.table.split(".")[0])
    table = query_billing_export(source, client, billing_periods)
    if source.billing_metadata and table.num_rows:
        if billing_client is None:
            from google.cloud import billing_v1

            billing_client = billing_v1.CloudBillingClient()
        what = f"cost source {source.name!r} (Cloud Billing)"
        accounts = [str(a) for a in table.column("billing_account_id").unique().to_pylist() if a]
        names, linked = billing_metadata(billing_client, accounts, what=what)
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
