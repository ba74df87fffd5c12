"""The PostgreSQL adapter (psycopg 3): a connection per operation, bulk loads through COPY."""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any, ClassVar

import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row

from steward.warehouse._base import Session, Unavailable, Warehouse, quote_ident
from steward.warehouse._url import WarehouseURL, parse_url, scrub

__all__ = ["PostgresWarehouse"]

#: Arrow types for the PostgreSQL type OIDs Steward's tables use; other types are inferred.
_ARROW_TYPES: dict[int, pa.DataType] = {
    16: pa.bool_(),
    20: pa.int64(),
    21: pa.int16(),
    23: pa.int32(),
    700: pa.float32(),
    701: pa.float64(),
    19: pa.string(),
    25: pa.string(),
    1043: pa.string(),
    1082: pa.date32(),
    1114: pa.timestamp("us"),
    1184: pa.timestamp("us", tz="UTC"),
}

#: Rows per CSV chunk streamed into COPY: memory stays bounded whatever the table size.
_COPY_CHUNK_ROWS = 50_000


class _PostgresSession(Session):
    placeholder: ClassVar[str] = "%({name})s"
    escape_percent: ClassVar[bool] = True

    def __init__(self, conn: psycopg.Connection[Any], *, one_statement: bool = False) -> None:
        self.conn = conn
        self.one_statement = one_statement

    def begin(self) -> None:
        """Nothing to do: psycopg opens a transaction at the first statement."""

    def commit(self) -> None:
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()

    def execute(self, sql: str, params: Mapping[str, object] | None = None) -> None:
        # Always pass a mapping (maybe empty) so psycopg un-doubles the escaped '%' consistently.
        query, values = self.sql(sql, params)
        self.conn.execute(query, values)

    def execute_script(self, script: str) -> None:
        # Without parameters psycopg sends several statements in one go.
        self.conn.execute(script)

    def fetch(self, sql: str, params: Mapping[str, object] | None = None) -> list[dict[str, object]]:
        query, values = self.sql(sql, params)
        # Pipeline mode sends the extended protocol, which takes exactly one statement: without it a
        # read-only transaction could be ended by "commit; set transaction read write; drop ...".
        with self.conn.cursor(row_factory=dict_row) as cur:
            with self.conn.pipeline() if self.one_statement else nullcontext():
                cur.execute(query, values)
            # (leaving the pipeline block waited for the result)
            return list(cur.fetchall()) if cur.description else []

    def fetch_arrow(self, sql: str, params: Mapping[str, object] | None = None) -> pa.Table:
        query, values = self.sql(sql, params)
        with self.conn.cursor() as cur:
            cur.execute(query, values)
            if not cur.description:
                raise ValueError("the statement returns no rows: use execute() for statements")
            rows = cur.fetchall()
            columns = list(zip(*rows, strict=True)) if rows else [() for _ in cur.description]
            arrays = [
                pa.array(list(values), type=_ARROW_TYPES.get(d.type_code))
                for d, values in zip(cur.description, columns, strict=True)
            ]
            return pa.Table.from_arrays(arrays, names=[d.name for d in cur.description])

    def bulk_insert(self, table: str, columns: Sequence[str], data: pa.Table) -> None:
        cols = ", ".join(quote_ident(c) for c in columns)
        with (
            self.conn.cursor() as cur,
            cur.copy(f"copy {quote_ident(table)} ({cols}) from stdin with (format csv)") as copy,
        ):
            for chunk in csv_chunks(data):
                copy.write(chunk)


def csv_chunks(data: pa.Table, rows_per_chunk: int = _COPY_CHUNK_ROWS) -> Iterator[bytes]:
    """Yield ``data`` as CSV for ``COPY ... with (format csv)``, ``rows_per_chunk`` rows at a time.

    Every non-null value is quoted and nulls are left empty, so NULL and the empty string stay distinct.
    """
    options = pacsv.WriteOptions(include_header=False, quoting_style="all_valid")
    for batch in _csv_ready(data).to_batches(max_chunksize=rows_per_chunk):
        buffer = io.BytesIO()
        pacsv.write_csv(batch, buffer, options)
        yield buffer.getvalue()


def _csv_ready(data: pa.Table) -> pa.Table:
    """Decode dictionary (categorical) columns, which the CSV writer does not take."""
    for i, field in enumerate(data.schema):
        if pa.types.is_dictionary(field.type):
            data = data.set_column(i, field.name, data.column(i).cast(field.type.value_type))
    return data


class PostgresWarehouse(Warehouse):
    """PostgreSQL warehouse (``postgresql://user:password@host:port/database``).

    Each operation opens a connection and closes it: a load interrupted by a dropped connection
    is rolled back by the server. Sessions run in UTC, and wait at most ``lock_timeout_s`` for a
    lock another transaction holds.
    """

    backend: ClassVar[str] = "postgres"
    # One migrator at a time, across processes: a transaction-level advisory lock.
    _migration_lock_sql: ClassVar[str | None] = "select pg_advisory_xact_lock(7365726172640001)"

    def __init__(self, url: str | WarehouseURL, *, lock_timeout_s: float = 60.0) -> None:
        target = parse_url(url)
        self._dsn = target.text
        self.url = target.redacted
        self._secrets = target.secrets
        self.lock_timeout_s = float(lock_timeout_s)
        try:
            options = conninfo_to_dict(self._dsn).get("options") or ""
        except psycopg.ProgrammingError as exc:  # libpq echoes the part it could not parse: scrub it
            raise ValueError(
                f"invalid PostgreSQL URL {self.url!r}: {scrub(str(exc), self._secrets)}"
            ) from None
        self._options = (
            f"{options} -c TimeZone=UTC -c lock_timeout={max(1, int(self.lock_timeout_s * 1000))}"
        ).strip()

    @contextmanager
    def _open(self, *, read_only: bool = False) -> Iterator[Session]:
        # Read-only: every transaction of the session is READ ONLY, and one statement runs per call.
        options = f"{self._options} -c default_transaction_read_only=on" if read_only else self._options
        try:
            conn = psycopg.connect(self._dsn, options=options)
        except psycopg.OperationalError as exc:
            raise Unavailable(
                f"cannot connect to PostgreSQL ({str(exc).strip()})",
                "check that the server is up and that STEWARD_WAREHOUSE_URL (or the Airflow connection "
                "steward_warehouse) names the right host, database and user",
            ) from exc
        try:
            conn.read_only = read_only  # BEGIN READ ONLY, on top of the session default
            yield _PostgresSession(conn, one_statement=read_only)
        finally:
            conn.close()
