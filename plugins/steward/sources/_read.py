"""Read one partition of a registered dataset, with errors that say what to do.

Sources are local files or globs (Parquet, CSV), ``s3://`` URIs (read through boto3, so
credentials come from the environment or the Airflow connection the caller resolved), or
warehouse tables. A partition is selected by the ``{date}`` placeholder in the path, or by
filtering ``partition_column`` on the date.
"""

from __future__ import annotations

import datetime as dt
import glob
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from steward._tracking import group_by_day, note_read

if TYPE_CHECKING:
    from steward.registry import Dataset
    from steward.warehouse import Warehouse

__all__ = [
    "Partition",
    "SourceError",
    "matching_files",
    "partition_days",
    "partition_files",
    "read_partition",
]

log = logging.getLogger(__name__)


class SourceError(ValueError):
    """A dataset's partition cannot be read; the message names the dataset, partition, file and fix.

    ``kind`` is one of ``missing``, ``empty``, ``corrupt``, ``schema``, ``config``.
    """

    def __init__(self, dataset: str, partition: str, kind: str, message: str):
        self.dataset = dataset
        self.partition = partition
        self.kind = kind
        super().__init__(f"dataset {dataset!r}, partition {partition}: {message}")


@dataclass
class Partition:
    """The rows of one partition and where they came from."""

    dataset: str
    partition: str
    table: pa.Table
    files: list[str] = field(default_factory=list)

    @property
    def num_rows(self) -> int:
        """Number of rows read."""
        return self.table.num_rows


def _label(day: dt.date | None) -> str:
    return day.isoformat() if day else "(whole dataset)"


def partition_files(dataset: Dataset, day: dt.date | None) -> list[str]:
    """Return the files holding ``dataset``'s partition for ``day`` (all files when ``day`` is None).

    The files are noted as read by the current task (:mod:`steward._tracking`: lineage and access
    history); :func:`matching_files` lists them without that.

    Raises
    ------
    SourceError
        No file matches (kind ``missing``).
    """
    files = matching_files(dataset, day)
    note_read(dataset.name, day, files, pattern=_expanded_path(dataset))
    return files


def _expanded_path(dataset: Dataset) -> str:
    source = str(dataset.source.path)
    return source if "://" in source else str(Path(source).expanduser())


def partition_days(dataset: Dataset) -> dict[dt.date, list[str]]:
    """Return every partition of a ``{date}``-partitioned file dataset: day -> its files (unnoted).

    Empty when the dataset is not partitioned by path or has no file yet.
    """
    if not dataset.source.partitioned_by_path:
        return {}
    try:
        files = matching_files(dataset, None)
    except SourceError:
        return {}
    groups = group_by_day(_expanded_path(dataset), files)
    return {dt.date.fromisoformat(day): sorted(fs) for day, fs in sorted(groups.items()) if day != "*"}


def matching_files(dataset: Dataset, day: dt.date | None) -> list[str]:
    """Return the files of ``dataset``'s partition for ``day``, as :func:`partition_files`, unnoted."""
    pattern = dataset.source.path
    if pattern is None:
        return []
    if "{date}" in pattern:
        if day is None:
            pattern = pattern.replace("{date}", "*")
        else:
            pattern = pattern.replace("{date}", day.isoformat())
    if pattern.startswith("s3://"):
        files = _s3_list(pattern)
    else:
        files = sorted(glob.glob(str(Path(pattern).expanduser())))
        files = [f for f in files if Path(f).is_file()]
    if not files:
        raise SourceError(
            dataset.name,
            _label(day),
            "missing",
            f"no file matches {pattern!r}: the partition has not landed yet, or source.path in the "
            "registry is wrong (check the folder and the {date} placeholder)",
        )
    return files


def _s3_split(uri: str) -> tuple[str, str]:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


def _s3_list(pattern: str) -> list[str]:
    import fnmatch

    import boto3

    bucket, key_pattern = _s3_split(pattern)
    prefix = key_pattern.split("*", 1)[0].split("?", 1)[0]
    client = boto3.client("s3")
    keys: list[str] = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.extend(o["Key"] for o in page.get("Contents", []) if fnmatch.fnmatchcase(o["Key"], key_pattern))
    return [f"s3://{bucket}/{k}" for k in sorted(keys)]


def _open(file: str) -> Any:
    if file.startswith("s3://"):
        import boto3

        bucket, key = _s3_split(file)
        body = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
        return io.BytesIO(body)
    return file


def _read_file(dataset: Dataset, label: str, file: str) -> pa.Table:
    fmt = dataset.source.format
    try:
        src = _open(file)
        if fmt == "parquet":
            return pq.read_table(src)
        return pacsv.read_csv(src)
    except pa.ArrowInvalid as exc:
        text = str(exc)
        if fmt == "csv" and "Empty CSV file" in text:
            raise SourceError(
                dataset.name, label, "empty", f"file {file} is empty: re-export it or remove it"
            ) from exc
        raise SourceError(
            dataset.name,
            label,
            "corrupt",
            f"file {file} is not a readable {fmt} file ({text.splitlines()[0]}): re-export it, or move it "
            "out of the partition folder and rerun",
        ) from exc
    except OSError as exc:
        raise SourceError(dataset.name, label, "corrupt", f"cannot read file {file}: {exc}") from exc


def _concat(dataset: Dataset, label: str, tables: Sequence[pa.Table], files: Sequence[str]) -> pa.Table:
    first = tables[0].schema
    for t, f in zip(tables[1:], files[1:], strict=True):
        if t.schema.names != first.names:
            raise SourceError(
                dataset.name,
                label,
                "schema",
                f"file {f} has columns {t.schema.names} but {files[0]} has {first.names}: "
                "all files of a partition must share one schema",
            )
    try:
        return pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise SourceError(
            dataset.name, label, "schema", f"files {list(files)} have incompatible column types: {exc}"
        ) from exc


def read_partition(dataset: Dataset, day: dt.date | None, *, warehouse: Warehouse | None = None) -> Partition:
    """Read ``dataset``'s partition for ``day`` (or the whole dataset when ``day`` is None).

    Parameters
    ----------
    dataset
        The registered dataset.
    day
        The partition date; None reads every file (snapshots, one-off audits).
    warehouse
        Needed only for ``source.table`` datasets.

    Raises
    ------
    SourceError
        Missing partition, empty or corrupt file, inconsistent schemas, or a missing partition column.

    Examples
    --------
    >>> part = read_partition(registry.dataset("leads"), dt.date(2026, 11, 4))  # doctest: +SKIP
    >>> part.num_rows  # doctest: +SKIP
    2000
    """
    label = _label(day)
    if dataset.source.table is not None:
        return _read_table(dataset, day, warehouse)
    files = partition_files(dataset, day)
    tables = [_read_file(dataset, label, f) for f in files]
    table = _concat(dataset, label, tables, files)
    filter_col = dataset.partition_column if not dataset.source.partitioned_by_path else None
    if day is not None and filter_col is not None:
        if filter_col not in table.column_names:
            raise SourceError(
                dataset.name,
                label,
                "schema",
                f"partition column {filter_col!r} is missing from {files}: columns present are "
                f"{table.column_names}; fix partition_column in the registry",
            )
        column = table[filter_col]
        if pa.types.is_timestamp(column.type):
            column = pc.cast(column, pa.date32())
        elif pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            column = pc.cast(pc.utf8_slice_codeunits(column, 0, 10), pa.string())
            table = table.filter(pc.equal(column, day.isoformat()))
            column = None
        if column is not None:
            table = table.filter(pc.equal(column, pa.scalar(day, pa.date32())))
    if table.num_rows == 0:
        raise SourceError(
            dataset.name,
            label,
            "empty",
            f"no rows in {files}"
            + (f" for {filter_col} = {label}" if filter_col and day else "")
            + ": the export is empty or incomplete; rerun the export, then this task",
        )
    log.info(
        "dataset %s partition %s: %d rows from %d file(s)", dataset.name, label, table.num_rows, len(files)
    )
    return Partition(dataset.name, label, table, list(files))


def _read_table(dataset: Dataset, day: dt.date | None, warehouse: Warehouse | None) -> Partition:
    label = _label(day)
    if warehouse is None:
        raise SourceError(dataset.name, label, "config", "a warehouse connection is needed to read a table")
    table_name = dataset.source.table
    assert table_name is not None
    if not warehouse.table_exists(table_name):
        raise SourceError(
            dataset.name, label, "missing", f"warehouse table {table_name!r} does not exist ({warehouse.url})"
        )
    if day is None or dataset.partition_column is None:
        data = warehouse.fetch_arrow(f'select * from "{table_name}"')
    else:
        data = warehouse.fetch_arrow(
            f'select * from "{table_name}" where cast("{dataset.partition_column}" as date) = :day',
            {"day": day},
        )
    if data.num_rows == 0:
        raise SourceError(
            dataset.name, label, "empty", f"warehouse table {table_name!r} has no rows for {label}"
        )
    note_read(dataset.name, day, [f"table:{table_name}"])
    return Partition(dataset.name, label, data, [f"table:{table_name}"])
