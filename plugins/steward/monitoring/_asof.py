"""The night's measurements kept per night (DDL 0021), so that a later read sees what the night knew.

``model_performance`` and ``fairness_metrics`` keep each window's latest measurement: every night
re-measures the windows of its label horizon with the labels that arrived. :func:`asof_writes` turns
the night's partition replaces of those tables into replaces of their per-night history
(``model_performance_asof``, ``fairness_breaches_asof``) and the night's ``evidence_asof_nights`` row,
keyed by (model, measured_night): they go into the night's one transaction, so the history and the
latest-only tables never disagree, and a rerun of the night rewrites its own history rows only.
The retraining trigger reads them (``include/sql/triggers/``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

__all__ = ["ASOF_TABLES", "asof_writes"]

#: The history tables a night writes (``evidence_asof_nights`` marks the night recorded).
ASOF_TABLES = ("model_performance_asof", "fairness_windows_asof", "fairness_breaches_asof")
_BREACH_COLUMNS = ("attribute", "group_value", "metric", "value", "tolerance", "note")

Write = tuple[str, Mapping[str, Any], Any]


def _rows(data: Any) -> list[dict[str, Any]]:
    return data.to_pylist() if isinstance(data, pa.Table) else [dict(r) for r in data]


def asof_writes(
    model: str,
    night: dt.date,
    writes: Sequence[Write],
    *,
    run_id: str,
    now: dt.datetime,
    whole_night: bool = True,
) -> list[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
    """Return the partition replaces of the night's history, from the night's own ``writes``.

    Parameters
    ----------
    model
        The model's registry name.
    night
        The monitoring night (its window): the ``measured_night`` of every row.
    writes
        The night's ``(table, key, rows)`` replaces: every ``model_performance`` row is copied, and per
        ``fairness_metrics`` window one ``fairness_windows_asof`` row and its rows of status ``breach``.
    run_id, now
        The night's run and clock.
    whole_night
        ``writes`` are the whole monitoring night: every history table of the night is replaced and the
        night recorded in ``evidence_asof_nights``. False (fairness evaluated alone): only the history of
        the tables ``writes`` holds is replaced, and the night is not marked recorded.

    Examples
    --------
    >>> key = {"model": "m", "window_date": dt.date(2026, 11, 3)}
    >>> row = {"metric": "auc", "realized_value": 0.8}
    >>> out = asof_writes("m", dt.date(2026, 11, 5), [("model_performance", key, [row])], run_id="r",
    ...                   now=dt.datetime(2026, 11, 6, tzinfo=dt.UTC))
    >>> [(t, len(rows)) for t, _, rows in out]  # doctest: +NORMALIZE_WHITESPACE
    [('model_performance_asof', 1), ('fairness_windows_asof', 0), ('fairness_breaches_asof', 0),
     ('evidence_asof_nights', 1)]
    >>> out[0][2][0]["window_date"]
    datetime.date(2026, 11, 3)
    """
    key = {"model": model, "measured_night": night}
    stamp = {"run_id": run_id, "computed_at": now}
    performance: list[dict[str, Any]] = []
    windows: list[dict[str, Any]] = []
    breaches: list[dict[str, Any]] = []
    for table, part, data in writes:
        if table == "model_performance":
            performance += [{**r, "window_date": part["window_date"]} for r in _rows(data)]
        elif table == "fairness_metrics":
            found = [r for r in _rows(data) if r.get("status") == "breach"]
            windows.append({"window_date": part["window_date"], "breaches": len(found), **stamp})
            breaches += [
                {**{c: r.get(c) for c in _BREACH_COLUMNS}, "window_date": part["window_date"], **stamp}
                for r in found
            ]
    for r in performance:
        r.pop("model", None)
        r.pop("measured_night", None)
    tables = {"model_performance_asof": performance, "fairness_windows_asof": windows,
              "fairness_breaches_asof": breaches}  # fmt: skip
    present = {"model_performance_asof": performance != [], "fairness_windows_asof": windows != [],
               "fairness_breaches_asof": windows != []}  # fmt: skip
    out = [(t, key, tables[t]) for t in ASOF_TABLES if whole_night or present[t]]
    return out + ([("evidence_asof_nights", key, [stamp])] if whole_night else [])
