"""Configuration outside the checkout, whole: suites beside the registry, and a default suite."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from steward.cli import main
from steward.warehouse import connect

DAY = dt.date(2026, 11, 4)

REGISTRY = """
datasets:
  - name: orders
    owner: sales
    source: {{path: "{lake}/orders/date={{date}}/*.parquet"}}
  - name: refunds
    owner: sales
    key_columns: [refund_id]
    source: {{path: "{lake}/refunds/date={{date}}/*.parquet"}}
"""
SUITE = {
    "name": "orders",
    "expectations": [
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "amount", "min_value": 0}}
    ],
}


@pytest.fixture
def outside(tmp_path: Path, steward_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "company-config"
    (config / "expectations").mkdir(parents=True)
    (config / "expectations" / "orders.json").write_text(json.dumps(SUITE))
    lake = tmp_path / "lake"
    (config / "governance.yaml").write_text(REGISTRY.format(lake=lake))
    monkeypatch.setenv("STEWARD_REGISTRY", str(config / "governance.yaml"))
    for name, rows in {
        "orders": {"order_id": [1, 2], "amount": [5.0, -1.0]},
        "refunds": {"refund_id": [1, None, 3], "amount": [1.0, 2.0, 3.0]},
    }.items():
        path = lake / name / f"date={DAY}" / "part-0.parquet"
        path.parent.mkdir(parents=True)
        pq.write_table(pa.table(rows), path)
    return config


def test_suites_beside_the_registry_and_a_default_suite(
    outside: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["registry", "check"]) == 0
    out = capsys.readouterr().out
    assert "registry OK: 2 datasets" in out
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    rc = main(["dq", "validate", "--date", DAY.isoformat(), "--url", url])
    out = capsys.readouterr().out
    assert rc == 1
    with connect(url) as wh:
        rows = wh.fetch("select dataset, suite, status, error_message from dq_runs")
    runs = {r["dataset"]: r for r in rows}
    # orders: its suite came from company-config/expectations, not the checkout's include/expectations
    assert runs["orders"]["suite"] == "orders" and runs["orders"]["status"] == "failed"
    assert "amount: expect_column_values_to_be_between" in runs["orders"]["error_message"]
    # refunds has no suite: the default one checks rows and the declared key column
    assert runs["refunds"]["suite"] == "refunds (default)" and runs["refunds"]["status"] == "failed"
    assert "refund_id: expect_column_values_to_not_be_null" in runs["refunds"]["error_message"]
    assert "quarantined" in out


def test_a_named_suite_that_does_not_exist_is_a_registry_error(
    outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = outside / "governance.yaml"
    registry.write_text(registry.read_text().replace("key_columns: [refund_id]", "suite: refunds_v2"))
    assert main(["registry", "check"]) == 2
    err = capsys.readouterr().err
    assert "datasets[1] (refunds).suite: suite file" in err and "company-config/expectations" in err


def test_the_expectations_folder_can_be_set(
    outside: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "suites"
    elsewhere.mkdir()
    lenient = [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "amount"}}]
    (elsewhere / "orders.json").write_text(json.dumps({"name": "orders_lenient", "expectations": lenient}))
    monkeypatch.setenv("STEWARD_EXPECTATIONS", str(elsewhere))
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    assert main(["dq", "validate", "--date", DAY.isoformat(), "--dataset", "orders", "--url", url]) == 0
    with connect(url) as wh:
        runs = wh.fetch("select suite, status from dq_runs")
    assert runs == [{"suite": "orders_lenient", "status": "passed"}]
