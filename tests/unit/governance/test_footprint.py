"""Storage footprint on both backends: bytes, files and partitions per dataset and night, sized on disk,
with the change against the previous night; a rerun of a night replaces its rows."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from steward.governance import footprint_trend, measure_footprint
from steward.registry import load_registry
from steward.warehouse import Warehouse

D1, D2 = dt.date(2026, 11, 1), dt.date(2026, 11, 2)


def _write(home: Path, dataset: str, day: dt.date, n: int) -> int:
    folder = home / "lake" / dataset / f"date={day}"
    folder.mkdir(parents=True)
    pq.write_table(pa.table({"x": list(range(n))}), folder / "part-0.parquet")
    return os.path.getsize(folder / "part-0.parquet")


def test_footprint_per_night_and_its_trend(steward_home: Path, warehouse: Warehouse) -> None:
    registry = load_registry(check_suites=False)  # its paths point into this test's STEWARD_HOME
    first = _write(steward_home, "leads", D1, 10)
    measure_footprint(registry, D1, warehouse=warehouse, run_id="r1")
    second = _write(steward_home, "leads", D2, 1000)
    measure_footprint(registry, D2, warehouse=warehouse, run_id="r2")
    measure_footprint(registry, D2, warehouse=warehouse, run_id="r2")  # a rerun: same rows

    trend = footprint_trend(warehouse, dataset="leads")
    assert [(r["snapshot_date"], r["partitions"], r["files"], r["bytes"]) for r in trend] == [
        (D1, 1, 1, first),
        (D2, 2, 2, first + second),
    ]
    assert [r["bytes_change"] for r in trend] == [None, second]
    assert [r["partitions_change"] for r in trend] == [None, 1]
    empty = footprint_trend(warehouse, dataset="loan_applications")
    assert [(r["partitions"], r["bytes"]) for r in empty] == [(0, 0), (0, 0)]
    counted = warehouse.fetch(
        "select count(*) as n from storage_footprint where snapshot_date = :d", {"d": D2}
    )
    file_datasets = [d for d in registry.datasets if d.source.path is not None]
    assert counted == [{"n": len(file_datasets)}]


def test_the_cli_measures_and_shows_the_trend(
    steward_home: Path, duckdb_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from steward.cli import main

    size = _write(steward_home, "leads", D1, 10)
    assert main(["footprint", "--date", "2026-11-01", "--dataset", "leads", "--url", duckdb_url]) == 0
    header, _, row = capsys.readouterr().out.splitlines()
    assert header.split() == [
        "snapshot_date",
        "dataset",
        "partitions",
        "files",
        "bytes",
        "bytes_change",
        "partitions_change",
    ]
    assert row.split() == ["2026-11-01", "leads", "1", "1", str(size)]
