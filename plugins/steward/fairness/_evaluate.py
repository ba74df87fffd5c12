"""Evaluate a model's fairness over a window (warehouse SQL), write it, and gate candidates on a holdout."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pyarrow as pa

from steward._dates import check_date
from steward.fairness._counts import count_groups, count_groups_by_window
from steward.fairness._metrics import FairnessResult, Judgement, compute_fairness
from steward.fairness._verdicts import Shortfall, rows_needed
from steward.registry import Model
from steward.warehouse import Warehouse, quote_ident

__all__ = [
    "GateOutcome",
    "GateResult",
    "evaluate_arrow",
    "evaluate_window",
    "evaluate_windows",
    "fairness_gate",
    "file_source_sql",
    "write_fairness",
]


def _require_columns(model: Model, columns: Sequence[str], *, what: str) -> None:
    """Raise a clear error when the relation lacks a column the fairness metrics need."""
    needed = [*model.protected_attributes, "label"]
    if model.fairness.decide_by == "prediction":
        needed.append(model.columns.prediction)
    elif model.columns.score:
        needed.append(model.columns.score)
    missing = [c for c in needed if c not in columns]
    if missing:
        raise ValueError(
            f"fairness of model {model.name!r}: {what} lacks columns {missing} (it has {list(columns)}); "
            "it needs the protected attributes, the prediction column (or the score with "
            "fairness.decide_by: score) and 'label' (0/1, NULL when not yet known)"
        )


def _score_column(model: Model, columns: Sequence[str] | None) -> str | None:
    score = model.columns.score
    if score is None or (columns is not None and score not in columns):
        return None
    return score


def evaluate_window(
    wh: Warehouse,
    model: Model,
    *,
    source_sql: str,
    window: dt.date,
    run_id: str,
    score_column: str | None = "auto",
) -> FairnessResult:
    """Compute the fairness metrics of ``model`` over one window's rows, inside the warehouse.

    One SQL aggregation returns the confusion counts of every group, intersection and score bin;
    the rest is arithmetic on those counts (see :mod:`steward.fairness._metrics`).

    Parameters
    ----------
    wh
        The warehouse that runs the aggregation (DuckDB reads Parquet itself; PostgreSQL reads tables).
    model
        The registered model: ``protected_attributes``, ``columns.prediction``, ``columns.score``,
        ``thresholds`` and its ``fairness`` policy.
    source_sql
        A query whose columns include every protected attribute, the prediction column, the score
        column (when the model has one) and ``label`` (0/1, NULL = not yet labelled). It is used as
        ``from (<source_sql>) s``.
    window
        The window's date (partition of the result tables).
    run_id
        Stored with each row.
    score_column
        ``"auto"``: the model's score column (None if it has none); None: no score in the source.

    Returns
    -------
    FairnessResult
        Empty, with a note, when the model declares no protected attributes.

    Examples
    --------
    >>> sql = "select * from preds"
    >>> result = evaluate_window(wh, model, source_sql=sql, window=day, run_id="r1")  # doctest: +SKIP
    >>> print(result.summary())  # doctest: +SKIP
    fairness of 'credit_risk' on 2026-11-10: BREACH (...)
    """
    check_date(window, what=f"model {model.name!r}: fairness window")
    judgement = Judgement.for_model(model)
    if not model.protected_attributes:
        return FairnessResult(
            model=model.name,
            window=window,
            run_id=run_id,
            judgement=judgement,
            note="no protected attributes declared (include/governance.yaml): nothing evaluated",
        )
    columns = wh.fetch_arrow(f"select * from ({source_sql}) s limit 0").column_names
    _require_columns(model, columns, what=f"the source of window {window}")
    score = _score_column(model, columns) if score_column == "auto" else score_column
    counts = count_groups(wh.fetch, model, source_sql=source_sql, score_column=score)
    return compute_fairness(counts, model, window=window, run_id=run_id, judgement=judgement)


def evaluate_windows(
    wh: Warehouse,
    model: Model,
    *,
    source_sql: str,
    windows: Sequence[dt.date],
    run_id: str,
    window_column: str = "steward_window",
    score_column: str | None = "auto",
    version_column: str | None = None,
    timestamp_column: str | None = None,
) -> dict[dt.date, FairnessResult]:
    """Compute the fairness metrics of many windows in ONE aggregation over their rows (grouped by window).

    Row for row the results of :func:`evaluate_window` on each window's rows alone: the label horizon
    is re-evaluated in one scan each night instead of one scan per window. A window without rows is
    evaluated alone (its empty result, as :func:`evaluate_window` gives it).

    Parameters
    ----------
    wh, model, run_id, score_column
        As for :func:`evaluate_window`.
    source_sql
        As for :func:`evaluate_window`, with the rows of every window and ``window_column``.
    windows
        The windows to return (rows of other windows are counted but not returned).
    window_column
        The source's date column naming each row's window.
    version_column, timestamp_column
        The log's model-version and timestamp columns: each result's ``versions`` then holds the
        window's rows per version, counted in the same pass (no scan of its own).

    Returns
    -------
    dict[datetime.date, FairnessResult]
        One result per requested window, in date order.

    Examples
    --------
    >>> results = evaluate_windows(wh, model, source_sql=sql, windows=days, run_id="r1")  # doctest: +SKIP
    >>> [r.summary() for r in results.values()]  # doctest: +SKIP
    """
    days = sorted(set(windows))
    for day in days:
        check_date(day, what=f"model {model.name!r}: fairness window")
    if not model.protected_attributes or not days:
        return {d: evaluate_window(wh, model, source_sql=source_sql, window=d, run_id=run_id) for d in days}
    columns = wh.fetch_arrow(f"select * from ({source_sql}) s limit 0").column_names
    _require_columns(model, [c for c in columns if c != window_column], what="the source of the windows")
    if window_column not in columns:
        raise ValueError(
            f"fairness of model {model.name!r}: the source of windows {days[0]}..{days[-1]} lacks the "
            f"window column {window_column!r} (it has {list(columns)}); add the window's date to every row"
        )
    score = _score_column(model, columns) if score_column == "auto" else score_column
    counted = count_groups_by_window(
        wh.fetch,
        model,
        source_sql=source_sql,
        score_column=score,
        window_column=window_column,
        version_column=version_column if version_column in columns else None,
        timestamp_column=timestamp_column if timestamp_column in columns else None,
    )
    judgement = Judgement.for_model(model)
    results: dict[dt.date, FairnessResult] = {}
    for day in days:
        if day in counted:
            results[day] = compute_fairness(
                counted[day], model, window=day, run_id=run_id, judgement=judgement
            )
        else:
            empty = f"select * from ({source_sql}) s where 1 = 0"
            results[day] = evaluate_window(wh, model, source_sql=empty, window=day, run_id=run_id)
    return results


def fairness_writes(
    model: Model, window: dt.date, result: FairnessResult
) -> list[tuple[str, dict[str, Any], Any]]:
    """Return the partition replaces of one window's fairness tables (for ``Warehouse.replace_partitions``).

    ``fairness_group_counts``, ``fairness_calibration`` and ``fairness_metrics``, in that order, keyed by
    (model, window): callers add their own tables and write everything in one transaction.
    """
    check_date(window, what=f"model {model.name!r}: fairness window")
    now = dt.datetime.now(dt.UTC)
    key = {"model": model.name, "window_date": window}

    def stamp(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**r, "window_date": window, "computed_at": now} for r in rows]

    return [
        ("fairness_group_counts", key, _table(stamp(result.counts))),
        ("fairness_calibration", key, _table(stamp(result.calibration))),
        ("fairness_metrics", key, _table(stamp(result.rows))),
    ]


def write_fairness(wh: Warehouse, model: Model, window: dt.date, result: FairnessResult) -> int:
    """Replace partition (model, window) of the fairness tables; return the metric rows written.

    Writes ``fairness_group_counts``, ``fairness_calibration`` and ``fairness_metrics`` in one
    transaction: a rerun leaves exactly the new rows. Returns the number of metric rows written.
    """
    writes = fairness_writes(model, window, result)  # checks the window before touching the warehouse
    return wh.replace_partitions(writes)[-1]


def _table(rows: list[dict[str, Any]]) -> list[dict[str, Any]] | pa.Table:
    """Rows as an Arrow table (typed even when a column is all NULL), or [] when empty."""
    if not rows:
        return []
    columns = list(rows[0])
    return pa.table({c: _column(c, [r.get(c) for r in rows]) for c in columns})


_TYPES = {
    "window_date": pa.date32(),
    "computed_at": pa.timestamp("us", tz="UTC"),
    "score_bin": pa.int32(),
}
_FLOATS = {
    "value", "ci_low", "ci_high", "p_value", "p_adjusted", "tolerance", "min_detectable_gap",
    "score_sum", "bin_low", "bin_high", "mean_score", "observed_rate", "threshold",
}  # fmt: skip
_INTS = {
    "n", "n_labelled", "denominator", "reference_n", "predicted_favourable", "label_favourable",
    "tp", "fp", "tn", "fn", "n_scored",
}  # fmt: skip


def _column(name: str, values: list[Any]) -> pa.Array:
    if name in _TYPES:
        return pa.array(values, type=_TYPES[name])
    if name in _FLOATS:
        return pa.array(values, type=pa.float64())
    if name in _INTS:
        return pa.array(values, type=pa.int64())
    return pa.array(values, type=pa.string())


# ---------------------------------------------------------------- gate
#: A fairness gate's outcome: ``pass``; ``breach`` (a judged gap significantly beyond tolerance);
#: ``not_demonstrated`` (high risk: no breach, but some judged gap lacks data or has an interval
#: reaching beyond tolerance); ``refused`` (risk tier unacceptable, or high risk without protected
#: attributes).
GateOutcome = Literal["pass", "breach", "not_demonstrated", "refused"]


@dataclass(frozen=True)
class GateResult:
    """A fairness gate's decision on a candidate model.

    Attributes
    ----------
    passed
        Whether the candidate may be promoted on fairness grounds without a caveat.
    reasons
        Why (each failure or shortfall, or what was checked when it passed).
    metrics
        The holdout's full :class:`FairnessResult` (rows, counts, breaches, shortfalls).
    outcome
        ``pass``, ``breach``, ``not_demonstrated`` or ``refused`` (:data:`GateOutcome`).
    rejects
        Whether the outcome rejects the candidate: a breach or a refusal always; ``not_demonstrated``
        when ``fairness.high_risk_undemonstrated`` is ``reject``.
    caveat
        For ``not_demonstrated`` without rejection: what the approver is told, in one line.
    """

    passed: bool
    reasons: list[str] = field(default_factory=list)
    metrics: FairnessResult | None = None
    outcome: GateOutcome = "pass"
    rejects: bool = False
    caveat: str = ""


_STRICT_TIERS = ("high", "unacceptable")


def evaluate_arrow(
    model: Model,
    table: pa.Table,
    *,
    window: dt.date,
    run_id: str,
    judgement: Judgement | None = None,
) -> FairnessResult:
    """Compute the fairness metrics of rows held in memory (a holdout, a test fixture) with DuckDB.

    Same SQL and arithmetic as :func:`evaluate_window`; ``table`` has the columns described there.

    Examples
    --------
    >>> evaluate_arrow(model, holdout, window=day, run_id="r1").breach  # doctest: +SKIP
    False
    """
    from steward.warehouse import scratch

    score = _score_column(model, table.column_names)
    with scratch(memory_limit=None, preserve_insertion_order=True) as engine:
        engine.register("rows_in_memory", table)
        counts = count_groups(
            engine.fetch, model, source_sql="select * from rows_in_memory", score_column=score
        )
    return compute_fairness(
        counts, model, window=window, run_id=run_id, judgement=judgement or Judgement.for_model(model)
    )


def fairness_gate(model: Model, holdout: pa.Table, *, run_id: str = "gate") -> GateResult:
    """Judge a candidate's holdout predictions on fairness, stricter for high-risk models.

    The holdout is aggregated with an in-memory DuckDB by the same SQL and arithmetic as the
    nightly metrics. Three outcomes:

    - ``breach``: a judged gap beyond tolerance with adjusted p below alpha. Rejects, for every tier.
    - ``not_demonstrated`` (risk tier ``high`` with ``fairness.high_risk_require_demonstrated``): no
      breach, but some judged comparison lacks data or has an interval reaching beyond the tolerance
      on a judged side (``fairness.direction``). With ``fairness.high_risk_undemonstrated:
      ask_approver`` (default) it does not reject: the candidate goes to the person who approves it,
      with the caveat (how many comparisons, the tolerance, about how many holdout rows would
      demonstrate them); with ``reject`` it rejects.
    - ``pass``: neither.

    For risk tier ``high`` the tolerance is multiplied by ``fairness.high_risk_tolerance_factor`` and
    alpha raised to ``fairness.high_risk_alpha``. Tier ``unacceptable`` is always ``refused``.

    Parameters
    ----------
    model
        The registered model.
    holdout
        Columns: the protected attributes, the prediction column, the score column (optional) and
        ``label`` (0/1).
    run_id
        Stored in the result's rows.

    Returns
    -------
    GateResult

    Examples
    --------
    >>> gate = fairness_gate(model, holdout)  # doctest: +SKIP
    >>> gate.outcome, gate.rejects, gate.caveat[:40]  # doctest: +SKIP
    ('not_demonstrated', False, 'fairness NOT demonstrated: 74 comparisons')
    """
    strict = model.risk_tier in _STRICT_TIERS
    judgement = Judgement.for_model(model, strict=strict)
    if model.risk_tier == "unacceptable":
        why = f"model {model.name!r} has risk tier 'unacceptable' (a prohibited practice): never promote it"
        return GateResult(False, [why], outcome="refused", rejects=True)
    if not model.protected_attributes:
        if strict:
            why = (
                f"model {model.name!r} is high risk but declares no protected_attributes "
                "(include/governance.yaml): fairness cannot be demonstrated"
            )
            return GateResult(False, [why], outcome="refused", rejects=True)
        return GateResult(True, ["no protected attributes declared: no fairness check applies"])
    _require_columns(model, holdout.column_names, what="the gate's holdout")
    result = evaluate_arrow(model, holdout, window=dt.date.today(), run_id=run_id, judgement=judgement)
    setting = (
        f"tolerance {judgement.tolerance:g}, four-fifths band [{judgement.four_fifths:g}, "
        f"{1 / judgement.four_fifths:.3g}], {judgement.correction} alpha {judgement.alpha:g}"
        + (f", direction {judgement.direction}, high-risk rules" if strict else "")
    )
    if result.breaches:
        return GateResult(
            False, [*result.breaches, f"judged with {setting}"], result, outcome="breach", rejects=True
        )
    short = result.shortfalls if strict and model.fairness.high_risk_require_demonstrated else []
    if not short:
        return GateResult(True, [f"no breach on {len(holdout)} holdout rows ({setting})"], result)
    rejects = model.fairness.high_risk_undemonstrated == "reject"
    caveat = _caveat(short, judgement, len(holdout), rejects=rejects)
    return GateResult(
        False,
        [caveat, *(s.text for s in short), f"judged with {setting}"],
        result,
        outcome="not_demonstrated",
        rejects=rejects,
        caveat="" if rejects else caveat,
    )


def _caveat(short: list[Shortfall], j: Judgement, rows: int, *, rejects: bool) -> str:
    """One line: how many comparisons are not demonstrated and why, and what would demonstrate them."""
    data = sum(1 for s in short if s.kind == "data")
    side = " against the group" if j.direction == "disadvantage" else ""
    bound = f"-{j.tolerance:g}{side}" if side else f"±{j.tolerance:g}"
    text = (
        f"fairness NOT demonstrated: {len(short)} comparison(s) lack data ({data}) or have intervals "
        f"reaching beyond {bound} ({len(short) - data}); no breach"
    )
    text += (
        " - rejected (fairness.high_risk_undemonstrated: reject)"
        if rejects
        else " - the approver takes this risk knowingly"
    )
    need = rows_needed(short, rows)
    if need is not None:
        text += (
            f"; holdout rows needed for every judged group to reach min_group_size {j.min_group_size}: "
            f"{'at least' if need[1] else 'about'} {need[0]:,} (this holdout: {rows:,})"
        )
    return text


def file_source_sql(wh: Warehouse, files: Sequence[str], *, fmt: str, label_column: str | None) -> str:
    """Return a ``source_sql`` over whole files (a one-off audit): every column plus ``label``.

    Parameters
    ----------
    wh
        A warehouse that can read files (DuckDB).
    files
        Parquet or CSV files.
    fmt
        ``"parquet"`` or ``"csv"``.
    label_column
        The files' label column (0/1). When the files lack it but have a ``label`` column, that is
        used; when they have neither, ``label`` is NULL (label-based metrics are then undefined).

    Examples
    --------
    >>> file_source_sql(wh, ["/d/log.parquet"], fmt="parquet", label_column="defaulted")  # doctest: +SKIP
    'select *, "defaulted" as label from read_parquet([...])'
    """
    scan = wh.file_scan_sql(list(files), fmt)
    columns = wh.fetch_arrow(f"select * from {scan} limit 0").column_names
    if label_column and label_column in columns and label_column != "label":
        return f"select *, {quote_ident(label_column)} as label from {scan}"
    if "label" in columns:
        return f"select * from {scan}"
    return f"select *, cast(null as integer) as label from {scan}"
