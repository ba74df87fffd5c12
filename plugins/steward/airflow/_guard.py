"""Run one Airflow component so that it never outlives the process that started it (Linux).

``python _guard.py PARENT_PID GRACE_S COMMAND...`` is how :class:`steward.airflow.scheduler.LocalAirflow`
starts each component: run as a script (it imports nothing of Steward or Airflow), as the leader of
a session of its own. It asks the kernel for SIGTERM when its parent dies (``PR_SET_PDEATHSIG``), so
a ``steward demo`` killed hard (SIGKILL, a crash) still stops its components. On SIGTERM or SIGINT it
passes SIGTERM to its process group (the component, its workers and task processes), again on every
repeated request, waits up to ``GRACE_S`` seconds from the first for the component to exit, then
SIGKILLs whatever is left of the group. It exits
as the component did (same code, or the same signal), so the runner's messages stay true.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time

#: prctl(2) option: the signal this process gets when its parent thread dies.
_PR_SET_PDEATHSIG = 1


def _kill_rest_of_group(sig: int) -> None:
    """Send ``sig`` to every process of this one's group but this one (it exits on its own)."""
    me = os.getpid()
    group = os.getpgid(0)
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        with contextlib.suppress(OSError):  # gone meanwhile, or not ours to signal
            if os.getpgid(int(entry)) == group:
                os.kill(int(entry), sig)


def _exit_like(returncode: int) -> None:
    if returncode < 0:  # killed by a signal: die of the same one
        signal.signal(-returncode, signal.SIG_DFL)
        os.kill(os.getpid(), -returncode)
        time.sleep(1)
    sys.exit(returncode if returncode >= 0 else 128 - returncode)


def main(argv: list[str]) -> None:
    """Run ``argv[2:]`` under the guard of parent ``argv[0]`` with a grace of ``argv[1]`` seconds."""
    parent, grace_s, command = int(argv[0]), float(argv[1]), argv[2:]
    stopping: list[bool] = []  # set once asked to stop

    def stop(signum: int, frame: object) -> None:
        # Passed on every time: a component's handler can lose its SystemExit when the signal lands in
        # a garbage-collection callback ("Exception ignored in ..."), and the component runs on until
        # asked again (apache/airflow#11982, #15753). The grace counts from the first request.
        _kill_rest_of_group(signal.SIGTERM)
        if not stopping:
            stopping.append(True)
            signal.setitimer(signal.ITIMER_REAL, grace_s)  # then `overdue`, unless the component exited

    def overdue(signum: int, frame: object) -> None:
        _kill_rest_of_group(signal.SIGKILL)

    signal.signal(signal.SIGALRM, overdue)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    prctl = getattr(ctypes.CDLL(None, use_errno=True), "prctl", None)
    if prctl is not None:  # Linux; elsewhere only the runner's own shutdown stops the component
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the request took effect
        sys.exit(1)
    child = subprocess.Popen(command)  # noqa: S603 - the runner's own command line
    # A blocking wait, no polling (five components wait like this through a whole demo): the handlers
    # run meanwhile and waitpid resumes after them (PEP 475) until the component has exited.
    child.wait()
    signal.setitimer(signal.ITIMER_REAL, 0)
    if stopping:  # the component is gone: so are its workers and task processes
        _kill_rest_of_group(signal.SIGKILL)
    _exit_like(child.returncode)


if __name__ == "__main__":
    main(sys.argv[1:])
