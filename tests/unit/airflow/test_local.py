"""The local Airflow's environment: 127.0.0.1 with no login by default, a login when exposed on purpose."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from steward.airflow.local import airflow_env, apply_airflow_env, passwords_file, ui_url
from steward.cli import main

HOST = "AIRFLOW__API__HOST"
ALL_ADMINS = "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS"
REPORTS = "STEWARD_SERVE_REPORTS"


def test_default_listens_on_loopback_only(tmp_path: Path) -> None:
    env = airflow_env(steward_home=tmp_path, port=8123)
    assert env[HOST] == "127.0.0.1"
    assert env[ALL_ADMINS] == "True"  # no login: nobody else can reach it
    assert REPORTS not in env  # Steward's pages are on by default, behind Airflow's login
    assert env["AIRFLOW__API__PORT"] == "8123"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:8123/execution/"


def test_expose_listens_everywhere_with_a_login(tmp_path: Path) -> None:
    env = airflow_env(steward_home=tmp_path, port=8123, expose=True)
    assert env[HOST] == "0.0.0.0"
    assert env[ALL_ADMINS] == "False"
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] == "admin:admin"
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"] == str(
        tmp_path / "airflow" / "simple_auth_manager_passwords.json.generated"
    )
    assert passwords_file(tmp_path) == tmp_path / "airflow" / "simple_auth_manager_passwords.json.generated"
    assert REPORTS not in env  # the pages stay, behind the login
    # Tasks still reach the execution API on this machine.
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:8123/execution/"


def test_stale_environment_cannot_expose_an_all_admins_ui(tmp_path: Path) -> None:
    environ = {HOST: "0.0.0.0", ALL_ADMINS: "True", REPORTS: "true", "AIRFLOW__CORE__PARALLELISM": "9"}
    apply_airflow_env(environ, steward_home=tmp_path)
    assert (environ[HOST], environ[ALL_ADMINS]) == ("127.0.0.1", "True")
    assert environ["AIRFLOW__CORE__PARALLELISM"] == "9"  # other user settings still win

    environ = {HOST: "10.0.0.5", ALL_ADMINS: "True", REPORTS: "false"}
    apply_airflow_env(environ, steward_home=tmp_path, expose=True)
    assert (environ[HOST], environ[ALL_ADMINS]) == ("0.0.0.0", "False")
    assert environ[REPORTS] == "false"  # the user's opt-out of Steward's pages is kept


def test_airflow_reads_the_settings_we_set(tmp_path: Path) -> None:
    # Airflow's own configuration parser, in a fresh process, is the reference for what the api-server uses.
    environ = dict(os.environ)
    apply_airflow_env(environ, override=True, steward_home=tmp_path, port=8124, expose=True)
    code = (
        "from airflow.configuration import conf; "
        "print(conf.get('api', 'host'), conf.get('api', 'port'), "
        "conf.get('core', 'simple_auth_manager_all_admins'), "
        "conf.get('core', 'simple_auth_manager_passwords_file'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True, timeout=120
    )
    expected = f"0.0.0.0 8124 False {tmp_path / 'airflow' / 'simple_auth_manager_passwords.json.generated'}"
    assert out.stdout.strip().splitlines()[-1] == expected


class _Exec(BaseException):  # like os.execv, it leaves main() without being turned into an error line
    def __init__(self, path: str, argv: list[str]) -> None:
        super().__init__(path)
        self.path, self.argv = path, argv


def _fake_execv(path: str, argv: list[str]) -> None:
    raise _Exec(path, argv)


@pytest.mark.parametrize(
    ("args", "host", "all_admins", "url"),
    [
        ([], "127.0.0.1", "True", "http://127.0.0.1:8125"),
        (["--expose"], "0.0.0.0", "False", None),
    ],
)
def test_airflow_ui_command_line_and_environment(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    steward_home: Path,
    args: list[str],
    host: str,
    all_admins: str,
    url: str | None,
) -> None:
    monkeypatch.setattr(os, "environ", {**os.environ, HOST: "0.0.0.0", ALL_ADMINS: "True"})
    monkeypatch.setattr(os, "execv", _fake_execv)
    prepared: list[bool] = []
    monkeypatch.setattr("steward.airflow.pools.main", lambda: prepared.append(True) or 0)
    annotated: list[bool] = []
    monkeypatch.setattr("steward.airflow.notes.annotate_runs", lambda: annotated.append(bool(prepared)) or 0)
    with pytest.raises(_Exec) as info:
        main(["airflow-ui", "--port", "8125", *args])
    assert prepared == [True]  # metadata migrated and the warehouse pool created before Airflow starts
    assert annotated == [
        True
    ]  # then the finished runs' notes written (tests/integration: test_governance_view)
    assert info.value.argv == [str(Path(sys.executable).parent / "airflow"), "standalone"]
    assert (os.environ[HOST], os.environ[ALL_ADMINS], os.environ["AIRFLOW__API__PORT"]) == (
        host,
        all_admins,
        "8125",
    )
    printed = capsys.readouterr().out
    assert f"Airflow UI on {url or ui_url(port=8125, expose=True)}" in printed
    if args:
        assert "log in as admin" in printed
        assert os.environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"] in printed
    else:
        assert "no login" in printed
