"""One parameter style for callers: ``:name`` in SQL, translated to what each driver wants."""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["translate_params"]

# Kept hand-written (issue 10.7), measured 2026-11-30 on this 2-core machine: translating the rendered
# normalize_daily SQL (8.9k characters) takes 1.7 ms here and 138 ms through sqlglot (parse, replace the
# placeholders, generate: 83x slower; allocate_input_lines.sql 0.34 vs 17 ms, 50x), and sqlglot would
# rewrite the SQL text besides. The drivers cannot take ``:name`` themselves (DuckDB binds ``$name``,
# psycopg ``%(name)s``), so one translation stays.
# Text that is never a parameter: quoted literals and identifiers, comments, dollar-quoted
# bodies (PostgreSQL), and ``::`` casts. Everything else is scanned for ``:name``.
_TOKEN_RE = re.compile(
    r"""
      (?P<skip>
          '(?:[^']|'')*'                          # 'string literal' ('' escapes a quote)
        | "(?:[^"]|"")*"                          # "quoted identifier"
        | --[^\n]*                                # -- line comment
        | /\*.*?\*/                               # /* block comment */
        | \$(?P<tag>(?:[A-Za-z_][A-Za-z0-9_]*)?)\$.*?\$(?P=tag)\$   # $tag$ dollar quoted $tag$
        | ::                                      # cast, not a parameter
      )
    | (?<![A-Za-z0-9_:]):(?P<name>[A-Za-z_][A-Za-z0-9_]*)   # :name
    """,
    re.VERBOSE | re.DOTALL,
)


def translate_params(
    sql: str,
    params: Mapping[str, object] | None,
    *,
    placeholder: str,
    escape_percent: bool,
) -> tuple[str, dict[str, object]]:
    """Rewrite ``:name`` parameters of ``sql`` into a driver's placeholder style.

    Parameters
    ----------
    sql
        SQL using ``:name`` parameters. Text inside quotes, comments and ``::`` casts is left alone.
    params
        Values by name. Every ``:name`` in ``sql`` must have one; unused values are dropped.
    placeholder
        The driver's placeholder as a format string with ``{name}``, e.g. ``"${name}"`` (DuckDB)
        or ``"%({name})s"`` (psycopg).
    escape_percent
        Double every literal ``%`` (psycopg reads ``%`` anywhere in a query that has parameters).

    Returns
    -------
    tuple of (str, dict)
        The translated SQL and the values it uses.

    Raises
    ------
    KeyError
        When ``sql`` uses a parameter that ``params`` lacks; the message lists the missing names.

    Examples
    --------
    >>> translate_params(
    ...     "select '50%' as p, d::text from t where a = :a", {"a": 1},
    ...     placeholder="%({name})s", escape_percent=True,
    ... )
    ("select '50%%' as p, d::text from t where a = %(a)s", {'a': 1})
    """
    given = dict(params or {})
    used: dict[str, object] = {}
    missing: list[str] = []
    out: list[str] = []
    pos = 0

    def literal(text: str) -> str:
        return text.replace("%", "%%") if escape_percent else text

    for match in _TOKEN_RE.finditer(sql):
        out.append(literal(sql[pos : match.start()]))
        name = match.group("name")
        if name is None:
            out.append(literal(match.group(0)))
        elif name in given:
            used[name] = given[name]
            out.append(placeholder.format(name=name))
        else:
            missing.append(name)
            out.append(match.group(0))
        pos = match.end()
    out.append(literal(sql[pos:]))
    if missing:
        raise KeyError(
            f"SQL parameter(s) {', '.join(':' + m for m in dict.fromkeys(missing))} have no value: "
            f"pass them in params (given: {sorted(given) or 'none'})"
        )
    return "".join(out), used
