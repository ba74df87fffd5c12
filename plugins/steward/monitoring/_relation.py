"""Where a model's rows are read: SQL relations over the prediction log, its labels and its reference.

Row-level work always runs inside a SQL engine. Files (Parquet/CSV, the usual data lake) are read by an
in-memory DuckDB engine straight from disk, so the shared warehouse file is never locked by a long scan;
a dataset that lives in a warehouse table is aggregated by the warehouse itself (DuckDB or PostgreSQL)
with the same SQL. Only aggregates come back to Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from steward.registry import Dataset
from steward.sources import SourceError
from steward.sources._read import partition_files
from steward.warehouse import Warehouse, quote_ident, scratch

__all__ = ["Relation", "dataset_relation", "files_relation", "scan_engine"]

#: Name of the column every relation adds: the day (partition) a row belongs to.
WINDOW_COLUMN = "steward_window"


@dataclass(frozen=True)
class Relation:
    """A SQL subquery text and the engine that can run it.

    Attributes
    ----------
    sql
        A query usable as ``from (<sql>) as r``; it has the dataset's columns plus ``steward_window``.
    engine
        The warehouse (or in-memory DuckDB) that understands ``sql``.
    days
        The partitions included (empty for a whole file set).
    files
        The files read (empty for a warehouse table).
    """

    sql: str
    engine: Warehouse
    days: tuple[dt.date, ...] = ()
    files: tuple[str, ...] = ()


def scan_engine(*, memory_limit: str = "1GB", threads: int | None = None) -> Warehouse:
    """Return an in-memory DuckDB engine for reading files, with a bounded memory budget.

    DuckDB spills aggregations to disk beyond ``memory_limit``, so memory does not grow with rows;
    the settings are :func:`steward.warehouse.scratch`'s.
    """
    return scratch(memory_limit=memory_limit, threads=threads)


def _date_literal(day: dt.date) -> str:
    return f"cast('{day.isoformat()}' as date)"


def files_relation(
    engine: Warehouse, files: Sequence[str], fmt: str, *, window: dt.date | None = None
) -> str:
    """Return SQL reading ``files``, with a constant ``steward_window`` column (NULL without ``window``)."""
    day = _date_literal(window) if window is not None else "cast(null as date)"
    return f"select {day} as {WINDOW_COLUMN}, t.* from {engine.file_scan_sql(files, fmt)} as t"


def dataset_relation(
    dataset: Dataset,
    days: Sequence[dt.date] | None,
    *,
    warehouse: Warehouse,
    engine: Warehouse | None = None,
    skip_missing: bool = False,
) -> Relation:
    """Return a relation over ``dataset``'s partitions ``days`` (all of it when ``days`` is None).

    Parameters
    ----------
    dataset
        A registered dataset (files by ``source.path`` or a warehouse ``source.table``).
    days
        The partitions to read; each row carries its partition in ``steward_window``.
    warehouse
        The warehouse, which runs the SQL for table sources.
    engine
        The engine for file sources (default: a new in-memory DuckDB, :func:`scan_engine`).
    skip_missing
        Leave out days with no files (labels that have not arrived) instead of raising.

    Raises
    ------
    SourceError
        A requested partition has no files (kind ``missing``), or no partition has any.
    """
    if dataset.source.table is not None:
        return _table_relation(dataset, days, warehouse)
    fmt = dataset.source.format or "parquet"
    engine = engine or scan_engine()
    if days is None or not dataset.source.partitioned_by_path:
        files = partition_files(dataset, None)
        sql = files_relation(engine, files, fmt)
        if days is not None and dataset.partition_column:
            col = quote_ident(dataset.partition_column)
            listed = ", ".join(_date_literal(d) for d in days)
            sql = (
                f"select cast({col} as date) as {WINDOW_COLUMN}, r.* exclude ({WINDOW_COLUMN}) "
                f"from ({sql}) as r where cast({col} as date) in ({listed})"
            )
        return Relation(sql, engine, tuple(days or ()), tuple(files))
    parts: list[str] = []
    used_days: list[dt.date] = []
    all_files: list[str] = []
    for day in days:
        try:
            files = partition_files(dataset, day)
        except SourceError:
            if skip_missing:
                continue
            raise
        parts.append(files_relation(engine, files, fmt, window=day))
        used_days.append(day)
        all_files.extend(files)
    if not parts:
        raise SourceError(
            dataset.name,
            f"{days[0]}..{days[-1]}" if days else "(no days)",
            "missing",
            "none of the requested partitions has landed: check source.path in the registry",
        )
    return Relation("\nunion all by name\n".join(parts), engine, tuple(used_days), tuple(all_files))


def _table_relation(dataset: Dataset, days: Sequence[dt.date] | None, warehouse: Warehouse) -> Relation:
    table = quote_ident(str(dataset.source.table))
    if dataset.partition_column is None:
        return Relation(f"select cast(null as date) as {WINDOW_COLUMN}, t.* from {table} as t", warehouse)
    col = quote_ident(dataset.partition_column)
    where = ""
    if days is not None:
        where = " where cast(t." + col + " as date) in (" + ", ".join(_date_literal(d) for d in days) + ")"
    return Relation(
        f"select cast(t.{col} as date) as {WINDOW_COLUMN}, t.* from {table} as t{where}",
        warehouse,
        tuple(days or ()),
    )
