"""Reading partitions: the happy paths and every kind of bad input, with the message a user sees."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from moto import mock_aws

from steward.registry import Dataset
from steward.sources import SourceError, partition_files, read_partition

DAY = dt.date(2026, 11, 4)


def _dataset(path: str, **extra: object) -> Dataset:
    return Dataset.model_validate({"name": "leads", "source": {"path": path}, "owner": "team", **extra})


def _write(path: Path, table: pa.Table) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return path


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    table = pa.table({"lead_id": [1, 2, 3], "score": [0.1, 0.5, 0.9]})
    _write(tmp_path / "leads" / f"date={DAY}" / "part-0.parquet", table)
    _write(tmp_path / "leads" / f"date={DAY}" / "part-1.parquet", table.slice(0, 1))
    return tmp_path


def test_reads_every_file_of_the_partition(lake: Path) -> None:
    ds = _dataset(f"{lake}/leads/date={{date}}/*.parquet")
    part = read_partition(ds, DAY)
    assert part.num_rows == 4
    assert [Path(f).name for f in part.files] == ["part-0.parquet", "part-1.parquet"]
    assert part.table.column_names == ["lead_id", "score"]


def test_missing_partition_names_dataset_partition_pattern_and_fix(lake: Path) -> None:
    ds = _dataset(f"{lake}/leads/date={{date}}/*.parquet")
    with pytest.raises(SourceError) as err:
        read_partition(ds, dt.date(2026, 11, 5))
    assert err.value.kind == "missing"
    msg = str(err.value)
    assert "'leads'" in msg and "2026-11-05" in msg and "date=2026-11-05" in msg
    assert "has not landed" in msg


def test_corrupt_parquet_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "leads" / f"date={DAY}" / "part-0.parquet"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"PAR1 this is not parquet at all")
    with pytest.raises(SourceError) as err:
        read_partition(_dataset(f"{tmp_path}/leads/date={{date}}/*.parquet"), DAY)
    assert err.value.kind == "corrupt"
    assert str(bad) in str(err.value) and "re-export" in str(err.value)


def test_parquet_with_zero_rows_is_empty(tmp_path: Path) -> None:
    _write(tmp_path / "leads" / f"date={DAY}" / "p.parquet", pa.table({"lead_id": pa.array([], pa.int64())}))
    with pytest.raises(SourceError) as err:
        read_partition(_dataset(f"{tmp_path}/leads/date={{date}}/*.parquet"), DAY)
    assert err.value.kind == "empty"


def test_empty_csv_file(tmp_path: Path) -> None:
    f = tmp_path / f"leads_{DAY}.csv"
    f.write_text("")
    with pytest.raises(SourceError) as err:
        read_partition(_dataset(f"{tmp_path}/leads_{{date}}.csv"), DAY)
    assert err.value.kind == "empty"
    assert str(f) in str(err.value)


def test_csv_filtered_by_partition_column(tmp_path: Path) -> None:
    f = tmp_path / "decisions.csv"
    f.write_text("id,decided_on,approved\n1,2026-11-03,1\n2,2026-11-04,0\n3,2026-11-04,1\n")
    ds = _dataset(str(f), partition_column="decided_on")
    part = read_partition(ds, DAY)
    assert part.table.column("id").to_pylist() == [2, 3]


def test_timestamp_partition_column(tmp_path: Path) -> None:
    ts = [dt.datetime(2026, 11, 3, 23, 59, tzinfo=dt.UTC), dt.datetime(2026, 11, 4, 0, 1, tzinfo=dt.UTC)]
    _write(tmp_path / "log.parquet", pa.table({"id": [1, 2], "scored_at": ts}))
    part = read_partition(_dataset(str(tmp_path / "log.parquet"), partition_column="scored_at"), DAY)
    assert part.table.column("id").to_pylist() == [2]


def test_missing_partition_column_is_a_schema_error(tmp_path: Path) -> None:
    _write(tmp_path / "log.parquet", pa.table({"id": [1]}))
    with pytest.raises(SourceError) as err:
        read_partition(_dataset(str(tmp_path / "log.parquet"), partition_column="scored_at"), DAY)
    assert err.value.kind == "schema"
    assert "'scored_at'" in str(err.value) and "['id']" in str(err.value)


def test_files_with_different_columns_are_refused(tmp_path: Path) -> None:
    _write(tmp_path / "leads" / f"date={DAY}" / "a.parquet", pa.table({"lead_id": [1], "score": [0.5]}))
    _write(tmp_path / "leads" / f"date={DAY}" / "b.parquet", pa.table({"lead_id": [2], "scor": [0.5]}))
    with pytest.raises(SourceError) as err:
        read_partition(_dataset(f"{tmp_path}/leads/date={{date}}/*.parquet"), DAY)
    assert err.value.kind == "schema"
    assert "b.parquet" in str(err.value)


def test_snapshot_reads_whole_dataset(tmp_path: Path) -> None:
    _write(tmp_path / "train" / "snapshot=v1" / "part-0.parquet", pa.table({"x": [1, 2, 3]}))
    ds = _dataset(f"{tmp_path}/train/snapshot=v1/*.parquet", cadence="snapshot")
    assert read_partition(ds, None).num_rows == 3


@mock_aws
def test_s3_partition_through_boto3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="lake")
    sink = pa.BufferOutputStream()
    pq.write_table(pa.table({"lead_id": [7, 8]}), sink)
    s3.put_object(Bucket="lake", Key=f"leads/date={DAY}/part-0.parquet", Body=sink.getvalue().to_pybytes())
    s3.put_object(Bucket="lake", Key="leads/date=2026-11-05/part-0.parquet", Body=b"other day")
    ds = _dataset("s3://lake/leads/date={date}/*.parquet")
    assert partition_files(ds, DAY) == [f"s3://lake/leads/date={DAY}/part-0.parquet"]
    assert read_partition(ds, DAY).table.column("lead_id").to_pylist() == [7, 8]
    with pytest.raises(SourceError, match="has not landed"):
        read_partition(ds, dt.date(2026, 11, 6))
