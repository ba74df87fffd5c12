"""``steward demo``: the demo company's nights, run through Airflow itself.

Prepares Airflow's SQLite metadata under ``$STEWARD_HOME/airflow``, then runs the nights with one
of two runners:

- ``scheduler`` (the default): the nightly DAGs (:data:`SCHEDULED_DAGS`: data quality, monitoring,
  costs, carbon) through Airflow's own scheduler and LocalExecutor
  (:class:`steward.airflow.scheduler.LocalAirflow`): the periodic DAGs are backfilled over the demo
  days, the DAGs scheduled on assets run when Airflow sees their events; ``make airflow`` then shows
  backfill and asset-triggered runs with their true durations and task logs. The other DAGs of
  ``dags`` (governance records, export, retraining decisions, retention) and ``quarterly`` then run
  through the same scheduler, one run at a time in the order of the ``test`` runner: each created
  through the REST API (``POST /api/v2/dags/{dag_id}/dagRuns``, the same logical date and
  :func:`demo_conf`) and waited for; the ``model_retraining`` runs the trigger fires are waited for
  with its night, and a high-risk one's approval is answered through
  ``PATCH .../taskInstances/approval/-1/hitlDetails`` as :data:`steward.demo.DEMO_APPROVER`
  (the demo's api-server has a login for that: random passwords in a file of this run only).
- ``test``: each DAG with ``dag.test()`` for every demo day, in order, in this process
  (deterministic, and breakpoints work; asset consumers do not run by themselves, hence the order).

Choose with ``run_demo(..., runner=...)``, ``steward demo --runner`` or ``STEWARD_DEMO_RUNNER``.
Airflow's output goes to ``$STEWARD_HOME/logs/demo.log``; the terminal gets one line per run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from steward import paths
from steward.airflow.local import apply_airflow_env

__all__ = [
    "DEMO_DAGS",
    "DEMO_QUARTERLY",
    "RUNNERS",
    "RUNNER_ENV",
    "SCHEDULED_DAGS",
    "demo_conf",
    "file_demo_erasure_requests",
    "openlineage_events_file",
    "run_demo",
    "shorten_retries",
]

#: DAGs the demo runs per night, in order (retraining decisions read the night's costs and carbon too).
DEMO_DAGS = (
    "data_quality",
    "model_monitoring",
    "cloud_costs",
    "carbon",
    "governance_nightly",
    "data_export",
    "retraining_trigger",
    "retention",
)
#: DAGs the demo runs once, after its nights, for the quarter of the last night.
DEMO_QUARTERLY = ("esg_extract",)
#: DAGs the ``scheduler`` runner hands to Airflow's scheduler (backfilled or asset-triggered).
SCHEDULED_DAGS = ("data_quality", "model_monitoring", "cloud_costs", "carbon")
#: The ways to run the nights: Airflow's scheduler (default), or ``dag.test()`` in this process.
RUNNERS = ("scheduler", "test")
#: Environment variable choosing the runner when ``run_demo`` is not told.
RUNNER_ENV = "STEWARD_DEMO_RUNNER"
#: The retraining trigger and the DAG its decisions fire (the demo waits for those runs too).
TRIGGER_DAG, RETRAINING_DAG = "retraining_trigger", "model_retraining"
#: The backfilled DAGs whose nights the scheduler runner paces: a cost night starts once the quality
#: night of the same rank has (:meth:`steward.airflow.scheduler.LocalAirflow.pace_backfill`).
QUALITY_DAG, COST_DAG = "data_quality", "cloud_costs"
#: Post-phase DAGs that neither read what the other writes (governance records: the lake and the
#: nightly tables; exports: the lake and the registry): when they follow each other in the post-phase,
#: the scheduler runs their nights side by side, their tasks taking turns in the warehouse pool.
SIDE_BY_SIDE = frozenset({"governance_nightly", "data_export"})


def openlineage_events_file() -> Path:
    """Return the file the demo's OpenLineage events go to (one JSON event per line)."""
    return paths.steward_home() / "logs" / "openlineage.jsonl"


def file_demo_erasure_requests(deadline: dt.date) -> list[str]:
    """Record the demo's erasure requests (:data:`steward.demo.DEMO_ERASURE_REQUESTS`); return their ids.

    The retention DAG's first task carries them out on the first retention night.
    """
    from steward.demo import DEMO_ERASURE_REQUESTS
    from steward.governance import request_erasure
    from steward.registry import load_registry
    from steward.warehouse import connect

    registry = load_registry(check_suites=False)
    with connect() as wh:
        wh.migrate()
        return [
            request_erasure(wh, registry, subject, dataset_key=key, deadline=deadline, requested_by="demo")
            for key, subject in DEMO_ERASURE_REQUESTS
        ]


def demo_conf(dag_id: str, day: dt.date) -> dict[str, str]:
    """Return the run conf of ``dag_id`` for the demo night ``day``.

    Every DAG gets the ``date`` param; the retraining trigger also gets its clock, 04:00 UTC the
    morning after the night (so cool-downs and preferred windows play out the same on every run).
    """
    conf = {"date": day.isoformat()}
    if dag_id == "retraining_trigger":
        morning = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(4), tzinfo=dt.UTC)
        conf["evaluated_at"] = morning.isoformat()
    return conf


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
    """Migrate Airflow's metadata database and create the warehouse pool.

    In this process, which imports Airflow anyway (what ``airflow db migrate`` calls; a process of
    its own took 2.6 s, 1.5 s of it importing Airflow); its log lines go to ``log_file``.
    """
    say(f"Preparing Airflow metadata (SQLite) in {paths.airflow_home()} ...")
    with _output_to(log_file):
        from airflow.configuration import write_default_airflow_configuration_if_needed
        from airflow.utils.db import upgradedb

        # as the `airflow` command does first: airflow.cfg, with its generated JWT secret, exists before
        # the components start (each would otherwise write its own secret, and the execution API would
        # refuse the scheduler's task tokens: "Invalid auth token")
        write_default_airflow_configuration_if_needed()
        try:
            upgradedb()
        except Exception as exc:
            raise RuntimeError(
                f"migrating Airflow's metadata database failed ({exc}); see {log_file}"
            ) from exc
        from steward.airflow.pools import create_warehouse_pool_here

        create_warehouse_pool_here()  # the DAGs' warehouse tasks name it (STEWARD_WAREHOUSE_POOL)


def run_demo(
    days: list[dt.date],
    *,
    dags: tuple[str, ...] = DEMO_DAGS,
    quarterly: tuple[str, ...] = DEMO_QUARTERLY,
    say: Callable[[str], None] = print,
    runner: str | None = None,
) -> dict[str, dict[str, str]]:
    """Run ``dags`` for each of ``days``, then ``quarterly`` once for the last day's quarter.

    ``runner`` is ``"scheduler"`` or ``"test"`` (default: ``$STEWARD_DEMO_RUNNER``, else
    ``"scheduler"``); with the scheduler and none of :data:`SCHEDULED_DAGS` among ``dags``, every
    DAG runs through ``dag.test()`` (no Airflow to start for nothing).
    With the scheduler, a run without a logical date (asset-triggered) is reported under the
    partition dates of the events it consumed. Before the retention nights, the demo's erasure
    requests are filed (the retention DAG carries them out). Returns ``{dag_id: {date or quarter: state}}``.
    """
    chosen = runner or os.environ.get(RUNNER_ENV, "").strip() or "scheduler"
    if chosen not in RUNNERS:
        raise ValueError(
            f"demo runner {chosen!r} (from --runner or {RUNNER_ENV}) is unknown: use one of {RUNNERS}"
        )
    log_file = _log_file()
    scheduled = tuple(d for d in dags if d in SCHEDULED_DAGS) if chosen == "scheduler" else ()
    rest = tuple(d for d in dags if d not in scheduled)
    if scheduled:
        return _run_with_scheduler(days, scheduled, rest, quarterly, say, log_file)
    return _run_with_dag_test(days, rest, quarterly, say, log_file, migrate=True)


def _log_file() -> Path:
    log_dir = paths.steward_home() / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / "demo.log"
    # OpenLineage events of every task go to a file (unless a transport is configured already)
    events = {"type": "file", "log_file_path": str(openlineage_events_file()), "append": True}
    os.environ.setdefault("AIRFLOW__OPENLINEAGE__TRANSPORT", json.dumps(events))
    # a line appended to a local file: written from a thread of the task, not from a fork of it per event
    os.environ.setdefault("AIRFLOW__OPENLINEAGE__EXECUTE_IN_THREAD", "True")
    os.environ.setdefault("AIRFLOW__OPENLINEAGE__NAMESPACE", "steward-demo")
    log_file.write_text("")
    return log_file


#: The demo's own users of its api-server (simple auth manager, role ``user``): who creates the
#: post-phase runs, and the risk officer who answers the high-risk approvals.
_DEMO_TRIGGERER = "steward-demo"
#: Seconds a high-risk approval request waits, once its task has deferred, before the demo's risk
#: officer answers it; and at most, deferred or not (a person answers within seconds).
_ANSWER_AFTER_DEFERRED_S = 1.0
_ANSWER_AFTER_S = 5.0
#: Task instance states of an approval task that has deferred to wait for its answer (Airflow 3.3 shows
#: a human-in-the-loop wait as ``awaiting_input``).
_WAITING_FOR_INPUT = frozenset({"deferred", "awaiting_input"})


def _demo_users(airflow_home: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Return the api-server settings with a login for the demo's users, and their passwords.

    The passwords are random, written to a file of this run only (mode 600, removed when the demo
    ends) and never printed; the api-server finds them there, so it generates and prints none.
    """
    from steward.demo import DEMO_APPROVER

    passwords = {name: secrets.token_urlsafe(24) for name in (_DEMO_TRIGGERER, DEMO_APPROVER)}
    file = airflow_home / "demo_run_passwords.json"
    file.touch(mode=0o600)
    file.chmod(0o600)
    file.write_text(json.dumps(passwords))
    settings = {
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": ",".join(f"{name}:user" for name in passwords),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(file),
    }
    return settings, passwords


def _run_with_scheduler(
    days: list[dt.date],
    dags: tuple[str, ...],
    post: tuple[str, ...],
    quarterly: tuple[str, ...],
    say: Callable[[str], None],
    log_file: Path,
) -> dict[str, dict[str, str]]:
    """Run ``dags`` (backfills, asset-triggered runs), then ``post`` and ``quarterly`` run by run."""
    from steward.airflow.scheduler import FinishedRun, LocalAirflow, free_port, sqlite_wait_settings

    apply_airflow_env(port=free_port())  # the api-server of this run: never the UI's 8080
    os.environ.update(sqlite_wait_settings(os.environ))  # before Airflow is imported here or there
    _migrate_metadata(log_file, say)
    started = time.monotonic()
    states: dict[str, dict[str, str]] = {d: {} for d in dags}
    quarter_label = _quarter(days[-1]) if quarterly else ""

    def report(run: FinishedRun) -> None:
        labels = (quarter_label,) if run.dag_id in quarterly else run.labels
        for label in labels or (run.run_id,):
            states.setdefault(run.dag_id, {})[label] = run.state
        nights = ", ".join(labels) if labels else run.run_id
        say(f"  {run.dag_id:<18} {nights:<24} {run.run_type:<15} {run.state:<8} ({run.duration_s:5.1f} s)")

    users, passwords = _demo_users(paths.airflow_home())
    # no triggerer: nothing the demo runs defers (Airflow 3.3 parks a high-risk approval in
    # ``awaiting_input``, answered through the REST API, with no trigger to run)
    airflow = LocalAirflow({**os.environ, **users}, log_file, services=("dag-processor", "api-server"))
    later_dags = _post_phase_dags(post, quarterly)
    periodic: list[str] = []
    try:
        with airflow:
            say("    starting Airflow: dag-processor, api-server (LocalExecutor, SQLite metadata)")
            with _output_to(log_file):  # Airflow logs what it does in this process too
                airflow.preload_scheduler()
                airflow.wait_for_api()  # and warm its execution API while the DAG files are parsed
                airflow.wait_for_dags((*dags, *later_dags))
                airflow.pause(later_dags)  # none of them runs before its turn (no asset-triggered run)
                since = dt.datetime.now(dt.UTC)
                periodic = airflow.prepare(dags)
                counts = {dag_id: airflow.backfill(dag_id, days[0], days[-1]) for dag_id in periodic}
                later = airflow.hold_longer_backfills()  # e.g. a monthly review: after the nights
            for dag_id, count in counts.items():
                when = " (after the nights: its runs span longer)" if dag_id in later else ""
                say(f"    backfill {dag_id}: {count} run(s) over {days[0]} .. {days[-1]}{when}")
            airflow.start_scheduler()
            say(f"    scheduler started ({time.monotonic() - started:.0f} s); each run as it ends:")
            # the cost nights (and the carbon runs they trigger) go beside the quality nights, one for one
            pace = (
                airflow.pace_backfill(COST_DAG, QUALITY_DAG)
                if {COST_DAG, QUALITY_DAG} <= set(counts) and not {COST_DAG, QUALITY_DAG} & set(later)
                else None
            )
            # quiet for 3 s: the scheduler (0.1 s idle sleep) creates a run an event causes well within it
            airflow.watch(dags, since, on_finished=report, while_waiting=pace, settle_s=3.0, poll_s=1.0)
            if later_dags:
                say(f"    nightly runs ended in {time.monotonic() - started:.0f} s; now, run by run:")
                with _output_to(log_file):
                    airflow.clear_asset_queue(later_dags)  # no asset-triggered trigger run: ours only
                    airflow.prepare(later_dags)  # unpaused; the cron DAGs get no run for yesterday
                _run_post_phase(airflow, days, post, quarterly, passwords, report)
            say(f"    all runs ended in {time.monotonic() - started:.0f} s; stopping Airflow")
    except BaseException:
        if periodic:
            with contextlib.suppress(Exception), _output_to(log_file):  # keep the first error
                airflow.pause([*periodic, *later_dags])
        raise
    finally:
        (paths.airflow_home() / "demo_run_passwords.json").unlink(missing_ok=True)
    if periodic:  # no scheduled run for days without demo data in `make airflow`
        with _output_to(log_file):
            airflow.pause([*periodic, *later_dags])
    return states


def _post_phase_dags(post: tuple[str, ...], quarterly: tuple[str, ...]) -> tuple[str, ...]:
    """Return the DAGs the post-phase runs: ``model_retraining`` too when the trigger is among them."""
    fired = (RETRAINING_DAG,) if TRIGGER_DAG in post and RETRAINING_DAG not in post else ()
    return (*post, *fired, *quarterly)


def _run_post_phase(
    airflow: Any,
    days: list[dt.date],
    post: tuple[str, ...],
    quarterly: tuple[str, ...],
    passwords: dict[str, str],
    report: Callable[[Any], None],
) -> None:
    """Create the runs of ``post`` (DAG by DAG, night by night) and ``quarterly``; wait for them to end.

    The same order, logical dates and conf as the ``test`` runner: a DAG's nights are created together
    and run one at a time, the next DAG's once they have all ended. The retraining trigger's night
    also waits for the ``model_retraining`` runs it fired; a high-risk run waiting for approval is
    answered Approve through ``PATCH .../hitlDetails`` as the demo's risk officer.
    """
    from steward.airflow.scheduler import RestApi
    from steward.demo import DEMO_APPROVER

    triggerer = RestApi(airflow.api_url, _DEMO_TRIGGERER, passwords[_DEMO_TRIGGERER])
    officer = RestApi(airflow.api_url, DEMO_APPROVER, passwords[DEMO_APPROVER])
    answered: set[str] = set()
    first_seen: dict[str, float] = {}
    deferred_since: dict[str, float] = {}

    def approve_waiting() -> None:
        pending = officer.call("GET", "/dags/~/dagRuns/~/hitlDetails?response_received=false")
        for detail in pending["hitl_details"]:
            ti = detail["task_instance"]
            # per try: a try that fails is retried with the same request, which is answered again
            key = "/".join(str(ti[k]) for k in ("dag_id", "dag_run_id", "map_index", "try_number"))
            if ti["dag_id"] != RETRAINING_DAG or ti["task_id"] != "approval" or key in answered:
                continue
            # Answering resumes the deferred task; Airflow 3.3's scheduler may then log a "state mismatch"
            # for the deferring process and fail that try (seen once, answered 0.1 s after the request,
            # before the task had deferred; answered 5 s after, the mismatch was logged but the try went
            # on to succeed). A failed try's retry asks again, 5 minutes later, and is answered again
            # (the key holds the try). The demo answers a second after the task shows as waiting for
            # input (deferred: its process has ended, and the scheduler has taken its exit in within a
            # few of its 0.1 s loops), or 5 s after the request, as a person would.
            now = time.monotonic()
            asked = now - first_seen.setdefault(key, now)
            waits = ti.get("state") in _WAITING_FOR_INPUT  # its process has ended
            deferred = now - deferred_since.setdefault(key, now) if waits else 0.0
            if deferred < _ANSWER_AFTER_DEFERRED_S and asked < _ANSWER_AFTER_S:
                continue
            officer.call(
                "PATCH",
                f"/dags/{ti['dag_id']}/dagRuns/{ti['dag_run_id']}/taskInstances/approval/"
                f"{ti['map_index']}/hitlDetails",
                {"chosen_options": ["Approve"], "params_input": {}},
            )
            answered.add(key)

    def run(dag_id: str, day: dt.date, conf: dict[str, str]) -> None:
        fires = dag_id == TRIGGER_DAG  # its night also waits for the retrainings it fired
        since = dt.datetime.now(dt.UTC)
        logical = _night_run(day)
        airflow.trigger(triggerer, dag_id, logical_date=logical, conf=conf)

        def of_the_night(run: Any) -> None:
            # a fired run's logical date is when it was fired (today): report it under its night
            report(dataclasses.replace(run, labels=(day.isoformat(),)) if run.dag_id != dag_id else run)

        airflow.watch(
            (dag_id, RETRAINING_DAG) if fires else (dag_id,),
            since,
            on_finished=of_the_night,
            while_waiting=approve_waiting if fires else None,
            settle_s=0.0,
            poll_s=0.2,
        )

    def run_nights(dag_ids: list[str]) -> None:
        # Every night's run created at once: the scheduler starts them one at a time (each of these
        # DAGs has max_active_runs=1) in the order of their run_after, the night, as a backfill
        # would; waiting for each before creating the next cost a poll and a REST call per run.
        # They are created while the DAGs are paused, so no task is running meanwhile: with SQLite
        # metadata, a POST beside a task's execution-API call once stalled the api-server for 60 s.
        since = dt.datetime.now(dt.UTC)
        airflow.pause(dag_ids)
        for dag_id in dag_ids:
            for day in days:
                logical = _night_run(day)
                airflow.trigger(triggerer, dag_id, logical_date=logical, conf=demo_conf(dag_id, day))
        airflow.pause(dag_ids, paused=False)
        airflow.watch(tuple(dag_ids), since, on_finished=report, settle_s=0.0, poll_s=0.2)

    for group in _post_groups(post):
        if group == ["retention"]:
            file_demo_erasure_requests(deadline=days[-1] + dt.timedelta(days=30))
        if group == [TRIGGER_DAG]:  # a night's decisions wait for the retrainings the night before fired
            for day in days:
                run(TRIGGER_DAG, day, demo_conf(TRIGGER_DAG, day))
        else:
            run_nights(group)
    for dag_id in quarterly:
        run(dag_id, days[-1], {"quarter": _quarter(days[-1])})


def _post_groups(post: tuple[str, ...]) -> list[list[str]]:
    """Split the post-phase into the DAGs run in turn: neighbours of :data:`SIDE_BY_SIDE` go together.

    Examples
    --------
    >>> _post_groups(("governance_nightly", "data_export", "retraining_trigger", "retention"))
    [['governance_nightly', 'data_export'], ['retraining_trigger'], ['retention']]
    >>> _post_groups(("data_export", "retention", "governance_nightly"))
    [['data_export'], ['retention'], ['governance_nightly']]
    """
    groups: list[list[str]] = []
    for dag_id in post:
        if groups and dag_id in SIDE_BY_SIDE and all(d in SIDE_BY_SIDE for d in groups[-1]):
            groups[-1].append(dag_id)
        else:
            groups.append([dag_id])
    return groups


def _night_run(day: dt.date) -> dt.datetime:
    """Return the logical date of a post-phase run for ``day``: 02:00 UTC of the night."""
    return dt.datetime.combine(day, dt.time(2, 0), tzinfo=dt.UTC)


def _quarter(day: dt.date) -> str:
    from steward.governance import quarter_of

    return str(quarter_of(day))


def _run_with_dag_test(
    days: list[dt.date],
    dags: tuple[str, ...],
    quarterly: tuple[str, ...],
    say: Callable[[str], None],
    log_file: Path,
    *,
    migrate: bool,
) -> dict[str, dict[str, str]]:
    if migrate:
        apply_airflow_env()
        _migrate_metadata(log_file, say)
    with _output_to(log_file):
        from airflow.dag_processing.dagbag import DagBag

        bag = DagBag(dag_folder=str(paths.project_dir() / "dags"))
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    states: dict[str, dict[str, str]] = {}

    def run(dag_id: str, day: dt.date, conf: dict[str, Any], label: str) -> None:
        dag = bag.get_dag(dag_id)
        if dag is None:
            raise RuntimeError(f"DAG {dag_id!r} not found in {paths.project_dir() / 'dags'}")
        shorten_retries(dag)
        started = time.monotonic()
        logical = _night_run(day)
        with _output_to(log_file):
            # The date param pins the partition: dag.test() infers a manual data interval
            # that ends at the logical date, one day earlier than a scheduled run's.
            result = dag.test(logical_date=logical, run_conf=conf)
        state = str(getattr(result, "state", "unknown"))
        states.setdefault(dag_id, {})[label] = state
        say(f"  {dag_id:<14} {label:<10}  run {state:<8} ({time.monotonic() - started:5.1f} s)")

    for dag_id in dags:
        if dag_id == "retention":
            file_demo_erasure_requests(deadline=days[-1] + dt.timedelta(days=30))
        for day in days:
            run(dag_id, day, demo_conf(dag_id, day), day.isoformat())
            if dag_id == "retraining_trigger" and bag.get_dag("model_retraining") is not None:
                with _output_to(log_file):
                    done = run_fired_retrainings(bag.get_dag("model_retraining"), day)
                for line in done:
                    say(f"  {'model_retraining':<14} {day}  {line}")
    if quarterly:
        quarter = _quarter(days[-1])
        for dag_id in quarterly:
            run(dag_id, days[-1], {"quarter": quarter}, quarter)
    return states


def run_fired_retrainings(dag: Any, day: dt.date) -> list[str]:
    """Run ``model_retraining`` for each decision of ``day`` that fired; return one line per run.

    ``dag.test()`` only queues the runs the trigger starts, so the demo runs each with the decision's
    conf itself and then closes the queued placeholder with the same final state (the trigger's
    "never twice while running" guard sees it finished). A high-risk run waits in ``awaiting_input``;
    the demo answers it Approve through Airflow's HITL API function as ``demo-risk-officer`` (a note
    in the summary says so).
    """
    import threading

    from steward.demo import retraining_line
    from steward.warehouse import connect, read_sql

    shorten_retries(dag)
    with connect() as wh:
        fired = wh.fetch(read_sql("demo/select_fired_decisions.sql"), {"night": day})
    lines = []
    for d in fired:
        stop = threading.Event()
        approver = threading.Thread(target=_approve_when_waiting, args=(dag.dag_id, stop), daemon=True)
        approver.start()
        conf = {
            "model": d["model"],
            "decision_id": d["decision_id"],
            "reason": d["reason"],
            "date": day.isoformat(),
        }
        logical = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(5), tzinfo=dt.UTC)
        try:
            run = dag.test(logical_date=logical, run_conf=conf)
        finally:
            stop.set()
        _close_placeholder(dag.dag_id, str(d["triggered_run_id"]), str(run.state))
        lines.append(retraining_line(str(d["model"]), run.run_id))
    return lines


def _approve_when_waiting(dag_id: str, stop: Any) -> None:
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    from steward.airflow.retraining import answer_approval
    from steward.demo import DEMO_APPROVER

    while not stop.is_set():
        with create_session() as session:
            ti = (
                session.query(TaskInstance)
                .filter(TaskInstance.dag_id == dag_id, TaskInstance.task_id == "approval")
                .filter(TaskInstance.state == "awaiting_input")
                .first()
            )
            run_id = ti.run_id if ti is not None else None
        if run_id is not None:
            answer_approval(dag_id, run_id, approve=True, username=DEMO_APPROVER)
        stop.wait(1.0)


def _close_placeholder(dag_id: str, run_id: str, state: str) -> None:
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        placeholder = session.query(DagRun).filter(DagRun.dag_id == dag_id, DagRun.run_id == run_id).first()
        if placeholder is not None and str(placeholder.state) in ("queued", "running"):
            placeholder.state = state if state in ("success", "failed") else "failed"
