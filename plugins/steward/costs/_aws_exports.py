"""AWS Data Exports in S3: CUR 2.0 or FOCUS 1.2 Parquet files under ``s3://bucket/prefix``.

Exports write ``.../data/BILLING_PERIOD=YYYY-MM/*.parquet`` and rewrite a period's files when AWS
restates it. Each run lists the requested periods' objects and compares (key, ETag) with what was
loaded last time (table ``cost_source_files``); only periods whose files changed are downloaded and
normalized. The new file list is written in the same transaction as the period's cost lines.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from steward.costs._engine import CostSourceError, NormalizeEngine
from steward.costs._retry import PageGuard, with_backoff
from steward.registry._cost_sources import AwsDataExportsSource
from steward.warehouse import Warehouse

__all__ = ["MANIFEST_TABLE", "list_export_objects", "load_data_exports"]

#: Where the loaded file list per source and billing period is kept.
MANIFEST_TABLE = "cost_source_files"
_PERIOD_RE = re.compile(r"(?:^|/)BILLING_PERIOD=(\d{4})-(\d{2})(?:/|$)")


def list_export_objects(
    client: Any, *, bucket: str, prefix: str, what: str, guard: PageGuard | None = None
) -> dict[date, list[dict[str, Any]]]:
    """Return the export's Parquet objects per billing period (``BILLING_PERIOD=YYYY-MM`` in the key).

    ``list_objects_v2`` pages are followed (``NextContinuationToken``) within ``guard`` (default: the
    default page and time limits), each page retried with backoff when throttled.

    Examples
    --------
    >>> list_export_objects(s3, bucket="billing", prefix="cur2/", what="aws")  # doctest: +SKIP
    {datetime.date(2026, 11, 1): [{'Key': 'cur2/.../BILLING_PERIOD=2026-11/part-0.parquet', ...}]}
    """
    out: dict[date, list[dict[str, Any]]] = {}
    guard = guard or PageGuard(what)
    token: str | None = None
    while True:
        args = {"Bucket": bucket, "Prefix": prefix, **({"ContinuationToken": token} if token else {})}
        page = with_backoff(lambda a=args: client.list_objects_v2(**a), what=what, guard=guard)  # type: ignore[misc]
        for obj in page.get("Contents", []):
            key = obj["Key"]
            match = _PERIOD_RE.search(key)
            if not key.lower().endswith(".parquet") or not match:
                continue
            out.setdefault(date(int(match[1]), int(match[2]), 1), []).append(obj)
        token = (page.get("NextContinuationToken") or None) if page.get("IsTruncated") else None
        if not guard.page(token):
            break
    for objs in out.values():
        objs.sort(key=lambda o: o["Key"])
    return out


def load_data_exports(
    source: AwsDataExportsSource,
    engine: NormalizeEngine,
    *,
    billing_periods: Sequence[date],
    client: Any | None,
    warehouse: Warehouse,
    run_id: str,
) -> tuple[set[date], list[tuple[str, Mapping[str, object], object]]]:
    """Download the changed periods' files into ``engine``; return them and the manifest writes.

    Returns
    -------
    tuple
        The billing periods to replace, and ``(table, key, rows)`` writes for ``cost_source_files``
        (to run in the same transaction as the cost lines).
    """
    if client is None:
        import boto3

        client = boto3.client("s3", region_name=source.region)
    what = f"cost source {source.name!r} (s3://{source.bucket}/{source.prefix})"
    guard = PageGuard(what, max_pages=source.max_pages, time_budget_s=source.time_budget_s)
    listed = list_export_objects(client, bucket=source.bucket, prefix=source.prefix, what=what, guard=guard)
    changed: set[date] = set()
    writes: list[tuple[str, Mapping[str, object], object]] = []
    files: list[Path] = []
    now = datetime.now(UTC)
    for period in billing_periods:
        objs = listed.get(period, [])
        if not objs:
            continue
        current = {(o["Key"], str(o["ETag"]).strip('"')) for o in objs}
        loaded = warehouse.fetch(
            f"select object_key, etag from {MANIFEST_TABLE} "
            "where source_name = :s and billing_period_start = :p",
            {"s": source.name, "p": period},
        )
        if current == {(str(r["object_key"]), str(r["etag"])) for r in loaded}:
            engine.warnings.append(
                f"{what}: billing period {period:%Y-%m} unchanged since the last load "
                f"({len(objs)} files); skipped"
            )
            continue
        changed.add(period)
        for i, obj in enumerate(objs):
            target = engine.workdir / f"{period:%Y-%m}" / f"{i:05d}-{Path(obj['Key']).name}"
            target.parent.mkdir(parents=True, exist_ok=True)
            body = with_backoff(
                lambda o=obj: client.get_object(Bucket=source.bucket, Key=o["Key"])["Body"].read(),  # type: ignore[misc]
                what=what,
                guard=guard,
            )
            target.write_bytes(body)
            files.append(target)
        rows = [
            {
                "object_key": o["Key"],
                "etag": str(o["ETag"]).strip('"'),
                "size_bytes": int(o.get("Size", 0)),
                "last_modified": o.get("LastModified"),
                "run_id": run_id,
                "loaded_at": now,
            }
            for o in objs
        ]
        writes.append((MANIFEST_TABLE, {"source_name": source.name, "billing_period_start": period}, rows))
    if files:
        try:
            engine.load_files(files, source.format)
        except CostSourceError as exc:
            raise CostSourceError(f"{exc} (downloaded from {what})") from exc
    return changed, writes
