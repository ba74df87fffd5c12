"""Where the warehouse URL comes from, and printing it without its password."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from steward.warehouse import WarehouseError, connect, default_url, redact


@pytest.fixture(autouse=True)
def _no_url_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STEWARD_WAREHOUSE_URL", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_STEWARD_WAREHOUSE", raising=False)


def test_default_is_duckdb_file_in_steward_home(steward_home: Path) -> None:
    assert default_url() == f"duckdb:///{steward_home}/warehouse.duckdb"


def test_steward_env_wins_over_airflow_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STEWARD_WAREHOUSE_URL", "postgresql://a:b@h:5432/w")
    monkeypatch.setenv("AIRFLOW_CONN_STEWARD_WAREHOUSE", "postgres://c:d@other:5432/x")
    assert default_url() == "postgresql://a:b@h:5432/w"


@pytest.mark.parametrize(
    ("conn", "expected"),
    [
        ("postgres://steward:pw@db:5432/wh", "postgresql://steward:pw@db:5432/wh"),
        ("postgresql://steward:pw@db:5432/wh", "postgresql://steward:pw@db:5432/wh"),
        ("duckdb:////data/wh.duckdb", "duckdb:////data/wh.duckdb"),
        ("postgres://u:pw@db/wh?sslmode=require&__extra__=%7B%7D", "postgresql://u:pw@db/wh?sslmode=require"),
        (
            json.dumps(
                {
                    "conn_type": "postgres",
                    "host": "db.internal",
                    "port": 5433,
                    "login": "steward",
                    "password": "p@ss:w/rd",
                    "schema": "warehouse",
                }
            ),
            "postgresql://steward:p%40ss%3Aw%2Frd@db.internal:5433/warehouse",
        ),
        (json.dumps({"conn_type": "postgres", "host": "db", "schema": "wh"}), "postgresql://db/wh"),
        (json.dumps({"conn_type": "duckdb", "host": "/data/wh.duckdb"}), "duckdb:////data/wh.duckdb"),
    ],
)
def test_airflow_connection_forms(monkeypatch: pytest.MonkeyPatch, conn: str, expected: str) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_STEWARD_WAREHOUSE", conn)
    assert default_url() == expected


@pytest.mark.parametrize(
    "conn",
    ['{"conn_type": "mysql", "host": "db"}', "{not json", "mysql://u:secret@db/wh"],
)
def test_unsupported_airflow_connection_is_explained(monkeypatch: pytest.MonkeyPatch, conn: str) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_STEWARD_WAREHOUSE", conn)
    with pytest.raises(ValueError, match="AIRFLOW_CONN_STEWARD_WAREHOUSE") as info:
        default_url()
    assert "secret" not in str(info.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://steward:s3cret@db:5432/wh", "postgresql://steward:***@db:5432/wh"),
        (
            "postgresql://steward:p%40ss@db/wh?sslmode=require",
            "postgresql://steward:***@db/wh?sslmode=require",
        ),
        (
            "postgresql://steward@db/wh?password=s3cret&sslmode=require",
            "postgresql://steward@db/wh?password=***&sslmode=require",
        ),
        ("postgresql://postgres:@/postgres?host=/tmp/pg", "postgresql://postgres:@/postgres?host=/tmp/pg"),
        ("duckdb:////data/wh.duckdb", "duckdb:////data/wh.duckdb"),
    ],
)
def test_redact_hides_password(url: str, expected: str) -> None:
    assert redact(url) == expected


def test_connect_refuses_unknown_scheme_without_leaking_password() -> None:
    with pytest.raises(WarehouseError, match="unsupported warehouse URL") as info:
        connect("mysql://u:s3cret@db/wh")
    assert "s3cret" not in str(info.value)
    assert info.value.url == "mysql://u:***@db/wh"


def test_connect_uses_default_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STEWARD_WAREHOUSE_URL", "duckdb:///:memory:")
    with connect() as wh:
        assert (wh.backend, wh.url) == ("duckdb", "duckdb:///:memory:")
        assert wh.fetch("select 41 + 1 as answer") == [{"answer": 42}]


def test_duckdb_file_parent_folders_are_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "wh.duckdb"
    with connect(f"duckdb:///{path}") as wh:
        wh.execute("create table t (x integer)")
    assert path.is_file()


def test_postgres_url_password_is_redacted_on_the_warehouse() -> None:
    wh = connect("postgres://steward:s3cret@db.invalid:5432/wh")
    assert (wh.backend, wh.url) == ("postgres", "postgresql://steward:***@db.invalid:5432/wh")
    assert "s3cret" not in repr(wh)
