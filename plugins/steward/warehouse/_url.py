"""Warehouse URLs: where the default comes from, and how to print one without its password.

A URL is parsed once, by :func:`parse_url`, into a :class:`WarehouseURL` (its canonical text, kind,
redacted form and secrets) that :func:`steward.warehouse.connect` hands to the adapter.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl, quote, quote_plus, unquote, unquote_plus, urlencode, urlsplit, urlunsplit

from steward import paths

__all__ = [
    "AIRFLOW_CONN_ENV",
    "URL_ENV",
    "WarehouseURL",
    "default_url",
    "duckdb_path",
    "normalize_url",
    "parse_url",
    "redact",
    "scheme",
    "scrub",
    "secrets_of",
]

#: Environment variable holding the warehouse URL (wins over the Airflow connection).
URL_ENV = "STEWARD_WAREHOUSE_URL"
#: The Airflow connection ``steward_warehouse`` given through the environment (URI or JSON form).
AIRFLOW_CONN_ENV = "AIRFLOW_CONN_STEWARD_WAREHOUSE"

_DUCKDB_PREFIX = "duckdb:///"
_POSTGRES_SCHEMES = ("postgres", "postgresql")
#: Query parameters whose value is a secret: ``password``, ``sslpassword``, tokens, keys, credentials.
_HIDDEN_PARAM_NAMES = (
    r"[\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|credential)[\w.-]*"
)
#: ``key=value`` with a secret key; the value (at least one character, so a raw ``&`` right after
#: the ``=`` counts as part of it) runs to the next ``&name=`` or to the end of the text: a raw ``&``,
#: ``#`` or ``?`` in a secret is hidden too.
_SECRET_PARAM_RE = re.compile(rf"(?i)(?<![\w.-])({_HIDDEN_PARAM_NAMES})=(.+?)(?=&[\w.-]+=|\Z)", re.DOTALL)
#: libpq settings an Airflow connection's ``extra`` may carry into the URL (Airflow's own keys, such as
#: ``cursor`` or ``aws_conn_id``, are not libpq's and are left out).
_LIBPQ_EXTRA_KEYS = frozenset(
    {
        "application_name",
        "channel_binding",
        "client_encoding",
        "connect_timeout",
        "gssencmode",
        "keepalives",
        "keepalives_count",
        "keepalives_idle",
        "keepalives_interval",
        "options",
        "passfile",
        "sslcert",
        "sslcompression",
        "sslcrl",
        "sslkey",
        "sslmode",
        "sslnegotiation",
        "sslpassword",
        "sslrootcert",
        "target_session_attrs",
    }
)
#: Secrets shorter than this are not scrubbed from messages (they would mangle ordinary words).
_MIN_SCRUB = 4


@dataclass(frozen=True)
class WarehouseURL:
    """A warehouse URL parsed once (see :func:`parse_url`).

    Attributes
    ----------
    text
        The URL with a canonical scheme (``postgresql://``, ``duckdb:///``), secrets included: hand it to
        the driver only, never to a log.
    scheme
        ``"duckdb"`` or ``"postgresql"``.
    redacted
        The URL with its password and secret parameters hidden (:func:`redact`): safe to log.
    secrets
        The secrets in every spelling a driver message may echo (:func:`secrets_of`), for :func:`scrub`.
    """

    text: str = field(repr=False)
    scheme: Literal["duckdb", "postgresql"]
    redacted: str
    secrets: tuple[str, ...] = field(repr=False)

    def __str__(self) -> str:
        return self.redacted


def parse_url(url: str | WarehouseURL, *, origin: str = "url") -> WarehouseURL:
    """Parse a warehouse URL once: its kind, canonical text, redacted form and secrets.

    Raises ``ValueError`` naming ``origin`` when the scheme is not one Steward supports.

    Examples
    --------
    >>> parse_url("postgres://steward:s3cret@db:5432/wh")
    WarehouseURL(scheme='postgresql', redacted='postgresql://steward:***@db:5432/wh')
    """
    if isinstance(url, WarehouseURL):
        return url
    kind = scheme(url, origin=origin)
    text = "postgresql://" + url[len("postgres://") :] if url.startswith("postgres://") else url
    spans = _secret_spans(text)
    return WarehouseURL(text, kind, _hide(text, spans), tuple(_spellings(text, spans)))


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
    return parse_url(url, origin=origin).text


def scheme(url: str, *, origin: str = "url") -> Literal["duckdb", "postgresql"]:
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
            f"DuckDB URL {redact(url)!r} names no file: write 'duckdb:///<path>' or 'duckdb:///:memory:'"
        )
    return path


def redact(url: str) -> str:
    """Return ``url`` with its password and other secrets replaced by ``***``, safe to log.

    Hidden: the password of ``user:password@`` (percent-encoded or not, even holding ``/ # ? @ :``),
    and the value of every secret query parameter (``password=``, ``sslpassword=``, ``...token=``,
    ``...secret=``, ``api_key=``, ``access_key=``, ``...credential...=``). When an ``@`` appears after
    the host too, everything between the user name and the last ``@`` is hidden: erring on the safe side.

    Examples
    --------
    >>> redact("postgresql://steward:s3cret@db.internal:5432/warehouse")
    'postgresql://steward:***@db.internal:5432/warehouse'
    >>> redact("postgresql://steward:p/ss#w?rd@db/wh?sslpassword=k3y&sslmode=require")
    'postgresql://steward:***@db/wh?sslpassword=***&sslmode=require'
    >>> redact("duckdb:////data/warehouse.duckdb")
    'duckdb:////data/warehouse.duckdb'
    """
    return _hide(url, _secret_spans(url))


def _secret_spans(url: str) -> list[tuple[int, int]]:
    """Return where the password and the secret query values lie in ``url`` (password last)."""
    # Both kinds of secret are found in the URL as given, then hidden together: hiding one first could
    # hide the name that marks the other (a raw password holding '?password=', a query holding '@').
    spans = [m.span(2) for m in _SECRET_PARAM_RE.finditer(url) if m.group(2)]
    password = _password_span(url)
    if password is not None:
        spans.append(password)
    return spans


def _hide(url: str, spans: list[tuple[int, int]]) -> str:
    """Return ``url`` with every span replaced by ``***`` (overlapping spans hidden as one)."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in reversed(merged):
        url = url[:start] + "***" + url[end:]
    return url


def _password_span(url: str) -> tuple[int, int] | None:
    """Return where the password of ``scheme://user:password@host...`` lies in ``url``, if it has one."""
    head, sep, rest = url.partition("://")
    if not sep:
        return None
    start = len(head) + len(sep)
    try:
        netloc = urlsplit(url).netloc
    except ValueError:  # e.g. an unbalanced '[' in a raw password
        netloc = ""
    after_netloc = rest[len(netloc) :] if rest.startswith(netloc) else rest
    # A well-formed URL: the password ends at the host's '@'. Otherwise a raw '/', '?' or '#' in the
    # password may hide the host from urlsplit: hide everything up to the last '@'.
    at = netloc.rfind("@") if "@" in netloc and "@" not in after_netloc else rest.rfind("@")
    if at < 0:
        return None
    colon = rest.find(":", 0, at)
    if colon < 0 or colon + 1 == at:
        return None
    return start + colon + 1, start + at


def secrets_of(url: str) -> list[str]:
    """Return the secrets in ``url`` in every spelling a message may show, longest first.

    The password and secret query values, as written, percent-decoded and percent-encoded; used by
    :func:`scrub` to clean driver messages that echo parts of a URL.
    """
    return _spellings(url, _secret_spans(url))


def _spellings(url: str, spans: list[tuple[int, int]]) -> list[str]:
    """Return every spelling of the secrets at ``spans`` of ``url``, longest first (:func:`secrets_of`)."""
    raw = [url[start:end] for start, end in spans]
    spellings: set[str] = set()
    for value in raw:
        for decoded in (value, unquote(value), unquote_plus(value)):
            spellings.update({decoded, quote(decoded, safe=""), quote(decoded), quote_plus(decoded)})
    return sorted((v for v in spellings if len(v) >= _MIN_SCRUB), key=len, reverse=True)


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Return ``text`` with every one of ``secrets`` replaced by ``***`` (see :func:`secrets_of`)."""
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= _MIN_SCRUB:
            text = text.replace(secret, "***")
    return text


def _drop_airflow_extra(url: str) -> str:
    """Remove Airflow's ``__extra__`` query parameter, which is no libpq setting."""
    if "__extra__" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise ValueError(
            f"{AIRFLOW_CONN_ENV}: {redact(url)!r} is not a valid URI ({exc}): percent-encode the "
            "login and password (Airflow's Connection.get_uri() does)"
        ) from None
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
        extra=conn.get("extra"),
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
    extra: object = None,
    origin: str = "connection 'steward_warehouse'",
) -> str:
    """Build a warehouse URL from an Airflow connection's fields.

    A Postgres ``host`` that is a folder (``/run/postgresql``) is a Unix socket directory and
    goes in the ``host`` query parameter. A DuckDB connection keeps its file path in ``host``.
    The libpq settings among ``extra`` (a dict or its JSON text: ``sslmode``, ``sslrootcert``,
    ``sslpassword``, ``application_name``, ...) become query parameters; other keys are ignored.

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
    params: list[tuple[str, str]] = []
    if socket_dir:
        params += [("host", host_text), *([("port", str(int(str(port))))] if port else [])]
    params += sorted((k, str(v)) for k, v in _extra_dict(extra, origin).items() if k in _LIBPQ_EXTRA_KEYS)
    if params:
        url += "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in params)
    return url


def _extra_dict(extra: object, origin: str) -> dict[str, object]:
    """Return an Airflow connection's ``extra`` (a dict, its JSON text, or nothing) as a dict."""
    if extra is None or extra == "":
        return {}
    if isinstance(extra, str):
        try:
            extra = json.loads(extra)
        except json.JSONDecodeError:
            raise ValueError(
                f"{origin}: 'extra' is not a JSON object; write it as {{\"sslmode\": ...}}"
            ) from None
    if not isinstance(extra, dict):
        raise ValueError(f"{origin}: 'extra' must be a JSON object, got {type(extra).__name__}")
    return {str(k): v for k, v in extra.items() if v is not None}
