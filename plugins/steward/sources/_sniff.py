"""Recognize a data file by its content, not its name: Parquet, JSON lines or delimited text.

A one-off audit starts from whatever file a person has: ``adult.data`` (comma and space separated, no
header), a ``.txt`` export with semicolons, a Parquet file without an extension, JSON lines. The
sniffer looks at the bytes (Parquet's ``PAR1`` magic at both ends, a JSON object on the first line),
and otherwise lets DuckDB's CSV sniffer find the delimiter, quoting and whether there is a header.
Every problem is one :class:`FileError` line naming the file, what was tried and
the fix.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import duckdb


__all__ = ["FileError", "FileFormat", "scan_files_sql", "sniff_file"]


class FileError(ValueError):
    """A file given for a one-off audit cannot be read; the message names it, what was tried and the fix."""


FileKind = Literal["parquet", "jsonl", "csv"]


@dataclass(frozen=True)
class FileFormat:
    """What a file holds and how to read it.

    Attributes
    ----------
    path
        The file (resolved).
    kind
        ``parquet``, ``jsonl`` or ``csv`` (any delimited text).
    delimiter
        The delimiter of delimited text.
    header
        Whether the first line of delimited text names the columns.
    columns
        The column names as read (after ``--columns`` renaming, if given).
    note
        A sentence for the user when something was inferred (no header: how columns were named).
    """

    path: str
    kind: FileKind
    delimiter: str | None = None
    header: bool = True
    columns: tuple[str, ...] = ()
    note: str | None = None

    def describe(self) -> str:
        """One line: the file and how it is read."""
        if self.kind != "csv":
            return f"{self.path}: {self.kind}, {len(self.columns)} columns"
        head = "header row" if self.header else "no header row"
        return f"{self.path}: delimited text ({self.delimiter!r}, {head}), {len(self.columns)} columns"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _scan(fmt: FileFormat, names: Sequence[str] | None = None, *, as_text: bool = False) -> str:
    path = _literal(fmt.path)
    if fmt.kind == "parquet":
        return f"read_parquet([{path}])"
    if fmt.kind == "jsonl":
        return f"read_json([{path}], format = 'newline_delimited')"
    options = [f"delim = {_literal(fmt.delimiter or ',')}", f"header = {str(fmt.header).lower()}"]
    if names:
        options.append("names = [" + ", ".join(_literal(n) for n in names) + "]")
    if as_text:
        options.append("all_varchar = true")
    return f"read_csv([{path}], {', '.join(options)})"


def scan_files_sql(fmt: FileFormat, *, as_text: bool = False) -> str:
    """Return DuckDB SQL reading the file as sniffed (``from <this>``), with its final column names.

    ``as_text`` reads delimited text without type detection (every column as text), so that values
    such as ``yes``/``no`` reach the caller as written instead of as booleans.
    """
    return _scan(fmt, fmt.columns if fmt.kind == "csv" else None, as_text=as_text)


def sniff_file(path: str | Path, *, columns: Sequence[str] | None = None, what: str = "file") -> FileFormat:
    """Recognize ``path`` by its content and return how to read it.

    Parameters
    ----------
    path
        The file.
    columns
        Names for the columns of delimited text without a header (or to replace the header's names).
    what
        How the file is called in messages (``"reference file"``, ...).

    Raises
    ------
    FileError
        Missing, empty, truncated or unreadable file; a header without rows; ``columns`` of the wrong
        length. The message names the file, what was tried and the fix.

    Examples
    --------
    >>> fmt = sniff_file("adult.data")  # doctest: +SKIP
    >>> fmt.note  # doctest: +SKIP
    'adult.data has no header row: columns named column00 .. column14 (pass --columns to name them)'
    """
    from steward.warehouse import scratch

    p = Path(path).expanduser()
    if not p.exists():
        raise FileError(f"{what} {str(path)!r}: no such file; check the path")
    if not p.is_file():
        raise FileError(f"{what} {str(path)!r}: is a folder, not a file; pass a data file")
    size = p.stat().st_size
    if size == 0:
        raise FileError(f"{what} {str(path)!r}: the file is empty (0 bytes); pass a file with rows")
    resolved = str(p.resolve())
    with p.open("rb") as fh:
        head = fh.read(65536)
        fh.seek(max(0, size - 4))
        tail = fh.read(4)
    engine = scratch(memory_limit=None, preserve_insertion_order=True)
    con = engine.con
    try:
        if head[:4] == b"PAR1":
            if tail != b"PAR1" or size < 12:
                raise FileError(
                    f"{what} {str(path)!r}: a Parquet file that is truncated (no footer at its end); "
                    "copy or export it again"
                )
            return _columns_of(con, FileFormat(resolved, "parquet"), what, columns)
        text = head.decode("utf-8", errors="replace")
        first = text.lstrip().split("\n", 1)[0].strip()
        if first.startswith("{"):
            try:
                json.loads(first)
            except json.JSONDecodeError as exc:
                raise FileError(
                    f"{what} {str(path)!r}: the first line starts like JSON but is not a JSON object "
                    f"({exc.msg}); pass JSON lines (one object per line), CSV or Parquet"
                ) from None
            return _columns_of(con, FileFormat(resolved, "jsonl"), what, columns)
        if b"\x00" in head:
            raise FileError(
                f"{what} {str(path)!r}: not Parquet (no PAR1 magic), not JSON lines and not delimited "
                "text (binary content); pass a CSV, JSON lines or Parquet file"
            )
        return _sniff_text(con, resolved, str(path), what, columns)
    finally:
        engine.close()


def _sniff_text(
    con: duckdb.DuckDBPyConnection, resolved: str, shown: str, what: str, columns: Sequence[str] | None
) -> FileFormat:
    from steward.warehouse import EngineError

    try:
        row = con.execute(
            "select Delimiter, HasHeader, Columns from sniff_csv(?, sample_size = 20480)", [resolved]
        ).fetchone()
    except EngineError as exc:
        reason = str(exc).splitlines()[0]
        raise FileError(
            f"{what} {shown!r}: not Parquet (no PAR1 magic), not JSON lines, and not readable as "
            f"delimited text ({reason}); pass a CSV, JSON lines or Parquet file"
        ) from None
    assert row is not None
    delimiter, has_header, sniffed = row
    names = [c["name"] for c in sniffed]
    if has_header and len(names) >= 1:
        lines = [ln for ln in Path(resolved).read_text(errors="replace").splitlines()[:3] if ln.strip()]
        if len(lines) <= 1:
            raise FileError(
                f"{what} {shown!r}: has a header row ({', '.join(names[:8])}) but no data rows; "
                "pass a file with rows"
            )
    note = None
    if columns:
        if len(columns) != len(names):
            raise FileError(
                f"{what} {shown!r}: --columns names {len(columns)} columns but the file has "
                f"{len(names)} ({delimiter!r}-delimited); give one name per column"
            )
        names = list(columns)
    elif not has_header:
        width = len(str(len(names) - 1))
        names = [f"column{i:0{width}d}" for i in range(len(names))]
        note = (
            f"{Path(shown).name} has no header row: columns named {names[0]} .. {names[-1]} "
            "(pass --columns to name them)"
        )
    fmt = FileFormat(resolved, "csv", delimiter=delimiter, header=bool(has_header), columns=tuple(names))
    try:
        con.execute(f"select * from {scan_files_sql(fmt)} limit 1").fetchall()
    except EngineError as exc:
        raise FileError(
            f"{what} {shown!r}: delimited text ({delimiter!r}) that could not be read "
            f"({str(exc).splitlines()[0]}); check the file's quoting and line ends"
        ) from None
    return FileFormat(
        resolved, "csv", delimiter=delimiter, header=bool(has_header), columns=tuple(names), note=note
    )


def _columns_of(
    con: duckdb.DuckDBPyConnection, fmt: FileFormat, what: str, columns: Sequence[str] | None
) -> FileFormat:
    from steward.warehouse import EngineError

    try:
        cur = con.execute(f"select * from {scan_files_sql(fmt)} limit 0")
    except EngineError as exc:
        raise FileError(
            f"{what} {fmt.path!r}: could not be read as {fmt.kind} ({str(exc).splitlines()[0]}); "
            "export it again or pass another format"
        ) from None
    names = tuple(d[0] for d in cur.description or [])
    if columns:
        raise FileError(
            f"{what} {fmt.path!r}: --columns only applies to delimited text; {fmt.kind} files name "
            f"their columns ({', '.join(names[:8])})"
        )
    return FileFormat(fmt.path, fmt.kind, columns=names)
