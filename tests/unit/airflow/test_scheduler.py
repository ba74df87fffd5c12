"""The local scheduler runner's parts that need no Airflow running: labels, process shutdown, options."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import ClassVar

import pytest

from steward.airflow.demo import run_demo
from steward.airflow.scheduler import LocalAirflow, RestApi, free_port, later_phase, run_labels

#: A component that ignores SIGTERM and has a child of its own (like a scheduler with a task process).
STUBBORN = (
    "import signal, subprocess, sys, time\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
    "print(child.pid, flush=True)\n"
    "time.sleep(120)\n"
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie still answers kill(0): count it as gone
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


def _wait_for_line(log: Path, timeout_s: float = 30.0) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        text = log.read_text().strip()
        if text:
            return text.splitlines()[0]
        time.sleep(0.1)
    raise AssertionError(f"the component wrote nothing to {log}")


def test_stop_kills_a_component_that_ignores_sigterm_and_its_children(tmp_path: Path) -> None:
    log = tmp_path / "components.log"
    with LocalAirflow(dict(os.environ), log, services=()) as airflow:
        airflow._start("stubborn", [sys.executable, "-c", STUBBORN])
        proc = airflow._procs["stubborn"]
        child = int(_wait_for_line(log))
        assert _alive(proc.pid) and _alive(child)
        started = time.monotonic()
        airflow.stop(timeout_s=1.0)
        assert time.monotonic() - started < 10
    assert proc.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(child)  # the component's own child went with its process group


#: A component whose first SIGTERM is lost (as when Airflow's handler raises SystemExit inside a
#: garbage-collection callback: "Exception ignored in ..."); it exits when asked again.
ONCE_DEAF = (
    "import signal, sys, time\n"
    "asked = []\n"
    "def handler(signum, frame):\n"
    "    asked.append(signum)\n"
    "    if len(asked) > 1:\n"
    "        sys.exit(0)\n"
    "signal.signal(signal.SIGTERM, handler)\n"
    "print('ready', flush=True)\n"
    "while True:\n"
    "    time.sleep(0.05)\n"
)


def _start_once_deaf(airflow: LocalAirflow) -> subprocess.Popen[bytes]:
    # as the scheduler, which has the whole timeout (the other components have a second)
    airflow._start("scheduler", [sys.executable, "-c", ONCE_DEAF])
    assert _wait_for_line(airflow.log_file) == "ready"
    return airflow._procs["scheduler"]


def test_after_a_normal_end_a_component_that_lost_its_sigterm_is_asked_again(tmp_path: Path) -> None:
    with LocalAirflow(dict(os.environ), tmp_path / "components.log", services=()) as airflow:
        proc = _start_once_deaf(airflow)
        started = time.monotonic()
    assert proc.returncode == 0  # it exited on the second request, not killed after the 30 s
    assert time.monotonic() - started < 10


def test_while_tasks_may_run_the_stop_asks_once_then_kills(tmp_path: Path) -> None:
    # a second SIGTERM could cut a running task short: without ask_again the component gets one
    with LocalAirflow(dict(os.environ), tmp_path / "components.log", services=()) as airflow:
        proc = _start_once_deaf(airflow)
        airflow.stop(timeout_s=3.0)
    assert proc.returncode == -signal.SIGKILL


def test_an_error_inside_the_block_stops_the_components(tmp_path: Path) -> None:
    log = tmp_path / "components.log"
    before = signal.getsignal(signal.SIGTERM)
    with (
        pytest.raises(RuntimeError, match="boom"),
        LocalAirflow(dict(os.environ), log, services=()) as airflow,
    ):
        airflow._start("sleeper", [sys.executable, "-c", "import time; time.sleep(120)"])
        proc = airflow._procs["sleeper"]
        raise RuntimeError("boom")
    assert proc.returncode == -signal.SIGTERM  # it stopped on SIGTERM: no need for SIGKILL
    assert signal.getsignal(signal.SIGTERM) == before


def test_sigterm_to_the_runner_interrupts_it_and_restores_the_handler(tmp_path: Path) -> None:
    before = signal.getsignal(signal.SIGTERM)
    with (
        pytest.raises(KeyboardInterrupt),
        LocalAirflow(dict(os.environ), tmp_path / "c.log", services=()) as airflow,
    ):
        airflow._start("sleeper", [sys.executable, "-c", "import time; time.sleep(120)"])
        proc = airflow._procs["sleeper"]
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises before this ends
    assert proc.poll() is not None
    assert signal.getsignal(signal.SIGTERM) == before


def test_a_dead_component_is_reported_with_its_log(tmp_path: Path) -> None:
    log = tmp_path / "c.log"
    with LocalAirflow(dict(os.environ), log, services=()) as airflow:
        airflow._start("api-server", [sys.executable, "-c", "raise SystemExit(3)"])
        airflow._procs["api-server"].wait(timeout=30)
        with pytest.raises(RuntimeError, match=r"`airflow api-server` exited \(code 3\); see .*c\.log"):
            airflow.check_alive()


def test_labels_come_from_the_logical_date_the_date_conf_or_the_events() -> None:
    two_am = dt.datetime(2026, 11, 4, 2, tzinfo=dt.UTC)
    assert run_labels(two_am, {"date": "2026-11-09"}, [{"partition_date": "2026-11-01"}]) == ("2026-11-04",)
    assert run_labels(None, {"date": "2026-11-09"}, []) == ("2026-11-09",)
    events = [
        {"partition_date": "2026-11-03"},
        {"date": "2026-11-02"},
        {"partition_date": "2026-11-03"},
        None,
    ]
    assert run_labels(None, {}, events) == ("2026-11-02", "2026-11-03")
    assert run_labels(None, None, [{"rows": 3}]) == ()


def test_runs_spanning_longer_than_a_night_wait_for_the_nights() -> None:
    day, week, month = dt.timedelta(days=1), dt.timedelta(days=7), dt.timedelta(days=30)
    assert later_phase({"data_quality": day, "cloud_costs": day}) == []
    assert later_phase({"data_quality": day, "roi_review": month, "weekly": week}) == ["roi_review", "weekly"]
    assert later_phase({"roi_review": month}) == []  # alone, it is the first phase
    assert later_phase({}) == []


def test_free_port_can_be_bound() -> None:
    import socket

    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


def test_an_unknown_runner_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(
        ValueError, match=r"demo runner 'sheduler' .* unknown: use one of \('scheduler', 'test'\)"
    ):
        run_demo([dt.date(2026, 11, 1)], runner="sheduler")
    monkeypatch.setenv("STEWARD_DEMO_RUNNER", "dagtest")
    with pytest.raises(ValueError, match=r"demo runner 'dagtest' .*STEWARD_DEMO_RUNNER"):
        run_demo([dt.date(2026, 11, 1)])


def test_the_scheduler_runner_starts_airflow_only_for_the_dags_it_schedules(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[tuple[str, tuple[str, ...], object]] = []

    def scheduler(
        days: object, dags: tuple[str, ...], post: tuple[str, ...], quarterly: tuple[str, ...], *_: object
    ) -> dict[str, dict[str, str]]:
        calls.append(("scheduler", dags, (post, quarterly)))
        return {}

    def dag_test(days: object, dags: tuple[str, ...], *_: object, migrate: bool) -> dict[str, dict[str, str]]:
        calls.append(("dag.test", dags, migrate))
        return {}

    monkeypatch.setenv("STEWARD_HOME", str(tmp_path))
    monkeypatch.setattr("steward.airflow.demo._run_with_scheduler", scheduler)
    monkeypatch.setattr("steward.airflow.demo._run_with_dag_test", dag_test)
    night = [dt.date(2026, 11, 1)]
    # the default runner: the same Airflow runs the other DAGs and the quarterly ones after, no dag.test()
    run_demo(night, dags=("data_quality", "retention"), quarterly=("esg_extract",))
    assert calls == [("scheduler", ("data_quality",), (("retention",), ("esg_extract",)))]
    calls.clear()
    run_demo(night, dags=("retention",), quarterly=("esg_extract",), runner="scheduler")
    assert calls == [("dag.test", ("retention",), True)]  # nothing to schedule: no Airflow started
    calls.clear()
    run_demo(night, dags=("data_quality",), quarterly=(), runner="test")
    assert calls == [("dag.test", ("data_quality",), True)]


#: A runner that starts one component and waits to be killed: the component exits on SIGTERM (like
#: Airflow's) but its child, a task process stuck in a system call, ignores SIGTERM.
HARD_KILLED_RUNNER = (
    "import os, sys, time\n"
    "from pathlib import Path\n"
    "from steward.airflow.scheduler import LocalAirflow\n"
    "component = (\n"
    "    'import signal, subprocess, sys, time\\n'\n"
    '    \'child = subprocess.Popen([sys.executable, "-c", "import signal, time; \'\n'
    "    'signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(120)\"])\\n'\n"
    "    'print(child.pid, flush=True)\\n'\n"
    "    'time.sleep(120)\\n'\n"
    ")\n"
    "with LocalAirflow(dict(os.environ), Path(sys.argv[1]), services=()) as airflow:\n"
    "    airflow._start('scheduler', [sys.executable, '-c', component])\n"
    "    print(airflow._procs['scheduler'].pid, flush=True)\n"
    "    time.sleep(120)\n"
)


def _pids_of_guarded_component(guard: int) -> list[int]:
    """Return the guard ``guard`` and every process of its group (component, task processes)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == guard:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_sigkill_of_the_runner_still_stops_its_components_and_their_task_processes(tmp_path: Path) -> None:
    log = tmp_path / "components.log"
    with subprocess.Popen(
        [sys.executable, "-c", HARD_KILLED_RUNNER, str(log)], stdout=subprocess.PIPE, text=True
    ) as runner:
        assert runner.stdout is not None
        guard = int(runner.stdout.readline())
        task = int(_wait_for_line(log))
        group = _pids_of_guarded_component(guard)
        assert guard in group and task in group and len(group) == 3  # guard, component, task process
        runner.kill()  # no handler runs, no `with` block ends: only the kernel knows
        runner.wait(timeout=30)
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in group) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [pid for pid in group if _alive(pid)] == []


def test_a_second_ctrl_c_does_not_cut_the_shutdown_short(tmp_path: Path) -> None:
    slow = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *a: (time.sleep(2), sys.exit(0)))\n"
        "print('ready', flush=True)\n"
        "time.sleep(120)\n"
    )
    log = tmp_path / "c.log"
    before = signal.getsignal(signal.SIGINT)
    with LocalAirflow(dict(os.environ), log, services=()) as airflow:
        airflow._start("scheduler", [sys.executable, "-c", slow])
        proc = airflow._procs["scheduler"]
        _wait_for_line(log)
        timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))  # impatient user
        timer.start()
        airflow.stop(timeout_s=20)  # raises KeyboardInterrupt if the Ctrl-C got through
        timer.join()
    assert proc.returncode == 0  # the component finished its own shutdown
    assert signal.getsignal(signal.SIGINT) == before


class _FakeApiServer(http.server.BaseHTTPRequestHandler):
    """The two answers RestApi needs: a login for one user, a JSON route that wants its token."""

    seen: ClassVar[list[tuple[str, str, str | None, dict[str, object] | None]]] = []

    def _reply(self, code: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        size = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(size)) if size else None
        self.seen.append((self.command, self.path, self.headers.get("Authorization"), body))
        if self.path == "/auth/token":
            ok = body == {"username": "officer", "password": "pw-1"}
            self._reply(201 if ok else 401, {"access_token": "tok-1"} if ok else {"detail": "bad login"})
        elif self.headers.get("Authorization") != "Bearer tok-1":
            self._reply(401, {"detail": "Not authenticated"})
        elif self.path == "/api/v2/dags/d/dagRuns":
            self._reply(200, {"dag_run_id": "manual__1", "conf": (body or {}).get("conf")})
        elif self.path.startswith("/api/v2/dags/d/dagRuns?"):  # no run at that logical date yet
            self._reply(200, {"dag_runs": [], "total_entries": 0})
        else:
            self._reply(404, {"detail": f"no route {self.path}"})

    do_GET = do_POST = do_PATCH = _handle

    def log_message(self, *args: object) -> None:
        """Quiet."""


def test_rest_api_logs_in_sends_its_token_and_names_a_failed_call_in_one_line() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakeApiServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        api = RestApi(base + "/", "officer", "pw-1")
        airflow = LocalAirflow({"AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{base}/execution/"}, Path("x"))
        assert airflow.api_url == base
        logical = dt.datetime(2026, 11, 3, 2, tzinfo=dt.UTC)
        run_id = airflow.trigger(api, "d", logical_date=logical, conf={"date": "2026-11-03"})
        assert run_id == "manual__1"
        assert _FakeApiServer.seen[-2][:2] == (  # first: is there a run of that logical date already?
            "GET",
            "/api/v2/dags/d/dagRuns?logical_date_gte=2026-11-03T02%3A00%3A00%2B00%3A00"
            "&logical_date_lte=2026-11-03T02%3A00%3A00%2B00%3A00",
        )
        assert _FakeApiServer.seen[-1] == (
            "POST",
            "/api/v2/dags/d/dagRuns",
            "Bearer tok-1",
            {
                "logical_date": "2026-11-03T02:00:00+00:00",
                "run_after": "2026-11-03T02:00:00+00:00",  # queued runs of a DAG start in this order
                "conf": {"date": "2026-11-03"},
            },
        )
        with pytest.raises(RuntimeError) as missing:
            api.call("PATCH", "/dags/d/dagRuns/r/taskInstances/approval/-1/hitlDetails", {})
        message = str(missing.value)
        assert message.startswith(
            "Airflow REST API PATCH /api/v2/dags/d/dagRuns/r/taskInstances/approval/-1/hitlDetails "
            "as 'officer': HTTP 404"
        )
        assert "\n" not in message and "tok-1" not in message
        with pytest.raises(RuntimeError, match=r"POST /auth/token as 'officer': HTTP 401"):
            RestApi(base, "officer", "wrong")
    finally:
        server.shutdown()
        server.server_close()
