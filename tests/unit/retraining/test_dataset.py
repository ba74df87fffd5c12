"""Training set assembly: declared windows, labels joined, holdout split, quarantine excluded, fingerprint."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from steward.registry import load_registry
from steward.retraining import RetrainingError, assemble_training_set
from steward.warehouse import Warehouse, connect
from tests.unit.retraining.data_for_test import day, registry_yaml, write_lake


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    root = tmp_path / "lake"
    write_lake(root, nights=10, rows=200)
    (tmp_path / "governance.yaml").write_text(registry_yaml(root))
    return tmp_path


def _quarantine(wh: Warehouse, dataset: str, d: dt.date) -> None:
    wh.execute(
        "insert into quarantine (dataset, partition_date, run_id, reason, quarantined_at) "
        "values (:ds, :d, 'dq-1', 'suite failed', current_timestamp)",
        {"ds": dataset, "d": d},
    )


def test_windows_labels_and_holdout(lake: Path, duckdb_url: str) -> None:
    registry = load_registry(lake / "governance.yaml")
    with connect(duckdb_url) as wh:
        wh.migrate()
        ts = assemble_training_set(wh, registry, "toy", day(9))
    # night day(9): labels of day(0)..day(8) have arrived (one day late), day(9)'s have not
    assert ts.holdout_days == [day(6), day(7), day(8)]
    assert ts.holdout.num_rows == 3 * 200 and ts.train.num_rows == 6 * 200
    assert sorted(set(ts.train.column("steward_window").to_pylist())) == [day(i) for i in range(6)]
    # the labels are the files' labels, joined by id
    truth = pq.read_table(lake / "lake" / "labels" / f"date={day(7)}" / "part-0.parquet")
    expected = dict(zip(truth.column("id").to_pylist(), truth.column("label").to_pylist(), strict=True))
    got = ts.holdout.filter(pc.equal(ts.holdout.column("steward_window"), pa.scalar(day(6), pa.date32())))
    pairs = zip(got.column("id").to_pylist(), got.column("label").to_pylist(), strict=True)
    assert dict(pairs) == expected
    assert {"x1", "x2", "segment", "sex", "score", "predicted_label", "label"} <= set(ts.train.column_names)
    roles = {w["role"]: w for w in ts.windows}
    assert roles["holdout"]["start"] == day(6).isoformat() and roles["train"]["end"] == day(5).isoformat()


def test_quarantined_partitions_are_excluded_and_change_the_fingerprint(lake: Path, duckdb_url: str) -> None:
    registry = load_registry(lake / "governance.yaml")
    with connect(duckdb_url) as wh:
        wh.migrate()
        before = assemble_training_set(wh, registry, "toy", day(9))
        again = assemble_training_set(wh, registry, "toy", day(9))
        _quarantine(wh, "toy_predictions", day(2))
        after = assemble_training_set(wh, registry, "toy", day(9))
    assert before.fingerprint == again.fingerprint and len(before.fingerprint) == 64
    assert after.fingerprint != before.fingerprint
    assert day(2) not in set(after.train.column("steward_window").to_pylist())
    assert after.train.num_rows == before.train.num_rows - 200
    train = next(w for w in after.windows if w["role"] == "train")
    assert train["excluded_quarantined"] == [day(2).isoformat()]


def test_fingerprint_follows_the_bytes_not_the_paths(tmp_path: Path, duckdb_url: str) -> None:
    prints = []
    for name in ("one", "two"):
        root = tmp_path / name
        write_lake(root, nights=6, rows=50)
        (tmp_path / f"{name}.yaml").write_text(registry_yaml(root))
        with connect(duckdb_url) as wh:
            wh.migrate()
            prints.append(assemble_training_set(wh, load_registry(tmp_path / f"{name}.yaml"), "toy", day(5)))
    assert prints[0].fingerprint == prints[1].fingerprint
    write_lake(tmp_path / "two", nights=6, rows=51)  # one more row a day: other bytes
    with connect(duckdb_url) as wh:
        changed = assemble_training_set(wh, load_registry(tmp_path / "two.yaml"), "toy", day(5))
    assert changed.fingerprint != prints[0].fingerprint


def test_too_few_labelled_days_is_a_clear_error(lake: Path, duckdb_url: str) -> None:
    registry = load_registry(lake / "governance.yaml")
    with connect(duckdb_url) as wh:
        wh.migrate()
        with pytest.raises(RetrainingError, match=r"model 'toy'.*3 labelled day\(s\).*holdout_days \(3\)"):
            assemble_training_set(wh, registry, "toy", day(3))


@pytest.mark.postgres
def test_reader_on_postgres_tables(tmp_path: Path, pg_url: str) -> None:
    """Both datasets stored as Postgres tables: the same SQL joins and splits them in the warehouse."""
    root = tmp_path / "lake"
    write_lake(root, nights=6, rows=40)
    text = registry_yaml(root)
    text = text.replace(
        f'source: {{path: "{root}/preds/date={{date}}/*.parquet"}}', "source: {table: toy_log}"
    )
    text = text.replace(
        f'source: {{path: "{root}/labels/date={{date}}/*.parquet"}}', "source: {table: toy_lab}"
    )
    (tmp_path / "g.yaml").write_text(text)
    registry = load_registry(tmp_path / "g.yaml")
    logs = pa.concat_tables(pq.read_table(f) for f in sorted((root / "preds").glob("*/*.parquet")))
    labels = pa.concat_tables(pq.read_table(f) for f in sorted((root / "labels").glob("*/*.parquet")))
    with connect(pg_url) as wh:
        wh.migrate()
        wh.execute(
            "create table toy_log (id text, scored_at timestamp, event_date date, x1 double precision, "
            "x2 double precision, segment text, sex text, score double precision, predicted_label integer, "
            "model_version text)"
        )
        wh.execute("create table toy_lab (id text, label integer, event_date date)")
        for table, rows in (("toy_log", logs), ("toy_lab", labels)):
            for d in sorted(set(rows.column("event_date").to_pylist())):
                part = rows.filter(pc.equal(rows.column("event_date"), pa.scalar(d, pa.date32())))
                wh.replace_partition(table, {"event_date": d}, part)
        ts = assemble_training_set(wh, registry, "toy", day(5))
        _quarantine(wh, "toy_predictions", day(1))
        skipped = assemble_training_set(wh, registry, "toy", day(5))
    assert ts.holdout_days == [day(2), day(3), day(4)]
    assert ts.train.num_rows == 2 * 40 and ts.holdout.num_rows == 3 * 40
    assert ts.holdout.column("label").to_pylist() == [
        y
        for d, y in zip(
            labels.column("event_date").to_pylist(), labels.column("label").to_pylist(), strict=True
        )
        if day(3) <= d <= day(5)
    ]
    assert skipped.train.num_rows == 40 and skipped.fingerprint != ts.fingerprint
