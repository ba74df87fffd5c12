"""SQL files under ``include/sql``: read as text, or rendered from a Jinja template (``.sql.j2``).

One way to template SQL: :func:`render_sql` with a Jinja environment built once (strict undefined,
the trailing newline kept). Templates interpolate identifiers quoted by
:func:`~steward.warehouse.quote_ident`, numbers, and SQL fragments the code built; values from
users or data are bound as ``:name`` parameters, never templated.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from steward import paths

__all__ = ["read_sql", "render_sql"]


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
    return _sql_path(relpath).read_text(encoding="utf-8")


def _sql_path(relpath: str) -> Path:
    root = paths.sql_dir().resolve()
    path = (root / relpath).resolve()
    if not path.is_relative_to(root):
        raise FileNotFoundError(
            f"SQL file {relpath!r} is outside {root}: give a path relative to include/sql"
        )
    if not path.is_file():
        folder = path.parent
        known = sorted(p.name for p in folder.glob("*.sql*")) if folder.is_dir() else []
        hint = f"files in {folder}: {', '.join(known)}" if known else f"{folder} holds no .sql files"
        raise FileNotFoundError(f"SQL file include/sql/{relpath} does not exist ({hint})")
    return path


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(  # noqa: S701 - renders SQL, not HTML; see the module docstring
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )


@cache
def _template(path: Path) -> jinja2.Template:
    return _env().from_string(path.read_text(encoding="utf-8"))


def render_sql(relpath: str, **params: Any) -> str:
    """Render the Jinja template ``include/sql/<relpath>`` (a ``.sql.j2`` file) with ``params``.

    Only identifiers (quoted with :func:`~steward.warehouse.quote_ident`), numbers and SQL fragments
    built by code go into a template; values are bound as ``:name`` parameters of the query.

    Parameters
    ----------
    relpath
        Path below ``include/sql``, e.g. ``"monitoring/aggregate_window.sql.j2"``.
    **params
        The template's variables; a variable the template uses but ``params`` lacks is an error.

    Raises
    ------
    FileNotFoundError
        The template does not exist (see :func:`read_sql`).
    jinja2.UndefinedError
        The template uses a variable that was not given.

    Examples
    --------
    >>> sql = render_sql("governance/select_audit_trail.sql.j2", where="where model = :model")
    >>> sql.rstrip().endswith("where model = :model")
    True
    """
    return _template(_sql_path(relpath)).render(**params)
