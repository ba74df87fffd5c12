"""Storage footprint: bytes, files and partitions per dataset each night, and its trend.

:func:`measure_footprint` lists each file dataset's files (local files are sized on disk, ``s3://``
objects through the listing) and replaces that night's ``storage_footprint`` rows; :func:`footprint_trend`
returns every snapshot with its change against the dataset's previous one
(``include/sql/governance/select_footprint_trend.sql``). Warehouse-table datasets are not measured.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING

from steward.sources import SourceError, matching_files, partition_days
from steward.warehouse import read_sql

if TYPE_CHECKING:
    from steward.registry import Dataset, Registry
    from steward.warehouse import Warehouse

__all__ = ["footprint_trend", "measure_footprint"]


def _size(file: str) -> int:
    if "://" not in file:
        return os.path.getsize(file)
    import boto3

    bucket, _, key = file.removeprefix("s3://").partition("/")
    return int(boto3.client("s3").head_object(Bucket=bucket, Key=key)["ContentLength"])


def _measure(ds: Dataset) -> dict[str, object] | None:
    if ds.source.path is None:
        return None
    try:
        files = matching_files(ds, None)
    except SourceError:
        files = []
    days = partition_days(ds)
    return {
        "dataset": ds.name,
        "partitions": len(days) if ds.source.partitioned_by_path else (1 if files else 0),
        "files": len(files),
        "bytes": sum(_size(f) for f in files),
    }


def measure_footprint(
    registry: Registry, day: dt.date, *, warehouse: Warehouse, run_id: str, now: dt.datetime | None = None
) -> list[dict[str, object]]:
    """Measure every file dataset and replace the ``storage_footprint`` rows of ``day``; return them.

    Examples
    --------
    >>> rows = measure_footprint(registry, dt.date(2026, 11, 14), warehouse=wh, run_id="r1")  # doctest: +SKIP
    >>> rows[0]["dataset"], rows[0]["partitions"]  # doctest: +SKIP
    ('leads', 14)
    """
    stamp = now or dt.datetime.now(dt.UTC)
    rows = [
        m | {"run_id": run_id, "measured_at": stamp}
        for ds in registry.datasets
        if (m := _measure(ds)) is not None
    ]
    warehouse.replace_partition("storage_footprint", {"snapshot_date": day}, rows)
    return rows


def footprint_trend(warehouse: Warehouse, *, dataset: str | None = None) -> list[dict[str, object]]:
    """Return every snapshot (oldest first per dataset) with ``bytes_change`` and ``partitions_change``."""
    rows = warehouse.fetch(read_sql("governance/select_footprint_trend.sql"))
    return [r for r in rows if dataset is None or r["dataset"] == dataset]
