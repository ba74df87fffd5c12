"""The warehouse: the only backend-aware code in Steward.

DuckDB (an embedded file, the default) and PostgreSQL sit behind one :class:`Warehouse` API:
versioned migrations from ``include/sql/ddl``, idempotent partition writes through each engine's
bulk path, and queries with one parameter style (``:name``). Callers never branch on the backend.

Examples
--------
>>> from datetime import date
>>> from steward.warehouse import connect
>>> with connect("duckdb:///:memory:") as wh:  # doctest: +SKIP
...     wh.migrate()
...     wh.replace_partition(
...         "quarantine",
...         {"dataset": "leads", "partition_date": date(2026, 11, 20)},
...         [{"reason": "critical expectations failed"}],
...     )
['0001']
1
"""

from __future__ import annotations

from steward import paths
from steward.warehouse._base import Warehouse, WarehouseError, quote_ident
from steward.warehouse._duckdb import DuckDBWarehouse
from steward.warehouse._migrations import MIGRATIONS_TABLE
from steward.warehouse._postgres import PostgresWarehouse
from steward.warehouse._url import (
    WarehouseURL,
    default_url,
    parse_url,
    redact,
    scrub,
    secrets_of,
    url_from_connection,
)

__all__ = [
    # connecting
    "Warehouse",
    "WarehouseError",
    "WarehouseURL",
    "connect",
    "default_url",
    "parse_url",
    "redact",
    "url_from_connection",
    # migrations and SQL files
    "MIGRATIONS_TABLE",
    "read_sql",
    # SQL building
    "quote_ident",
]

#: URL scheme -> adapter class. Adding a backend means adding an adapter here, nothing else.
_ADAPTERS: dict[str, type[DuckDBWarehouse] | type[PostgresWarehouse]] = {
    "duckdb": DuckDBWarehouse,
    "postgresql": PostgresWarehouse,
}


def connect(url: str | WarehouseURL | None = None, *, lock_timeout_s: float = 60.0) -> Warehouse:
    """Return the warehouse at ``url`` (default :func:`default_url`).

    Parameters
    ----------
    url
        ``duckdb:///relative.duckdb``, ``duckdb:////absolute/path.duckdb``, ``duckdb:///:memory:``
        or ``postgresql://user:password@host:port/database`` (``postgres://`` works too), as text
        or already parsed (:func:`parse_url`): it is parsed once and handed to the adapter.
    lock_timeout_s
        How long an operation waits for a lock another process holds: the DuckDB file lock
        (retried with backoff) or a PostgreSQL row/table lock (``lock_timeout``).

    Returns
    -------
    Warehouse
        Use it as a context manager, or call :meth:`Warehouse.close`.

    Raises
    ------
    WarehouseError
        The URL is not one Steward supports; the message shows it with the password hidden.

    Examples
    --------
    >>> wh = connect("duckdb:///:memory:")
    >>> wh.backend
    'duckdb'
    >>> wh.close()
    """
    url = url or default_url()
    try:
        target = parse_url(url, origin="warehouse URL")
        return _ADAPTERS[target.scheme](target, lock_timeout_s=lock_timeout_s)
    except ValueError as exc:  # the message shows the URL redacted; scrub what a driver echoed
        text = url.text if isinstance(url, WarehouseURL) else url
        raise WarehouseError(scrub(str(exc), secrets_of(text)), url=redact(text)) from None


def read_sql(relpath: str) -> str:
    """Return the text of ``include/sql/<relpath>``.

    Parameters
    ----------
    relpath
        Path below ``include/sql``, e.g. ``"metrics/compute_psi.sql"``.

    Raises
    ------
    FileNotFoundError
        The file does not exist (or lies outside ``include/sql``); the message lists the files of that folder.

    Examples
    --------
    >>> "create table" in read_sql("ddl/0001_foundation.sql")
    True
    """
    root = paths.sql_dir().resolve()
    path = (root / relpath).resolve()
    if not path.is_relative_to(root):
        raise FileNotFoundError(
            f"SQL file {relpath!r} is outside {root}: give a path relative to include/sql"
        )
    if not path.is_file():
        folder = path.parent
        known = sorted(p.name for p in folder.glob("*.sql")) if folder.is_dir() else []
        hint = f"files in {folder}: {', '.join(known)}" if known else f"{folder} holds no .sql files"
        raise FileNotFoundError(f"SQL file include/sql/{relpath} does not exist ({hint})")
    return path.read_text(encoding="utf-8")
