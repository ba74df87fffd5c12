"""Parquet writing with fixed settings, so the same rows always give the same bytes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["PARQUET_OPTIONS", "ChunkWriter", "read_spill", "write_spill"]

#: Fixed writer settings: changing any of them changes the files' bytes.
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
    "data_page_version": "1.0",
    "store_schema": True,
}


class ChunkWriter:
    """Write one Parquet file from batches, at most ``chunk_rows`` rows held at a time.

    Small batches are buffered until ``chunk_rows`` rows are ready, then written as one row group;
    a batch larger than that is split. A file that receives no rows is still written, empty,
    with its schema.
    """

    def __init__(self, path: Path, schema: pa.Schema, chunk_rows: int):
        self.path = path
        self.schema = schema
        self.chunk_rows = chunk_rows
        self.rows = 0
        self._buffer: list[pa.Table] = []
        self._buffered = 0
        self._writer: pq.ParquetWriter | None = None

    def write(self, table: pa.Table) -> None:
        """Add ``table``'s rows (its schema must equal the writer's)."""
        if not table.schema.equals(self.schema):
            raise ValueError(f"{self.path}: batch schema {table.schema} differs from {self.schema}")
        self._buffer.append(table)
        self._buffered += table.num_rows
        if self._buffered >= self.chunk_rows:
            self._flush(final=False)

    def _flush(self, *, final: bool) -> None:
        if not self._buffer:
            return
        table = pa.concat_tables(self._buffer)
        self._buffer, self._buffered = [], 0
        full = (table.num_rows // self.chunk_rows) * self.chunk_rows
        head, tail = (table, None) if final else (table.slice(0, full), table.slice(full))
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(self.path, self.schema, **PARQUET_OPTIONS)
        if head.num_rows:
            self._writer.write_table(head, row_group_size=self.chunk_rows)
            self.rows += head.num_rows
        if tail is not None and tail.num_rows:
            self._buffer, self._buffered = [tail], tail.num_rows

    def close(self) -> int:
        """Write what is buffered, close the file and return its row count."""
        self._flush(final=True)
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(self.schema.empty_table(), self.path, **PARQUET_OPTIONS)
        else:
            self._writer.close()
        return self.rows


def write_spill(path: Path, table: pa.Table) -> None:
    """Write a temporary Arrow IPC file (uncompressed: read back once, then deleted)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def read_spill(path: Path) -> pa.Table:
    """Read a file written by :func:`write_spill`."""
    with pa.OSFile(str(path), "rb") as source:
        return pa.ipc.open_file(source).read_all()
