"""Tasks of the nightly carbon DAG (``dags/carbon.py``).

Thin shells around :mod:`steward.carbon`: one mapped task per provider carbon source (AWS
sustainability API, GCP Carbon Footprint export), and the usage-based estimates of the billing
periods the cost DAG reloads (current and previous month), allocated to business units and
models like cost and compared with the registry's candidate regions. A failing provider never
stops the others nor the estimates: the last task runs when all are done and fails the run,
naming what failed. Credentials come only from Airflow connections; nothing secret is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from airflow.sdk import get_current_context, task
from airflow.sdk.exceptions import AirflowFailException

from steward.airflow import context as ctx
from steward.airflow.assets import CARBON
from steward.airflow.costs import CLOUD_TASK_TIMEOUT

__all__ = ["carbon_providers", "estimate_usage", "finish", "load_provider", "provider_client"]

log = logging.getLogger(__name__)


def provider_client(provider: Any, conn: Any) -> Any:
    """Build the client a carbon provider needs from its Airflow connection (boto3 or BigQuery)."""
    from steward.airflow.connections import aws_access, google_access

    what = f"carbon provider {provider.name!r}"
    if provider.kind == "aws_sustainability":
        return aws_access(conn, region=provider.region_name, what=what).client("sustainability")
    from google.cloud import bigquery

    credentials, project = google_access(conn, what=what)
    return bigquery.Client(project=project or provider.table.split(".", 1)[0], credentials=credentials)


def _connection(provider: Any) -> Any:
    from steward.airflow.connections import get_connection

    return get_connection(
        provider.conn_id,
        what=f"carbon provider {provider.name!r} (include/governance.yaml costs.carbon.providers)",
        fix="set the provider's connection_id",
    )


@task
def carbon_providers() -> list[str]:
    """List the provider carbon sources of the registry (``costs.carbon.providers``)."""
    from steward.registry import load_registry

    names = [p.name for p in load_registry().costs.carbon.providers]
    if names:
        log.info("loading provider carbon data from %d source(s): %s", len(names), ", ".join(names))
    else:
        log.info("no carbon provider configured (costs.carbon.providers is empty): provider data skipped")
    return names


@task(outlets=[CARBON], map_index_template=ctx.mapped_label("provider"), execution_timeout=CLOUD_TASK_TIMEOUT)
def load_provider(provider: str) -> dict[str, Any]:
    """Reload the recent months of one provider's carbon data into ``carbon_provider_monthly``."""
    from steward.carbon import fetch_aws_emissions, fetch_gcp_emissions, months_back, write_provider_months
    from steward.registry import load_registry

    context = get_current_context()
    context["steward_provider"] = provider  # type: ignore[typeddict-unknown-key]  # names the mapped task
    day = _day(context)
    matches = [p for p in load_registry().costs.carbon.providers if p.name == provider]
    if not matches:
        raise AirflowFailException(f"carbon provider {provider!r} is not in costs.carbon.providers any more")
    spec = matches[0]
    client = provider_client(spec, _connection(spec))
    months = months_back(day, spec.lookback_months)
    limits: dict[str, Any] = {"max_pages": spec.max_pages, "time_budget_s": spec.time_budget_s}
    try:
        if spec.kind == "aws_sustainability":
            rows = fetch_aws_emissions(client, months=months, source_name=spec.name, **limits)
        else:
            assert spec.table is not None  # the registry requires it for this kind
            rows = fetch_gcp_emissions(
                client, table=spec.table, months=months, source_name=spec.name, **limits
            )
    except ValueError as exc:  # a unit, table or page-token problem: retrying cannot fix it
        raise AirflowFailException(str(exc)) from exc
    with ctx.warehouse() as wh:
        written = write_provider_months(wh, rows, provider=spec, run_id=ctx.run_id(context))
    loaded: list[Any] = [m.isoformat() for m in months]
    context["outlet_events"][CARBON].extra = {"kind": "provider", "source": provider, "months": loaded}
    log.info("%s: %d monthly rows for %s", provider, written, ", ".join(loaded))
    return {"provider": provider, "months": loaded, "rows": written}


@task(outlets=[CARBON])
def estimate_usage() -> dict[str, Any]:
    """Estimate, allocate and compare the usage emissions of the reloaded billing periods."""
    from steward._dates import month_start
    from steward.carbon import estimate_days, load_coefficients, usage_days
    from steward.costs import billing_periods_to_reload
    from steward.registry import load_registry

    context = get_current_context()
    day = _day(context)
    registry = load_registry()
    carbon = registry.costs.carbon
    periods = billing_periods_to_reload(day)  # exactly what the cost DAG reloads
    coefficients = load_coefficients(carbon.coefficients)
    with ctx.warehouse() as wh:
        if not wh.table_exists("cost_line_daily"):
            warning = "no cost_line_daily table: run the cloud_costs DAG first; usage estimates skipped"
            log.warning("%s", warning)
            return {"days": [], "usage_rows": 0, "warnings": [warning]}
        days = usage_days(wh, periods)
        empty = [p.isoformat()[:7] for p in periods if not any(month_start(d) == p for d in days)]
        warnings = [
            f"no billing lines in cost_line_daily for {month}: its emissions are not estimated (did the "
            "cloud_costs DAG load that month?)"
            for month in empty
        ]
        for warning in warnings:
            log.warning("%s", warning)
        result = estimate_days(
            wh,
            days=days,
            coefficients=coefficients,
            run_id=ctx.run_id(context),
            utilization=carbon.cpu_utilization,
            allocation=registry.costs.allocation,
            models=registry.models,
            candidates=carbon.candidate_regions,
        )
    summary = result.to_dict() | {"warnings": warnings}
    log.info(
        "usage estimates (coefficients %s): %d days, %d rows, %.3f kg CO2e, %.3f kWh; %d unestimated "
        "line(s) costing %s",
        coefficients.version,
        len(result.days),
        result.usage_rows,
        result.co2e_kg,
        result.energy_kwh,
        result.unestimated_rows,
        summary["unestimated_cost"] or "nothing",
    )
    context["outlet_events"][CARBON].extra = {
        "kind": "usage",
        "days": summary["days"],
        "co2e_kg": summary["co2e_kg"],
        "coefficients_version": coefficients.version,
        "warnings": list[Any](warnings),
    }
    return summary


def _day(context: Any) -> Any:
    """Return the day whose months are estimated: the date param, the cost DAG's event, the run's date."""
    params = context.get("params") or {}
    return (None if params.get("date") else ctx.triggering_date(context)) or ctx.partition_date(context)


def failed(expected: Sequence[str], loaded: Sequence[Mapping[str, Any] | None]) -> list[str]:
    """Return the providers of ``expected`` that returned no result (their task failed)."""
    done = {r["provider"] for r in loaded if r}
    return [p for p in expected if p not in done]


@task(trigger_rule="all_done")
def finish(
    providers: Sequence[str],
    loaded: Sequence[Mapping[str, Any] | None] | None,
    usage: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """Fail the run, naming what failed, once every provider and the estimates are done."""
    results = ctx.mapped_results(loaded)
    bad = failed(list(providers or []), results)
    problems = [f"carbon provider(s) failed: {', '.join(bad)}"] if bad else []
    if usage is None:
        problems.append("usage estimates failed (see the estimate_usage task log)")
    if problems:
        raise AirflowFailException("; ".join(problems))
    log.info("carbon night done: %d provider(s), usage %s", len(results), dict(usage or {}))
    return {"providers": len(results), "usage": dict(usage or {})}
