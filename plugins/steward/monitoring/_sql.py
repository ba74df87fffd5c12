"""Render the monitoring SQL templates in ``include/sql/monitoring`` (Jinja, strict undefined)."""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import jinja2

from steward.warehouse import read_sql

__all__ = ["number", "render_sql"]


@cache
def _template(name: str) -> jinja2.Template:
    env = jinja2.Environment(  # noqa: S701 - renders SQL, not HTML; values are checked identifiers and numbers
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, trim_blocks=False
    )
    return env.from_string(read_sql(f"monitoring/{name}.sql.j2"))


def render_sql(name: str, **context: Any) -> str:
    """Render ``include/sql/monitoring/<name>.sql.j2``.

    Every value interpolated must be a checked identifier (quoted with ``quote_ident``), a number
    formatted by :func:`number`, or SQL this package built: templates never see user text.
    """
    return _template(name).render(**context)


def number(value: float) -> str:
    """Format a finite float as an exact SQL literal (``repr`` round-trips doubles)."""
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"cannot write {value!r} as a SQL number")
    return repr(v)
