"""A real `airflow standalone` with the local UI's settings: where it listens and who may look.

The unit tests check the environment Steward builds; this one checks what Airflow does with it:
by default the api-server listens on 127.0.0.1 and needs no login; with ``expose=True`` it listens
on every interface, refuses the API and Steward's report pages without a login, and accepts the
generated ``admin`` password.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from steward.airflow.local import apply_airflow_env
from steward.airflow.scheduler import guarded
from tests.fixtures.airflow_server import airflow_token, free_port, stop_group, wait_healthy

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

AIRFLOW = str(Path(sys.executable).with_name("airflow"))
REPORT = "PROBE-REPORT-7c1e"


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@contextmanager
def standalone(home: Path, *, expose: bool) -> Iterator[tuple[int, dict[str, str], Path]]:
    """Start `airflow standalone` with Steward's local settings; yield its port, environment and log."""
    port = free_port()
    env = dict(os.environ)
    apply_airflow_env(env, override=True, steward_home=home, port=port, parallelism=2, expose=expose)
    (home / "reports").mkdir(parents=True, exist_ok=True)
    (home / "reports" / "probe.html").write_text(REPORT)
    log_path = home / "standalone.log"
    with log_path.open("wb") as log:
        command = guarded([AIRFLOW, "standalone"])  # stopped with this process, even if it is killed
        proc = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_healthy(proc, f"http://127.0.0.1:{port}", log_path, timeout_s=300, every_s=3)
            yield port, env, log_path
        finally:
            stop_group(proc)


def test_local_ui_listens_on_loopback_without_login(tmp_path: Path) -> None:
    with standalone(tmp_path, expose=False) as (port, _env, log):
        assert _get(port, "/api/v2/dags")[0] == 200  # every visitor is an admin ...
        assert _get(port, "/steward/probe.html") == (200, REPORT.encode())
        # ... because only this machine can reach it.
        assert f"Uvicorn running on http://127.0.0.1:{port}" in log.read_text(errors="replace")


def test_exposed_ui_listens_everywhere_and_asks_for_a_login(tmp_path: Path) -> None:
    with standalone(tmp_path, expose=True) as (port, env, log):
        assert f"Uvicorn running on http://0.0.0.0:{port}" in log.read_text(errors="replace")
        assert _get(port, "/api/v2/dags")[0] == 401
        status, body = _get(port, "/steward/probe.html")
        assert status == 401 and REPORT.encode() not in body  # Steward's pages ask for the same login
        password_file = Path(env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
        deadline = time.monotonic() + 30
        while not password_file.is_file() and time.monotonic() < deadline:
            time.sleep(1)
        password = json.loads(password_file.read_text())["admin"]
        token = airflow_token(f"http://127.0.0.1:{port}", "admin", password)
        assert _get(port, "/api/v2/dags", {"Authorization": f"Bearer {token}"})[0] == 200
        assert _get(port, "/api/v2/dags", {"Authorization": "Bearer not-a-token"})[0] in (401, 403)
