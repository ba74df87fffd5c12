"""The local scheduler runner's parts that need no Airflow running: labels, process shutdown, options."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from steward.airflow.demo import run_demo
from steward.airflow.scheduler import LocalAirflow, free_port, later_phase, run_labels

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
        ValueError, match=r"demo runner 'sheduler' .* unknown: use one of \('test', 'scheduler'\)"
    ):
        run_demo([dt.date(2026, 11, 1)], runner="sheduler")
    monkeypatch.setenv("STEWARD_DEMO_RUNNER", "dagtest")
    with pytest.raises(ValueError, match=r"demo runner 'dagtest' .*STEWARD_DEMO_RUNNER"):
        run_demo([dt.date(2026, 11, 1)])
