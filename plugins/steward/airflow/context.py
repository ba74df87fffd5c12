"""Reading what a task needs from its Airflow context: the partition date, the warehouse, the run id.

Manual and asset-triggered runs in Airflow 3 have no ``logical_date`` or data interval, so
the partition date comes, in order, from the ``date`` param, the data interval's start,
or the day before ``run_after``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from steward._dates import check_date
from steward.airflow.connections import WAREHOUSE_CONN_ID, warehouse_url_of  # read with every connection
from steward.airflow.pools import warehouse_pool_args

#: How long a task's DuckDB connection stays open waiting for the task's next call: in the one-slot
#: warehouse pool, and outside it (see :func:`_lingering`).
_LINGER_IN_POOL_S = 0.5
_LINGER_S = 0.1

if TYPE_CHECKING:  # the warehouse pulls in duckdb/pyarrow: import it only when a task runs
    from steward._tracking import Tracker
    from steward.warehouse import Warehouse

__all__ = [
    "URL_PREFIX",
    "WAREHOUSE_CONN_ID",
    "date_param",
    "partition_date",
    "resolve_partition_date",
    "triggering_date",
    "attempt",
    "mapped_label",
    "mapped_results",
    "report_location",
    "report_url",
    "run_id",
    "task_label",
    "warehouse",
    "warehouse_url_of",
]

log = logging.getLogger(__name__)

#: Where Steward's UI plugin app (steward.airflow.ui) is mounted in the api-server.
URL_PREFIX = "/steward"


def resolve_partition_date(
    param: str | dt.date | None, data_interval_start: dt.datetime | None, run_after: dt.datetime | None
) -> dt.date:
    """Pick the partition date from the ``date`` param, the data interval, or ``run_after`` minus a day.

    Examples
    --------
    >>> resolve_partition_date("2026-11-04", None, None)
    datetime.date(2026, 11, 4)
    >>> resolve_partition_date(None, None, dt.datetime(2026, 11, 5, 2, tzinfo=dt.UTC))
    datetime.date(2026, 11, 4)
    """
    if param:
        if isinstance(param, dt.date):
            return check_date(param, what="param 'date'")
        try:
            day = dt.date.fromisoformat(str(param))
        except ValueError:
            raise ValueError(f"param 'date' must be YYYY-MM-DD, got {param!r}") from None
        return check_date(day, what="param 'date'")
    if data_interval_start is not None:
        return check_date(data_interval_start.date(), what="the run's data interval start")
    if run_after is not None:
        return check_date((run_after - dt.timedelta(days=1)).date(), what="the run's run_after - 1 day")
    raise ValueError("cannot tell the partition date: pass the 'date' param (YYYY-MM-DD)")


def date_param(description: str) -> Any:
    """Return the DAGs' optional ``date`` param (YYYY-MM-DD, empty by default) with its help text.

    Every DAG takes the day it works on from this param first (manual runs, reruns, tests), see
    :func:`partition_date`.
    """
    from airflow.sdk import Param

    return Param(None, type=["null", "string"], format="date", description=description)


def partition_date(context: Mapping[str, Any]) -> dt.date:
    """Return the partition date of the running task (see module docstring)."""
    params = context.get("params") or {}
    dag_run = context.get("dag_run")
    return resolve_partition_date(
        params.get("date"),
        context.get("data_interval_start"),
        getattr(dag_run, "run_after", None),
    )


def triggering_date(context: Mapping[str, Any], *, key: str = "date") -> dt.date | None:
    """Return the latest ``extra[key]`` date of the run's triggering asset events (None when there is none).

    An asset-triggered run has no data interval: the producer names the day it processed in its
    event (e.g. ``cloud_costs`` puts ``date`` on its ``cost_allocated_daily`` event).
    """
    days: list[dt.date] = []
    events = context.get("triggering_asset_events") or {}
    for asset in events:
        for event in events[asset]:
            value = (getattr(event, "extra", None) or {}).get(key)
            if value:
                try:
                    days.append(dt.date.fromisoformat(str(value)[:10]))
                except ValueError:
                    log.warning("ignoring the %s %r of an event of %s: not a date", key, value, asset)
    return max(days) if days else None


def run_id(context: Mapping[str, Any]) -> str:
    """Return the Airflow run id (stored on every warehouse row the task writes)."""
    return str(context.get("run_id") or getattr(context.get("dag_run"), "run_id", "unknown"))


def mapped_label(argument: str, *keys: str) -> str:
    """Return the ``map_index_template`` naming a mapped task by its own mapped argument.

    Rendered from the task's resolved arguments (``task.op_kwargs``), the label is known before the
    task's code runs, on every try: a retried try (try_number 2) shows its dataset from its start, and
    a try killed before its end (timeout, lost worker) keeps it too. ``keys`` join the fields of a
    dict argument with spaces.

    Examples
    --------
    >>> mapped_label("dataset")
    "{{ task.op_kwargs['dataset'] }}"
    >>> mapped_label("job", "model", "date")
    "{{ task.op_kwargs['job']['model'] }} {{ task.op_kwargs['job']['date'] }}"
    """
    if not keys:
        return f"{{{{ task.op_kwargs[{argument!r}] }}}}"
    return " ".join(f"{{{{ task.op_kwargs[{argument!r}][{k!r}] }}}}" for k in keys)


def report_url(report_path: object, reports_dir: Path | None = None) -> str | None:
    """Return the URL of a stored report, or None when it is not under the served reports folder."""
    from steward import paths
    from steward.reports import report_relpath

    relpath = report_relpath(report_path, reports_dir or paths.reports_dir())
    return None if relpath is None else f"{URL_PREFIX}/{quote(relpath)}"


def report_location(report_path: object) -> str:
    """Return where a task's log says a report is: its Governance view URL, or its file path.

    The URL (``{base_url}/steward/<path under the reports folder>``) needs Airflow's ``[api] base_url``
    (``AIRFLOW__API__BASE_URL``) and a report under ``$STEWARD_HOME/reports``, the folder the UI serves;
    otherwise the path is logged as it is.
    """
    from airflow.configuration import conf

    base = (conf.get("api", "base_url", fallback=None) or "").strip().rstrip("/")
    url = report_url(report_path) if base and report_path else None
    return f"{base}{url}" if url else str(report_path)


def mapped_results(results: Sequence[Any] | None) -> list[Any]:
    """Return the results of a mapped upstream task as a list, in one request.

    Iterating Airflow's lazy XCom sequence asks for item after item until one is missing, and
    the missing one is logged as an ``XCom not found`` error in every downstream task's log. A
    slice is a single request with no error. ``None`` (every mapped task failed) gives ``[]``.

    Examples
    --------
    >>> mapped_results(None), mapped_results([{"source": "aws"}, None])
    ([], [{'source': 'aws'}, None])
    """
    if not results:
        return []
    return list(results[:])


def attempt(context: Mapping[str, Any]) -> int:
    """Return the task instance's try number (1 for the first attempt; 1 outside a task)."""
    ti = context.get("ti") or context.get("task_instance")
    try:
        return max(1, int(getattr(ti, "try_number", 1) or 1))
    except (TypeError, ValueError):
        return 1


@contextmanager
def warehouse() -> Iterator[Warehouse]:
    """Open the migrated warehouse for the body of a ``with`` block, recording the task's lineage.

    The warehouse is the ``steward_warehouse`` connection, else Steward's default. Credentials come
    only from the Airflow connection or the environment; only the redacted URL is logged.

    Every dataset partition the body reads and every warehouse partition it writes is noted
    (:mod:`steward._tracking`) and stored as ``lineage_edges`` and ``dataset_access`` rows of this
    (run, task) when the block ends, also when it fails (a failed run still read its inputs), and
    handed to Airflow's hook lineage collector, from which OpenLineage (when a transport is configured)
    emits them as the task's inputs and outputs (:mod:`steward.airflow.openlineage`).
    """
    from steward._tracking import tracking
    from steward.warehouse import connect, default_url

    url: str | None = None
    try:
        from airflow.sdk import Connection

        conn = Connection.get(WAREHOUSE_CONN_ID)
    except Exception as exc:  # any lookup failure means "not configured here"
        log.debug("no Airflow connection %s (%s); using the default warehouse", WAREHOUSE_CONN_ID, exc)
    else:
        url = warehouse_url_of(conn)
    with connect(url or default_url()) as wh, _lingering(wh):
        applied = wh.migrate()  # idempotent: a fresh warehouse gets its tables on first use
        log.info("warehouse: %s%s", wh.url, f" (applied migrations {applied})" if applied else "")
        with tracking() as tracker:
            try:
                yield wh
            except BaseException:
                _record_lineage(wh, tracker, failing=True)
                raise
            _record_lineage(wh, tracker, failing=False)


def _lingering(wh: Warehouse) -> contextlib.AbstractContextManager[Any]:
    """Let a task keep its DuckDB file open between calls that follow each other closely.

    An open and its closing checkpoint cost tens of milliseconds, most of a short task's work, and a
    task often makes many short calls (a transaction per day reloaded). A task of the one-slot
    warehouse pool (``STEWARD_WAREHOUSE_POOL``), which admits one such task at a time, keeps the file
    across pauses up to half a second; a task outside it (costs, carbon) up to a tenth, so that the
    pool's tasks, which wait for the file meanwhile, get it as soon as it computes. A longer pause
    lets the file go. With PostgreSQL nothing changes.
    """
    pool = warehouse_pool_args().get("pool")
    try:
        from airflow.sdk import get_current_context

        task = get_current_context()["ti"].task
    except Exception:  # not inside a running task (a test, a CLI command)
        return contextlib.nullcontext()
    in_pool = pool is not None and getattr(task, "pool", None) == pool
    return wh.lingering(_LINGER_IN_POOL_S if in_pool else _LINGER_S)


def task_label(context: Mapping[str, Any]) -> tuple[str, str]:
    """Return ``(dag_id, "dag_id.task_id[map_index]")`` of the running task (``-`` parts outside one)."""
    ti = context.get("ti") or context.get("task_instance")
    dag_id = str(getattr(ti, "dag_id", None) or getattr(context.get("dag"), "dag_id", None) or "-")
    task_id = str(getattr(ti, "task_id", None) or "-")
    index = getattr(ti, "map_index", -1)
    suffix = f"[{index}]" if isinstance(index, int) and index >= 0 else ""
    return dag_id, f"{dag_id}.{task_id}{suffix}"


def _record_lineage(wh: Warehouse, tracker: Tracker, *, failing: bool) -> None:
    """Store the tracker's lineage for the running task; on a failing task never hide its own error."""
    from steward.governance import record_lineage

    if not tracker.reads and not tracker.writes:
        return
    try:
        from airflow.sdk import get_current_context

        context: Mapping[str, Any] = get_current_context()
    except Exception:  # called outside a running task (a test calling the task's function)
        context = {}
    dag_id, task = task_label(context)
    try:
        n = record_lineage(wh, tracker, run_id=run_id(context), task=task, actor=f"airflow:{dag_id}")
        log.info("lineage: %d edge(s) recorded for %s", n, task)
        _hook_lineage(wh, tracker)
    except Exception as exc:
        if not failing:
            raise
        log.warning("lineage of the failing task %s was not recorded: %s", task, exc)


def _hook_lineage(wh: Warehouse, tracker: Tracker) -> None:
    """Hand the reads and writes to Airflow's hook lineage collector: OpenLineage's listener emits them."""
    from airflow.sdk.lineage import get_hook_lineage_collector

    from steward.airflow.openlineage import dataset_uri, table_uri

    collector = get_hook_lineage_collector()
    for r in tracker.reads:  # the warehouse stands in for the hook that did the work
        collector.add_input_asset(wh, uri=dataset_uri(r.dataset, r.partition))  # type: ignore[arg-type]
    for table in dict.fromkeys(w.table for w in tracker.writes):
        collector.add_output_asset(wh, uri=table_uri(table))  # type: ignore[arg-type]
