"""Retention: delete or archive what is past its dataset's retention, keep what is held, record why.

A run is a plan (:func:`plan_retention`: pure reading, every partition and derived-row group past
retention, held ones marked with the reason) and its application (:func:`apply_retention`: the plan
is recorded in ``retention_actions`` first, one row per item keyed by the run, then carried out), so
a rerun of the same run records the same rows and finds nothing more to remove; a dry run records
and prints what would go (``would_delete`` / ``would_archive``) and touches nothing.

What is past retention, per registered dataset on the run's ``as_of`` day:

- raw partitions (``{date}`` file datasets): days before ``as_of - retention_days``;
- derived rows: data-quality rows of the dataset, and the monitoring/fairness rows of the models
  logging to it, dated before ``as_of - retention.derived_days`` (default ``retention_days``).

Held (kept, recorded as ``held``): a day inside one of the dataset's ``retention.holds``, inside the
reference or prediction-reference window of a model that reads the dataset (its retraining and drift
baseline), or a quarantined partition (an open data-quality review).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from steward import paths
from steward.governance._lineage import model_datasets
from steward.sources import partition_days
from steward.warehouse import quote_ident

if TYPE_CHECKING:
    from steward.registry import Dataset, Registry
    from steward.warehouse import Warehouse

__all__ = ["RetentionItem", "RetentionOutcome", "apply_retention", "plan_retention", "run_retention"]

Action = Literal["deleted", "archived", "held", "would_delete", "would_archive"]

#: Tables of rows derived from a dataset, by its name and partition date.
DATASET_TABLES = ("dq_results",)
#: Tables of rows derived from a model's prediction log, by model and window date. Run records
#: (``dq_runs``, ``monitoring_runs``), quarantines, control-chart history and audit rows are kept.
MODEL_TABLES = (
    "drift_metrics",
    "model_performance",
    "review_queue",
    "monitoring_breaches",
    "fairness_metrics",
    "fairness_group_counts",
    "fairness_calibration",
    # the stored per-window counts of the label horizon (a window without them is counted again in full)
    "fairness_counts",
    "fairness_count_windows",
    "fairness_count_labels",
    # what each monitoring night measured, kept per night for the retraining trigger (DDL 0021)
    "model_performance_asof",
    "fairness_windows_asof",
    "fairness_breaches_asof",
)


@dataclass(frozen=True)
class RetentionItem:
    """One thing past retention: a partition's files or a table's rows of one day."""

    dataset: str
    location_kind: Literal["partition", "table"]
    location: str
    partition_label: str
    action: Action
    reason: str
    rows_removed: int | None = None
    bytes_removed: int | None = None
    archived_to: str | None = None
    files: tuple[str, ...] = ()
    #: For table items: (table, owner column, owner, date column) of the rows to delete.
    rows_of: tuple[str, str, str, str] | None = None

    def line(self) -> str:
        """Return the item as one line for the CLI and the task log."""
        size = f", {self.bytes_removed} bytes" if self.bytes_removed is not None else ""
        rows = f", {self.rows_removed} rows" if self.rows_removed is not None else ""
        where = f"{self.dataset} {self.partition_label} {self.location}"
        return f"{self.action:<13} {where}{rows}{size}: {self.reason}"


@dataclass(frozen=True)
class RetentionOutcome:
    """What a retention run did (or, dry, would do)."""

    run_id: str
    as_of: dt.date
    dry_run: bool
    items: tuple[RetentionItem, ...]

    def count(self, *actions: str) -> int:
        """Return how many items carry one of ``actions``."""
        return sum(1 for i in self.items if i.action in actions)

    def summary(self) -> str:
        """Return one line: what went, what was held."""
        gone = "would go" if self.dry_run else "removed"
        n = self.count("would_delete", "would_archive") if self.dry_run else self.count("deleted", "archived")
        return (
            f"retention {self.as_of} ({'dry run' if self.dry_run else 'run'} {self.run_id}): "
            f"{n} item(s) {gone}, {self.count('held')} held"
        )


def _basis(ds: Dataset) -> str:
    return f"legal basis {ds.retention.legal_basis}, region {ds.retention.region}"


def _holds(ds: Dataset, registry: Registry, quarantined: set[dt.date]) -> list[tuple[dt.date, dt.date, str]]:
    """Return (start, end, reason) of every hold on ``ds``: registry holds, reference windows, quarantines."""
    holds = [(h.start, h.end, f"hold: {h.reason}") for h in ds.retention.holds]
    for m in registry.models:
        if ds.name not in model_datasets(m):
            continue
        windows: list[tuple[str, object]] = [("reference window", m.reference)]
        if m.prediction_log == ds.name:
            windows.append(("prediction reference window", m.monitoring.prediction_reference))
        for what, ref in windows:
            start, end = getattr(ref, "window_start", None), getattr(ref, "window_end", None)
            if start and end:
                holds.append((start, end, f"held for model {m.name}'s {what} {start}..{end}"))
    holds += [(d, d, "held: quarantined partition under data-quality review") for d in sorted(quarantined)]
    return holds


def _held(day: dt.date, holds: Sequence[tuple[dt.date, dt.date, str]]) -> str | None:
    return next((reason for start, end, reason in holds if start <= day <= end), None)


def _quarantined(warehouse: Warehouse, dataset: str) -> set[dt.date]:
    rows = warehouse.fetch("select partition_date from quarantine where dataset = :d", {"d": dataset})
    return {_as_date(r["partition_date"]) for r in rows}


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _raw_items(
    ds: Dataset,
    as_of: dt.date,
    holds: Sequence[tuple[dt.date, dt.date, str]],
    archive_dir: Path,
    dry_run: bool,
) -> list[RetentionItem]:
    cutoff = as_of - dt.timedelta(days=ds.retention_days)
    archive = ds.retention.action == "archive"
    items: list[RetentionItem] = []
    for day, files in partition_days(ds).items():
        if day >= cutoff:
            continue
        local = [f for f in files if "://" not in f]
        location = os.path.commonpath(local) if len(local) > 1 else os.path.dirname(local[0]) if local else ""
        reason = _held(day, holds)
        if reason is not None:
            items.append(RetentionItem(ds.name, "partition", location, day.isoformat(), "held", reason))
            continue
        verb = ("would_" if dry_run else "") + ("archive" if archive else "delete")
        action = verb if dry_run else verb + "d"
        items.append(
            RetentionItem(
                ds.name,
                "partition",
                location,
                day.isoformat(),
                action,  # type: ignore[arg-type]
                f"older than retention_days={ds.retention_days} (before {cutoff}); {_basis(ds)}",
                bytes_removed=sum(os.path.getsize(f) for f in local),
                archived_to=str(archive_dir / ds.name / day.isoformat()) if archive else None,
                files=tuple(local),
            )
        )
    return items


def _derived_items(
    ds: Dataset,
    registry: Registry,
    warehouse: Warehouse,
    as_of: dt.date,
    holds: Sequence[tuple[dt.date, dt.date, str]],
    dry_run: bool,
) -> list[RetentionItem]:
    days = ds.retention.derived_days or ds.retention_days
    cutoff = as_of - dt.timedelta(days=days)
    models = sorted(m.name for m in registry.models if m.prediction_log == ds.name)
    targets = [(t, "dataset", "partition_date", [ds.name]) for t in DATASET_TABLES]
    targets += [(t, "model", "window_date", models) for t in MODEL_TABLES if models]
    items: list[RetentionItem] = []
    for table, owner_col, date_col, owners in targets:
        if not {owner_col, date_col} <= set(warehouse.columns(table)):
            continue
        for owner in owners:
            rows = warehouse.fetch(
                f"select {quote_ident(date_col)} as day, count(*) as n from {quote_ident(table)} "
                f"where {quote_ident(owner_col)} = :o and {quote_ident(date_col)} < :cutoff "
                f"group by {quote_ident(date_col)} order by 1",
                {"o": owner, "cutoff": cutoff},
            )
            for r in rows:
                day = _as_date(r["day"])
                reason = _held(day, holds)
                where = f"{table} ({owner_col}={owner})"
                if reason is not None:
                    items.append(RetentionItem(ds.name, "table", where, day.isoformat(), "held", reason))
                    continue
                items.append(
                    RetentionItem(
                        ds.name,
                        "table",
                        where,
                        day.isoformat(),
                        "would_delete" if dry_run else "deleted",
                        f"derived rows older than {days} days (before {cutoff}); {_basis(ds)}",
                        rows_removed=int(str(r["n"])),
                        rows_of=(table, owner_col, owner, date_col),
                    )
                )
    return items


def plan_retention(
    registry: Registry,
    as_of: dt.date,
    *,
    warehouse: Warehouse,
    dry_run: bool = False,
    archive_dir: Path | None = None,
    datasets: Sequence[str] | None = None,
) -> list[RetentionItem]:
    """Return every partition and derived-row day past retention on ``as_of``, held ones marked.

    Parameters
    ----------
    registry
        The registry (datasets' ``retention_days`` and ``retention``; models' reference windows).
    as_of
        The day the run keeps data for: a partition of day D goes when ``D < as_of - retention_days``.
    warehouse
        Where derived rows and quarantines are.
    dry_run
        Plan ``would_delete`` / ``would_archive`` actions instead of ``deleted`` / ``archived``.
    archive_dir
        Where archived partitions go (default: the registry's ``governance.archive_dir``, else
        ``<STEWARD_HOME>/archive``).
    datasets
        Only these datasets (default: every registered dataset).
    """
    archive_dir = archive_dir or _archive_dir(registry)
    chosen = [registry.dataset(n) for n in datasets] if datasets else list(registry.datasets)
    items: list[RetentionItem] = []
    for ds in chosen:
        holds = _holds(ds, registry, _quarantined(warehouse, ds.name))
        items += _raw_items(ds, as_of, holds, archive_dir, dry_run)
        items += _derived_items(ds, registry, warehouse, as_of, holds, dry_run)
    return items


def _archive_dir(registry: Registry) -> Path:
    configured = registry.governance.archive_dir
    return Path(configured).expanduser() if configured else paths.steward_home() / "archive"


def _record_rows(item: RetentionItem, *, dry_run: bool, now: dt.datetime) -> dict[str, object]:
    return {
        "action": item.action,
        "reason": item.reason,
        "location_kind": item.location_kind,
        "rows_removed": item.rows_removed,
        "bytes_removed": item.bytes_removed,
        "archived_to": item.archived_to,
        "dry_run": dry_run,
        "decided_at": now,
    }


def _carry_out(item: RetentionItem, warehouse: Warehouse) -> RetentionItem:
    """Remove (or archive) what ``item`` names; return it (archived files' new folder kept)."""
    if item.action in ("deleted", "archived") and item.location_kind == "partition":
        for f in item.files:
            if not os.path.exists(f):  # a rerun: already gone
                continue
            if item.action == "archived":
                target = Path(str(item.archived_to))
                target.mkdir(parents=True, exist_ok=True)
                shutil.move(f, target / Path(f).name)
            else:
                os.remove(f)
        folder = Path(item.location)
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    elif item.action == "deleted" and item.rows_of is not None:
        table, owner_col, _, date_col = (quote_ident(n) for n in item.rows_of)
        warehouse.execute(
            f"delete from {table} where {owner_col} = :o and {date_col} = :d",
            {"o": item.rows_of[2], "d": dt.date.fromisoformat(item.partition_label)},
        )
    return item


def apply_retention(
    items: Sequence[RetentionItem],
    *,
    warehouse: Warehouse,
    run_id: str,
    as_of: dt.date,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> RetentionOutcome:
    """Record every item in ``retention_actions`` (one transaction), then carry them out unless dry.

    The record goes first: a run interrupted half-way has recorded what it set out to do, and its
    rerun finds only what is left (each item is keyed by run, dataset, location and day, so earlier
    records of the run stay).
    """
    now = now or dt.datetime.now(dt.UTC)
    writes = [
        (
            "retention_actions",
            {
                "run_id": run_id,
                "dataset": i.dataset,
                "location": i.location,
                "partition_label": i.partition_label,
            },
            [_record_rows(i, dry_run=dry_run, now=now)],
        )
        for i in items
    ]
    if writes:
        warehouse.replace_partitions(writes)
    done = items if dry_run else [_carry_out(i, warehouse) for i in items]
    return RetentionOutcome(run_id, as_of, dry_run, tuple(replace(i, files=(), rows_of=None) for i in done))


def run_retention(
    registry: Registry,
    as_of: dt.date,
    *,
    warehouse: Warehouse,
    run_id: str,
    dry_run: bool = False,
    archive_dir: Path | None = None,
    datasets: Sequence[str] | None = None,
) -> RetentionOutcome:
    """Plan and apply retention on ``as_of`` (see the module docstring); ``dry_run`` only records the plan.

    Examples
    --------
    >>> out = run_retention(registry, dt.date(2026, 11, 14), warehouse=wh, run_id="r1")  # doctest: +SKIP
    >>> out.summary()  # doctest: +SKIP
    'retention 2026-11-14 (run r1): 4 item(s) removed, 1 held'
    """
    items = plan_retention(
        registry, as_of, warehouse=warehouse, dry_run=dry_run, archive_dir=archive_dir, datasets=datasets
    )
    return apply_retention(items, warehouse=warehouse, run_id=run_id, as_of=as_of, dry_run=dry_run)
