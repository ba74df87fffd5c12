"""Per-group confusion counts from one SQL aggregation (DuckDB or PostgreSQL, same text)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from steward.registry import Model
from steward.warehouse import quote_ident, render_sql

__all__ = [
    "ALL",
    "CalibrationBin",
    "GroupCounts",
    "VersionCount",
    "WindowCounts",
    "attribute_sets",
    "count_groups",
    "count_groups_by_window",
    "group_counts_sql",
    "parse_counts",
    "partial_counts_sql",
    "rollup_counts_sql",
    "split_windows",
]

#: ``attribute`` and ``group_value`` of the overall row (every row of the window).
ALL = "*"
#: Joins the attributes of an intersection (``sex*age_band``) and their values (``F*18-25``).
JOIN = "*"
#: The group of rows whose protected attribute is NULL.
UNKNOWN = "unknown"
#: The window column of :func:`group_counts_sql`'s rows when it counts many windows at once.
WINDOW = "steward_window"
#: The model-version column of :func:`group_counts_sql`'s rows when it also counts versions.
VERSION = "steward_version"


@dataclass(frozen=True)
class GroupCounts:
    """Confusion counts of one group (favourable = positive, as in AIF360).

    ``tp``: favourable prediction and favourable label; ``fp``: favourable prediction, unfavourable
    label; ``tn``, ``fn`` alike. Only labelled rows enter ``tp``..``fn``; ``predicted_favourable``
    counts every row.
    """

    attribute: str
    group_value: str
    n: int
    n_labelled: int
    predicted_favourable: int
    label_favourable: int
    tp: int
    fp: int
    tn: int
    fn: int
    n_scored: int
    score_sum: float | None

    @property
    def positives(self) -> int:
        """Labelled rows whose true outcome is favourable (TPR's denominator)."""
        return self.tp + self.fn

    @property
    def negatives(self) -> int:
        """Labelled rows whose true outcome is unfavourable (FPR's denominator)."""
        return self.fp + self.tn


@dataclass(frozen=True)
class CalibrationBin:
    """Scores and observed labels of one score bin of one group (labelled rows only)."""

    attribute: str
    group_value: str
    score_bin: int
    n_scored: int
    n_labelled: int
    score_sum_labelled: float
    label_one: int


@dataclass(frozen=True)
class VersionCount:
    """Rows of one window scored by one model version, and the latest timestamp among them."""

    version: str
    n: int
    last: object = None


@dataclass(frozen=True)
class WindowCounts:
    """Everything the statistics need: group counts (with the overall row) and calibration bins.

    ``versions``: the window's rows per model version, when they were counted in the same pass.
    """

    groups: tuple[GroupCounts, ...]
    calibration: tuple[CalibrationBin, ...]
    attributes: tuple[str, ...]
    bins: int
    versions: tuple[VersionCount, ...] = ()

    def for_attribute(self, attribute: str) -> list[GroupCounts]:
        """Return the groups of ``attribute`` (``"sex"``, ``"sex*age_band"``) by size, largest first."""
        found = [g for g in self.groups if g.attribute == attribute]
        return sorted(found, key=lambda g: (-g.n, g.group_value))


def attribute_sets(model: Model) -> list[tuple[str, ...]]:
    """Return the attribute sets evaluated for ``model``: each protected attribute, then each intersection.

    Examples
    --------
    >>> from steward.registry import Model  # doctest: +SKIP
    >>> attribute_sets(credit_risk)  # doctest: +SKIP
    [('sex',), ('age_band',), ('sex', 'age_band')]
    """
    protected = list(model.protected_attributes)
    intersections = model.fairness.intersections
    if intersections is None:
        combos = [tuple(c) for c in itertools.combinations(protected, 2)]
    else:
        unknown = sorted({a for combo in intersections for a in combo} - set(protected))
        if unknown:
            raise ValueError(
                f"model {model.name!r} (include/governance.yaml): fairness.intersections names {unknown}, "
                f"which are not protected attributes {protected}; add them to protected_attributes "
                "or remove them from the intersection"
            )
        combos = [tuple(c) for c in intersections]
    return [(a,) for a in protected] + combos


def _template_args(
    model: Model,
    *,
    score_column: str | None,
    window_column: str | None,
    version_column: str | None,
    timestamp_column: str | None,
) -> dict[str, str]:
    """Return the fill-ins of count_partial_groups.sql and compute_group_counts.sql (see their headers)."""
    protected = list(model.protected_attributes)
    policy = model.fairness
    sets = attribute_sets(model)
    index = {a: i for i, a in enumerate(protected)}
    score = f"cast({quote_ident(score_column)} as double precision)" if score_column else None
    if policy.decide_by == "score":
        if score is None:
            raise ValueError(
                f"model {model.name!r}: fairness.decide_by is 'score' but the source has no score column; "
                "set columns.score or use decide_by: prediction"
            )
        predicted = f"case when {score} >= {float(model.thresholds.decision)!r} then 1 else 0 end"
    else:
        predicted = f"cast({quote_ident(model.columns.prediction)} as integer)"
    bins = policy.calibration_bins
    bin_expr = (
        f"greatest(0, least({bins - 1}, cast(floor({score} * {bins}) as integer)))" if score else "null"
    )
    if version_column and not window_column:
        raise ValueError(f"model {model.name!r}: model versions are counted per window: give window_column")
    keys = [f"g_{i}" for i in range(len(protected))]
    window = [WINDOW] if window_column else []
    version = [VERSION] if version_column else []
    grouping_sets: list[str] = []
    for combo in [*sets, ()]:
        cols = [*window, *(f"g_{index[a]}" for a in combo)]
        grouping_sets.append("(" + ", ".join(cols) + ")")
        if score:
            grouping_sets.append("(" + ", ".join([*cols, "score_bin"]) + ")")
    if version_column:
        grouping_sets.append(f"({WINDOW}, {VERSION})")
    group_columns = [
        f"coalesce(cast({quote_ident(a)} as varchar), '{UNKNOWN}') as g_{i}" for i, a in enumerate(protected)
    ]
    if version_column:
        group_columns.append(f"cast({quote_ident(version_column)} as varchar) as {VERSION}")
    if window_column:
        group_columns.append(f"cast({quote_ident(window_column)} as date) as {WINDOW}")
    flags = [f"grouping({k}) as grouped_{i}" for i, k in enumerate(keys)]
    last = {"last_prepared": "", "last_partial": "", "last_counted": ""}
    if version_column:
        flags.append(f"grouping({VERSION}) as grouped_version")
        ts = f"{quote_ident(timestamp_column)}" if timestamp_column else "cast(null as timestamp)"
        last = {
            "last_prepared": f",\n        {ts} as steward_last",
            "last_partial": ",\n        max(steward_last) as steward_last",
            "last_counted": ",\n        max(steward_last) as steward_last",
        }
    return {
        "group_columns": ",\n        ".join(group_columns),
        "predicted_expr": predicted,
        "favourable_prediction": str(int(policy.favourable_prediction)),
        "favourable_label": str(int(policy.favourable_label)),
        "score_expr": score or "cast(null as double precision)",
        "bin_expr": bin_expr if score else "cast(null as integer)",
        "grouping_flags": ",\n        ".join(flags),
        "group_keys": ", ".join([*keys, *version, *window]),
        "bin_flag": "grouping(score_bin)" if score else "1",
        "bin_key": "score_bin" if score else "cast(null as integer) as score_bin",
        "grouping_sets": ", ".join(grouping_sets),
        **last,
    }


def partial_counts_sql(
    model: Model,
    *,
    source_sql: str,
    score_column: str | None,
    window_column: str | None = None,
    version_column: str | None = None,
    timestamp_column: str | None = None,
) -> str:
    """Return the pre-rollup aggregation over ``source_sql`` (count_partial_groups.sql).

    One row per distinct (groups, window, version, score bin, decision, label) with its counts and exact
    decimal score sum: what :func:`rollup_counts_sql` rolls up, and what ``fairness_counts`` stores.
    Parameters as for :func:`group_counts_sql`.
    """
    args = _template_args(
        model,
        score_column=score_column,
        window_column=window_column,
        version_column=version_column,
        timestamp_column=timestamp_column,
    )
    return render_sql("fairness/count_partial_groups.sql.j2", source_sql=source_sql, **args)


def rollup_counts_sql(
    model: Model,
    *,
    partial_sql: str,
    score_column: str | None,
    window_column: str | None = None,
    version_column: str | None = None,
    timestamp_column: str | None = None,
) -> str:
    """Return the grouping-sets rollup (compute_group_counts.sql) of pre-rollup rows ``partial_sql``.

    ``partial_sql`` has the columns of :func:`partial_counts_sql` with the same arguments.
    """
    args = _template_args(
        model,
        score_column=score_column,
        window_column=window_column,
        version_column=version_column,
        timestamp_column=timestamp_column,
    )
    return render_sql("fairness/compute_group_counts.sql.j2", partial_sql=partial_sql, **args)


def group_counts_sql(
    model: Model,
    *,
    source_sql: str,
    score_column: str | None,
    window_column: str | None = None,
    version_column: str | None = None,
    timestamp_column: str | None = None,
) -> str:
    """Return the one aggregation that counts every group of ``model`` over ``source_sql``.

    Parameters
    ----------
    model
        The registered model: protected attributes, prediction column, fairness policy.
    source_sql
        A query whose columns include the protected attributes, the prediction column, the score
        column (unless ``score_column`` is None) and ``label`` (0/1, NULL when not yet known).
    score_column
        The score column, or None when the relation has none (no calibration then).
    window_column
        A date column of the source naming each row's window: every grouping set is then also
        grouped by it (selected as ``steward_window``), so many windows are counted in one pass.
    version_column
        With ``window_column``: the model-version column; one more grouping set counts each window's
        rows per version (``grouped_version = 0``, the version as ``steward_version``), in the same pass.
    timestamp_column
        With ``version_column``: the log's timestamp; ``steward_last`` is each version's latest.

    Returns
    -------
    str
        Portable SQL (DuckDB and PostgreSQL) without parameters: the rollup of the pre-rollup rows,
        one pass over the source.
    """
    options = {
        "score_column": score_column,
        "window_column": window_column,
        "version_column": version_column,
        "timestamp_column": timestamp_column,
    }
    partial = partial_counts_sql(model, source_sql=source_sql, **options)
    return rollup_counts_sql(model, partial_sql=partial, **options)


def _int(value: object) -> int:
    return 0 if value is None else int(value)  # type: ignore[call-overload]


def parse_counts(rows: Sequence[Mapping[str, object]], model: Model, *, has_score: bool) -> WindowCounts:
    """Turn the aggregation's rows into :class:`WindowCounts` (attribute names from the grouping flags)."""
    protected = list(model.protected_attributes)
    wanted = {JOIN.join(s) for s in attribute_sets(model)}
    groups: list[GroupCounts] = []
    calibration: list[CalibrationBin] = []
    for row in rows:
        present = [i for i in range(len(protected)) if _int(row[f"grouped_{i}"]) == 0]
        attribute = JOIN.join(protected[i] for i in present) if present else ALL
        if attribute != ALL and attribute not in wanted:
            # an intersection listed in another order than the protected attributes
            attribute = next(
                JOIN.join(s)
                for s in attribute_sets(model)
                if sorted(s) == sorted(protected[i] for i in present)
            )
            present = [protected.index(a) for a in attribute.split(JOIN)]
        value = JOIN.join(str(row[f"g_{i}"]) for i in present) if present else ALL
        if _int(row["grouped_bin"]) == 0:
            if row["score_bin"] is None:
                continue  # rows without a score
            calibration.append(
                CalibrationBin(
                    attribute=attribute,
                    group_value=value,
                    score_bin=_int(row["score_bin"]),
                    n_scored=_int(row["n_scored"]),
                    n_labelled=_int(row["n_scored_labelled"]),
                    score_sum_labelled=float(row["score_sum_labelled"] or 0.0),  # type: ignore[arg-type]
                    label_one=_int(row["label_one_scored"]),
                )
            )
            continue
        groups.append(
            GroupCounts(
                attribute=attribute,
                group_value=value,
                n=_int(row["n_rows"]),
                n_labelled=_int(row["n_labelled"]),
                predicted_favourable=_int(row["predicted_favourable"]),
                label_favourable=_int(row["label_favourable"]),
                tp=_int(row["tp"]),
                fp=_int(row["fp"]),
                tn=_int(row["tn"]),
                fn=_int(row["fn"]),
                n_scored=_int(row["n_scored"]) if has_score else 0,
                score_sum=float(row["score_sum"]) if has_score and row["score_sum"] is not None else None,  # type: ignore[arg-type]
            )
        )
    return WindowCounts(
        groups=tuple(groups),
        calibration=tuple(calibration),
        attributes=tuple(JOIN.join(s) for s in attribute_sets(model)),
        bins=model.fairness.calibration_bins,
    )


def count_groups(
    fetch: Callable[[str], Sequence[Mapping[str, object]]],
    model: Model,
    *,
    source_sql: str,
    score_column: str | None,
) -> WindowCounts:
    """Run the aggregation with ``fetch`` (e.g. ``Warehouse.fetch``) and parse its rows.

    Raises
    ------
    ValueError
        The model declares no protected attributes (nothing to count).
    """
    if not model.protected_attributes:
        raise ValueError(
            f"model {model.name!r} (include/governance.yaml) declares no protected_attributes: "
            "list the columns fairness is measured over"
        )
    check_outcome_values(fetch, model, source_sql=source_sql)
    sql = group_counts_sql(model, source_sql=source_sql, score_column=score_column)
    return parse_counts(fetch(sql), model, has_score=score_column is not None)


def count_groups_by_window(
    fetch: Callable[[str], Sequence[Mapping[str, object]]],
    model: Model,
    *,
    source_sql: str,
    score_column: str | None,
    window_column: str,
    version_column: str | None = None,
    timestamp_column: str | None = None,
) -> dict[dt.date, WindowCounts]:
    """Count the groups of every window in ``source_sql`` in ONE aggregation (windows by ``window_column``).

    The same counts as :func:`count_groups` over each window's rows alone; a window without rows is
    absent from the result, and rows whose window is NULL are left out. With ``version_column`` each
    window's :attr:`WindowCounts.versions` come from the same pass (rows without a version left out).

    Raises
    ------
    ValueError
        The model declares no protected attributes, or a label/prediction is neither outcome.
    """
    if not model.protected_attributes:
        return {}
    check_outcome_values(fetch, model, source_sql=source_sql)
    sql = group_counts_sql(
        model,
        source_sql=source_sql,
        score_column=score_column,
        window_column=window_column,
        version_column=version_column,
        timestamp_column=timestamp_column,
    )
    return split_windows(
        fetch(sql), model, has_score=score_column is not None, with_versions=version_column is not None
    )


def split_windows(
    rows: Sequence[Mapping[str, object]], model: Model, *, has_score: bool, with_versions: bool
) -> dict[dt.date, WindowCounts]:
    """Parse the rows of a rollup grouped by window into one :class:`WindowCounts` per window, by date."""
    by_window: dict[dt.date, list[Mapping[str, object]]] = {}
    versions: dict[dt.date, list[VersionCount]] = {}
    for row in rows:
        day = row[WINDOW]
        if day is None:
            continue
        if isinstance(day, dt.datetime):
            day = day.date()
        assert isinstance(day, dt.date)
        if with_versions and _int(row["grouped_version"]) == 0:
            if row[VERSION] is not None:
                found = VersionCount(str(row[VERSION]), _int(row["n_rows"]), row["steward_last"])
                versions.setdefault(day, []).append(found)
            continue
        by_window.setdefault(day, []).append(row)
    return {
        day: dataclasses.replace(
            parse_counts(rows, model, has_score=has_score),
            versions=tuple(sorted(versions.get(day, []), key=lambda v: v.version)),
        )
        for day, rows in sorted(by_window.items())
    }


def check_outcome_values(
    fetch: Callable[[str], Sequence[Mapping[str, object]]], model: Model, *, source_sql: str
) -> None:
    """Raise unless every label (and prediction, when decisions come from a column) is 0 or 1.

    A label ``2``, ``0.7`` or ``yes`` where 0/1 is declared would otherwise count as the unfavourable
    outcome (or be rounded): the error lists the values seen and their counts.

    Raises
    ------
    ValueError
        Values outside 0/1, named by column with their counts and the fix.
    """
    prediction = model.columns.prediction
    if model.fairness.decide_by == "prediction":
        q = quote_ident(prediction)
        prediction_values = (
            f"select 'prediction' as role, cast({q} as varchar) as value, count(*) as n from source "
            f"where {q} is not null and cast({q} as varchar) not in "
            "('0', '1', '0.0', '1.0', 'true', 'false') "
            f"group by cast({q} as varchar)"
        )
    else:
        prediction_values = "select 'prediction' as role, cast(null as varchar) as value, 0 as n where 1 = 0"
    rows = fetch(
        render_sql(
            "fairness/check_outcome_values.sql.j2", source_sql=source_sql, prediction_values=prediction_values
        )
    )
    for role in ("label", "prediction"):
        mine = [r for r in rows if r["role"] == role]
        if not mine:
            continue
        column = "label" if role == "label" else prediction
        seen = ", ".join(f"{r['value']!r} ({int(r['n']):,})" for r in mine[:10])  # type: ignore[call-overload]
        fav = model.fairness.favourable_label if role == "label" else model.fairness.favourable_prediction
        raise ValueError(
            f"model {model.name!r}: {role} column {column!r} holds values that are neither outcome: {seen}; "
            f"the registry declares 0/1 with {fav} favourable: map other values to 0/1 before they reach "
            "Steward (nothing is assumed)"
        )
