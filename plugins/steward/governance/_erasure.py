"""Erasure requests (GDPR Art. 17): find a subject's rows in the lake and the warehouse, remove them.

:func:`request_erasure` records a request: the subject is stored only as its sha256, with the
identifier kind (``dataset_key``, e.g. ``lead_id``) and a deadline. :func:`run_erasure` handles every
open request: each dataset whose registry ``identifier_columns`` declare that key is searched, file by
file (a Parquet partition is rewritten without the subject's rows into a temporary file, then renamed
over the original: readers see the old file or the new one, never half of one) or, for warehouse-table
datasets, with a ``delete``. Every location searched is evidence, 0 rows included
(``erasure_evidence``); the request becomes ``completed``, or ``subject_unknown`` when no location held
the subject; a Markdown and an HTML report prove it (``<reports>/erasure/<request_id>.{md,html}``).

Matching compares sha256 digests of the identifier values' text (``str(value)``), so the subject's
identifier itself never needs to be stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

import steward
from steward import paths
from steward.reports import write_report
from steward.sources import SourceError, matching_files
from steward.warehouse import quote_ident

if TYPE_CHECKING:
    from steward.registry import Dataset, Registry
    from steward.warehouse import Warehouse

__all__ = ["ErasureOutcome", "Evidence", "request_erasure", "run_erasure", "subject_digest"]


def subject_digest(subject: str) -> str:
    """Return the sha256 hex digest of a subject identifier's text (what requests store).

    Examples
    --------
    >>> subject_digest("42")[:12]
    '73475cb40a56'
    """
    return hashlib.sha256(str(subject).encode()).hexdigest()


def _datasets_with(registry: Registry, dataset_key: str) -> list[tuple[Dataset, str]]:
    return [
        (d, d.identifier_columns[dataset_key])
        for d in registry.datasets
        if dataset_key in d.identifier_columns
    ]


def request_erasure(
    warehouse: Warehouse,
    registry: Registry,
    subject: str,
    *,
    dataset_key: str,
    deadline: dt.date,
    requested_by: str,
    now: dt.datetime | None = None,
) -> str:
    """Record an erasure request and return its id (the same subject and key give the same id).

    Raises
    ------
    ValueError
        No dataset declares ``dataset_key`` in its ``identifier_columns`` (the message lists the keys
        that are declared), or the subject is empty.
    """
    declared = sorted({k for d in registry.datasets for k in d.identifier_columns})
    if not _datasets_with(registry, dataset_key):
        raise ValueError(
            f"--dataset-key {dataset_key!r}: no registered dataset declares it in identifier_columns "
            f"(declared: {declared or 'none'}); add it to the identifier_columns of the datasets holding it"
        )
    if not str(subject).strip():
        raise ValueError("the subject identifier is empty: give the value to erase, e.g. a lead_id")
    digest = subject_digest(subject)
    request_id = "er-" + hashlib.sha256(f"{dataset_key}\n{digest}".encode()).hexdigest()[:16]
    existing = warehouse.fetch("select status from erasure_requests where request_id = :r", {"r": request_id})
    if existing and existing[0]["status"] != "open":
        return request_id  # already carried out: a repeated request does not reopen it
    row = {
        "subject_sha256": digest,
        "dataset_key": dataset_key,
        "requested_at": now or dt.datetime.now(dt.UTC),
        "deadline": deadline,
        "requested_by": requested_by,
        "status": "open",
    }
    warehouse.replace_partition("erasure_requests", {"request_id": request_id}, [row])
    return request_id


@dataclass(frozen=True)
class Evidence:
    """One location searched for a subject, and how many of its rows were removed."""

    location_kind: str
    location: str
    column_name: str
    rows_removed: int


@dataclass(frozen=True)
class ErasureOutcome:
    """One request carried out: its status, the evidence, the reports."""

    request_id: str
    status: str
    evidence: tuple[Evidence, ...]
    report_paths: tuple[Path, ...]

    @property
    def rows_removed(self) -> int:
        """All rows removed for the request."""
        return sum(e.rows_removed for e in self.evidence)

    def summary(self) -> str:
        """Return one line for the CLI and the task log."""
        places = sum(1 for e in self.evidence if e.rows_removed)
        return (
            f"erasure {self.request_id}: {self.status}, {self.rows_removed} row(s) removed from {places} "
            f"of {len(self.evidence)} location(s) searched; report {self.report_paths[-1]}"
        )


def _hash_mask(column: pa.ChunkedArray, digest: str) -> pa.ChunkedArray:
    """Return True where the value's text hashes to ``digest`` (the distinct values are hashed once)."""
    text = pc.cast(column, pa.string())
    values = pc.unique(text).to_pylist()
    hits = [v for v in values if v is not None and subject_digest(v) == digest]
    return pc.fill_null(pc.is_in(text, value_set=pa.array(hits, pa.string())), False)


def _file_matches(file: str, column: str, digest: str) -> tuple[pa.Table, pa.ChunkedArray]:
    table = pq.read_table(file)
    if column not in table.column_names:
        raise ValueError(
            f"erasure: file {file} has no identifier column {column!r} (columns: {table.column_names}); "
            "fix identifier_columns in the registry"
        )
    return table, _hash_mask(table.column(column), digest)


def _rewrite_without(file: str, table: pa.Table, mask: pa.ChunkedArray) -> None:
    """Write ``table`` minus the masked rows to a temporary file, then rename it over ``file`` (atomic)."""
    tmp = f"{file}.erasure.tmp"
    pq.write_table(table.filter(pc.invert(mask)), tmp)
    os.replace(tmp, file)


def _table_hits(warehouse: Warehouse, table: str, column: str, digest: str) -> list[dict[str, object]]:
    col = quote_ident(column)
    value = f"cast({col} as text)"
    counts = warehouse.fetch(f"select {value} as v, count(*) as n from {quote_ident(table)} group by {value}")
    return [r for r in counts if r["v"] is not None and subject_digest(str(r["v"])) == digest]


class _Eraser:
    """Search one request's locations; record each location's evidence before removing its rows.

    A location with rows is recorded (count), then rewritten; a location without rows is recorded once.
    So an interrupted run's rerun keeps the evidence of what was already removed.
    """

    def __init__(self, warehouse: Warehouse, request_id: str, run_id: str, now: dt.datetime) -> None:
        self.wh, self.rid, self.run_id, self.now = warehouse, request_id, run_id, now
        rows = warehouse.fetch(
            "select location from erasure_evidence where request_id = :r", {"r": request_id}
        )
        self.seen = {str(r["location"]) for r in rows}

    def record(self, kind: str, location: str, column: str, removed: int) -> None:
        if not removed and location in self.seen:
            return
        row = {
            "run_id": self.run_id,
            "location_kind": kind,
            "column_name": column,
            "rows_removed": removed,
            "searched_at": self.now,
        }
        self.wh.replace_partition("erasure_evidence", {"request_id": self.rid, "location": location}, [row])
        self.seen.add(location)

    def search(self, registry: Registry, dataset_key: str, digest: str) -> None:
        for ds, column in _datasets_with(registry, dataset_key):
            if ds.source.table is not None:
                table = ds.source.table
                for hit in _table_hits(self.wh, table, column, digest):
                    self.record("table", table, column, int(str(hit["n"])))
                    self.wh.execute(
                        f"delete from {quote_ident(table)} where cast({quote_ident(column)} as text) = :v",
                        {"v": hit["v"]},
                    )
                self.record("table", table, column, 0)
                continue
            if ds.source.format != "parquet" or "://" in str(ds.source.path):
                raise ValueError(
                    f"erasure: dataset {ds.name!r} is {ds.source.format} at {ds.source.path}: only local "
                    "Parquet files and warehouse tables can be rewritten; remove its identifier_columns"
                )
            try:
                files = matching_files(ds, None)
            except SourceError:
                files = []
            for f in files:
                data, mask = _file_matches(f, column, digest)
                removed = int(pc.sum(mask).as_py() or 0)
                self.record("partition", f, column, removed)
                if removed:
                    _rewrite_without(f, data, mask)

    def evidence(self) -> list[Evidence]:
        rows = self.wh.fetch(
            "select location_kind, location, column_name, rows_removed from erasure_evidence "
            "where request_id = :r order by location_kind, location",
            {"r": self.rid},
        )
        return [
            Evidence(
                str(r["location_kind"]),
                str(r["location"]),
                str(r["column_name"]),
                int(str(r["rows_removed"])),
            )
            for r in rows
        ]


def _write_reports(
    request: dict[str, object], outcome_status: str, evidence: Sequence[Evidence], run_id: str, reports: Path
) -> tuple[Path, ...]:
    base = reports / "erasure"
    base.mkdir(parents=True, exist_ok=True)
    rid = str(request["request_id"])
    lines = [
        f"# Erasure request {rid}",
        "",
        f"- identifier kind: `{request['dataset_key']}`; subject sha256: `{request['subject_sha256']}`",
        f"- requested {request['requested_at']} by {request['requested_by']}; deadline {request['deadline']}",
        f"- status: **{outcome_status}**; run `{run_id}`; "
        f"{sum(e.rows_removed for e in evidence)} row(s) removed",
        "",
        "| location | column | rows removed |",
        "|---|---|---:|",
        *(f"| {e.location_kind} `{e.location}` | {e.column_name} | {e.rows_removed} |" for e in evidence),
        "",
    ]
    md = base / f"{rid}.md"
    md.write_text("\n".join(lines), encoding="utf-8")
    html = write_report(
        base / f"{rid}.html",
        "erasure_report.html.j2",
        request=request,
        status=outcome_status,
        evidence=evidence,
        run_id=run_id,
        rows_removed=sum(e.rows_removed for e in evidence),
        version=steward.__version__,
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
    )
    return md, html


def run_erasure(
    registry: Registry,
    *,
    warehouse: Warehouse,
    run_id: str,
    request_ids: Sequence[str] | None = None,
    reports_dir: Path | None = None,
    now: dt.datetime | None = None,
) -> list[ErasureOutcome]:
    """Carry out every open erasure request (or those named), record the evidence, write the reports.

    Returns one :class:`ErasureOutcome` per request handled, oldest request first.
    """
    requests = warehouse.fetch(
        "select request_id, subject_sha256, dataset_key, requested_at, deadline, requested_by "
        "from erasure_requests where status = 'open' order by requested_at, request_id"
    )
    if request_ids is not None:
        requests = [r for r in requests if r["request_id"] in set(request_ids)]
    outcomes: list[ErasureOutcome] = []
    for req in requests:
        stamp = now or dt.datetime.now(dt.UTC)
        rid = str(req["request_id"])
        eraser = _Eraser(warehouse, rid, run_id, stamp)
        eraser.search(registry, str(req["dataset_key"]), str(req["subject_sha256"]))
        evidence = eraser.evidence()
        status = "completed" if any(e.rows_removed for e in evidence) else "subject_unknown"
        done = {**req, "status": status, "completed_at": stamp, "run_id": run_id}
        done.pop("request_id")
        warehouse.replace_partition("erasure_requests", {"request_id": rid}, [done])
        reports = _write_reports(req, status, evidence, run_id, reports_dir or paths.reports_dir())
        outcomes.append(ErasureOutcome(rid, status, tuple(evidence), reports))
    return outcomes
