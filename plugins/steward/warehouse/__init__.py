"""The warehouse: the only backend-aware code in Steward.

DuckDB (an embedded file, the default) and PostgreSQL sit behind one :class:`Warehouse` API:
versioned migrations from ``include/sql/ddl``, idempotent partition writes through each engine's
bulk path, and queries with one parameter style (``:name``). Callers never branch on the backend.

It also owns the rest of Steward's SQL path: :func:`scratch`, the in-memory DuckDB engine (settings
set in one place) for work beside the warehouse, and :func:`read_sql` / :func:`render_sql` for the
files of ``include/sql`` (the one way to template SQL).

Modules
-------
``_base``
    The backend-agnostic warehouse: one API, adapters underneath.
``_duckdb``
    The embedded DuckDB adapter: a file shared by task processes, or ``:memory:`` for tests.
``_errors``
    The warehouse's errors, apart from the adapters so that migrations and adapters can share them.
``_migrations``
    Versioned DDL: ``include/sql/ddl/NNNN_name.sql`` applied once each, in order, recorded with a checksum.
``_params``
    One parameter style for callers: ``:name`` in SQL, translated to what each driver wants.
``_postgres``
    The PostgreSQL adapter (psycopg 3): a connection per operation, bulk loads through COPY.
``_scratch``
    The scratch engine: an in-memory DuckDB for work that never touches the warehouse file.
``_sql``
    SQL files under ``include/sql``: read as text, or rendered from a Jinja template (``.sql.j2``).
``_url``
    Warehouse URLs: where the default comes from, and how to print one without its password.

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

import duckdb

from steward.warehouse._base import Warehouse, WarehouseError, quote_ident
from steward.warehouse._duckdb import DuckDBWarehouse
from steward.warehouse._migrations import MIGRATIONS_TABLE
from steward.warehouse._postgres import PostgresWarehouse
from steward.warehouse._scratch import ScratchEngine, bind_params, scratch
from steward.warehouse._sql import read_sql, render_sql
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
    # the scratch engine
    "EngineError",
    "ScratchEngine",
    "bind_params",
    "scratch",
    # migrations and SQL files
    "MIGRATIONS_TABLE",
    "read_sql",
    "render_sql",
    # SQL building
    "quote_ident",
]

#: The scratch engine's errors (``duckdb.Error`` and its subclasses), for code that uses its ``con``.
EngineError = duckdb.Error

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
