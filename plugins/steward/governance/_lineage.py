"""Lineage and access history: what each Steward run read and wrote, and the questions over it.

A task's reads and writes are noted at the plumbing level (:mod:`steward._tracking`);
:func:`record_lineage` stores them as ``lineage_edges`` (every dataset partition read -> every
warehouse partition written) and ``dataset_access`` (who read which partition), replacing the
rows of that (run, task) so a retry records the same rows. :func:`model_lineage` and
:func:`affected_by_partition` answer the auditor's two questions.
"""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass
from typing import TYPE_CHECKING

from steward import __version__
from steward._tracking import Tracker
from steward.warehouse import read_sql

if TYPE_CHECKING:
    from steward.registry import Model, Registry
    from steward.warehouse import Warehouse

__all__ = [
    "Affected",
    "affected_by_partition",
    "cli_actor",
    "lineage_rows",
    "model_datasets",
    "model_lineage",
    "parse_partition",
    "record_lineage",
]

CODE_VERSION = f"steward {__version__}"


def cli_actor() -> str:
    """Return the OS user running the CLI (``unknown`` when the platform cannot tell)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def lineage_rows(tracker: Tracker, *, run_id: str, task: str, now: dt.datetime) -> list[dict[str, object]]:
    """Return the ``lineage_edges`` rows of one task: each read -> each write, or read/write -> the task.

    Examples
    --------
    >>> from steward._tracking import Read, Write
    >>> reads = [Read("leads", "2026-11-04", ("a.parquet",), "f1")]
    >>> t = Tracker(reads, [Write("dq_runs", "dataset=leads", 1)])
    >>> [(r["source_name"], r["target_name"]) for r in lineage_rows(t, run_id="r", task="t", now=None)]
    [('leads', 'dq_runs')]
    """
    base = {"run_id": run_id, "task": task, "code_version": CODE_VERSION, "recorded_at": now}
    sources: list[tuple[str, str, str, str | None]] = [
        ("dataset", r.dataset, r.partition, r.fingerprint) for r in tracker.reads
    ] or [("task", task, "*", None)]
    targets = [("table", w.table, w.partition) for w in tracker.writes] or [("task", task, "*")]
    if not tracker.reads and not tracker.writes:
        return []
    return [
        base
        | {
            "source_kind": kind,
            "source_name": name,
            "source_partition": part,
            "source_fingerprint": fp,
            "target_kind": t_kind,
            "target_name": t_name,
            "target_partition": t_part,
        }
        for kind, name, part, fp in sources
        for t_kind, t_name, t_part in targets
    ]


def record_lineage(
    warehouse: Warehouse,
    tracker: Tracker,
    *,
    run_id: str,
    task: str,
    actor: str,
    now: dt.datetime | None = None,
) -> int:
    """Store a task's lineage edges and access rows, replacing that (run, task)'s earlier rows.

    Parameters
    ----------
    warehouse
        The migrated warehouse.
    tracker
        What the task read and wrote (:func:`steward._tracking.tracking`).
    run_id, task
        The Airflow run id and ``dag.task[map index]``, or the CLI run id and command.
    actor
        ``airflow:<dag_id>`` or the CLI's OS user (:func:`cli_actor`).

    Returns
    -------
    int
        The number of lineage edges written (0 when the task read and wrote nothing: nothing is stored).
    """
    rows = lineage_rows(tracker, run_id=run_id, task=task, now=now or dt.datetime.now(dt.UTC))
    if not rows:
        return 0
    stamp = rows[0]["recorded_at"]
    access = [
        {
            "actor": actor,
            "dataset": r.dataset,
            "partition_label": r.partition,
            "files": len(r.files),
            "accessed_at": stamp,
        }
        for r in tracker.reads
    ]
    key = {"run_id": run_id, "task": task}
    warehouse.replace_partitions([("lineage_edges", key, rows), ("dataset_access", key, access)])
    return len(rows)


def parse_partition(label: str) -> dict[str, str]:
    """Return the ``k=v`` pairs of a written partition's label.

    Examples
    --------
    >>> parse_partition("model=lead_scoring,window_date=2026-11-04")
    {'model': 'lead_scoring', 'window_date': '2026-11-04'}
    >>> parse_partition("2026-11-04")
    {}
    """
    pairs = (part.partition("=") for part in label.split(","))
    return {k: v for k, sep, v in pairs if sep}


def model_lineage(warehouse: Warehouse, model: str) -> list[dict[str, object]]:
    """Return the dataset partitions (with fingerprints, runs and code versions) behind ``model``'s rows.

    Every edge whose target partition names ``model=<model>`` (monitoring, performance, fairness
    rows), plus every read of the run that produced each registered model version
    (``model_versions.run_id``; ``include/sql/governance/select_model_version_lineage.sql``).
    """
    params = {"model": model, "needle": f"%model={model}%"}
    rows = warehouse.fetch(read_sql("governance/select_model_version_lineage.sql"), params)
    monitoring = warehouse.fetch(read_sql("governance/select_model_lineage.sql"), params)
    # a LIKE on the label also matches a longer name (model=a in model=ab): keep the exact ones
    rows += [r for r in monitoring if parse_partition(str(r["target_partition"])).get("model") == model]
    return rows


@dataclass(frozen=True)
class Affected:
    """A model touched by a dataset partition: through recorded lineage, or declared in the registry."""

    model: str
    how: str
    tables: tuple[str, ...] = ()


def affected_by_partition(
    warehouse: Warehouse, dataset: str, day: dt.date, *, registry: Registry | None = None
) -> list[Affected]:
    """Return the models affected by ``dataset``'s partition ``day`` (e.g. a quarantined one).

    ``recorded``: a run read that partition and wrote rows of the model. ``declared``: the registry
    names the dataset as the model's prediction log, labels, outcomes or training data (a partition
    not yet read by any run still affects them).
    """
    rows = warehouse.fetch(
        read_sql("governance/select_partition_targets.sql"),
        {"dataset": dataset, "partition": day.isoformat()},
    )
    tables: dict[str, set[str]] = {}
    for r in rows:
        model = parse_partition(str(r["target_partition"])).get("model")
        if model:
            tables.setdefault(model, set()).add(str(r["target_name"]))
    out = [Affected(m, "recorded", tuple(sorted(t))) for m, t in sorted(tables.items())]
    if registry is not None:
        for m in registry.models:
            if m.name not in tables and dataset in model_datasets(m):
                out.append(Affected(m.name, "declared"))
    return out


def model_datasets(model: Model) -> set[str]:
    """Return the datasets ``model`` declares: prediction log, training data, labels, reference."""
    names = {model.prediction_log, model.training_data}
    names.add(model.labels.dataset if model.labels else None)
    names.add(model.reference.dataset if model.reference else None)
    return {n for n in names if n}
