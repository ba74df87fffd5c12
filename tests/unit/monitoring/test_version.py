"""Every metric row names the model version that scored its window (the window's majority version)."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from steward.demo import DEMO_START, generate
from steward.monitoring import monitor_night, scan_engine
from steward.monitoring._relation import Relation
from steward.monitoring._version import majority_versions, stamp_version, window_versions
from steward.registry import load_registry
from steward.warehouse import Warehouse, connect
from tests.unit.monitoring.data_for_test import model

D1, D2 = dt.date(2026, 11, 5), dt.date(2026, 11, 6)
DATASETS = ["credit_risk_training", "credit_risk_predictions", "credit_risk_labels"]


def test_the_majority_wins_and_ties_go_to_the_latest_then_the_higher_version(
    caplog: pytest.LogCaptureFixture,
) -> None:
    t = dt.datetime(2026, 11, 5, 12)
    counts = [
        {"window_date": D1, "version": "1.0", "n": 60, "last": t},
        {"window_date": D1, "version": "1.1", "n": 40, "last": t + dt.timedelta(hours=5)},
        {"window_date": D2, "version": "1.0", "n": 50, "last": t + dt.timedelta(days=1, hours=9)},
        {"window_date": D2, "version": "1.1", "n": 50, "last": t + dt.timedelta(days=1)},
        {"window_date": dt.date(2026, 11, 7), "version": "a", "n": 5, "last": t},
        {"window_date": dt.date(2026, 11, 7), "version": "b", "n": 5, "last": t},
    ]
    with caplog.at_level(logging.INFO):
        assert majority_versions(counts, model="m") == {D1: "1.0", D2: "1.0", dt.date(2026, 11, 7): "b"}
    assert "m window 2026-11-05 mixes model versions (1.0 60%, 1.1 40%): its rows carry 1.0" in caplog.text


def _relation(rows: dict[str, list[object]], folder: Path) -> Relation:
    """A prediction log in a Parquet file, read by a scan engine with its window column."""
    pq.write_table(pa.table(rows), folder / "log.parquet")
    sql = f"select cast(day as date) as steward_window, * from read_parquet('{folder / 'log.parquet'}')"
    return Relation(sql, scan_engine())


def test_window_versions_from_the_default_column_or_the_declared_role(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    rows = {
        "day": [D1] * 3 + [D2] * 3,
        "scored_at": [dt.datetime(2026, 11, 5, h) for h in range(3)]
        + [dt.datetime(2026, 11, 6, h) for h in range(3)],
        "model_version": ["1.0", "1.1", "1.1", "1.1", None, None],
        "release": ["r7"] * 6,
    }
    relation = _relation(rows, tmp_path)
    assert window_versions(model(), relation) == {D1: "1.1", D2: "1.1"}  # NULL versions are not counted
    declared = model().model_copy(
        update={"columns": model().columns.model_copy(update={"version": "release"})}
    )
    assert window_versions(declared, relation) == {D1: "r7", D2: "r7"}
    missing = model().model_copy(update={"columns": model().columns.model_copy(update={"version": "build"})})
    with caplog.at_level(logging.WARNING):
        assert window_versions(missing, relation) == {}
    assert "columns.version 'build' is not in the prediction log" in caplog.text
    (tmp_path / "other").mkdir()
    no_column = _relation({k: v for k, v in rows.items() if k != "model_version"}, tmp_path / "other")
    assert window_versions(model(), no_column) == {}


def test_window_versions_read_a_warehouse_table(warehouse: Warehouse) -> None:
    warehouse.execute("create table scored (day date, scored_at timestamp, model_version text)")
    for day, hour, version in [(D1, 1, "1.0"), (D1, 2, "1.1"), (D1, 3, "1.1"), (D2, 1, "1.0")]:
        warehouse.execute(
            "insert into scored values (:d, :t, :v)",
            {"d": day, "t": dt.datetime.combine(day, dt.time(hour)), "v": version},
        )
    relation = Relation("select day as steward_window, s.* from scored as s", warehouse)
    assert window_versions(model(), relation) == {D1: "1.1", D2: "1.0"}


def test_stamp_version_sets_the_column_on_one_table_only() -> None:
    writes = [
        ("fairness_metrics", {"model": "m"}, pa.table({"metric": ["x", "y"]})),
        ("fairness_group_counts", {"model": "m"}, [{"n": 1}]),
    ]
    stamped = stamp_version(writes, "fairness_metrics", "2.0")
    assert stamped[0][2].column("model_version").to_pylist() == ["2.0", "2.0"]
    assert stamped[1][2] == [{"n": 1}]


def test_a_night_writes_the_log_version_on_every_metric_table(steward_home: Path, tmp_path: Path) -> None:
    generate(steward_home, datasets=DATASETS, days=2)
    # the second day mixes a canary: 60% of its rows come from 1.9.0, which is then the window's version
    day2 = next(
        (steward_home / "lake" / "credit_risk_predictions").glob(
            f"date={DEMO_START + dt.timedelta(days=1)}/*.parquet"
        )
    )
    table = pq.read_table(day2)
    n = table.num_rows
    canary = pa.array(["1.9.0" if i < round(0.6 * n) else "1.8.2" for i in range(n)])
    pq.write_table(
        table.set_column(table.schema.get_field_index("model_version"), "model_version", canary), day2
    )
    assert pc.count_distinct(canary).as_py() == 2

    registry = load_registry()
    credit = registry.model("credit_risk")
    with connect(f"duckdb:///{tmp_path / 'wh.duckdb'}") as wh:
        wh.migrate()
        for i in range(2):
            monitor_night(
                credit,
                DEMO_START + dt.timedelta(days=i),
                registry=registry,
                warehouse=wh,
                run_id="r",
                write_report=False,
            )
        got = {
            table: {
                (r["window_date"], r["model_version"])
                for r in wh.fetch(
                    f"select distinct window_date, model_version from {table} where model = 'credit_risk'"
                )
            }
            for table in ("drift_metrics", "model_performance", "fairness_metrics")
        }
    expected = {(DEMO_START, "1.8.2"), (DEMO_START + dt.timedelta(days=1), "1.9.0")}
    assert got["drift_metrics"] == expected
    assert got["fairness_metrics"] == expected  # the first window re-evaluated on night two keeps 1.8.2
    assert got["model_performance"] <= expected and got["model_performance"]
