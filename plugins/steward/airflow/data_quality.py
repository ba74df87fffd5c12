"""Tasks of the nightly data-quality DAG (``dags/data_quality.py``).

Each task is a thin shell around :mod:`steward.quality`; the CLI's ``steward dq`` calls the
same functions. Data problems (a quarantined batch, a missing or corrupt partition) fail the
task at once with :class:`AirflowFailException`: retrying cannot fix the data, and the
failure is already recorded. Warehouse outages raise normally and are retried.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.sdk import get_current_context, task
from airflow.sdk.exceptions import AirflowFailException

from steward.airflow import context as ctx
from steward.airflow.assets import DATA_QUALITY, dataset_quality

__all__ = ["nightly_datasets", "summarize", "validate"]

log = logging.getLogger(__name__)


@task
def nightly_datasets() -> list[str]:
    """List the registered datasets validated every night (``cadence: daily``)."""
    from steward.registry import load_registry

    names = [d.name for d in load_registry().datasets if d.cadence == "daily"]
    log.info("validating %d datasets: %s", len(names), ", ".join(names))
    return names


@task(outlets=[DATA_QUALITY], map_index_template="{{ steward_dataset }}")
def validate(dataset: str) -> dict[str, Any]:
    """Validate one dataset's partition with its GX suite; record results; quarantine on critical failure."""
    from steward.quality import validate_partition
    from steward.registry import load_registry

    context = get_current_context()
    context["steward_dataset"] = dataset  # type: ignore[typeddict-unknown-key]  # names the mapped task in the UI
    day = ctx.partition_date(context)
    registry = load_registry()
    with ctx.warehouse() as wh:
        outcome = validate_partition(
            registry, dataset, day, warehouse=wh, run_id=ctx.run_id(context), attempt=ctx.attempt(context)
        )
    log.info("report: %s", outcome.report_path)
    if not outcome.ok:
        raise AirflowFailException(outcome.message)
    if outcome.status == "warning":
        log.warning("%s", outcome.message)
    else:
        log.info("%s", outcome.message)
    context["outlet_events"][DATA_QUALITY].add(
        dataset_quality(dataset),
        extra={"partition_date": outcome.partition_date, "status": outcome.status, "rows": outcome.row_count},
    )
    return outcome.to_dict()


@task(trigger_rule="all_done")
def summarize() -> dict[str, Any]:
    """Log the night's outcome per dataset, refresh the HTML overview, fail if any dataset is unusable."""
    from steward.quality import night_summary, write_overview

    context = get_current_context()
    day = ctx.partition_date(context)
    with ctx.warehouse() as wh:
        summary = night_summary(wh, day)
        overview = write_overview(wh)
    for line in summary["lines"]:
        log.info("%s", line)
    log.info("data quality overview: %s", overview)
    bad = summary["not_usable"]
    if bad:
        # summarize is the DAG's leaf: failing it marks the whole night failed in the UI.
        raise AirflowFailException(
            f"{len(bad)} dataset(s) not usable for {day}: {', '.join(bad)}; see {overview}"
        )
    return {k: v for k, v in summary.items() if k != "lines"} | {"overview": str(overview)}
