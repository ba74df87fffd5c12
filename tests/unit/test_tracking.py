"""Reads and writes are noted at the plumbing level: partition fingerprints, days found in paths."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

from steward._tracking import Read, fingerprint, note_read, note_write, tracking


def test_fingerprint_is_sha256_of_path_size_and_mtime(tmp_path: Path) -> None:
    f = tmp_path / "a.parquet"
    f.write_bytes(b"12345")
    os.utime(f, ns=(1_000_000_000, 2_000_000_000))
    expected = hashlib.sha256(f"{f}|5|2000000000\n".encode()).hexdigest()  # by hand
    assert fingerprint([str(f)]) == expected
    f.write_bytes(b"123456")  # a rewritten partition has a new fingerprint
    assert fingerprint([str(f)]) != expected


def test_a_whole_dataset_read_is_split_into_its_partitions(tmp_path: Path) -> None:
    files = [str(tmp_path / f"date=2026-11-0{d}" / "part-0.parquet") for d in (1, 2)]
    with tracking() as t:
        note_read("leads", None, files, pattern=str(tmp_path / "date={date}" / "*.parquet"))
        note_read("leads", dt.date(2026, 11, 2), files[1:])  # the same partition again: noted once
    assert [(r.dataset, r.partition, r.files) for r in t.reads] == [
        ("leads", "2026-11-01", (files[0],)),
        ("leads", "2026-11-02", (files[1],)),
    ]


def test_nothing_is_kept_outside_a_tracker_and_record_tables_are_not_lineage() -> None:
    note_read("leads", dt.date(2026, 11, 1), ["x.parquet"])
    with tracking() as t:
        note_write("lineage_edges", {"run_id": "r"}, 3)
        note_write("dq_runs", {"dataset": "leads", "partition_date": dt.date(2026, 11, 1)}, 1)
    assert t.reads == [] and [(w.table, w.partition, w.rows) for w in t.writes] == [
        ("dq_runs", "dataset=leads,partition_date=2026-11-01", 1)
    ]
    assert Read("d", "*", (), "f") not in t.reads
