"""Run Steward's DAGs over past days through Airflow's own scheduler, on one machine.

``steward demo`` uses it: the nights become real DAG runs (backfill runs of the periodic DAGs,
asset-triggered runs of their consumers, runs triggered by other DAGs), executed by the
LocalExecutor with SQLite metadata, so the UI shows their true durations and task logs.

:class:`LocalAirflow` starts ``airflow dag-processor``, ``api-server`` (the tasks' execution API),
``triggerer`` and, once the DAGs are prepared, ``scheduler`` as child processes under
``$STEWARD_HOME/airflow``, and stops every one of them (and their task processes) when the ``with``
block ends, whether it ends normally, on an error or on Ctrl-C / SIGTERM.

The periodic DAGs are backfilled over the days; nothing else is scheduled for them: their
``next_dagrun_create_after`` is cleared while the demo runs and they are paused again afterwards, so
unpausing them does not add a run for yesterday (a day the demo has no data for). The runner waits
until no run of the given DAGs is queued or running (a backfill creates all its runs at once, and the
runner marks it complete then, not 30 s later as the scheduler would); it reads all of it from
Airflow's metadata database, whatever the DAGs are.

Runs that are neither scheduled nor backfilled (a DAG run for a given night with its conf) are created
through Airflow's REST API (:class:`RestApi`, :meth:`LocalAirflow.trigger`) and run by the same
scheduler; :meth:`LocalAirflow.watch` waits for them the same way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import json
import logging
import os
import pkgutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, Any, TypeVar

__all__ = [
    "SQLITE_CONNECT_ARGS",
    "SQLITE_CONNECT_ARGS_ASYNC",
    "FinishedRun",
    "LocalAirflow",
    "RestApi",
    "free_port",
    "guarded",
    "later_phase",
    "run_labels",
    "sqlite_wait_settings",
]

_T = TypeVar("_T")

#: The script each component runs under (started by path: it imports nothing of Steward).
_GUARD = str(Path(__file__).with_name("_guard.py"))
#: Seconds the guard gives a component to exit on SIGTERM before it SIGKILLs the component's group.
_GRACE_S = 30.0

#: Seconds the other components get to exit once the scheduler has (then SIGKILL).
_SERVICE_GRACE_S = 1.0
#: Components started before the DAGs are prepared; the scheduler starts after.
_SERVICES = ("dag-processor", "api-server", "triggerer")
#: Settings of the local components for a short, bounded run over past days.
_RUN_SETTINGS = {
    # one api-server worker: the tasks' execution API only (the UI is `make airflow`)
    "AIRFLOW__API__WORKERS": "1",
    # parse each DAG file once: a re-parse would recompute the periodic DAGs' next run (yesterday)
    "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "86400",
    "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "86400",
    "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
    # the scheduler loop: a task's successor is queued within a tenth of a second of its end (at 0.5 s
    # the hand-offs of ~30 tasks a night cost seconds a night; the loop costs ~15% of a core more)
    "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.1",
    # the task supervisor's longest wait between two looks at its task process: when the process exits
    # just after closing its sockets, the supervisor notices only at the end of that wait, and holds
    # its executor slot meanwhile (5 s by default: 15-20% of the demo's tasks held a slot 5 s longer)
    "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": "1",
    "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
}


#: pysqlite's wait on a locked SQLite metadata database, in seconds (its default, 5 s, is too short on
#: a busy 2-core machine where the scheduler, the api-server and this process all write).
SQLITE_CONNECT_ARGS: dict[str, Any] = {"timeout": 60}
#: The same for the api-server's async engine (aiosqlite passes it on to sqlite3).
SQLITE_CONNECT_ARGS_ASYNC: dict[str, Any] = {"timeout": 60}


def sqlite_wait_settings(environ: Mapping[str, str]) -> dict[str, str]:
    """Return the settings that make Airflow wait on SQLite's lock longer, when the metadata is SQLite.

    Empty for another database, or when the connection arguments are already set.

    Examples
    --------
    >>> sqlite_wait_settings({"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "postgresql://h/db"})
    {}
    """
    if not environ.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "").startswith("sqlite"):
        return {}
    settings = {
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS": f"{__name__}.SQLITE_CONNECT_ARGS",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS_ASYNC": f"{__name__}.SQLITE_CONNECT_ARGS_ASYNC",
    }
    return {k: v for k, v in settings.items() if k not in environ}


@dataclass(frozen=True)
class FinishedRun:
    """A DAG run that ended while the runner watched: what ``say`` reports and ``run_demo`` returns."""

    dag_id: str
    run_id: str
    run_type: str
    state: str
    labels: tuple[str, ...]
    duration_s: float


def run_labels(
    logical_date: dt.datetime | None, conf: Mapping[str, Any] | None, extras: Iterable[Any]
) -> tuple[str, ...]:
    """Return the partition dates a run covers: its logical date, its ``date`` conf, or its assets' events.

    Asset-triggered runs have no logical date; Steward's asset events carry the partition in
    ``extra["partition_date"]`` (data quality) or ``extra["date"]`` (costs).

    Examples
    --------
    >>> run_labels(None, None, [{"partition_date": "2026-11-02"}, {"partition_date": "2026-11-01"}])
    ('2026-11-01', '2026-11-02')
    >>> run_labels(dt.datetime(2026, 11, 1, 2, tzinfo=dt.UTC), None, [])
    ('2026-11-01',)
    """
    if logical_date is not None:
        return (logical_date.date().isoformat(),)
    if conf and conf.get("date"):
        return (str(conf["date"]),)
    found = set()
    for extra in extras:
        if isinstance(extra, Mapping):
            value = extra.get("partition_date") or extra.get("date")
            if value:
                found.add(str(value)[:10])
    return tuple(sorted(found))


class RestApi:
    """Airflow's public REST API (``/api/v2``) of a local api-server, logged in as one user.

    The login goes through the simple auth manager's ``/auth/token``; the token stays in this object
    (never printed or logged). An HTTP error becomes a one-line :class:`RuntimeError` naming the call.

    Parameters
    ----------
    base_url
        The api-server, e.g. ``http://127.0.0.1:8794``.
    username, password
        A user of the simple auth manager (``[core] simple_auth_manager_users``).
    """

    def __init__(self, base_url: str, username: str, password: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.username = username
        body = {"username": username, "password": password}
        self._token = str(self._send("POST", f"{self.base_url}/auth/token", body, {})["access_token"])

    def call(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        """Send ``method path`` (relative to ``/api/v2``) with ``body`` as JSON; return the JSON answer."""
        auth = {"Authorization": f"Bearer {self._token}"}
        return self._send(method, f"{self.base_url}/api/v2{path}", body, auth)

    def _send(self, method: str, url: str, body: Mapping[str, Any] | None, headers: dict[str, str]) -> Any:
        request = urllib.request.Request(  # noqa: S310 - the local api-server's http URL
            url,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={**headers, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:300]
            path = url.removeprefix(self.base_url)
            raise RuntimeError(
                f"Airflow REST API {method} {path} as {self.username!r}: HTTP {exc.code} {detail}"
            ) from None


class LocalAirflow:
    """Airflow's components as child processes of this one, over the metadata of ``env``.

    Parameters
    ----------
    env
        The environment of the components (:func:`steward.airflow.local.airflow_env`); this process
        must have the same ``AIRFLOW_HOME`` and metadata database in ``os.environ`` before Airflow is
        first imported, as it reads and writes the metadata directly.
    log_file
        Where the components' output (the tasks' output included) is appended.
    services
        The components started on entering the ``with`` block (the scheduler comes later,
        :meth:`start_scheduler`).
    """

    def __init__(
        self, env: Mapping[str, str], log_file: Path, *, services: Iterable[str] = _SERVICES
    ) -> None:
        self.env = {**env, **_RUN_SETTINGS}
        self.services = tuple(services)
        self.log_file = log_file
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self._backfills: dict[str, tuple[int, dt.timedelta]] = {}  # dag_id -> (backfill id, longest run)
        self._held: list[int] = []  # backfills held back until the rest is done
        self._log: IO[bytes] | None = None
        self._airflow = str(Path(sys.executable).with_name("airflow"))
        self._go: Path | None = None  # the file a preloaded scheduler waits for
        self._warming: threading.Thread | None = None  # the execution API's first request (wait_for_api)

    # ------------------------------------------------------------------ processes
    def __enter__(self) -> LocalAirflow:
        self._log = self.log_file.open("ab")
        self._previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            for name in self.services:
                self._start(name)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        try:
            # ended normally: the caller waited for its runs, so no task is left to finish
            self.stop(ask_again=exc_type is None)
        finally:
            signal.signal(signal.SIGTERM, self._previous)
            if self._log is not None:
                self._log.close()

    def _start(
        self, name: str, command: list[str] | None = None, extra_env: Mapping[str, str] | None = None
    ) -> None:
        assert self._log is not None, "started inside the with block"
        guarded_command = guarded(command or [self._airflow, name])
        self._procs[name] = subprocess.Popen(  # noqa: S603 - our own venv's airflow, fixed arguments
            guarded_command,
            env={**self.env, **(extra_env or {})},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us only; we stop the components in order
        )

    def preload_scheduler(self) -> None:
        """Start the scheduler's process now: it imports Steward's modules, then waits to be started.

        :meth:`start_scheduler` lets it go. The imports (Great Expectations among them, seconds) then
        overlap the DAG parsing and the backfills' creation instead of following them.
        """
        self._go = self.log_file.with_name(f".scheduler-go-{os.getpid()}-{id(self)}")
        self._go.unlink(missing_ok=True)
        self._start("scheduler", _scheduler_command(), {_GO_ENV: str(self._go)})

    def start_scheduler(self) -> None:
        """Start the scheduler, with Steward's modules already imported (see :func:`main`).

        After :meth:`wait_for_api`, once the execution API has answered its first request.
        """
        if self._warming is not None:
            self._warming.join(timeout=60)
        if self._go is not None:  # preloaded: let it go
            self._go.touch()
            return
        self._start("scheduler", _scheduler_command())

    def check_alive(self) -> None:
        """Raise when a component exited: the demo cannot go on without it."""
        for name, proc in self._procs.items():
            if proc.poll() is not None:
                raise RuntimeError(f"`airflow {name}` exited (code {proc.returncode}); see {self.log_file}")

    def stop(self, timeout_s: float = 30.0, *, ask_again: bool = False) -> None:
        """Stop every component, scheduler first; SIGKILL whatever is left after ``timeout_s``.

        The scheduler gets ``timeout_s`` (its executor lets running tasks finish); the others, which
        hold no work of their own once it has stopped, get a second more. With ``ask_again`` (no task
        is running), a component still there after 2 s is sent SIGTERM again, every 2 s (see
        :func:`_wait_for`); otherwise a second request could cut a running task short.

        A second Ctrl-C or SIGTERM meanwhile does not cut the shutdown short (it would leave the
        components running): both are ignored until it ends.
        """
        main_thread = threading.current_thread() is threading.main_thread()  # handlers live there only
        shielded = (
            {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
            if main_thread
            else {}
        )
        try:
            self._stop(timeout_s, ask_again=ask_again)
        finally:
            for sig, handler in shielded.items():
                signal.signal(sig, handler)

    def _stop(self, timeout_s: float, *, ask_again: bool) -> None:
        procs = sorted(self._procs.items(), key=lambda item: item[0] != "scheduler")
        for _, proc in procs:
            if proc.poll() is None:  # the guard passes it on to the component's process group
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for name, proc in procs:
            if name != "scheduler":  # the scheduler has stopped (its running tasks first): no work is left
                deadline = min(deadline, time.monotonic() + _SERVICE_GRACE_S)  # (a triggerer took 10 s)
            _wait_for(proc, deadline, ask_again=ask_again)
            # the group: task processes the component forked, even when the component itself is gone
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
        self._procs.clear()

    def wait_for_api(self, timeout_s: float = 180.0) -> None:
        """Wait until the api-server answers its health check (tasks report through it)."""
        url = self.env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].split("/execution")[0]
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.check_alive()
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{url}/api/v2/monitor/health", timeout=5) as resp,  # noqa: S310
            ):
                if resp.status == 200:
                    # The execution API builds its versioned routes on its first request (about 2.5 s):
                    # asked now, from a thread, while the DAGs are prepared; the scheduler starts once it
                    # has answered (start_scheduler), so that no task's start call waits for it.
                    self._warming = threading.Thread(
                        target=_warm_execution_api, args=(url,), name="warm-execution-api", daemon=True
                    )
                    self._warming.start()
                    return
            time.sleep(0.5)
        raise RuntimeError(
            f"the api-server did not answer at {url} within {timeout_s:.0f} s; see {self.log_file}"
        )

    @property
    def api_url(self) -> str:
        """The api-server's base URL (the UI, the REST API and the tasks' execution API)."""
        return self.env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].split("/execution")[0]

    def trigger(
        self, api: RestApi, dag_id: str, *, logical_date: dt.datetime, conf: Mapping[str, Any]
    ) -> str:
        """Create a run of ``dag_id`` (``POST /dags/{dag_id}/dagRuns``) for the scheduler; return its id.

        The run is due at its logical date (``run_after``), as a backfill run is: queued runs of a DAG
        that runs one at a time start in that order, whenever they were created. A run of that logical
        date left by an earlier session (a second ``steward demo`` on the same home) is cleared and
        runs again (``POST .../dagRuns/{run_id}/clear``), as a backfill reruns its finished runs: a
        second one would be refused (409, one run per logical date).
        """
        at = urllib.parse.quote(logical_date.isoformat(), safe="")
        earlier = api.call("GET", f"/dags/{dag_id}/dagRuns?logical_date_gte={at}&logical_date_lte={at}")
        if earlier["dag_runs"]:
            run_id = str(earlier["dag_runs"][0]["dag_run_id"])
            run_path = urllib.parse.quote(run_id, safe="")
            api.call("POST", f"/dags/{dag_id}/dagRuns/{run_path}/clear", {"dry_run": False})
            return run_id
        body = {
            "logical_date": logical_date.isoformat(),
            "run_after": logical_date.isoformat(),
            "conf": dict(conf),
        }
        return str(api.call("POST", f"/dags/{dag_id}/dagRuns", body)["dag_run_id"])

    # ------------------------------------------------------------------ metadata
    def wait_for_dags(self, dag_ids: Iterable[str], timeout_s: float = 240.0) -> None:
        """Wait until the dag-processor has stored every one of ``dag_ids``; raise on an import error."""
        from airflow.models import DagModel
        from airflow.models.errors import ParseImportError
        from airflow.models.serialized_dag import SerializedDagModel
        from airflow.utils.session import create_session
        from sqlalchemy import select

        wanted = set(dag_ids)
        deadline = time.monotonic() + timeout_s

        def look() -> tuple[list[tuple[str, str]], set[str]]:
            with create_session() as session:
                errors = [
                    (str(e.filename), str(e.stacktrace)) for e in session.scalars(select(ParseImportError))
                ]
                parsed = set(
                    session.scalars(
                        select(DagModel.dag_id)
                        .join(SerializedDagModel, SerializedDagModel.dag_id == DagModel.dag_id)
                        .where(DagModel.dag_id.in_(wanted), DagModel.is_stale.is_(False))
                    )
                )
            return errors, parsed

        parsed: set[str] = set()
        while time.monotonic() < deadline:
            self.check_alive()
            errors, parsed = _retry_locked(look)
            if errors:
                filename, trace = errors[0]
                last_line = trace.strip().splitlines()[-1] if trace.strip() else "import error"
                raise RuntimeError(f"DAG file {filename} does not import: {last_line}")
            if parsed == wanted:
                return
            time.sleep(1)
        raise RuntimeError(f"DAGs {sorted(wanted - parsed)} were never parsed; see {self.log_file}")

    def prepare(self, dag_ids: Iterable[str]) -> list[str]:
        """Leave no run of ``dag_ids`` from an interrupted run, unpause them; return the periodic ones.

        The periodic DAGs get no scheduled run while the scheduler runs (see the module docstring).
        """
        from airflow.models import DagModel, DagRun
        from airflow.utils.session import create_session
        from airflow.utils.state import DagRunState
        from sqlalchemy import select, update

        ids = list(dag_ids)
        now = dt.datetime.now(dt.UTC)

        def write() -> list[str]:
            with create_session() as session:
                session.execute(
                    update(DagRun)
                    .where(
                        DagRun.dag_id.in_(ids), DagRun.state.in_((DagRunState.QUEUED, DagRunState.RUNNING))
                    )
                    .values(state=DagRunState.FAILED, end_date=now)
                )
                periodic = list(
                    session.scalars(
                        select(DagModel.dag_id).where(
                            DagModel.dag_id.in_(ids), DagModel.timetable_periodic.is_(True)
                        )
                    )
                )
                session.execute(update(DagModel).where(DagModel.dag_id.in_(ids)).values(is_paused=False))
                session.execute(
                    update(DagModel)
                    .where(DagModel.dag_id.in_(periodic))
                    .values(next_dagrun_create_after=None)
                )
            return periodic

        periodic = sorted(_retry_locked(write), key=ids.index)
        _retry_locked(lambda: self._complete_backfills(ids))
        return periodic

    @staticmethod
    def _complete_backfills(dag_ids: list[str]) -> None:
        """Mark the unfinished backfills of ``dag_ids`` complete.

        Those left by an interrupted run or try, or whose runs have all ended (:meth:`watch`; the
        scheduler would mark them up to 30 s later).
        """
        from airflow.models.backfill import Backfill
        from airflow.utils.session import create_session
        from sqlalchemy import update

        with create_session() as session:
            session.execute(
                update(Backfill)
                .where(Backfill.dag_id.in_(dag_ids), Backfill.completed_at.is_(None))
                .values(completed_at=dt.datetime.now(dt.UTC))
            )

    def backfill(self, dag_id: str, first: dt.date, last: dt.date) -> int:
        """Create a backfill of ``dag_id`` over the days ``first`` .. ``last``; reruns finished runs.

        Returns the number of runs it holds.
        """
        from airflow.models import DagRun
        from airflow.models.backfill import BackfillDagRun, ReprocessBehavior, _create_backfill
        from airflow.utils.session import create_session
        from sqlalchemy import func, select

        def create() -> Any:
            # A try that met SQLite's lock may have committed its Backfill row (the function commits it
            # first) without runs: close it, or the next try is refused as "already running".
            self._complete_backfills([dag_id])
            # the function behind `airflow backfill create`
            return _create_backfill(
                dag_id=dag_id,
                from_date=dt.datetime.combine(first, dt.time(0, 0), tzinfo=dt.UTC),
                to_date=dt.datetime.combine(last, dt.time(23, 59, 59), tzinfo=dt.UTC),
                max_active_runs=1,
                reverse=False,
                dag_run_conf=None,
                triggering_user_name="steward demo",
                reprocess_behavior=ReprocessBehavior.COMPLETED,
            )

        backfill = _retry_locked(create)
        with create_session() as session:
            count = int(
                session.scalar(
                    select(func.count())
                    .select_from(BackfillDagRun)
                    .where(BackfillDagRun.backfill_id == backfill.id, BackfillDagRun.dag_run_id.is_not(None))
                )
                or 0
            )
            intervals = session.execute(
                select(DagRun.data_interval_start, DagRun.data_interval_end).where(
                    DagRun.backfill_id == backfill.id
                )
            ).all()
        longest = max((end - start for start, end in intervals if start and end), default=dt.timedelta(0))
        self._backfills[dag_id] = (int(backfill.id), longest)
        return count

    def pace_backfill(self, follower: str, leader: str) -> Callable[[], None]:
        """Return a step for :meth:`watch`'s ``while_waiting`` that keeps one backfill behind another.

        ``follower``'s backfill starts a night only once ``leader``'s has started as many (it is
        paused meanwhile), and runs freely once the leader has started all of its own. Both must have
        been created by :meth:`backfill`. ``steward demo`` paces the cost nights by the data-quality
        nights: left alone, the 14 short cost nights (and the carbon runs they trigger) all ran beside
        the first three data-quality nights and made those twice as long on two cores.
        """
        state = {"paused": False}

        def step() -> None:
            ids = (self._backfills[follower][0], self._backfills[leader][0])
            started, runs = _retry_locked(lambda: self._started_runs(ids))
            hold = started[ids[0]] >= started[ids[1]] and started[ids[1]] < runs[ids[1]]
            if hold != state["paused"]:
                self._set_backfills_paused([ids[0]], paused=hold)
                state["paused"] = hold

        return step

    @staticmethod
    def _started_runs(backfill_ids: Iterable[int]) -> tuple[dict[int, int], dict[int, int]]:
        """Return, per backfill, how many of its runs have started, and how many it has."""
        from airflow.models import DagRun
        from airflow.utils.session import create_session
        from sqlalchemy import func, select

        ids = list(backfill_ids)
        with create_session() as session:
            rows = session.execute(
                select(DagRun.backfill_id, func.count(DagRun.start_date), func.count())
                .where(DagRun.backfill_id.in_(ids))
                .group_by(DagRun.backfill_id)
            ).all()
        started = dict.fromkeys(ids, 0) | {int(b): int(n) for b, n, _ in rows if b is not None}
        runs = dict.fromkeys(ids, 0) | {int(b): int(t) for b, _, t in rows if b is not None}
        return started, runs

    def hold_longer_backfills(self) -> list[str]:
        """Hold back the backfills whose runs span more than the shortest ones (see :func:`later_phase`).

        :meth:`watch` releases them once everything else is done. Returns their DAG ids.
        """
        held = later_phase({dag_id: interval for dag_id, (_, interval) in self._backfills.items()})
        self._held = [self._backfills[dag_id][0] for dag_id in held]
        self._set_backfills_paused(self._held, paused=True)
        return held

    def _set_backfills_paused(self, backfill_ids: list[int], *, paused: bool) -> None:
        from airflow.models.backfill import Backfill
        from airflow.utils.session import create_session
        from sqlalchemy import update

        def write() -> None:
            with create_session() as session:
                session.execute(
                    update(Backfill).where(Backfill.id.in_(backfill_ids)).values(is_paused=paused)
                )

        if backfill_ids:
            _retry_locked(write)

    def clear_asset_queue(self, dag_ids: Iterable[str]) -> int:
        """Drop the asset events queued for ``dag_ids`` (they would start a run once unpaused).

        Airflow queues an asset's events only for unpaused consumers; events queued while a consumer
        was unpaused earlier (a previous session) would still start a run. Returns the rows dropped.
        """
        from airflow.models.asset import AssetDagRunQueue
        from airflow.utils.session import create_session
        from sqlalchemy import delete

        ids = list(dag_ids)

        def write() -> int:
            with create_session() as session:
                done = session.execute(
                    delete(AssetDagRunQueue).where(AssetDagRunQueue.target_dag_id.in_(ids))
                )
                return int(getattr(done, "rowcount", 0) or 0)

        return _retry_locked(write)

    def pause(self, dag_ids: Iterable[str], *, paused: bool = True) -> None:
        """Pause ``dag_ids`` (the periodic DAGs after the demo: no run for days without data), or unpause."""
        from airflow.models import DagModel
        from airflow.utils.session import create_session
        from sqlalchemy import update

        ids = list(dag_ids)

        def write() -> None:
            with create_session() as session:
                session.execute(update(DagModel).where(DagModel.dag_id.in_(ids)).values(is_paused=paused))

        _retry_locked(write)

    def watch(
        self,
        dag_ids: Iterable[str],
        since: dt.datetime,
        *,
        on_finished: Callable[[FinishedRun], None],
        while_waiting: Callable[[], None] | None = None,
        settle_s: float = 6.0,
        poll_s: float = 2.0,
        timeout_s: float = 3600.0,
    ) -> list[FinishedRun]:
        """Wait until ``dag_ids`` are quiet: no run queued or running (backfills then marked complete).

        Quiet must last ``settle_s`` (an asset event or a triggered run can start a run one scheduler
        loop after the run that caused it ended). Backfills held back (:meth:`hold_longer_backfills`)
        are released when the rest is quiet, and waited for in turn. Each run started since ``since``
        is passed to ``on_finished`` once, when it ends; returns them all. ``while_waiting`` is called
        once a poll while runs are active (e.g. to answer a task waiting for a person).
        """
        ids = list(dag_ids)
        reported: dict[str, FinishedRun] = {}
        quiet_since: float | None = None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.check_alive()
            active, finished = self._poll(ids, since, set(reported))
            for run in finished:
                reported[run.run_id + "\0" + run.dag_id] = run
                on_finished(run)
            if active:
                quiet_since = None
                if while_waiting is not None:
                    while_waiting()
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= settle_s:
                if not self._held:
                    _retry_locked(lambda: self._complete_backfills(ids))  # all their runs have ended
                    return list(reported.values())
                self._set_backfills_paused(self._held, paused=False)  # the next phase
                self._held, quiet_since = [], None
            time.sleep(poll_s)
        raise RuntimeError(f"the runs of {ids} did not finish within {timeout_s:.0f} s; see {self.log_file}")

    def _poll(self, ids: list[str], since: dt.datetime, seen: set[str]) -> tuple[int, list[FinishedRun]]:
        held = list(self._held)
        return _retry_locked(lambda: self._read(ids, since, seen, held))

    def _read(
        self, ids: list[str], since: dt.datetime, seen: set[str], held: list[int]
    ) -> tuple[int, list[FinishedRun]]:
        from airflow.models import DagRun
        from airflow.utils.session import create_session
        from airflow.utils.state import DagRunState
        from sqlalchemy import func, or_, select

        # A backfill creates all its runs when it is created, so its runs tell when it is done; the
        # scheduler marks it complete only every 30 s (:meth:`watch` does it when they have ended).
        with create_session() as session:
            active = (
                session.scalar(
                    select(func.count())
                    .select_from(DagRun)
                    .where(
                        DagRun.dag_id.in_(ids),
                        DagRun.state.in_((DagRunState.QUEUED, DagRunState.RUNNING)),
                        or_(DagRun.backfill_id.is_(None), DagRun.backfill_id.not_in(held)),
                    )
                )
                or 0
            )
            done = session.scalars(
                select(DagRun)
                .where(
                    DagRun.dag_id.in_(ids),
                    DagRun.state.in_((DagRunState.SUCCESS, DagRunState.FAILED)),
                    DagRun.start_date >= since,
                )
                .order_by(DagRun.end_date)
            ).all()
            finished = []
            for run in done:
                if run.run_id + "\0" + run.dag_id in seen:
                    continue
                extras = [e.extra for e in run.consumed_asset_events]
                started, ended = run.start_date, run.end_date or run.start_date
                finished.append(
                    FinishedRun(
                        dag_id=run.dag_id,
                        run_id=run.run_id,
                        run_type=str(run.run_type),
                        state=str(run.state),
                        labels=run_labels(run.logical_date, run.conf, extras),
                        duration_s=(ended - started).total_seconds() if started and ended else 0.0,
                    )
                )
        return int(active), finished


def guarded(command: Sequence[str], *, grace_s: float = _GRACE_S) -> list[str]:
    """Return ``command`` run under the guard (:mod:`steward.airflow._guard`).

    The guarded command and its process group stop when this process dies, even of SIGKILL. Start
    the result with ``start_new_session=True``.

    Examples
    --------
    >>> guarded(["airflow", "api-server"])[-2:]
    ['airflow', 'api-server']
    """
    return [sys.executable, _GUARD, str(os.getpid()), str(grace_s), *command]


def later_phase(intervals: Mapping[str, dt.timedelta]) -> list[str]:
    """Return the DAGs whose runs span more than the shortest: they run after the others.

    A monthly review backfilled beside the daily DAGs would run first, on a month with no night
    loaded yet; held back, it sees every night of the demo.

    Examples
    --------
    >>> day, month = dt.timedelta(days=1), dt.timedelta(days=30)
    >>> later_phase({"data_quality": day, "cloud_costs": day, "roi_review": month})
    ['roi_review']
    >>> later_phase({"data_quality": day})
    []
    """
    shortest = min(intervals.values(), default=dt.timedelta(0))
    return sorted(dag_id for dag_id, interval in intervals.items() if interval > shortest)


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGTERM behaves like Ctrl-C: the ``with`` block stops the components on its way out."""
    raise KeyboardInterrupt(f"signal {signum}")


def _retry_locked(fn: Callable[[], _T], attempts: int = 10, wait_s: float = 1.0) -> _T:
    """Call ``fn`` again while SQLite says "database is locked" (a component holds the write lock)."""
    from sqlalchemy.exc import OperationalError

    for attempt in range(attempts):
        try:
            return fn()
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(wait_s)
    raise AssertionError("unreachable")  # pragma: no cover


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 now (for this run's api-server)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


#: Seconds between two SIGTERMs to a component that has not exited yet (see _wait_for).
_ASK_AGAIN_S = 2.0


def _wait_for(proc: subprocess.Popen[bytes], deadline: float, *, ask_again: bool) -> None:
    """Wait for a component until ``deadline``; with ``ask_again``, repeat SIGTERM every 2 s meanwhile.

    Airflow's components exit from their SIGTERM handler with ``sys.exit``; when the signal lands in a
    garbage-collection callback, Python prints "Exception ignored in ..." and the component runs on
    (seen once in the demo's scheduler: 30 s until the SIGKILL; apache/airflow#11982, #15753). Asked
    again, it exits. The guard passes each request on to the component's group.
    """
    while True:
        step = deadline - time.monotonic()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=max(0.1, min(_ASK_AGAIN_S, step) if ask_again else step))
            return
        if not ask_again or time.monotonic() >= deadline:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGTERM)


def _warm_execution_api(url: str) -> None:
    """Ask the execution API its first question (it builds its versioned routes then)."""
    with contextlib.suppress(OSError):
        urllib.request.urlopen(f"{url}/execution/health", timeout=60).close()  # noqa: S310


#: The file a preloaded scheduler process waits for before it starts scheduling.
_GO_ENV = "STEWARD_SCHEDULER_GO_FILE"


def _scheduler_command() -> list[str]:
    """``airflow scheduler`` through :func:`main`, so that Steward's modules are imported first."""
    return [sys.executable, "-m", "steward.airflow.scheduler", "scheduler"]


#: Modules of steward.airflow that no task imports.
_NOT_TASK_MODULES = frozenset({"demo", "scheduler", "ui", "local"})


def preload() -> list[str]:
    """Import what Steward's tasks import (Great Expectations, the domain packages, the task modules).

    The LocalExecutor forks its workers from the scheduler and each task process from a worker:
    imported once in the scheduler, these modules cost nothing per task (Great Expectations alone
    takes seconds to import). The GX context and the compiled report templates are made ready here
    too, for the same reason (the reports' charts are SVG text and need nothing prepared). Returns the
    modules imported.
    """
    import steward
    import steward.airflow

    logging.getLogger("great_expectations").setLevel(logging.ERROR)  # its import logs at INFO
    names = ["great_expectations"]
    names += [
        f"steward.{m.name}" for m in pkgutil.iter_modules(steward.__path__) if m.ispkg and m.name != "airflow"
    ]
    names += [
        f"steward.airflow.{m.name}"
        for m in pkgutil.iter_modules(steward.airflow.__path__)
        if not m.name.startswith("_") and m.name not in _NOT_TASK_MODULES
    ]
    names += ["pyarrow.parquet", "pyarrow.dataset"]  # every task that reads the lake
    for name in names:
        importlib.import_module(name)
    from steward.quality import prepare_gx
    from steward.reports import prepare_templates

    prepare_gx()  # the GX context: built once here, not once per validate task
    prepare_templates()  # compiled once here, not once per task that writes a report
    return names


def main(argv: list[str] | None = None) -> None:
    """``python -m steward.airflow.scheduler scheduler``: ``airflow scheduler`` after :func:`preload`.

    With ``STEWARD_SCHEDULER_GO_FILE`` set, it waits for that file between the two
    (:meth:`LocalAirflow.preload_scheduler`).
    """
    preload()
    go = os.environ.pop(_GO_ENV, "")
    while go and not Path(go).exists():
        time.sleep(0.05)
    if go:
        Path(go).unlink(missing_ok=True)
    from airflow.__main__ import main as airflow_main

    sys.argv = ["airflow", *(sys.argv[1:] if argv is None else argv)]
    airflow_main()


if __name__ == "__main__":  # pragma: no cover - started by LocalAirflow.start_scheduler
    main()
