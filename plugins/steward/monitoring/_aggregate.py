"""Aggregate a relation into per-column counts with one scan, and profile a reference sample.

The SQL (``include/sql/monitoring``) runs in the engine holding the rows; this module only builds
it from checked names and numbers and decodes what comes back: the few rows of one aggregation
(PostgreSQL), or, where the engine's adapter declares ``grouping_strategy = "stream"`` (DuckDB), the
monitored columns cast once and streamed as Arrow record batches, counted with numpy batch by batch
(:mod:`steward.monitoring._stream`; the same counts and sums, bit for bit).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pyarrow as pa

from steward.drift import (
    MAX_EXACT_VALUES,
    POINT_SHARE,
    CategoricalProfile,
    NumericProfile,
    merge_edges,
    point_bin_mask,
    point_masses,
)
from steward.monitoring._relation import Relation
from steward.monitoring._sql import number
from steward.monitoring._stream import Tally, count_batches
from steward.warehouse import quote_ident, render_sql

__all__ = [
    "ColumnCounts",
    "ColumnProfile",
    "ColumnSpec",
    "WindowCounts",
    "aggregate",
    "column_types",
    "profile_reference",
]

ColumnType = Literal["numeric", "categorical"]
Role = Literal["feature", "score"]

#: Numeric columns with at most this many distinct reference values are treated as categories.
MAX_DISTINCT_FOR_CATEGORY = 10


@dataclass(frozen=True)
class ColumnSpec:
    """A column to aggregate: its name, role and type, and the reference's bin edges if numeric."""

    name: str
    role: Role = "feature"
    column_type: ColumnType = "numeric"
    edges: tuple[float, ...] | None = None  # full edges, -inf .. +inf


@dataclass(frozen=True)
class ColumnProfile:
    """A column's reference profile (the stored, reused summary of the reference sample)."""

    name: str
    role: Role
    column_type: ColumnType
    n_rows: int
    distinct_count: int
    profile: NumericProfile | CategoricalProfile

    @property
    def spec(self) -> ColumnSpec:
        """The aggregation spec that counts a window into this profile's bins."""
        edges = (
            tuple(float(e) for e in self.profile.edges) if isinstance(self.profile, NumericProfile) else None
        )
        return ColumnSpec(self.name, self.role, self.column_type, edges)

    def to_row(self) -> dict[str, object]:
        """Return the ``monitoring_reference_profiles`` columns of this profile (without keys)."""
        p = self.profile
        return {
            "role": self.role,
            "feature": self.name,
            "column_type": self.column_type,
            "n_rows": self.n_rows,
            "n": p.n,
            "n_missing": p.n_missing,
            "n_invalid": p.n_invalid if isinstance(p, NumericProfile) else 0,
            "distinct_count": self.distinct_count,
            "mean": p.mean if isinstance(p, NumericProfile) else None,
            "std": p.std if isinstance(p, NumericProfile) else None,
            "minimum": p.minimum if isinstance(p, NumericProfile) else None,
            "maximum": p.maximum if isinstance(p, NumericProfile) else None,
            "edges_json": json.dumps([None if not np.isfinite(e) else float(e) for e in p.edges])
            if isinstance(p, NumericProfile)
            else None,
            "means_json": json.dumps([float(m) for m in p.means])
            if isinstance(p, NumericProfile) and p.means is not None
            else None,
            "counts_json": json.dumps(
                [int(c) for c in p.counts] if isinstance(p, NumericProfile) else dict(p.counts),
                sort_keys=True,
            ),
        }

    @classmethod
    def from_row(cls, row: Mapping[str, object]) -> ColumnProfile:
        """Rebuild a profile from a ``monitoring_reference_profiles`` row."""
        counts = json.loads(str(row["counts_json"]))
        n, n_missing = int(row["n"]), int(row["n_missing"])  # type: ignore[call-overload]
        profile: NumericProfile | CategoricalProfile
        if row["column_type"] == "numeric":
            raw_edges = json.loads(str(row["edges_json"]))
            edges = np.array(
                [
                    -np.inf if i == 0 else np.inf if i == len(raw_edges) - 1 else e
                    for i, e in enumerate(raw_edges)
                ],
                dtype=float,
            )
            profile = NumericProfile(
                edges=edges,
                counts=np.array(counts, dtype=np.int64),
                n=n,
                mean=float(row["mean"]),  # type: ignore[arg-type]
                std=float(row["std"]),  # type: ignore[arg-type]
                n_missing=n_missing,
                minimum=float(row["minimum"]),  # type: ignore[arg-type]
                maximum=float(row["maximum"]),  # type: ignore[arg-type]
                n_invalid=int(row.get("n_invalid") or 0),  # type: ignore[call-overload]
                means=np.array(json.loads(str(row["means_json"])), dtype=float)
                if row.get("means_json")
                else None,
            )
        else:
            profile = CategoricalProfile(
                counts={str(k): int(v) for k, v in counts.items()}, n=n, n_missing=n_missing
            )
        return cls(
            name=str(row["feature"]),
            role=row["role"],  # type: ignore[arg-type]
            column_type=row["column_type"],  # type: ignore[arg-type]
            n_rows=int(row["n_rows"]),  # type: ignore[call-overload]
            distinct_count=int(row["distinct_count"] or 0),  # type: ignore[call-overload]
            profile=profile,
        )


@dataclass(frozen=True)
class ColumnCounts:
    """One column of one window, counted into the reference's bins.

    ``counts`` is an array per bin (numeric) or a category -> count dict; ``low`` the low-confidence
    rows per bin/category (same keys); ``total`` the sum of the valid values (numeric);
    ``n_invalid`` the values present but not finite numbers (numeric: NaN, +/-inf, text), which are
    in no bin and not in ``total``.
    """

    name: str
    column_type: ColumnType
    counts: np.ndarray | dict[str, int]
    low: np.ndarray | dict[str, int]
    n_missing: int
    n_missing_low: int
    total: float | None = None
    n_invalid: int = 0
    sums: np.ndarray | None = None  # numeric: sum of the valid values in each bin

    @property
    def n(self) -> int:
        """Valid values (in the bins or categories)."""
        c = self.counts
        return int(sum(c.values()) if isinstance(c, dict) else c.sum())

    @property
    def means(self) -> np.ndarray | None:
        """Mean of the values in each bin (0 for an empty bin), numeric columns; else None."""
        if self.sums is None or not isinstance(self.counts, np.ndarray):
            return None
        return np.where(self.counts > 0, self.sums / np.maximum(self.counts, 1), 0.0)

    @property
    def mean(self) -> float | None:
        """Mean of the non-missing values (numeric columns), else None."""
        return None if self.total is None or self.n == 0 else self.total / self.n


@dataclass(frozen=True)
class WindowCounts:
    """What one aggregation of a window returns: rows, low-confidence rows and each column's counts."""

    n_rows: int
    n_low: int
    columns: dict[str, ColumnCounts] = field(default_factory=dict)


def _int(value: object) -> int:
    return 0 if value is None else int(value)  # type: ignore[call-overload]


def _float(value: object) -> float:
    return 0.0 if value is None else float(value)  # type: ignore[arg-type]


def column_types(relation: Relation, names: Sequence[str]) -> dict[str, ColumnType | None]:
    """Return each column's type from the relation's schema (``None`` when the column is absent)."""
    schema = relation.engine.fetch_arrow(f"select * from ({relation.sql}) as r limit 0").schema
    out: dict[str, ColumnType | None] = {}
    for name in names:
        if name not in schema.names:
            out[name] = None
            continue
        t = schema.field(name).type
        numeric = (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)) and not (
            pa.types.is_boolean(t)
        )
        out[name] = "numeric" if numeric else "categorical"
    return out


def _quantiles(bins: int) -> str:
    return ", ".join(number(q) for q in np.linspace(0.0, 1.0, bins + 1)[1:-1])


#: Text that is a finite decimal number (SQL ``similar to``, the same on DuckDB and PostgreSQL).
_NUMBER_TEXT = r"'[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?'"


def _value_sql(name: str, *, text: bool) -> dict[str, str]:
    """Return SQL for a numeric column: ``v`` its value as a double, ``valid`` whether it is finite.

    A text column (a CSV column holding some text) is cast only where the text is a decimal number;
    anything else present in it is invalid, as NaN and +/-inf are.
    """
    q = quote_ident(name)
    if text:
        v = f"(case when trim({q}) similar to {_NUMBER_TEXT} then cast(trim({q}) as double precision) end)"
    else:
        v = f"cast({q} as double precision)"
    valid = f"({v} > cast('-Infinity' as double precision) and {v} < cast('Infinity' as double precision))"
    return {"q": q, "v": v, "valid": valid}


def _text_columns(relation: Relation, names: Sequence[str]) -> set[str]:
    """Return the columns among ``names`` that the relation holds as text (or another non-number)."""
    if not names:
        return set()
    return {n for n, t in column_types(relation, names).items() if t == "categorical"}


def _conditions(edges: Sequence[float]) -> list[str]:
    """Return the CASE chain's tests, one per interior edge: ``< e``, or ``= v`` closing a point bin."""
    e = np.asarray(edges, dtype=float)
    point = point_bin_mask(e)
    return [f"= {number(e[k])}" if point[k] else f"< {number(e[k + 1])}" for k in range(e.size - 2)]


def profile_reference(
    relation: Relation,
    columns: Sequence[ColumnSpec],
    *,
    bins: int,
    point_share: float = POINT_SHARE,
    max_exact: int = MAX_EXACT_VALUES,
) -> list[ColumnProfile]:
    """Profile ``columns`` of a reference relation: moments, point masses, quantiles, then counts.

    Numeric columns get exact bins for their point masses (:func:`steward.drift.point_masses`: a
    value holding at least ``point_share`` of the valid values, or every value of a column with at
    most ``max_exact`` distinct values) and quantile bin edges for the remaining values (tied
    quantiles merged), as :func:`steward.drift.numeric_profile` does; feature columns with at most
    ``MAX_DISTINCT_FOR_CATEGORY`` distinct valid values, and numeric columns with no valid value,
    become categorical. Invalid values (NaN, +/-inf, text) are counted apart, in ``n_invalid``.

    Returns
    -------
    list of ColumnProfile
        In the order of ``columns``.
    """
    numeric = [c for c in columns if c.column_type == "numeric"]
    idx = {c.name: i for i, c in enumerate(columns)}
    text = _text_columns(relation, [c.name for c in numeric])
    sql_of = {c.name: {"i": idx[c.name], **_value_sql(c.name, text=c.name in text)} for c in numeric}
    stats = relation.engine.fetch(
        render_sql(
            "monitoring/profile_reference.sql.j2",
            relation=relation.sql,
            numeric=[sql_of[c.name] for c in numeric],
            columns=[{"i": i, "q": quote_ident(c.name)} for i, c in enumerate(columns)],
        )
    )[0]
    n_rows = int(stats["n_rows"])  # type: ignore[call-overload]
    binned = [
        c
        for c in numeric
        if _int(stats[f"c{idx[c.name]}_n"]) > 0
        and not (
            _int(stats[f"c{idx[c.name]}_valid_distinct"]) <= MAX_DISTINCT_FOR_CATEGORY and c.role == "feature"
        )
    ]
    points: dict[str, np.ndarray] = {}
    if binned:
        valid = {c.name: _int(stats[f"c{idx[c.name]}_n"]) for c in binned}
        distinct = {c.name: _int(stats[f"c{idx[c.name]}_valid_distinct"]) for c in binned}
        found: dict[int, list[dict[str, object]]] = {}
        for row in relation.engine.fetch(
            render_sql(
                "monitoring/profile_point_masses.sql.j2",
                relation=relation.sql,
                numeric=[
                    {
                        **sql_of[c.name],
                        "min_count": 1
                        if distinct[c.name] <= max_exact
                        else max(1, math.ceil(point_share * valid[c.name])),
                    }
                    for c in binned
                ],
            )
        ):
            found.setdefault(_int(row["i"]), []).append(row)
        for c in binned:
            rows = found.get(idx[c.name], [])
            points[c.name] = point_masses(
                [_float(r["v"]) for r in rows],
                [_int(r["n"]) for r in rows],
                total=valid[c.name],
                n_distinct=distinct[c.name],
                point_share=point_share,
                max_exact=max_exact,
            )
    quantiles: dict[str, object] = {}
    if binned:
        q_stats = relation.engine.fetch(
            render_sql(
                "monitoring/profile_quantiles.sql.j2",
                relation=relation.sql,
                quantiles=_quantiles(bins),
                numeric=[{**sql_of[c.name], "points": [number(p) for p in points[c.name]]} for c in binned],
            )
        )[0]
        quantiles = {c.name: q_stats[f"c{idx[c.name]}_quantiles"] for c in binned}
    specs: list[ColumnSpec] = []
    for c in columns:
        if c in binned:
            q = quantiles.get(c.name)
            edges = merge_edges(points[c.name], np.asarray(q if q is not None else [], dtype=float))
            specs.append(ColumnSpec(c.name, c.role, "numeric", tuple(float(e) for e in edges)))
        else:
            specs.append(ColumnSpec(c.name, c.role, "categorical", None))
    counted = aggregate(relation, specs)
    profiles: list[ColumnProfile] = []
    for i, spec in enumerate(specs):
        cc = counted.columns[spec.name]
        distinct = int(stats[f"c{i}_distinct"] or 0)  # type: ignore[call-overload]
        profile: NumericProfile | CategoricalProfile
        if spec.column_type == "numeric" and spec.edges is not None:
            profile = NumericProfile(
                edges=np.array(spec.edges, dtype=float),
                counts=np.asarray(cc.counts, dtype=np.int64),
                n=cc.n,
                mean=float(stats[f"c{i}_mean"]),  # type: ignore[arg-type]
                std=float(stats[f"c{i}_std"] or 0.0),  # type: ignore[arg-type]
                n_missing=cc.n_missing,
                minimum=float(stats[f"c{i}_min"]),  # type: ignore[arg-type]
                maximum=float(stats[f"c{i}_max"]),  # type: ignore[arg-type]
                n_invalid=cc.n_invalid,
                means=cc.means,
            )
        else:
            counts = cc.counts if isinstance(cc.counts, dict) else {}
            profile = CategoricalProfile(counts=dict(counts), n=cc.n, n_missing=cc.n_missing)
        profiles.append(ColumnProfile(spec.name, spec.role, spec.column_type, n_rows, distinct, profile))
    return profiles


def aggregate(
    relation: Relation,
    columns: Sequence[ColumnSpec],
    *,
    score: str | None = None,
    decision: float = 0.5,
    band: float = 0.0,
    strategy: str | None = None,
) -> WindowCounts:
    """Count ``relation`` into each column's bins (or categories) with one query (one scan).

    Parameters
    ----------
    relation
        The rows (a window of the prediction log, or the reference).
    columns
        What to count; numeric columns need ``edges``. Every column must exist in the relation.
    score, decision, band
        When ``score`` names the score column, rows with ``|score - decision| <= band`` are
        counted as low confidence, per bin and category (the review queue).
    strategy
        ``"grouping_sets"``, ``"union"`` or ``"stream"`` (same results); default: what the engine's
        adapter declares (:attr:`steward.warehouse.Warehouse.grouping_strategy`).

    Returns
    -------
    WindowCounts
    """
    if not columns:
        raise ValueError("aggregate needs at least one column")
    chosen = strategy or relation.engine.grouping_strategy
    if chosen not in ("grouping_sets", "union", "stream"):
        raise ValueError(f"strategy must be 'grouping_sets', 'union' or 'stream', got {chosen!r}")
    text = _text_columns(relation, [c.name for c in columns if c.edges is not None])
    template = {
        "grouping_sets": "monitoring/aggregate_window.sql.j2",
        "union": "monitoring/aggregate_window_union.sql.j2",
        "stream": "monitoring/select_window_values.sql.j2",
    }[chosen]
    sql = render_sql(
        template,
        relation=relation.sql,
        columns=[
            {"i": i, "q": quote_ident(c.name), "edges": None}
            if c.edges is None
            else {
                "i": i,
                **_value_sql(c.name, text=c.name in text),
                "text": c.name in text,
                "edges": _conditions(c.edges),
            }
            for i, c in enumerate(columns)
        ],
        score=quote_ident(score) if score else None,
        decision=number(decision),
        band=number(band),
    )
    if chosen == "stream":
        n_rows, n_low, tallies = count_batches(relation.engine.fetch_batches(sql), [c.edges for c in columns])
    else:
        n_rows, n_low, tallies = _decode(relation.engine.fetch(sql), columns)
    return WindowCounts(
        n_rows=n_rows,
        n_low=n_low,
        columns={c.name: _column_counts(c, t) for c, t in zip(columns, tallies, strict=True)},
    )


def _decode(
    rows: Sequence[Mapping[str, object]], columns: Sequence[ColumnSpec]
) -> tuple[int, int, list[Tally]]:
    """Read the rows of aggregate_window*.sql.j2: the total row, then each column's groups."""
    n_cols = len(columns)
    full = (1 << n_cols) - 1
    n_rows = n_low = 0
    acc = [Tally() for _ in columns]
    for row in rows:
        gid = _int(row["grouping_id"])
        if gid == full:
            n_rows, n_low = _int(row["n"]), _int(row["n_low"])
            continue
        i = n_cols - (full ^ gid).bit_length()
        a, key = acc[i], row[f"k{i}"]
        n, low = _int(row["n"]), _int(row["n_low"])
        if key is None:
            a.missing, a.missing_low = n, low
            continue
        k: str | int = str(key) if columns[i].edges is None else _int(key)
        if k == -1:
            a.invalid = n
            continue
        a.counts[k], a.low[k] = n, low
        if columns[i].edges is not None:
            a.sums[int(k)] = _float(row[f"s{i}"])
    return n_rows, n_low, acc


def _column_counts(c: ColumnSpec, a: Tally) -> ColumnCounts:
    """One column's :class:`ColumnCounts` from its tally (arrays over every bin for numeric columns)."""
    if c.edges is None:
        counts = {str(k): v for k, v in a.counts.items()}
        lows = {str(k): v for k, v in a.low.items()}
        return ColumnCounts(c.name, "categorical", counts, lows, a.missing, a.missing_low, None)
    n_bins = len(c.edges) - 1
    return ColumnCounts(
        c.name,
        "numeric",
        np.array([a.counts.get(b, 0) for b in range(n_bins)], dtype=np.int64),
        np.array([a.low.get(b, 0) for b in range(n_bins)], dtype=np.int64),
        a.missing,
        a.missing_low,
        # fsum is exactly rounded, so the total does not depend on the engine's row order
        math.fsum(a.sums.values()),
        a.invalid,
        np.array([a.sums.get(b, 0.0) for b in range(n_bins)], dtype=float),
    )
