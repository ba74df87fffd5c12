"""Tasks of the nightly data-quality DAG (``dags/data_quality.py``).

Each task is a thin shell around :mod:`steward.quality`; the CLI's ``steward dq`` calls the
same functions. Data problems (a quarantined batch, a missing or corrupt partition) fail the
task at once with :class:`AirflowFailException`: retrying cannot fix the data, and the
failure is already recorded. Warehouse outages raise normally and are retried.

A dataset with ``landing`` times in the registry waits for a partition that has not landed:
the task goes up for reschedule (:class:`AirflowRescheduleException`, no worker slot or pool slot
held) every ``poke_minutes`` until the deadline, sends one "late" notice after ``expected_by``,
and at the deadline validates as before, which fails with the "has not landed" message.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from airflow.sdk import get_current_context, task
from airflow.sdk.exceptions import AirflowFailException, AirflowRescheduleException

from steward.airflow import context as ctx
from steward.airflow.assets import DATA_QUALITY, dataset_quality

if TYPE_CHECKING:
    from steward.registry import Registry

__all__ = ["nightly_datasets", "summarize", "validate", "wait_for_landing"]

log = logging.getLogger(__name__)


def wait_for_landing(
    context: Any, registry: Registry, dataset: str, day: dt.date, *, now: dt.datetime | None = None
) -> None:
    """Raise :class:`AirflowRescheduleException` while ``dataset``'s partition is missing before its deadline.

    Returns (so the task validates) when the partition has landed, when the dataset declares no
    ``landing`` times, or once the deadline has passed. The first look after ``expected_by`` sends the
    "late" notice (registry ``alerts.late_data``).
    """
    from steward.sources import landing_wait, partition_landed

    ds = registry.dataset(dataset)
    if ds.landing is None or ds.cadence != "daily":
        return
    if ds.source.table is not None:
        with ctx.warehouse() as wh:
            landed = partition_landed(ds, day, warehouse=wh)
    else:
        landed = partition_landed(ds, day)  # lists files: the warehouse (and its lock) is not needed
    if landed:
        return
    first_look = int(context.get("task_reschedule_count") or 0) == 0
    wait = landing_wait(ds.landing, ds.name, day, now or dt.datetime.now(dt.UTC), first_look=first_look)
    if wait is None:
        log.error("dataset %s, partition %s: the landing deadline has passed; validating now", ds.name, day)
        return
    log.warning("%s", wait.message)
    if wait.late and registry.alerts.late_data:
        from steward.airflow.alerts import alert_payload, send_alert

        send_alert(alert_payload(context, event="late_data", message=wait.message), alerts=registry.alerts)
    raise AirflowRescheduleException(reschedule_date=wait.until)


@task
def nightly_datasets() -> list[str]:
    """List the registered datasets validated every night (``cadence: daily``)."""
    from steward.registry import load_registry

    names = [d.name for d in load_registry().datasets if d.cadence == "daily"]
    log.info("validating %d datasets: %s", len(names), ", ".join(names))
    return names


@task(outlets=[DATA_QUALITY], map_index_template=ctx.mapped_label("dataset"))
def validate(dataset: str) -> dict[str, Any]:
    """Validate one dataset's partition with its GX suite; record results; quarantine on critical failure."""
    from steward.quality import validate_partition
    from steward.registry import load_registry

    context = get_current_context()
    context["steward_dataset"] = dataset  # type: ignore[typeddict-unknown-key]  # names the mapped task in the UI
    day = ctx.partition_date(context)
    registry = load_registry()
    wait_for_landing(context, registry, dataset, day)
    with ctx.warehouse() as wh:
        outcome = validate_partition(
            registry, dataset, day, warehouse=wh, run_id=ctx.run_id(context), attempt=ctx.attempt(context)
        )
    log.info("report: %s", ctx.report_location(outcome.report_path))
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
