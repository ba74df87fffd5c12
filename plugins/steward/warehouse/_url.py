"""Warehouse URLs: where the default comes from, and how to print one without its password."""

from __future__ import annotations

import json
import os
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from steward import paths

__all__ = ["AIRFLOW_CONN_ENV", "URL_ENV", "default_url", "duckdb_path", "normalize_url", "redact", "scheme"]

#: Environment variable holding the warehouse URL (wins over the Airflow connection).
URL_ENV = "STEWARD_WAREHOUSE_URL"
#: The Airflow connection ``steward_warehouse`` given through the environment (URI or JSON form).
AIRFLOW_CONN_ENV = "AIRFLOW_CONN_STEWARD_WAREHOUSE"

_DUCKDB_PREFIX = "duckdb:///"
_POSTGRES_SCHEMES = ("postgres", "postgresql")
_PASSWORD_PARAM_RE = re.compile(r"(?i)(\bpassword=)([^&\s]*)")


def default_url() -> str:
    """Return the warehouse URL this process should use.

    The first of these that is set wins:

    1. ``STEWARD_WAREHOUSE_URL``;
    2. ``AIRFLOW_CONN_STEWARD_WAREHOUSE``, in Airflow's URI form
       (``postgres://user:pw@host:5432/db``, ``postgresql://...``, ``duckdb:///path``) or
       Airflow's JSON form (``{"conn_type": "postgres", "host": ..., "port": ..., "login": ...,
       "password": ..., "schema": ...}``);
    3. the embedded DuckDB file ``$STEWARD_HOME/warehouse.duckdb``.

    Returns
    -------
    str
        A URL that :func:`steward.warehouse.connect` accepts (``postgresql://`` or ``duckdb:///``).

    Examples
    --------
    With nothing set, the embedded DuckDB file under ``STEWARD_HOME``:

    >>> default_url()  # doctest: +SKIP
    'duckdb:////home/me/steward/.steward/warehouse.duckdb'
    """
    url = os.environ.get(URL_ENV, "").strip()
    if url:
        return normalize_url(url, origin=URL_ENV)
    conn = os.environ.get(AIRFLOW_CONN_ENV, "").strip()
    if conn:
        if conn.startswith("{"):
            return _from_airflow_json(conn)
        return _drop_airflow_extra(normalize_url(conn, origin=AIRFLOW_CONN_ENV))
    return f"{_DUCKDB_PREFIX}{paths.steward_home() / 'warehouse.duckdb'}"


def normalize_url(url: str, *, origin: str = "url") -> str:
    """Return ``url`` with a canonical scheme (``postgres://`` becomes ``postgresql://``).

    Raises ``ValueError`` naming ``origin`` when the scheme is not one Steward supports.
    """
    kind = scheme(url, origin=origin)
    if kind == "postgresql" and url.startswith("postgres://"):
        return "postgresql://" + url[len("postgres://") :]
    return url


def scheme(url: str, *, origin: str = "url") -> str:
    """Return ``"duckdb"`` or ``"postgresql"`` for a warehouse URL, else raise ``ValueError``."""
    if url.startswith(_DUCKDB_PREFIX):
        return "duckdb"
    head = url.split("://", 1)[0].lower() if "://" in url else ""
    if head in _POSTGRES_SCHEMES:
        return "postgresql"
    if head == "duckdb":
        raise ValueError(
            f"{origin}: {redact(url)!r} is not a DuckDB URL Steward understands: write "
            "'duckdb:///relative/file.duckdb', 'duckdb:////absolute/file.duckdb' or 'duckdb:///:memory:'"
        )
    raise ValueError(
        f"{origin}: unsupported warehouse URL {redact(url)!r}: use 'duckdb:///<path>' or "
        "'postgresql://user:password@host:port/database'"
    )


def duckdb_path(url: str) -> str:
    """Return the file path (or ``":memory:"``) of a ``duckdb:///`` URL."""
    if not url.startswith(_DUCKDB_PREFIX):
        raise ValueError(f"not a DuckDB URL: {redact(url)!r}")
    path = unquote(url[len(_DUCKDB_PREFIX) :].split("?", 1)[0])
    if not path:
        raise ValueError(
            f"DuckDB URL {url!r} names no file: write 'duckdb:///<path>' or 'duckdb:///:memory:'"
        )
    return path


def redact(url: str) -> str:
    """Return ``url`` with its password replaced by ``***``, safe to log.

    Both the ``user:password@`` part and a ``password=`` query parameter are hidden.

    Examples
    --------
    >>> redact("postgresql://steward:s3cret@db.internal:5432/warehouse")
    'postgresql://steward:***@db.internal:5432/warehouse'
    >>> redact("duckdb:////data/warehouse.duckdb")
    'duckdb:////data/warehouse.duckdb'
    """
    url = _PASSWORD_PARAM_RE.sub(lambda m: m.group(1) + ("***" if m.group(2) else ""), url)
    if "://" not in url:
        return url
    parts = urlsplit(url)
    userinfo, at, hostinfo = parts.netloc.rpartition("@")
    if not at:
        return url
    user, colon, password = userinfo.partition(":")
    if not colon or not password:
        return url
    return urlunsplit(parts._replace(netloc=f"{user}:***@{hostinfo}"))


def _drop_airflow_extra(url: str) -> str:
    """Remove Airflow's ``__extra__`` query parameter, which is no libpq setting."""
    parts = urlsplit(url)
    if "__extra__" not in parts.query:
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "__extra__"]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _from_airflow_json(raw: str) -> str:
    """Turn Airflow's JSON connection form into a URL."""
    try:
        conn = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{AIRFLOW_CONN_ENV} is not valid JSON ({exc.msg} at position {exc.pos}): give a URI "
            "like 'postgresql://user:pw@host:5432/db' or Airflow's JSON connection form"
        ) from None
    if not isinstance(conn, dict):
        raise ValueError(f"{AIRFLOW_CONN_ENV} must be a JSON object with conn_type, host, port, ...")
    return url_from_connection(
        conn_type=conn.get("conn_type"),
        host=conn.get("host"),
        port=conn.get("port"),
        login=conn.get("login"),
        password=conn.get("password"),
        schema=conn.get("schema"),
        origin=AIRFLOW_CONN_ENV,
    )


def url_from_connection(
    *,
    conn_type: object,
    host: object = None,
    port: object = None,
    login: object = None,
    password: object = None,
    schema: object = None,
    origin: str = "connection 'steward_warehouse'",
) -> str:
    """Build a warehouse URL from an Airflow connection's fields.

    A Postgres ``host`` that is a folder (``/run/postgresql``) is a Unix socket directory and
    goes in the ``host`` query parameter. A DuckDB connection keeps its file path in ``host``.

    Examples
    --------
    >>> url_from_connection(conn_type="postgres", host="db", port=5432, login="u", password="p", schema="w")
    'postgresql://u:p@db:5432/w'
    >>> url_from_connection(conn_type="postgres", host="/tmp/pg", login="postgres", schema="postgres")
    'postgresql://postgres@/postgres?host=%2Ftmp%2Fpg'
    """
    kind = str(conn_type or "").lower()
    if kind == "duckdb":
        path = host or schema
        if not path:
            raise ValueError(f"{origin}: a duckdb connection needs 'host' set to the file path")
        return f"{_DUCKDB_PREFIX}{path}"
    if kind not in _POSTGRES_SCHEMES:
        raise ValueError(
            f"{origin}: conn_type {kind!r} is not supported for the warehouse: use 'postgres' or 'duckdb'"
        )
    userinfo = quote(str(login or ""), safe="")
    if password:
        userinfo += ":" + quote(str(password), safe="")
    host_text = str(host or "")
    socket_dir = host_text.startswith("/")
    netloc = (userinfo + "@" if userinfo else "") + ("" if socket_dir else host_text)
    if port and not socket_dir:
        netloc += f":{int(str(port))}"
    database = quote(str(schema or ""), safe="")
    url = f"postgresql://{netloc}/{database}"
    if socket_dir:
        query = f"host={quote(host_text, safe='')}" + (f"&port={int(str(port))}" if port else "")
        url += "?" + query
    return url
