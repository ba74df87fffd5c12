"""What the running task read and wrote, noted at the plumbing level for lineage and access history.

The source readers (:func:`steward.sources.partition_files`) note every dataset partition they list
for reading, and the warehouse (:meth:`steward.warehouse.Warehouse.replace_partitions`) every
partition it committed, into the tracker of the current context. Outside :func:`tracking` nothing
is kept. :mod:`steward.governance` turns a tracker into ``lineage_edges`` and ``dataset_access``
rows; the Airflow tasks and CLI commands open the tracker (``steward.airflow.context.warehouse``,
``steward.cli``), so no domain function has to know about lineage.

Examples
--------
>>> with tracking() as t:
...     note_write("dq_runs", {"dataset": "leads", "partition_date": "2026-11-04"}, 1)
>>> [w.table for w in t.writes]
['dq_runs']
>>> note_write("dq_runs", {"dataset": "leads"}, 1)  # no tracker open: ignored
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

__all__ = [
    "Read",
    "Tracker",
    "Write",
    "fingerprint",
    "group_by_day",
    "note_read",
    "note_write",
    "tracking",
]

#: Tables that hold the records themselves: writing them is not lineage.
UNTRACKED_TABLES = frozenset({"lineage_edges", "dataset_access"})
_DATE = r"(\d{4}-\d{2}-\d{2})"


@dataclass(frozen=True)
class Read:
    """One dataset partition read: its label (``YYYY-MM-DD`` or ``*``), files and their fingerprint."""

    dataset: str
    partition: str
    files: tuple[str, ...]
    fingerprint: str


@dataclass(frozen=True)
class Write:
    """One warehouse partition committed: the table, its key as ``k=v`` text, and the rows written."""

    table: str
    partition: str
    rows: int


@dataclass
class Tracker:
    """The reads and writes noted since :func:`tracking` opened it, in order, without repeats."""

    reads: list[Read] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)


_current: ContextVar[Tracker | None] = ContextVar("steward_tracker", default=None)


@contextmanager
def tracking() -> Iterator[Tracker]:
    """Collect every read and write of the enclosed block into a new :class:`Tracker`."""
    tracker = Tracker()
    token = _current.set(tracker)
    try:
        yield tracker
    finally:
        _current.reset(token)


def fingerprint(files: Sequence[str]) -> str:
    """Return a sha256 over each file's path, size and modification time (paths alone for URIs).

    It changes whenever a file of the partition is added, replaced or rewritten.

    Examples
    --------
    >>> fingerprint(["s3://b/k.parquet"]) == fingerprint(["s3://b/k.parquet"])
    True
    """
    digest = hashlib.sha256()
    for f in sorted(files):
        digest.update(f.encode())
        if "://" not in f and os.path.exists(f):
            st = os.stat(f)
            digest.update(f"|{st.st_size}|{st.st_mtime_ns}".encode())
        digest.update(b"\n")
    return digest.hexdigest()


def group_by_day(pattern: str, files: Sequence[str]) -> dict[str, list[str]]:
    """Group ``files`` by the date the ``{date}`` of ``pattern`` matched in each (``*`` when none did).

    Examples
    --------
    >>> group_by_day("/lake/date={date}/*.parquet", ["/lake/date=2026-11-04/a.parquet", "/x.parquet"])
    {'2026-11-04': ['/lake/date=2026-11-04/a.parquet'], '*': ['/x.parquet']}
    """
    parts = re.split(r"(\{date\}|\*\*|\*|\?)", pattern)
    wildcards = {"{date}": _DATE, "**": ".*", "*": "[^/]*", "?": "."}
    regex = "".join(wildcards.get(p, re.escape(p)) for p in parts)
    groups: dict[str, list[str]] = {}
    for f in files:
        match = re.fullmatch(regex, f)
        groups.setdefault(match.group(1) if match else "*", []).append(f)
    return groups


def note_read(dataset: str, day: dt.date | None, files: Sequence[str], *, pattern: str | None = None) -> None:
    """Note that ``files`` of ``dataset`` are being read for ``day`` (None: every partition).

    With ``day`` None and a ``{date}`` ``pattern``, the files are grouped into their partitions.
    """
    tracker = _current.get()
    if tracker is None or not files:
        return
    if day is not None:
        groups = {day.isoformat(): list(files)}
    elif pattern and "{date}" in pattern:
        groups = group_by_day(pattern, files)
    else:
        groups = {"*": list(files)}
    for label, group in sorted(groups.items()):
        read = Read(dataset, label, tuple(group), fingerprint(group))
        if read not in tracker.reads:
            tracker.reads.append(read)


def note_write(table: str, key: Mapping[str, object], rows: int) -> None:
    """Note that partition ``key`` of ``table`` was replaced with ``rows`` rows."""
    tracker = _current.get()
    if tracker is None or table in UNTRACKED_TABLES:
        return
    label = ",".join(f"{k}={v!s}" for k, v in key.items())
    write = Write(table, label, int(rows))
    if write not in tracker.writes:
        tracker.writes.append(write)
