"""``steward demo``: the demo company's nights, run through Airflow itself.

Prepares Airflow's SQLite metadata under ``$STEWARD_HOME/airflow``, then runs the nights with one
of two runners:

- ``scheduler`` (the default): Airflow's own scheduler and LocalExecutor
  (:class:`steward.airflow.scheduler.LocalAirflow`). The periodic DAGs are backfilled over the demo
  days; the DAGs scheduled on assets run when Airflow sees their events, and DAGs triggered by other
  DAGs when they are triggered; the runner waits until none of ``dags`` has a run queued or running.
  The UI (``make airflow``) then shows backfill and asset-triggered runs with their true durations
  and task logs.
- ``test``: each DAG with ``dag.test()`` for every demo day, in order, in this process (for
  debugging: breakpoints work; asset consumers do not run by themselves, hence the fixed order).

Choose with ``run_demo(..., runner=...)``, ``steward demo --runner`` or ``STEWARD_DEMO_RUNNER``.
Airflow's output goes to ``$STEWARD_HOME/logs/demo.log``; the terminal gets one line per run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from steward import paths
from steward.airflow.local import apply_airflow_env

__all__ = ["DEMO_DAGS", "RUNNERS", "RUNNER_ENV", "run_demo", "shorten_retries"]

#: DAGs the demo runs per night (in this order with the ``test`` runner).
DEMO_DAGS = ("data_quality", "model_monitoring", "cloud_costs", "carbon")
#: The ways to run the nights: Airflow's scheduler (default), or ``dag.test()`` in this process.
RUNNERS = ("scheduler", "test")
#: Environment variable choosing the runner when ``run_demo`` is not told.
RUNNER_ENV = "STEWARD_DEMO_RUNNER"


@contextlib.contextmanager
def _output_to(log_file: Path) -> Iterator[None]:
    """Send everything written to fd 1 and 2 (Airflow's task logs included) to ``log_file``."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with log_file.open("ab") as fh:
        os.dup2(fh.fileno(), 1)
        os.dup2(fh.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def shorten_retries(dag: Any, delay: dt.timedelta = dt.timedelta(seconds=2)) -> None:
    """Keep the DAG's retries but wait ``delay`` between them.

    ``dag.test()`` waits out each retry delay in the foreground; the nightly 5 minutes
    would stall the demo whenever a task hits a transient error.
    """
    for t in dag.tasks:
        t.retry_delay = delay
        t.retry_exponential_backoff = 0


def _migrate_metadata(log_file: Path, say: Callable[[str], None]) -> None:
    say(f"Preparing Airflow metadata (SQLite) in {paths.airflow_home()} ...")
    airflow_bin = Path(sys.executable).with_name("airflow")
    with log_file.open("ab") as fh:
        proc = subprocess.run(  # noqa: S603 - our own venv's airflow, fixed arguments
            [str(airflow_bin), "db", "migrate"], stdout=fh, stderr=subprocess.STDOUT, check=False
        )
    if proc.returncode != 0:
        raise RuntimeError(f"`airflow db migrate` failed (exit {proc.returncode}); see {log_file}")
    from steward.airflow.pools import ensure_warehouse_pool

    ensure_warehouse_pool()  # the DAGs' warehouse tasks name it (STEWARD_WAREHOUSE_POOL)


def run_demo(
    days: list[dt.date],
    *,
    dags: tuple[str, ...] = DEMO_DAGS,
    say: Callable[[str], None] = print,
    runner: str | None = None,
) -> dict[str, dict[str, str]]:
    """Run ``dags`` through Airflow for each of ``days``; return ``{dag_id: {date: state}}``.

    ``runner`` is ``"scheduler"`` or ``"test"`` (default: ``$STEWARD_DEMO_RUNNER``, else
    ``"scheduler"``). With the scheduler, a run without a logical date (asset-triggered) is reported
    under the partition dates of the events it consumed.
    """
    chosen = runner or os.environ.get(RUNNER_ENV, "").strip() or "scheduler"
    if chosen not in RUNNERS:
        raise ValueError(
            f"demo runner {chosen!r} (from --runner or {RUNNER_ENV}) is unknown: use one of {RUNNERS}"
        )
    if chosen == "test":
        return _run_with_dag_test(days, dags, say)
    return _run_with_scheduler(days, dags, say)


def _log_file() -> Path:
    log_dir = paths.steward_home() / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / "demo.log"
    log_file.write_text("")
    return log_file


def _run_with_scheduler(
    days: list[dt.date], dags: tuple[str, ...], say: Callable[[str], None]
) -> dict[str, dict[str, str]]:
    from steward.airflow.scheduler import FinishedRun, LocalAirflow, free_port, sqlite_wait_settings

    apply_airflow_env(port=free_port())  # the api-server of this run: never the UI's 8080
    os.environ.update(sqlite_wait_settings(os.environ))  # before Airflow is imported here or there
    log_file = _log_file()
    _migrate_metadata(log_file, say)
    started = time.monotonic()
    states: dict[str, dict[str, str]] = {d: {} for d in dags}

    def report(run: FinishedRun) -> None:
        for label in run.labels or (run.run_id,):
            states.setdefault(run.dag_id, {})[label] = run.state
        nights = ", ".join(run.labels) if run.labels else run.run_id
        say(f"  {run.dag_id:<18} {nights:<24} {run.run_type:<15} {run.state:<8} ({run.duration_s:5.1f} s)")

    airflow = LocalAirflow(dict(os.environ), log_file)
    periodic: list[str] = []
    try:
        with airflow:
            say("    starting Airflow: dag-processor, api-server, triggerer (LocalExecutor, SQLite metadata)")
            with _output_to(log_file):  # Airflow logs what it does in this process too
                airflow.wait_for_dags(dags)
                airflow.wait_for_api()
                since = dt.datetime.now(dt.UTC)
                periodic = airflow.prepare(dags)
                counts = {dag_id: airflow.backfill(dag_id, days[0], days[-1]) for dag_id in periodic}
                later = airflow.hold_longer_backfills()  # e.g. a monthly review: after the nights
            for dag_id, count in counts.items():
                when = " (after the nights: its runs span longer)" if dag_id in later else ""
                say(f"    backfill {dag_id}: {count} run(s) over {days[0]} .. {days[-1]}{when}")
            airflow.start_scheduler()
            say(f"    scheduler started ({time.monotonic() - started:.0f} s); each run as it ends:")
            airflow.watch(dags, since, on_finished=report)
            say(f"    all runs ended in {time.monotonic() - started:.0f} s; stopping Airflow")
    except BaseException:
        if periodic:
            with contextlib.suppress(Exception), _output_to(log_file):  # keep the first error
                airflow.pause(periodic)
        raise
    if periodic:  # no scheduled run for days without demo data in `make airflow`
        with _output_to(log_file):
            airflow.pause(periodic)
    return states


def _run_with_dag_test(
    days: list[dt.date], dags: tuple[str, ...], say: Callable[[str], None]
) -> dict[str, dict[str, str]]:
    apply_airflow_env()
    log_file = _log_file()
    _migrate_metadata(log_file, say)

    with _output_to(log_file):
        from airflow.dag_processing.dagbag import DagBag

        bag = DagBag(dag_folder=str(paths.project_dir() / "dags"))
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    states: dict[str, dict[str, str]] = {}
    for dag_id in dags:
        dag = bag.get_dag(dag_id)
        if dag is None:
            raise RuntimeError(f"DAG {dag_id!r} not found in {paths.project_dir() / 'dags'}")
        shorten_retries(dag)
        states[dag_id] = {}
        for day in days:
            started = time.monotonic()
            logical = dt.datetime.combine(day, dt.time(2, 0), tzinfo=dt.UTC)
            with _output_to(log_file):
                # The date param pins the partition: dag.test() infers a manual data interval
                # that ends at the logical date, one day earlier than a scheduled run's.
                run = dag.test(logical_date=logical, run_conf={"date": day.isoformat()})
            state = str(getattr(run, "state", "unknown"))
            states[dag_id][day.isoformat()] = state
            say(f"  {dag_id:<14} {day}  run {state:<8} ({time.monotonic() - started:5.1f} s)")
    return states
