"""Tasks of the nightly cloud-cost DAG (``dags/cloud_costs.py``).

Thin shells around :mod:`steward.costs`: one mapped ingest task per registered billing source, then
allocation and tag coverage over whatever was loaded. A failing provider never stops the others:
allocation runs with ``trigger_rule="all_done"`` over the lines in the warehouse (a failed source
keeps its previous rows), and the last task fails the run, naming the sources that failed.

Credentials come only from Airflow connections (``aws_default``, ``google_cloud_default``, or the
``connection_id`` a source names), turned into provider clients here, for cloud kinds only; local
file sources need none. Nothing secret reaches logs or XCom.

Events: every ingest emits a :data:`~steward.airflow.assets.COST_LINES` event with
``extra = {"source", "billing_periods", "rows"}``; allocation emits
:data:`~steward.airflow.assets.COST_ALLOCATED` with ``extra = {"date", "billing_periods", ...}``, on
which ``dags/carbon.py`` is scheduled (carbon needs the night's allocated cost lines).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from airflow.sdk import get_current_context, task
from airflow.sdk.exceptions import AirflowFailException

from steward.airflow import context as ctx
from steward.airflow.assets import COST_ALLOCATED, COST_LINES
from steward.airflow.connections import aws_access, get_connection, google_access

__all__ = [
    "CLOUD_TASK_TIMEOUT",
    "allocate_costs",
    "clients_for",
    "cost_sources",
    "failed_sources",
    "finish",
    "ingest_source",
]

log = logging.getLogger(__name__)

#: ``execution_timeout`` of the tasks that call cloud APIs: above any source's fetch time budget
#: (``time_budget_s``, at most 1.5 hours) plus the warehouse write, so it only stops a task the fetch
#: bounds did not (a hung socket, a stuck client library).
CLOUD_TASK_TIMEOUT = dt.timedelta(hours=2)

#: Source kinds that read a cloud API, and the client names :func:`steward.costs.ingest` takes.
_CLIENTS: dict[str, tuple[str, ...]] = {
    "aws_cost_explorer": ("ce",),
    "aws_data_exports": ("s3",),
    "gcp_bigquery_export": ("bigquery", "billing"),
}


def clients_for(source: Any, conn: Any) -> dict[str, object]:
    """Build the provider clients a cloud source needs from its Airflow connection.

    Parameters
    ----------
    source
        A registry cost source (its ``kind``, ``region``, ``connection_id``).
    conn
        The Airflow connection named by the source.

    Returns
    -------
    dict
        ``{"ce": ...}``, ``{"s3": ...}`` or ``{"bigquery": ..., "billing": ...}``; empty for local files.
    """
    names = _CLIENTS.get(source.kind, ())
    if not names:
        return {}
    what = f"cost source {source.name!r}"
    if source.kind.startswith("aws_"):
        access = aws_access(conn, region=source.region, what=what)
        return {name: access.client(name) for name in names}
    from google.cloud import bigquery, billing_v1

    credentials, project = google_access(conn, what=what)
    job_project = getattr(source, "job_project", None) or project or source.table.split(".", 1)[0]
    return {
        "bigquery": bigquery.Client(project=job_project, credentials=credentials),
        "billing": billing_v1.CloudBillingClient(credentials=credentials),
    }


def _connection(source: Any) -> Any:
    return get_connection(
        source.connection_id,
        what=f"cost source {source.name!r} (include/governance.yaml costs.sources)",
        fix="set the source's connection_id",
    )


@task
def cost_sources() -> list[str]:
    """List the enabled billing sources of the registry (``costs.sources``)."""
    from steward.registry import load_registry

    names = [s.name for s in load_registry().costs.sources if s.enabled]
    log.info("loading %d billing sources: %s", len(names), ", ".join(names) or "(none)")
    return names


@task(
    outlets=[COST_LINES], map_index_template=ctx.mapped_label("source"), execution_timeout=CLOUD_TASK_TIMEOUT
)
def ingest_source(source: str) -> dict[str, Any]:
    """Reload the current and previous billing month of one source into ``cost_line_daily``."""
    from steward.costs import CostSourceError, billing_periods_to_reload, ingest
    from steward.registry import load_registry

    context = get_current_context()
    context["steward_source"] = source  # type: ignore[typeddict-unknown-key]  # names the mapped task
    day = ctx.partition_date(context)
    registry = load_registry()
    matches = [s for s in registry.costs.sources if s.name == source]
    if not matches:
        raise AirflowFailException(
            f"cost source {source!r} is not in the registry's costs.sources any more: rerun the DAG"
        )
    spec = matches[0]
    clients = clients_for(spec, _connection(spec)) if spec.kind in _CLIENTS else {}
    periods = billing_periods_to_reload(day)
    with ctx.warehouse() as wh:
        try:
            result = ingest(
                spec, warehouse=wh, billing_periods=periods, run_id=ctx.run_id(context), clients=clients
            )
        except CostSourceError as exc:
            # Bad billing data: retrying cannot fix it, and the rows loaded before are kept.
            raise AirflowFailException(str(exc)) from exc
    loaded = [p.isoformat() for p in result.periods]
    extra: dict[str, Any] = {"source": source, "billing_periods": loaded, "rows": result.rows}
    context["outlet_events"][COST_LINES].extra = extra
    log.info(
        "%s: %d daily lines for %s; BilledCost %s", source, result.rows, loaded, result.billed_cost_total
    )
    return {
        "source": source,
        "billing_periods": loaded,
        "rows": result.rows,
        "billed_cost": {k: str(v) for k, v in result.billed_cost_total.items()},
        "warnings": list(result.warnings),
    }


def failed_sources(expected: Sequence[str], loaded: Sequence[Mapping[str, Any] | None]) -> list[str]:
    """Return the sources of ``expected`` that returned no ingest result (their task failed).

    Examples
    --------
    >>> failed_sources(["aws", "gcp"], [{"source": "gcp"}, None])
    ['aws']
    """
    done = {str(r["source"]) for r in loaded if r}
    return [s for s in expected if s not in done]


@task(outlets=[COST_ALLOCATED], trigger_rule="all_done")
def allocate_costs(sources: list[str], loaded: Sequence[dict[str, Any] | None]) -> dict[str, Any]:
    """Allocate the reloaded billing periods and compute tag coverage, whatever sources failed."""
    from steward.costs import allocate_days, billing_periods_to_reload
    from steward.registry import load_registry

    context = get_current_context()
    day = ctx.partition_date(context)
    failed = failed_sources(sources, ctx.mapped_results(loaded))
    if failed:
        log.warning("sources that failed tonight (their previous rows are allocated): %s", ", ".join(failed))
    registry = load_registry()
    with ctx.warehouse() as wh:
        result = allocate_days(
            wh,
            registry.costs.allocation,
            billing_periods=billing_periods_to_reload(day),
            run_id=ctx.run_id(context),
            models=registry.models,
        )
    summary = result.to_dict() | {"failed_sources": failed}
    for currency, billed in summary["billed_cost"].items():
        log.info(
            "%s: BilledCost %s, unallocated %s, tagged share %.1f%%",
            currency,
            billed,
            summary["unallocated_cost"].get(currency, "0"),
            100 * summary["tagged_share"].get(currency, 0.0),
        )
    extra: dict[str, Any] = {
        "date": day.isoformat(),  # the day this run processed: carbon, scheduled on this asset, uses it
        "billing_periods": summary["billing_periods"],
        "failed_sources": failed,
        "tagged_share": summary["tagged_share"],
    }
    context["outlet_events"][COST_ALLOCATED].extra = extra
    return summary


@task(trigger_rule="all_done")
def finish(summary: dict[str, Any] | None) -> dict[str, Any]:
    """End the night red when a source failed or allocation did not run (the DAG's leaf)."""
    if not summary:
        raise AirflowFailException("allocation did not run: see the allocate_costs task log")
    if summary["failed_sources"]:
        failed = summary["failed_sources"]
        raise AirflowFailException(
            f"{len(failed)} billing source(s) failed: {', '.join(failed)}; "
            "allocation ran on their previously loaded rows: see their ingest_source task logs"
        )
    return summary
