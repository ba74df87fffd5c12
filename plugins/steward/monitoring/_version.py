"""Which model version produced a window's predictions: read from the prediction log's version column.

Every metric row (``drift_metrics``, ``model_performance``, ``fairness_metrics``) names the version
that scored the window. The column is the registry's ``columns.version`` role, else ``model_version``
when the log has one; without either the rows keep ``model_version`` NULL.

A window whose log mixes versions (a release during the day, a canary) is attributed to its
**majority version** (most rows; ties go to the version that scored last, then the higher name): the
monitoring keys stay one row per model x window x metric, and the control charts restart only when
the majority changes. The mix is logged with each version's share.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from steward.monitoring._aggregate import column_types
from steward.monitoring._relation import WINDOW_COLUMN, Relation
from steward.registry import Model
from steward.warehouse import quote_ident

__all__ = [
    "DEFAULT_VERSION_COLUMN",
    "majority_versions",
    "stamp_version",
    "version_column",
    "window_versions",
]

log = logging.getLogger(__name__)

#: The prediction-log column read when the registry declares no ``columns.version``.
DEFAULT_VERSION_COLUMN = "model_version"


def version_column(model: Model, relation: Relation) -> str | None:
    """Return the log's version column for ``model``, or ``None`` when the log has none.

    A declared ``columns.version`` that the log lacks is logged as a warning (the rows keep NULL).
    """
    name = model.columns.version or DEFAULT_VERSION_COLUMN
    if column_types(relation, [name]).get(name) is not None:
        return name
    if model.columns.version:
        log.warning(
            "model %r: columns.version %r is not in the prediction log: metric rows carry no model_version "
            "(fix the column name in the registry or log the version)",
            model.name,
            name,
        )
    return None


def majority_versions(counts: Iterable[Mapping[str, Any]], *, model: str = "model") -> dict[dt.date, str]:
    """Pick each window's majority version from ``(window_date, version, n, last)`` count rows.

    Ties go to the version whose last prediction is latest, then to the higher version text.

    Examples
    --------
    >>> d = dt.date(2026, 11, 5)
    >>> majority_versions([{"window_date": d, "version": "1.0", "n": 30, "last": 1},
    ...                    {"window_date": d, "version": "1.1", "n": 70, "last": 2}])
    {datetime.date(2026, 11, 5): '1.1'}
    """
    by_day: dict[dt.date, list[tuple[int, Any, str]]] = {}
    for r in counts:
        day = r["window_date"]
        day = day.date() if isinstance(day, dt.datetime) else day
        by_day.setdefault(day, []).append((int(r["n"]), r["last"], str(r["version"])))
    out: dict[dt.date, str] = {}
    for day, found in sorted(by_day.items()):
        found.sort(key=lambda t: (t[0], t[1] is not None, t[1] or 0, t[2]), reverse=True)
        out[day] = found[0][2]
        if len(found) > 1:
            total = sum(n for n, _, _ in found)
            shares = ", ".join(f"{v} {n / total:.0%}" for n, _, v in found)
            log.info(
                "%s window %s mixes model versions (%s): its rows carry %s", model, day, shares, out[day]
            )
    return out


def window_versions(model: Model, relation: Relation) -> dict[dt.date, str]:
    """Return each window's majority model version in ``relation`` (empty without a version column)."""
    column = version_column(model, relation)
    if column is None:
        return {}
    v = quote_ident(column)
    # ties go to the version that scored last; a log without its timestamp column (a one-off file
    # audit names a synthetic one) breaks ties by the version's name alone
    timestamp = model.columns.timestamp
    has_ts = column_types(relation, [timestamp]).get(timestamp) is not None
    last = f"max({quote_ident(timestamp)})" if has_ts else "cast(null as timestamp)"
    rows = relation.engine.fetch(
        f"select {WINDOW_COLUMN} as window_date, cast({v} as text) as version, count(*) as n, "
        f"{last} as last from ({relation.sql}) as r "
        f"where {v} is not null and {WINDOW_COLUMN} is not null group by 1, 2"
    )
    return majority_versions(rows, model=model.name)


def stamp_version(
    writes: list[tuple[str, dict[str, Any], Any]], table: str, version: str | None
) -> list[tuple[str, dict[str, Any], Any]]:
    """Return ``writes`` with ``model_version`` set on the rows written to ``table`` (Arrow or dicts)."""
    import pyarrow as pa

    out: list[tuple[str, dict[str, Any], Any]] = []
    for name, key, rows in writes:
        if name == table:
            if isinstance(rows, pa.Table):
                column = pa.array([version] * rows.num_rows, pa.string())
                i = rows.schema.get_field_index("model_version")
                rows = (
                    rows.set_column(i, "model_version", column)
                    if i >= 0
                    else rows.append_column("model_version", column)
                )
            else:
                rows = [{**r, "model_version": version} for r in rows]
        out.append((name, key, rows))
    return out
