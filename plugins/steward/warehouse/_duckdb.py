"""The embedded DuckDB adapter: a file shared by task processes, or ``:memory:`` for tests."""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import ClassVar

import duckdb
import pyarrow as pa

from steward.warehouse._base import Session, Unavailable, Warehouse, quote_ident
from steward.warehouse._url import WarehouseURL, duckdb_path, parse_url

__all__ = ["DuckDBWarehouse"]

log = logging.getLogger(__name__)

_LOCK_MESSAGE = "Could not set lock on file"
#: Longest pause between two tries for a locked file: another task keeps the file only while its calls
#: follow each other (``lingering``), so the file is free again within tenths of a second; a refused
#: open costs about 3 ms.
_MAX_LOCK_RETRY_S = 0.25


class _DuckDBSession(Session):
    placeholder: ClassVar[str] = "${name}"
    escape_percent: ClassVar[bool] = False

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def begin(self) -> None:
        self.con.begin()

    def commit(self) -> None:
        self.con.commit()

    def rollback(self) -> None:
        self.con.rollback()

    def execute(self, sql: str, params: Mapping[str, object] | None = None) -> None:
        query, values = self.sql(sql, params)
        self.con.execute(query, values or None)

    def execute_script(self, script: str) -> None:
        self.con.execute(script)

    def fetch(self, sql: str, params: Mapping[str, object] | None = None) -> list[dict[str, object]]:
        query, values = self.sql(sql, params)
        cur = self.con.execute(query, values or None)
        if not cur.description:
            return []
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def fetch_arrow(self, sql: str, params: Mapping[str, object] | None = None) -> pa.Table:
        query, values = self.sql(sql, params)
        # DuckDB 2.0: Arrow from a relation avoids the extra copy (and the UserWarning) of a DB-API result.
        relation = self.con.sql(query, params=values or None)
        if relation is None:
            raise ValueError("the statement returns no rows: use execute() for statements")
        return relation.to_arrow_table()

    def fetch_batches(
        self, sql: str, params: Mapping[str, object] | None, rows: int
    ) -> Iterator[pa.RecordBatch]:
        query, values = self.sql(sql, params)
        relation = self.con.sql(query, params=values or None)
        if relation is None:
            raise ValueError("the statement returns no rows: use execute() for statements")
        yield from relation.to_arrow_reader(rows)

    def bulk_insert(self, table: str, columns: Sequence[str], data: pa.Table) -> None:
        view = f"_steward_rows_{uuid.uuid4().hex}"
        cols = ", ".join(quote_ident(c) for c in columns)
        self.con.register(view, data)
        try:
            self.con.execute(
                f"insert into {quote_ident(table)} ({cols}) select {cols} from {quote_ident(view)}"
            )
        except BaseException:
            # The transaction is aborted and refuses even ``unregister``: keep the insert's own error.
            with suppress(duckdb.Error):
                self.con.unregister(view)
            raise
        self.con.unregister(view)


class DuckDBWarehouse(Warehouse):
    """DuckDB warehouse in a file (``duckdb:///path``) or in memory (``duckdb:///:memory:``).

    A file is opened for each operation and closed after it, so several Airflow task processes
    can share it: DuckDB lets one process at a time hold the file, and a busy file is retried
    with backoff for ``lock_timeout_s`` seconds, logging "waiting for the DuckDB file lock held by
    another process (n s)" after 1 s and then every ``lock_log_every_s`` seconds. ``:memory:`` keeps
    one connection for the warehouse's lifetime.
    """

    backend: ClassVar[str] = "duckdb"
    grouping_strategy: ClassVar[str] = "stream"
    _file_scan_sql: ClassVar[Mapping[str, str]] = {
        "parquet": "read_parquet({files}, union_by_name = true)",
        "csv": "read_csv({files}, union_by_name = true, auto_detect = true)",
    }

    def __init__(
        self, url: str | WarehouseURL, *, lock_timeout_s: float = 60.0, lock_log_every_s: float = 10.0
    ) -> None:
        target = parse_url(url)
        self.url = target.redacted
        self._secrets = target.secrets
        self.path = duckdb_path(target.text)
        self.lock_timeout_s = float(lock_timeout_s)
        self.lock_log_every_s = float(lock_log_every_s)
        self._guard = threading.RLock()
        self._memory: duckdb.DuckDBPyConnection | None = None
        self._held: duckdb.DuckDBPyConnection | None = None  # the file, open for a held_open() block
        self._linger_s: float | None = None  # inside a lingering() block
        self._idle: duckdb.DuckDBPyConnection | None = None  # open after a call, until its timer ends
        self._idle_timer: threading.Timer | None = None
        if self.path == ":memory:":
            self._memory = self._configure(duckdb.connect(":memory:"))
        else:
            Path(self.path).expanduser().parent.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def _configure(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
        # Naive timestamps are read as UTC and timestamptz values come back in UTC on every machine.
        con.execute("set TimeZone = 'UTC'")
        # Parquet writers (pyarrow among them) leave NaN out of a column's min/max statistics; without
        # this DuckDB 2.0 trusts those bounds and folds `isnan(x)` or `x < 1e27` to constants, so NaN
        # values would silently pass range checks and land in bins (duckdb/duckdb#25521).
        con.execute("set parquet_can_have_nan = true")
        return con

    @staticmethod
    def _lock_down(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
        """Make a read-only connection unable to touch files (``COPY ... TO``, ``ATTACH``, extensions)."""
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")  # and unable to turn that back on
        return con

    def _connect(self, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        """Open the file, retrying with backoff and logging progress while another process holds its lock."""
        started = time.monotonic()
        deadline = started + self.lock_timeout_s
        next_log = 1.0  # a wait shorter than a second is routine between tasks: not worth a line
        delay = 0.05
        path = Path(self.path).expanduser()
        if read_only and not path.exists():
            raise Unavailable(
                f"the DuckDB file {self.path} does not exist",
                "check the warehouse URL, or create the warehouse with `steward warehouse migrate`",
            )
        while True:
            try:
                con = self._configure(duckdb.connect(str(path), read_only=read_only))
                con = self._lock_down(con) if read_only else con
            except duckdb.IOException as exc:
                if _LOCK_MESSAGE not in str(exc):
                    raise
                waited = time.monotonic() - started
                if waited >= next_log:
                    log.warning(
                        "waiting for the DuckDB file lock held by another process (%d s of %g s): %s",
                        waited,
                        self.lock_timeout_s,
                        self.path,
                    )
                    next_log = waited + self.lock_log_every_s
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    if read_only:
                        raise Unavailable(
                            f"another process is writing to the DuckDB file {self.path}, and DuckDB "
                            f"lets no reader in meanwhile (waited {self.lock_timeout_s:g} s; {exc})",
                            "query again once that process (an Airflow task, `make demo`, a steward "
                            "command) has finished, or use a PostgreSQL warehouse (STEWARD_WAREHOUSE_URL) "
                            "to read while tasks write",
                        ) from exc
                    raise Unavailable(
                        f"another process holds the DuckDB file {self.path} "
                        f"(waited {self.lock_timeout_s:g} s; {exc})",
                        "wait for that process to finish (or stop it); to read the warehouse while the "
                        "night runs, query a copy of the file (README: reading the warehouse), or use a "
                        "PostgreSQL warehouse (STEWARD_WAREHOUSE_URL) for concurrent readers and writers",
                    ) from exc
                time.sleep(min(remaining, delay * random.uniform(0.5, 1.5)))  # noqa: S311 - jitter, not crypto
                delay = min(delay * 2, _MAX_LOCK_RETRY_S)
            else:
                if time.monotonic() - started >= 1.0:
                    log.info(
                        "got the DuckDB file lock after %.1f s: %s", time.monotonic() - started, self.path
                    )
                return con

    @contextmanager
    def _open(self, *, read_only: bool = False) -> Iterator[Session]:
        # ``:memory:`` keeps one shared connection; a file is opened per call, except inside
        # held_open(). On a shared connection read-only means rolled back (the SQL is checked first):
        # DuckDB opens a file once per process with one configuration, so a read-only connection
        # beside the held one would be refused.
        held = self._memory if self._memory is not None else self._held
        if held is not None:
            with self._guard:
                yield _DuckDBSession(held)
            return
        with self._guard:
            con = self._take_idle() if not read_only else None
            if read_only:
                self._close_idle()  # one configuration per file and process: the read-only open needs it gone
        if con is None:
            con = self._connect(read_only=read_only)
        keep = False
        try:
            yield _DuckDBSession(con)
            keep = not read_only
        finally:
            with self._guard:
                if keep and self._linger_s is not None:
                    self._idle = con
                    self._idle_timer = threading.Timer(self._linger_s, self._idle_timeout, args=(con,))
                    self._idle_timer.daemon = True
                    self._idle_timer.start()
                else:
                    con.close()

    def _take_idle(self) -> duckdb.DuckDBPyConnection | None:
        """Return the lingering connection (no longer idle) or None; the caller holds ``_guard``."""
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None
        con, self._idle = self._idle, None
        return con

    def _close_idle(self) -> None:
        con = self._take_idle()
        if con is not None:
            con.close()

    def _idle_timeout(self, con: duckdb.DuckDBPyConnection) -> None:
        with self._guard:
            if self._idle is con:  # still idle (closing an idle connection early is always safe)
                self._close_idle()

    @contextmanager
    def lingering(self, seconds: float) -> Iterator[Warehouse]:
        """Keep the file open between the block's calls while they follow within ``seconds``.

        See :meth:`Warehouse.lingering`. The connection closes ``seconds`` after the last call ended
        (a timer), when the block ends, or before a read-only call.
        """
        if self._memory is not None or self._linger_s is not None:
            yield self
            return
        self._linger_s = float(seconds)
        try:
            yield self
        finally:
            with self._guard:
                self._linger_s = None
                self._close_idle()

    @contextmanager
    def held_open(self) -> Iterator[Warehouse]:
        """Open the file once for the block's calls (:meth:`Warehouse.held_open`); nested blocks reuse it."""
        if self._memory is not None or self._held is not None:
            yield self
            return
        with self._guard:
            self._held = self._connect()
        try:
            yield self
        finally:
            with self._guard:
                con, self._held = self._held, None
                con.close()

    def close(self) -> None:
        """Close the in-memory connection (its data is lost) or a file's lingering one."""
        if self._memory is not None:
            self._memory.close()
        with self._guard:
            self._close_idle()
