"""The backend-agnostic warehouse: one API, adapters underneath.

:class:`Warehouse` holds every rule that does not depend on the engine (identifier checks,
partition checks, transactions, migrations); the adapters (``_duckdb.py``, ``_postgres.py``)
only open sessions and say, declaratively, how their driver spells parameters and bulk loads.
"""

from __future__ import annotations

import abc
import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar

import pyarrow as pa
import pyarrow.compute as pc

from steward._tracking import note_write
from steward.registry import check_column, check_name
from steward.warehouse._errors import Unavailable, WarehouseError
from steward.warehouse._params import translate_params
from steward.warehouse._url import scrub

__all__ = [
    "Rows",
    "Session",
    "Unavailable",
    "Warehouse",
    "WarehouseError",
    "quote_ident",
    "read_only_refusal",
]

_log = logging.getLogger(__name__)

#: What :meth:`Warehouse.replace_partition` accepts: an Arrow table, a pandas DataFrame or dicts.
Rows = Any


class Session(abc.ABC):
    """One open connection of an adapter. Not public: :class:`Warehouse` drives it."""

    #: Placeholder for a named parameter, as a format string with ``{name}``.
    placeholder: ClassVar[str]
    #: Whether literal ``%`` must be doubled when a query has parameters.
    escape_percent: ClassVar[bool] = False

    def sql(self, sql: str, params: Mapping[str, object] | None) -> tuple[str, dict[str, object]]:
        """Translate ``:name`` parameters into this driver's style."""
        return translate_params(sql, params, placeholder=self.placeholder, escape_percent=self.escape_percent)

    @abc.abstractmethod
    def begin(self) -> None:
        """Start a transaction."""

    @abc.abstractmethod
    def commit(self) -> None:
        """Commit the transaction."""

    @abc.abstractmethod
    def rollback(self) -> None:
        """Roll the transaction back."""

    @abc.abstractmethod
    def execute(self, sql: str, params: Mapping[str, object] | None = None) -> None:
        """Run one statement with ``:name`` parameters."""

    @abc.abstractmethod
    def execute_script(self, script: str) -> None:
        """Run a script of several statements, without parameters (migrations)."""

    @abc.abstractmethod
    def fetch(self, sql: str, params: Mapping[str, object] | None = None) -> list[dict[str, object]]:
        """Run a query and return its rows as dicts."""

    @abc.abstractmethod
    def fetch_arrow(self, sql: str, params: Mapping[str, object] | None = None) -> pa.Table:
        """Run a query and return its rows as an Arrow table."""

    def fetch_batches(
        self, sql: str, params: Mapping[str, object] | None, rows: int
    ) -> Iterator[pa.RecordBatch]:
        """Run a query and yield its rows as Arrow record batches of at most ``rows`` rows.

        This default reads the whole result first; an adapter whose driver streams overrides it.
        """
        yield from self.fetch_arrow(sql, params).to_batches(max_chunksize=rows)

    @abc.abstractmethod
    def bulk_insert(self, table: str, columns: Sequence[str], data: pa.Table) -> None:
        """Insert every row of ``data`` into ``table`` with the engine's bulk path (quoted names)."""


def quote_ident(name: str) -> str:
    """Double-quote an identifier that already passed :func:`~steward.registry.check_column`."""
    return '"' + name.replace('"', '""') + '"'


class Warehouse(abc.ABC):
    """A SQL warehouse: DuckDB (embedded) or PostgreSQL, behind one API.

    Get one with :func:`steward.warehouse.connect`. Every write runs in one transaction;
    :meth:`replace_partition` makes reruns and backfills idempotent.

    Attributes
    ----------
    backend : str
        ``"duckdb"`` or ``"postgres"``, for logs and messages (callers must not branch on it).
    url : str
        The warehouse URL with its password redacted: safe to log.
    """

    backend: ClassVar[str]
    url: str
    #: The URL's secrets in every spelling (:func:`~steward.warehouse._url.secrets_of`), scrubbed from
    #: every error message: drivers may echo parts of the URL they could not use.
    _secrets: tuple[str, ...] = ()

    # --- what an adapter provides -------------------------------------------------------

    @abc.abstractmethod
    def _open(self, *, read_only: bool = False) -> Any:
        """Return a context manager that yields an open :class:`Session` and closes it after.

        With ``read_only`` the engine itself must refuse every write (a read-only connection or
        transaction) and run one statement per call.
        """

    #: SQL run first in each migration transaction to serialise concurrent migrators, if needed.
    _migration_lock_sql: ClassVar[str | None] = None
    #: How monitoring best counts many columns' bins and categories over one relation:
    #: ``"grouping_sets"`` (one SQL pass; PostgreSQL), ``"union"`` (one GROUP BY per column, UNION ALL)
    #: or ``"stream"`` (the engine scans and casts once and streams the columns as Arrow record batches,
    #: counted with numpy; DuckDB, whose CASE-chain binning costs several scans). Results are identical.
    grouping_strategy: ClassVar[str] = "grouping_sets"
    #: Table function that reads files, per format (``{files}`` is a SQL list of quoted paths);
    #: empty when the engine cannot read files itself (data must be loaded into a table first).
    _file_scan_sql: ClassVar[Mapping[str, str]] = {}

    def file_scan_sql(self, files: Sequence[str], fmt: str) -> str:
        """Return a ``from``-clause item that reads ``files`` (Parquet or CSV) inside this engine.

        Parameters
        ----------
        files
            Local file paths (already resolved, at least one).
        fmt
            ``"parquet"`` or ``"csv"``.

        Raises
        ------
        WarehouseError
            The engine cannot read files (PostgreSQL): register the data as a warehouse table instead.

        Examples
        --------
        >>> connect("duckdb:///:memory:").file_scan_sql(["/data/a.parquet"], "parquet")  # doctest: +SKIP
        "read_parquet(['/data/a.parquet'], union_by_name = true)"
        """
        template = self._file_scan_sql.get(fmt)
        if template is None:
            raise self._error(
                "reading files",
                f"the {self.backend} engine cannot read {fmt} files",
                "load the data into a warehouse table and point the registry's source.table at it, "
                "or use the DuckDB engine",
            )
        if not files:
            raise self._error("reading files", "no files were given", "pass at least one file")
        listed = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
        return template.format(files=f"[{listed}]")

    def close(self) -> None:  # noqa: B027 - adapters without held resources keep this no-op
        """Release what the warehouse holds open (nothing for per-operation connections)."""

    @contextmanager
    def held_open(self) -> Iterator[Warehouse]:
        """Reuse one connection for every call made inside the block (each still its own transaction).

        An adapter that opens a connection per operation (a DuckDB file, opened and closed around
        each call so that processes can share it) keeps it open for the block and holds the file
        meanwhile: wrap short bursts of queries only (:meth:`lingering` lets it go in a pause). Read-only
        calls share it, in a transaction that is rolled back.

        Examples
        --------
        >>> with wh.held_open():  # doctest: +SKIP
        ...     runs = wh.fetch("select * from monitoring_runs")
        ...     rows = wh.fetch("select * from drift_metrics")
        """
        yield self

    @contextmanager
    def lingering(self, seconds: float) -> Iterator[Warehouse]:
        """Keep the connection of each call inside the block open for the next one, up to ``seconds``.

        For an adapter that opens a connection per operation (a DuckDB file): calls that follow each
        other within ``seconds`` share one open (an open and its closing checkpoint cost tens of
        milliseconds), while a longer pause, say a computation between reads and writes, lets the
        file go for other processes. Elsewhere it changes nothing.

        Examples
        --------
        >>> with wh.lingering(0.5):  # doctest: +SKIP
        ...     rows = wh.fetch("select * from dq_runs")
        ...     wh.execute("delete from quarantine where dataset = 'x'")
        """
        yield self

    # --- context manager ----------------------------------------------------------------

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url}>"

    # --- plumbing -----------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        """Open a session and run the body in one transaction: commit on success, else roll back."""
        with self._open() as session:
            session.begin()
            try:
                yield session
            except BaseException:
                try:
                    session.rollback()
                except Exception as rollback_exc:  # a dropped connection has rolled back already
                    _log.debug("rollback on %s failed: %s", self.url, rollback_exc)
                raise
            session.commit()

    @contextmanager
    def _read_only_transaction(self) -> Iterator[Session]:
        """Open a read-only session and run the body in a transaction that is always rolled back."""
        with self._open(read_only=True) as session:
            session.begin()
            try:
                yield session
            finally:
                try:
                    session.rollback()
                except Exception as rollback_exc:  # a failed statement may have ended it already
                    _log.debug("rollback on %s failed: %s", self.url, rollback_exc)

    def _error(
        self,
        what: str,
        exc: BaseException | str,
        fix: str,
        *,
        table: str | None = None,
        key: Mapping[str, object] | None = None,
    ) -> WarehouseError:
        if isinstance(exc, Unavailable):
            fix = exc.fix
        parts = ([f"table {table!r}"] if table else []) + ([f"partition {_show_key(key)}"] if key else [])
        where = " ".join(parts) or "the warehouse"
        plain = isinstance(exc, str | Unavailable)
        cause = str(exc) if plain else f"{type(exc).__name__}: {exc}".strip()
        return WarehouseError(
            scrub(
                f"{what} failed for {where} on {self.backend} warehouse {self.url}: {cause}. Fix: {fix}",
                self._secrets,
            ),
            url=self.url,
            table=table,
            key=key,
        )

    # --- queries ------------------------------------------------------------------------

    def fetch(
        self, sql: str, params: Mapping[str, object] | None = None, *, read_only: bool = False
    ) -> list[dict[str, object]]:
        """Run a query and return its rows as dicts.

        Parameters
        ----------
        sql
            A query with ``:name`` parameters (``::`` casts and text inside quotes are left alone).
        params
            Values for the parameters.
        read_only
            Run exactly one query on a read-only connection (DuckDB: the file opened ``read_only``,
            without file system access; PostgreSQL: a ``READ ONLY`` transaction, one statement),
            always rolled back: the engine refuses ``DROP``, ``DELETE``, ``COPY ... TO``, ``ATTACH``
            and the like. Statements that are plainly not queries are refused before connecting,
            with the same :class:`WarehouseError`. A ``:memory:`` DuckDB warehouse (tests) is only
            protected by the rollback.

        Returns
        -------
        list of dict
            One dict per row, keyed by column name.

        Examples
        --------
        >>> wh.fetch("select status from dq_runs where dataset = :d", {"d": "leads"})  # doctest: +SKIP
        [{'status': 'passed'}]
        """
        if read_only:
            return self._fetch_read_only(sql, params)
        try:
            with self._transaction() as s:
                return s.fetch(sql, params)
        except WarehouseError:
            raise
        except Exception as exc:
            raise self._error("query", exc, f"check the SQL: {_short(sql)}") from exc

    def _fetch_read_only(self, sql: str, params: Mapping[str, object] | None) -> list[dict[str, object]]:
        fix = (
            "run a single read-only query (select, with, values, show, describe, explain); the warehouse "
            "changes only through `steward warehouse migrate` and the DAGs' tasks"
        )
        refusal = read_only_refusal(sql)
        if refusal:
            raise self._error("read-only query", f"refused: {refusal}", fix)
        try:
            with self._read_only_transaction() as s:
                return s.fetch(sql, params)
        except WarehouseError:
            raise
        except Exception as exc:
            raise self._error("read-only query", exc, f"{fix}: {_short(sql)}") from exc

    def fetch_arrow(self, sql: str, params: Mapping[str, object] | None = None) -> pa.Table:
        """Run a query and return its rows as a :class:`pyarrow.Table` (see :meth:`fetch`)."""
        try:
            with self._transaction() as s:
                return s.fetch_arrow(sql, params)
        except WarehouseError:
            raise
        except Exception as exc:
            raise self._error("query", exc, f"check the SQL: {_short(sql)}") from exc

    def fetch_batches(
        self, sql: str, params: Mapping[str, object] | None = None, *, rows: int = 131_072
    ) -> Iterator[pa.RecordBatch]:
        """Run a query and yield its rows as Arrow record batches of at most ``rows`` rows.

        DuckDB streams them as it scans (memory stays flat in the result's size); other engines
        may read the whole result first. Consume the iterator to the end (or close it): the query's
        transaction stays open until then.

        Examples
        --------
        >>> sum(b.num_rows for b in wh.fetch_batches("select * from range(10)", rows=4))  # doctest: +SKIP
        10
        """
        if rows < 1:
            raise ValueError(f"rows must be at least 1, got {rows}")
        try:
            with self._transaction() as s:
                for batch in s.fetch_batches(sql, params, rows):
                    # DuckDB's batch size is approximate: cut any larger batch
                    for start in range(0, max(batch.num_rows, 1), rows):
                        yield batch.slice(start, rows)
        except WarehouseError:
            raise
        except Exception as exc:
            raise self._error("query", exc, f"check the SQL: {_short(sql)}") from exc

    def execute(self, sql: str, params: Mapping[str, object] | None = None) -> None:
        """Run one statement in its own transaction (see :meth:`fetch` for parameters)."""
        try:
            with self._transaction() as s:
                s.execute(sql, params)
        except WarehouseError:
            raise
        except Exception as exc:
            raise self._error("statement", exc, f"check the SQL: {_short(sql)}") from exc

    _TABLES_SQL = (
        "select table_name from information_schema.tables "
        "where table_schema = current_schema() and table_name = :table"
    )
    _COLUMNS_SQL = (
        "select column_name from information_schema.columns "
        "where table_schema = current_schema() and table_name = :table order by ordinal_position"
    )

    def table_exists(self, table: str) -> bool:
        """Return whether ``table`` exists in the warehouse's current schema."""
        self._check_table(table)
        return bool(self.fetch(self._TABLES_SQL, {"table": table}))

    def columns(self, table: str) -> list[str]:
        """Return the column names of ``table`` in table order (empty if it does not exist)."""
        self._check_table(table)
        return [str(r["column_name"]) for r in self.fetch(self._COLUMNS_SQL, {"table": table})]

    def _check_table(self, table: str, key: Mapping[str, object] | None = None) -> str:
        try:
            return check_name(table, "table")
        except ValueError as exc:
            raise self._error("checking the table name", exc, "use the table's plain name", key=key) from exc

    # --- idempotent writes --------------------------------------------------------------

    def replace_partition(self, table: str, key: Mapping[str, object], rows: Rows) -> int:
        """Replace one partition of ``table`` with ``rows``, in one transaction.

        Deletes the rows whose key columns equal ``key``, bulk-inserts ``rows`` and commits.
        A rerun with the same rows leaves the same rows (no duplicates); other partitions are
        untouched; on any failure nothing changes.

        Parameters
        ----------
        table
            Table name (a checked snake-case name).
        key
            The partition, column -> value, e.g. ``{"dataset": "leads", "partition_date": day}``;
            at least one column, no NULL values.
        rows
            A :class:`pyarrow.Table`, a pandas DataFrame or a list of dicts. Every column must exist in
            ``table``. Key columns may be left out (they are filled with the key values); when present,
            every row must carry the key values. Zero rows clears the partition.

        Returns
        -------
        int
            The number of rows inserted.

        Raises
        ------
        WarehouseError
            Bad identifiers, unknown columns, rows outside the partition, or a database error; the
            previous rows of the partition are then intact.

        Examples
        --------
        >>> wh.replace_partition(  # doctest: +SKIP
        ...     "quarantine",
        ...     {"dataset": "leads", "partition_date": date(2026, 11, 20)},
        ...     [{"reason": "critical expectations failed", "run_id": "r1"}],
        ... )
        1
        """
        return self.replace_partitions([(table, key, rows)])[0]

    def replace_partitions(self, writes: Iterable[tuple[str, Mapping[str, object], Rows]]) -> list[int]:
        """Replace several partitions (of one or more tables) in one transaction: all or nothing.

        Each ``(table, key, rows)`` follows the rules of :meth:`replace_partition`; they are applied
        in order, so a table that downstream readers poll (an outcome table) can go last.

        Parameters
        ----------
        writes
            ``(table, key, rows)`` triples.

        Returns
        -------
        list of int
            Rows inserted per write, in order.

        Raises
        ------
        WarehouseError
            Names the write that failed; no partition has changed.

        Examples
        --------
        >>> key = {"dataset": "leads", "partition_date": date(2026, 11, 20)}
        >>> wh.replace_partitions([("dq_results", key, results), ("dq_runs", key, [run])])  # doctest: +SKIP
        [12, 1]
        """
        prepared = [self._prepare(table, key, rows) for table, key, rows in writes]
        failing: tuple[str, Mapping[str, object]] | None = None
        try:
            with self._transaction() as s:
                for table, key, data in prepared:
                    failing = (table, key)
                    self._replace(s, table, key, data)
                failing = None
        except WarehouseError:
            raise
        except Exception as exc:
            if failing is None:  # the commit itself failed
                table_names = ", ".join(dict.fromkeys(t for t, _, _ in prepared))
                failing = (table_names, prepared[0][1] if len(prepared) == 1 else {})
            raise self._error(
                "replace_partition",
                exc,
                "correct the cause and rerun the task (the previous rows of "
                + (
                    "this partition are unchanged)"
                    if len(prepared) == 1
                    else "these partitions are unchanged)"
                ),
                table=failing[0],
                key=failing[1] or None,
            ) from exc
        for table, key, data in prepared:
            note_write(table, key, data.num_rows)
        return [int(data.num_rows) for _, _, data in prepared]

    def _prepare(
        self, table: str, key: Mapping[str, object], rows: Rows
    ) -> tuple[str, dict[str, object], pa.Table]:
        """Check names and the key, and turn ``rows`` into an Arrow table carrying the key columns."""
        table = self._check_table(table, key)
        if not key or any(v is None for v in key.values()):
            raise self._error(
                "replace_partition",
                "the partition key is empty or has a NULL value, which would not name one partition",
                "pass at least one key column with a value, e.g. {'partition_date': date(2026, 11, 20)}",
                table=table,
                key=key,
            )
        try:
            data = _to_arrow(rows)
            for name in [*key, *data.column_names]:
                check_column(name)
        except (ValueError, TypeError, pa.ArrowException) as exc:
            raise self._error(
                "replace_partition",
                exc,
                "pass rows as an Arrow table, a DataFrame or dicts with valid column names",
                table=table,
                key=key,
            ) from exc
        return table, dict(key), self._with_key(table, key, data)

    def _replace(self, s: Session, table: str, key: Mapping[str, object], data: pa.Table) -> None:
        """Inside an open transaction: delete the partition, bulk-insert ``data``, check where it landed."""
        existing = [str(r["column_name"]) for r in s.fetch(self._COLUMNS_SQL, {"table": table})]
        if not existing:
            raise self._error(
                "replace_partition",
                "the table does not exist",
                "run `steward warehouse migrate` (Warehouse.migrate) or add a DDL file under include/sql/ddl",
                table=table,
                key=key,
            )
        unknown = [c for c in data.column_names if c not in existing]
        if unknown:
            raise self._error(
                "replace_partition",
                f"unknown column(s) {sorted(dict.fromkeys(unknown))}; the table has {existing}",
                "rename or drop those columns, or add them with a new DDL migration",
                table=table,
                key=key,
            )
        where, params = _key_filter(key)
        s.execute(f"delete from {quote_ident(table)} where {where}", params)
        if not data.num_rows:
            return
        self._bulk_insert(s, table, data.column_names, data)
        # Backstop in the database's own comparison semantics: every row landed in the partition.
        landed = _as_int(s.fetch(f"select count(*) as n from {quote_ident(table)} where {where}", params))
        if landed != data.num_rows:
            raise self._error(
                "replace_partition",
                f"rows outside the partition: {data.num_rows - landed} of {data.num_rows} rows "
                "do not match the key in the database",
                "write each partition's rows with its own key",
                table=table,
                key=key,
            )

    def _bulk_insert(self, session: Session, table: str, columns: Sequence[str], data: pa.Table) -> None:
        """Bulk-insert ``data`` through the session (a seam for tests that inject failures)."""
        session.bulk_insert(table, columns, data)

    def _with_key(self, table: str, key: Mapping[str, object], data: pa.Table) -> pa.Table:
        """Fill missing key columns with the key values; refuse rows whose key columns differ."""
        n = data.num_rows
        for name, value in key.items():
            if name not in data.column_names:
                try:
                    data = data.append_column(name, pa.array([value] * n))
                except (pa.ArrowException, TypeError) as exc:
                    raise self._error(
                        "replace_partition",
                        exc,
                        "give key values of a plain type (str, int, date, ...)",
                        table=table,
                        key=key,
                    ) from exc
                continue
            column = data.column(name)
            try:
                expected = pa.scalar(value).cast(column.type)
                inside = pc.fill_null(pc.equal(column, expected), False)
            except (pa.ArrowException, TypeError) as exc:
                raise self._error(
                    "replace_partition",
                    f"cannot compare column {name!r} ({column.type}) with key value {value!r}: {exc}",
                    "give key values of the column's type",
                    table=table,
                    key=key,
                ) from exc
            if not pc.all(inside, min_count=0).as_py():
                bad = column.filter(pc.invert(inside)).to_pylist()
                raise self._error(
                    "replace_partition",
                    f"rows outside the partition: {len(bad)} of {n} rows have {name} = "
                    f"{', '.join(sorted({repr(v) for v in bad})[:5])} instead of {value!r}",
                    "write each partition's rows with its own key, or leave the key columns out",
                    table=table,
                    key=key,
                )
        return data

    # --- migrations ---------------------------------------------------------------------

    def migrate(self, ddl_dir: Path | None = None) -> list[str]:
        """Apply the versioned DDL files that have not run yet, in order.

        Files are ``NNNN_name.sql`` under ``ddl_dir`` (default ``include/sql/ddl``); each runs in its
        own transaction and is recorded in ``steward_migrations`` with a checksum. Running again
        applies nothing.

        Parameters
        ----------
        ddl_dir
            Folder of migration files; default :func:`steward.paths.sql_dir` ``/ "ddl"``.

        Returns
        -------
        list of str
            The versions applied by this call (e.g. ``["0001"]``), empty when up to date.

        Raises
        ------
        WarehouseError
            A migration failed (it is rolled back), or an applied file was edited since it ran.

        Examples
        --------
        >>> connect("duckdb:///:memory:").migrate()  # doctest: +SKIP
        ['0001']
        """
        from steward.warehouse._migrations import run_migrations

        return run_migrations(self, ddl_dir)


#: First words of the statements a read-only query may be: anything else is refused up front.
_QUERY_WORDS = frozenset(
    {
        "select",
        "with",
        "values",
        "table",
        "from",
        "show",
        "describe",
        "desc",
        "summarize",
        "explain",
        "pivot",
        "unpivot",
        "(",
    }
)
_SQL_TOKENS = re.compile(
    r"""--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|"(?:[^"]|"")*"|\$(\w*)\$.*?\$\1\$|(;)|([A-Za-z_]+|\()""",
    re.DOTALL,
)


def read_only_refusal(sql: str) -> str | None:
    """Return why ``sql`` is plainly not one read-only query, or ``None`` when it may be one.

    A check on the text, for a clear message only: comments and quoted text are skipped, and each
    statement's first word must start a query. The engine's read-only connection is what enforces
    it (a data-modifying ``with`` passes here and is refused there).

    Examples
    --------
    >>> read_only_refusal("select * from dq_runs") is None
    True
    >>> read_only_refusal("select 1; drop table dq_runs")
    'several statements (2); give one query'
    >>> read_only_refusal("DROP TABLE dq_runs")
    'DROP is not a query, and only queries may run read-only'
    """
    words: list[str] = []
    statements = 0
    expecting = True
    for match in _SQL_TOKENS.finditer(sql):
        if match.group(2):
            expecting = True
        elif match.group(3) and expecting:
            words.append(match.group(3).lower())
            statements += 1
            expecting = False
    if statements == 0:
        return "no SQL statement was given"
    if statements > 1:
        return f"several statements ({statements}); give one query"
    if words[0] not in _QUERY_WORDS:
        return f"{words[0].upper()} is not a query, and only queries may run read-only"
    return None


def _to_arrow(rows: Rows) -> pa.Table:
    """Return ``rows`` (Arrow table, pandas DataFrame or list of dicts) as an Arrow table."""
    if isinstance(rows, pa.Table):
        return rows
    if isinstance(rows, pa.RecordBatch):
        return pa.Table.from_batches([rows])
    if type(rows).__module__.startswith("pandas") and hasattr(rows, "columns"):
        return pa.Table.from_pandas(rows, preserve_index=False)
    if isinstance(rows, Sequence) and not isinstance(rows, str | bytes):
        if not all(isinstance(r, Mapping) for r in rows):
            raise TypeError("a list of rows must hold dicts (column -> value)")
        names = list(dict.fromkeys(k for r in rows for k in r))
        return pa.table({k: pa.array([r.get(k) for r in rows]) for k in names}) if names else pa.table({})
    raise TypeError(f"rows of type {type(rows).__name__} are not supported")


def _key_filter(key: Mapping[str, object]) -> tuple[str, dict[str, object]]:
    """Return ``"k1" = :k_0 and ...`` and its parameters."""
    clauses = [f"{quote_ident(name)} = :k_{i}" for i, name in enumerate(key)]
    return " and ".join(clauses), {f"k_{i}": value for i, value in enumerate(key.values())}


def _as_int(rows: list[dict[str, object]]) -> int:
    """Return the single value of a one-row, one-column count query."""
    (value,) = rows[0].values()
    return int(value)  # type: ignore[call-overload]


def _show_key(key: Mapping[str, object]) -> str:
    return "{" + ", ".join(f"{k}={v!s}" for k, v in key.items()) + "}"


def _short(sql: str, limit: int = 200) -> str:
    one_line = " ".join(sql.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 3] + "..."
