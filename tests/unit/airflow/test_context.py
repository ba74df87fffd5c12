"""Partition dates from an Airflow 3 context: manual and asset-triggered runs have no data interval."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from steward.airflow.context import partition_date, resolve_partition_date, warehouse

UTC = dt.UTC


def test_param_wins_over_everything() -> None:
    interval = dt.datetime(2026, 11, 1, 2, tzinfo=UTC)
    assert resolve_partition_date("2026-11-04", interval, interval) == dt.date(2026, 11, 4)


def test_data_interval_start_for_scheduled_runs() -> None:
    assert resolve_partition_date(None, dt.datetime(2026, 11, 4, 2, tzinfo=UTC), None) == dt.date(2026, 11, 4)


def test_run_after_minus_one_day_for_manual_and_asset_runs() -> None:
    run_after = dt.datetime(2026, 11, 5, 0, 30, tzinfo=UTC)
    assert resolve_partition_date(None, None, run_after) == dt.date(2026, 11, 4)


def test_bad_param_is_explained() -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        resolve_partition_date("04/11/2026", None, None)


def test_nothing_to_go_on() -> None:
    with pytest.raises(ValueError, match="'date' param"):
        resolve_partition_date(None, None, None)


def test_context_without_logical_date_keys() -> None:
    # An asset-triggered run's context: no data_interval_start key at all.
    context = {
        "params": {"date": None},
        "dag_run": SimpleNamespace(run_after=dt.datetime(2026, 11, 9, tzinfo=UTC)),
    }
    assert partition_date(context) == dt.date(2026, 11, 8)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    password=st.text(
        alphabet=st.sampled_from("/#?@:%&=+ ") | st.characters(exclude_categories=("Cs", "Cc")),
        min_size=8,
        max_size=24,
    )
)
def test_task_warehouse_from_the_airflow_connection_never_shows_its_password(
    password: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import airflow.sdk

    from steward.warehouse import WarehouseError

    def texts(secret: str) -> list[str]:
        conn = SimpleNamespace(
            conn_type="postgres",
            host="127.0.0.1",
            port=1,
            login="steward",
            password=secret,
            schema="wh",
            extra=json.dumps({"sslmode": "disable", "sslpassword": secret}),
        )
        monkeypatch.setattr(airflow.sdk.Connection, "get", staticmethod(lambda conn_id: conn))
        caplog.clear()
        with (
            caplog.at_level(logging.DEBUG),
            pytest.raises(WarehouseError, match="cannot connect to") as info,
            warehouse(),  # nothing listens on port 1: the first migration fails
        ):
            pass
        shown: list[str] = [caplog.text]
        exc: BaseException | None = info.value
        while exc is not None:
            shown.append(str(exc))
            exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
        return shown

    def spellings(secret: str) -> set[str]:
        return {secret, quote(secret, safe=""), quote(secret), quote_plus(secret)}

    boilerplate = texts("Zq7Neutral")
    assume(not any(s in t for s in spellings(password) for t in boilerplate))
    shown = texts(password)
    assert any("postgresql://steward:***@127.0.0.1:1/wh" in text for text in shown)  # shown, redacted
    for text in shown:
        for spelling in spellings(password):
            assert spelling not in text


def test_report_location_is_a_ui_link_when_the_base_url_is_known(
    steward_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from steward import paths
    from steward.airflow.context import report_location

    report = paths.reports_dir() / "monitoring" / "2026-11-03" / "credit risk.html"
    monkeypatch.delenv("AIRFLOW__API__BASE_URL", raising=False)
    assert report_location(report) == str(report)  # no base_url: the file path, as before
    monkeypatch.setenv("AIRFLOW__API__BASE_URL", "https://airflow.northwind.example/")
    assert report_location(report) == (
        "https://airflow.northwind.example/steward/monitoring/2026-11-03/credit%20risk.html"
    )
    assert report_location(str(report)) == report_location(report)
    outside = steward_home.parent / "elsewhere.html"  # not under the served folder: still the path
    assert report_location(outside) == str(outside)
