"""Lineage edges and access history on both backends: noted at the plumbing level (the source reader,
the warehouse write), stored per (run, task) idempotently, and queried by model and by partition."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from steward._tracking import Tracker, fingerprint, tracking
from steward.governance import Affected, affected_by_partition, model_lineage, record_lineage
from steward.lifecycle import ModelVersion, register_version
from steward.registry import Dataset, load_registry
from steward.sources import partition_files
from steward.warehouse import Warehouse

DAY = dt.date(2026, 11, 4)
NOW = dt.datetime(2026, 11, 5, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def predictions(tmp_path: Path) -> Dataset:
    """The registry's lead_scoring prediction log, pointed at a two-day lake in ``tmp_path``."""
    for day in (DAY - dt.timedelta(days=1), DAY):
        folder = tmp_path / "lake" / f"date={day}"
        folder.mkdir(parents=True)
        pq.write_table(pa.table({"lead_id": [1, 2], "event_date": [day, day]}), folder / "part-0.parquet")
    ds = load_registry(check_suites=False).dataset("lead_scoring_predictions")
    source = ds.source.model_copy(update={"path": str(tmp_path / "lake" / "date={date}" / "*.parquet")})
    return ds.model_copy(update={"source": source})


def _review_rows(model: str) -> list[dict[str, object]]:
    return [
        {
            "model": model,
            "window_date": DAY,
            "segment_feature": "channel",
            "segment_value": "web",
            "n": 2,
            "n_low_confidence": 1,
            "low_confidence_share": 0.5,
            "overall_share": 0.5,
            "run_id": "r1",
            "computed_at": NOW,
        }
    ]


def _task(wh: Warehouse, ds: Dataset, model: str = "lead_scoring") -> tuple[Tracker, list[str]]:
    """Do what a monitoring task does, as lineage sees it: read partitions, replace a model's partition."""
    with tracking() as tracker:
        files = partition_files(ds, DAY)
        partition_files(ds, None)  # the whole log, e.g. a reference window: both partitions
        wh.replace_partition("review_queue", {"model": model, "window_date": DAY}, _review_rows(model))
    return tracker, files


def _edges(wh: Warehouse) -> list[tuple[object, ...]]:
    rows = wh.fetch(
        "select source_name, source_partition, source_fingerprint, target_name, target_partition "
        "from lineage_edges order by source_partition desc"
    )
    return [tuple(r.values()) for r in rows]


def test_each_read_partition_links_to_each_written_partition(
    warehouse: Warehouse, predictions: Dataset
) -> None:
    tracker, files = _task(warehouse, predictions)
    assert record_lineage(warehouse, tracker, run_id="run1", task="mon.monitor", actor="airflow:m") == 2
    target = "model=lead_scoring,window_date=2026-11-04"
    day_before = partition_files(predictions, DAY - dt.timedelta(days=1))
    assert _edges(warehouse) == [
        ("lead_scoring_predictions", "2026-11-04", fingerprint(files), "review_queue", target),
        ("lead_scoring_predictions", "2026-11-03", fingerprint(day_before), "review_queue", target),
    ]
    access = warehouse.fetch("select actor, dataset, partition_label, files from dataset_access order by 3")
    assert [tuple(r.values()) for r in access] == [
        ("airflow:m", "lead_scoring_predictions", "2026-11-03", 1),
        ("airflow:m", "lead_scoring_predictions", "2026-11-04", 1),
    ]


def test_a_rerun_of_the_task_writes_the_same_rows(warehouse: Warehouse, predictions: Dataset) -> None:
    tracker, _ = _task(warehouse, predictions)
    for _ in range(2):
        record_lineage(warehouse, tracker, run_id="run1", task="t", actor="a", now=NOW)
    assert len(_edges(warehouse)) == 2
    assert warehouse.fetch("select count(*) as n from dataset_access") == [{"n": 2}]
    other, _ = _task(warehouse, predictions)
    record_lineage(warehouse, other, run_id="run2", task="t", actor="a", now=NOW)  # another run adds its own
    assert len(_edges(warehouse)) == 4


def test_a_task_that_read_and_wrote_nothing_stores_nothing(warehouse: Warehouse) -> None:
    assert record_lineage(warehouse, Tracker(), run_id="r", task="t", actor="a") == 0
    assert warehouse.fetch("select count(*) as n from lineage_edges") == [{"n": 0}]


def test_which_partitions_and_code_produced_a_model_and_its_versions(
    warehouse: Warehouse, predictions: Dataset
) -> None:
    tracker, _ = _task(warehouse, predictions)
    record_lineage(warehouse, tracker, run_id="run1", task="monitor", actor="a", now=NOW)
    other, _ = _task(warehouse, predictions, model="lead_scoring_v2")  # a longer name: not this model
    record_lineage(warehouse, other, run_id="run9", task="monitor", actor="a", now=NOW)
    rows = model_lineage(warehouse, "lead_scoring")
    assert {(r["produced"], r["partition_label"], r["run_id"]) for r in rows} == {
        ("monitoring", "2026-11-04", "run1"),
        ("monitoring", "2026-11-03", "run1"),
    }
    assert {r["code_version"] for r in rows} == {"steward 0.1.0"}
    # the model registry: a version names the run that trained it
    register_version(
        warehouse, ModelVersion("lead_scoring", "v2", run_id="train1"), actor="a", reason="trained"
    )
    with tracking() as training:
        partition_files(predictions, DAY - dt.timedelta(days=1))
    record_lineage(warehouse, training, run_id="train1", task="retrain", actor="a", now=NOW)
    versions = [r for r in model_lineage(warehouse, "lead_scoring") if r["produced"] == "model_version"]
    assert [(r["model_version"], r["dataset"], r["partition_label"]) for r in versions] == [
        ("v2", "lead_scoring_predictions", "2026-11-03")
    ]


def test_which_models_a_quarantined_partition_affects(warehouse: Warehouse, predictions: Dataset) -> None:
    registry = load_registry(check_suites=False)
    tracker, _ = _task(warehouse, predictions)
    record_lineage(warehouse, tracker, run_id="run1", task="monitor", actor="a", now=NOW)
    assert affected_by_partition(warehouse, "lead_scoring_predictions", DAY, registry=registry) == [
        Affected("lead_scoring", "recorded", ("review_queue",))
    ]
    # nothing has read credit_risk's log yet: the registry still says which model depends on it
    assert affected_by_partition(warehouse, "credit_risk_predictions", DAY, registry=registry) == [
        Affected("credit_risk", "declared")
    ]
    assert affected_by_partition(warehouse, "lead_scoring_predictions", DAY + dt.timedelta(days=9)) == []
