"""Fairness over the label horizon from stored per-window counts, updated with tonight's labels only.

Labels arrive late, so each night re-evaluates every window of the label horizon. Counting every window
again reads the whole horizon each night (14x one window for a 14-day horizon). Instead each window's
pre-rollup counts (:func:`steward.fairness.partial_counts_sql`: one row per groups x version x score bin
x decision x label, with exact decimal score sums) are stored in ``fairness_counts`` with the label
partitions they were computed from (``fairness_count_labels``). A later night counts only the rows keyed
in a label partition not yet applied (or one that left the horizon): those rows leave their old key
(counted with their old label, subtracted) and enter their new one (counted with the label they have
tonight, added). Labels combine as in a full count (the largest label a key has in any partition).

The result equals a full recount, count for count: a window is counted in full when it has no stored
counts, when its prediction partition changed (fingerprint), when the counting settings changed
(registry fairness settings, columns, the SQL), when a label partition it applied was rewritten, or
when a partition that left the horizon can no longer be read as it was; tonight's window always is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from steward._dates import check_date
from steward.fairness._counts import (
    VERSION,
    WINDOW,
    check_outcome_values,
    partial_counts_sql,
    rollup_counts_sql,
    split_windows,
)
from steward.fairness._evaluate import _require_columns, _score_column, evaluate_window
from steward.fairness._metrics import FairnessResult, Judgement, compute_fairness
from steward.registry import Model
from steward.warehouse import Warehouse, quote_ident, render_sql, scratch

__all__ = ["COUNT_TABLES", "HorizonNight", "Partition", "evaluate_horizon", "forget_windows"]

#: The tables holding the stored counts, each partitioned by (model, window_date).
COUNT_TABLES = ("fairness_counts", "fairness_count_windows", "fairness_count_labels")
#: Bumped when the stored rows' meaning changes: every window is then counted in full once.
_STATE_VERSION = 1
_DECIMAL = pa.decimal128(38, 14)


@dataclass(frozen=True)
class Partition:
    """One daily partition the engine can read: its rows as SQL and a fingerprint of its content.

    Attributes
    ----------
    day
        The partition's date (a prediction window, or a label arrival day).
    sql
        A query over the partition's rows, usable as ``from (<sql>) as p``.
    fingerprint
        Changes whenever the partition's content may have changed (e.g. its files' sizes and times).
    """

    day: dt.date
    sql: str
    fingerprint: str


@dataclass(frozen=True)
class HorizonNight:
    """The horizon's results and the stored counts to write in the night's transaction.

    ``counted`` says how each window's counts were obtained: ``full`` (counted from its rows), ``delta``
    (stored counts plus the rows whose label changed) or ``stored`` (no label of it changed).
    """

    results: dict[dt.date, FairnessResult]
    writes: list[tuple[str, dict[str, Any], Any]] = field(default_factory=list)
    counted: dict[dt.date, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Stored:
    settings: str
    predictions: str
    applied: dict[dt.date, str]


def forget_windows(model: Model, days: Sequence[dt.date]) -> list[tuple[str, dict[str, Any], Any]]:
    """Return writes that delete the stored counts of ``days`` (quarantined windows): recounted if back."""
    return [(t, {"model": model.name, "window_date": d}, []) for d in days for t in COUNT_TABLES]


def evaluate_horizon(
    engine: Warehouse,
    store: Warehouse,
    model: Model,
    *,
    windows: Sequence[Partition],
    labels: Sequence[Partition],
    earlier_labels: Callable[[dt.date], Partition | None],
    run_id: str,
    version_column: str | None = None,
    timestamp_column: str | None = None,
) -> HorizonNight:
    """Evaluate the windows of the label horizon from their stored counts and tonight's new labels.

    Parameters
    ----------
    engine
        Runs the row-level SQL (the windows' and labels' ``sql``); the relabelled rows are held in a
        temp table (``create or replace temp table``: the in-memory DuckDB that reads the files).
    store
        The warehouse holding the stored counts (read here; written by the caller with ``writes``).
    model
        The registered model; it must declare ``labels`` (dataset, join key, label column).
    windows
        The prediction partitions of the horizon, one per window; the newest is tonight's and is always
        counted in full. Each row's window is its partition's ``day``.
    labels
        The label partitions of the horizon as a full count would join them (the largest label of each
        key across them).
    earlier_labels
        Reads a label partition that was applied to a stored window but is no longer in ``labels``
        (None when it cannot be read): its rows are taken out again.
    run_id
        Stored with each row.
    version_column, timestamp_column
        The log's model-version and timestamp columns (as for :func:`steward.fairness.evaluate_windows`).

    Returns
    -------
    HorizonNight
        Row for row the results of :func:`steward.fairness.evaluate_windows` over the same rows and
        labels, and the writes that replace each window's stored counts.

    Examples
    --------
    >>> night = evaluate_horizon(engine, wh, model, windows=w, labels=l, earlier_labels=read,
    ...                          run_id="r1")  # doctest: +SKIP
    >>> night.counted  # doctest: +SKIP
    {datetime.date(2026, 11, 2): 'delta', datetime.date(2026, 11, 3): 'full'}
    """
    if model.labels is None:
        raise ValueError(f"model {model.name!r} declares no labels: nothing arrives late, count each window")
    if not windows:
        return HorizonNight({})
    ordered = sorted(windows, key=lambda w: w.day)
    for w in ordered:
        check_date(w.day, what=f"model {model.name!r}: fairness window")
    ctx = _Context.build(engine, model, ordered, version_column, timestamp_column)
    stored = _read_state(store, model, [w.day for w in ordered])
    tonight = {p.day: p for p in labels}
    counted: dict[dt.date, str] = {}
    groups: dict[frozenset[tuple[dt.date, str]], list[Partition]] = {}
    earlier: dict[dt.date, Partition | None] = {}
    for w in ordered:
        state = stored.get(w.day)
        how = "full" if w is ordered[-1] else _how(state, w, ctx.settings, tonight, earlier, earlier_labels)
        counted[w.day] = how
        if how == "delta":
            assert state is not None
            groups.setdefault(frozenset(state.applied.items()), []).append(w)
    parts: list[pa.Table] = []
    full = [w for w in ordered if counted[w.day] == "full"]
    if full:
        parts.append(_signed(ctx.full_partial(full, labels), 1))
    for applied, members in groups.items():
        parts += ctx.delta_partials(members, dict(applied), tonight, earlier)
    keep = [w.day for w in ordered if counted[w.day] != "full"]
    if keep:
        parts.append(_signed(_stored_rows(store, model, keep, ctx.versions), 1))
    merged, rollup = _merge_and_rollup(model, ctx, parts)
    by_window = split_windows(rollup, model, has_score=ctx.score is not None, with_versions=ctx.versions)
    judgement = Judgement.for_model(model)
    results: dict[dt.date, FairnessResult] = {}
    writes: list[tuple[str, dict[str, Any], Any]] = []
    now = dt.datetime.now(dt.UTC)
    for w in ordered:
        if w.day in by_window:
            results[w.day] = compute_fairness(
                by_window[w.day], model, window=w.day, run_id=run_id, judgement=judgement
            )
        else:  # a window without rows: its empty result, as a window counted alone gives it
            empty = f"select * from ({w.sql}) as w where 1 = 0"
            results[w.day] = evaluate_window(
                engine,
                model,
                source_sql=f"select *, cast(null as integer) as label from ({empty}) e",
                window=w.day,
                run_id=run_id,
            )
        key = {"model": model.name, "window_date": w.day}
        window_rows = merged.filter(pc.equal(merged[WINDOW], pa.scalar(w.day, pa.date32())))
        writes += [
            ("fairness_counts", key, _stored_table(window_rows, model, ctx.versions)),
            (
                "fairness_count_windows",
                key,
                [
                    {
                        "settings_fingerprint": ctx.settings,
                        "predictions_fingerprint": w.fingerprint,
                        "run_id": run_id,
                        "computed_at": now,
                    }
                ],
            ),
            (
                "fairness_count_labels",
                key,
                [
                    {"dataset": model.labels.dataset, "partition_date": p.day, "fingerprint": p.fingerprint}
                    for p in sorted(labels, key=lambda p: p.day)
                ],
            ),
        ]
    return HorizonNight(results, writes, counted)


def _how(
    state: _Stored | None,
    window: Partition,
    settings: str,
    tonight: dict[dt.date, Partition],
    earlier: dict[dt.date, Partition | None],
    earlier_labels: Callable[[dt.date], Partition | None],
) -> str:
    """``full``, ``delta`` or ``stored``: how window ``window`` is counted tonight."""
    if state is None or state.settings != settings or state.predictions != window.fingerprint:
        return "full"
    for day, fingerprint in state.applied.items():
        if day in tonight:
            if tonight[day].fingerprint != fingerprint:
                return "full"  # a label partition it applied was rewritten: its old labels are gone
            continue
        if day not in earlier:
            earlier[day] = earlier_labels(day)
        gone = earlier[day]
        if gone is None or gone.fingerprint != fingerprint:
            return "full"  # left the horizon and can no longer be read as it was applied
    if set(tonight) == set(state.applied):
        return "stored"
    return "delta"


@dataclass(frozen=True)
class _Context:
    """The night's column choices and the SQL pieces every part is counted with."""

    engine: Warehouse
    model: Model
    columns: tuple[str, ...]
    score: str | None
    version: str | None
    timestamp: str | None
    settings: str

    @property
    def versions(self) -> bool:
        return self.version is not None

    @property
    def options(self) -> dict[str, str | None]:
        return {
            "score_column": self.score,
            "window_column": WINDOW,
            "version_column": self.version,
            "timestamp_column": self.timestamp,
        }

    @classmethod
    def build(
        cls,
        engine: Warehouse,
        model: Model,
        windows: Sequence[Partition],
        version_column: str | None,
        timestamp_column: str | None,
    ) -> _Context:
        assert model.labels is not None
        seen = engine.fetch_arrow(f"select * from ({windows[-1].sql}) as w limit 0").column_names
        _require_columns(
            model, [*seen, "label"], what=f"the prediction partition of window {windows[-1].day}"
        )
        ident = model.columns.id
        if ident not in seen:
            raise ValueError(
                f"fairness of model {model.name!r}: the prediction partition of window {windows[-1].day} "
                f"lacks the id column {ident!r} that labels join on (it has {list(seen)}); set columns.id"
            )
        score = _score_column(model, seen)
        version = version_column if version_column in seen else None
        timestamp = timestamp_column if version and timestamp_column in seen else None
        wanted = [
            *model.protected_attributes,
            model.columns.prediction,
            score,
            ident,
            version,
            timestamp,
        ]
        columns = tuple(dict.fromkeys(c for c in wanted if c and c in seen))
        options = {"score_column": score, "window_column": WINDOW, "version_column": version,
                   "timestamp_column": timestamp}  # fmt: skip
        stamp = {
            "state": _STATE_VERSION,
            "partial": partial_counts_sql(model, source_sql="", **options),
            "labels": [model.labels.dataset, model.labels.join_key, model.labels.label_column, ident],
            "columns": list(columns),
        }
        settings = hashlib.sha256(json.dumps(stamp, sort_keys=True).encode()).hexdigest()
        return cls(engine, model, columns, score, version, timestamp, settings)

    # ------------------------------------------------------------------ SQL pieces
    def windows_sql(self, windows: Sequence[Partition]) -> str:
        """Return the windows' rows in the columns the counts need (NULL where a window lacks one)."""
        parts = []
        for w in windows:
            have = set(self.engine.fetch_arrow(f"select * from ({w.sql}) as p limit 0").column_names)
            cols = ", ".join(
                quote_ident(c) if c in have else f"null as {quote_ident(c)}" for c in self.columns
            )
            parts.append(
                f"select cast('{w.day.isoformat()}' as date) as {WINDOW}, {cols} from ({w.sql}) as p"
            )
        return "\nunion all\n".join(parts)

    def label_sql(self, parts: Sequence[Partition], *, keys_in: str) -> str:
        """Return the largest label per key over ``parts``, for the keys of query ``keys_in``."""
        assert self.model.labels is not None
        key = quote_ident(self.model.labels.join_key)
        label = quote_ident(self.model.labels.label_column)
        union = "\nunion all\n".join(
            f"select {key} as steward_key, cast({label} as integer) as steward_label from ({p.sql}) as lp "
            f"where {label} is not null"
            for p in parts
        )
        return (
            f"select steward_key, max(steward_label) as steward_label from ({union}) as lr "
            f"where steward_key in ({keys_in}) group by steward_key"
        )

    def labelled_sql(self, rows_sql: str, parts: Sequence[Partition]) -> str:
        """``rows_sql`` with ``label``: the largest label of its key over ``parts`` (NULL when none)."""
        if not parts:
            return f"select r.*, cast(null as integer) as label from ({rows_sql}) as r"
        ident = quote_ident(self.model.columns.id)
        labelled = self.label_sql(parts, keys_in=f"select {ident} from ({rows_sql}) as k")
        return (
            f"select r.*, l.steward_label as label from ({rows_sql}) as r "
            f"left join ({labelled}) as l on r.{ident} = l.steward_key"
        )

    def partial(self, source_sql: str, *, check: bool = True) -> pa.Table:
        if check:
            check_outcome_values(self.engine.fetch, self.model, source_sql=source_sql)
        return self.engine.fetch_arrow(partial_counts_sql(self.model, source_sql=source_sql, **self.options))

    # ------------------------------------------------------------------ the parts
    def full_partial(self, windows: Sequence[Partition], labels: Sequence[Partition]) -> pa.Table:
        """Every row of ``windows`` with its label: the windows counted in full."""
        return self.partial(self.labelled_sql(self.windows_sql(windows), labels))

    def delta_partials(
        self,
        windows: Sequence[Partition],
        applied: dict[dt.date, str],
        tonight: dict[dt.date, Partition],
        earlier: dict[dt.date, Partition | None],
    ) -> list[pa.Table]:
        """Count the rows of ``windows`` whose key is in a label partition added or removed since ``applied``.

        Twice: with the label they were stored with (sign -1) and with tonight's (sign 1).
        """
        assert self.model.labels is not None
        added = [p for d, p in tonight.items() if d not in applied]
        removed = [p for d in applied if d not in tonight and (p := earlier[d]) is not None]
        key = quote_ident(self.model.labels.join_key)
        label = quote_ident(self.model.labels.label_column)
        changed = "\nunion all\n".join(
            f"select {key} as steward_key from ({p.sql}) as lp where {label} is not null"
            for p in [*added, *removed]
        )
        parts = {p.day: p for p in [*tonight.values(), *removed]}
        labels = "\nunion all\n".join(
            f"select {key} as steward_key, cast({label} as integer) as steward_label, "
            f"{int(d in applied)} as steward_before, {int(d in tonight)} as steward_now "
            f"from ({p.sql}) as lp where {label} is not null"
            for d, p in sorted(parts.items())
        )
        name = hashlib.sha256(f"{self.model.name}{sorted(applied)}".encode()).hexdigest()[:12]
        rows_table = f"steward_relabelled_{name}"
        select = render_sql(
            "fairness/select_relabelled_rows.sql.j2",
            changed_sql=changed,
            labels_sql=labels,
            windows_sql=self.windows_sql(windows),
            id=quote_ident(self.model.columns.id),
        )
        self.engine.execute(f"create or replace temp table {rows_table} as {select}")
        try:
            # counted before with the label they had then (checked then), now with tonight's
            before = f"select r.*, r.steward_label_before as label from {rows_table} as r"
            old = self.partial(before, check=False)
            new = self.partial(f"select r.*, r.steward_label_now as label from {rows_table} as r")
        finally:
            self.engine.execute(f"drop table if exists {rows_table}")
        return [_signed(old, -1), _signed(new, 1)]


def _signed(table: pa.Table, sign: int) -> pa.Table:
    return table.append_column("steward_sign", pa.array([sign] * table.num_rows, type=pa.int64()))


def _merge_and_rollup(
    model: Model, ctx: _Context, parts: Sequence[pa.Table]
) -> tuple[pa.Table, list[dict[str, object]]]:
    """Add the signed parts key by key (exact), then roll them up into groups (one private DuckDB)."""
    n = len(model.protected_attributes)
    keys = [f"g_{i}" for i in range(n)] + ([VERSION] if ctx.versions else []) + [WINDOW]
    columns = [
        *(f"cast(g_{i} as varchar) as g_{i}" for i in range(n)),
        *([f"cast({VERSION} as varchar) as {VERSION}"] if ctx.versions else []),
        f"cast({WINDOW} as date) as {WINDOW}",
        "cast(score_bin as integer) as score_bin",
        "cast(predicted_favourable as integer) as predicted_favourable",
        "cast(label_favourable as integer) as label_favourable",
        "cast(label_value as integer) as label_value",
        "cast(n_rows as bigint) as n_rows",
        "cast(n_scored as bigint) as n_scored",
        "cast(n_summed as bigint) as n_summed",
        "cast(score_exact_sum as decimal(38, 14)) as score_exact_sum",
        "cast(n_scored_labelled as bigint) as n_scored_labelled",
        *(["cast(steward_last as timestamp) as steward_last"] if ctx.versions else []),
        "cast(steward_sign as bigint) as steward_sign",
    ]
    with scratch(memory_limit=None, preserve_insertion_order=True) as engine:
        names = []
        for i, part in enumerate(parts):
            engine.register(f"part_{i}", part)
            names.append(f"select {', '.join(columns)} from part_{i}")
        signed = "\nunion all\n".join(names) or (
            f"select {', '.join(columns)} from (select 1) where 1 = 0"  # never: tonight is always counted
        )
        merge = render_sql(
            "fairness/merge_window_counts.sql.j2",
            signed_sql=signed,
            keys=", ".join(keys),
            last_merged=",\n        max(steward_last) as steward_last" if ctx.versions else "",
        )
        merged = engine.fetch_arrow(f"{merge} order by all")
        engine.register("merged_counts", merged)
        rollup_sql = rollup_counts_sql(model, partial_sql="select * from merged_counts", **ctx.options)
        rollup = engine.fetch(rollup_sql)
    return merged, rollup


def _read_state(store: Warehouse, model: Model, days: Sequence[dt.date]) -> dict[dt.date, _Stored]:
    params = {"m": model.name, "lo": min(days), "hi": max(days)}
    where = "where model = :m and window_date >= :lo and window_date <= :hi"
    windows = store.fetch(
        "select window_date, settings_fingerprint, predictions_fingerprint "
        f"from fairness_count_windows {where}",
        params,
    )
    applied: dict[dt.date, dict[dt.date, str]] = {}
    for r in store.fetch(
        f"select window_date, partition_date, fingerprint from fairness_count_labels {where}", params
    ):
        applied.setdefault(_day(r["window_date"]), {})[_day(r["partition_date"])] = str(r["fingerprint"])
    return {
        _day(r["window_date"]): _Stored(
            str(r["settings_fingerprint"]),
            str(r["predictions_fingerprint"]),
            applied.get(_day(r["window_date"]), {}),
        )
        for r in windows
    }


def _day(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    assert isinstance(value, dt.date)
    return value


def _stored_rows(store: Warehouse, model: Model, days: Sequence[dt.date], versions: bool) -> pa.Table:
    """Return the stored counts of ``days`` in the columns of count_partial_groups.sql."""
    listed = ", ".join(f"cast('{d.isoformat()}' as date)" for d in days)
    table = store.fetch_arrow(
        "select window_date, group_values, model_version, score_bin, predicted_favourable, label_favourable, "
        "label_value, n_rows, n_scored, n_summed, cast(score_sum as varchar) as score_sum, "
        f"n_scored_labelled, last_at from fairness_counts where model = :m and window_date in ({listed})",
        {"m": model.name},
    )
    values = [json.loads(v) for v in table["group_values"].to_pylist()]
    out: dict[str, pa.Array | list[Any]] = {
        f"g_{i}": pa.array([v[i] for v in values], type=pa.string())
        for i in range(len(model.protected_attributes))
    }
    if versions:
        out[VERSION] = table["model_version"].cast(pa.string())
    out[WINDOW] = table["window_date"].cast(pa.date32())
    for c in ("score_bin", "predicted_favourable", "label_favourable", "label_value"):
        out[c] = table[c].cast(pa.int32())
    for c in ("n_rows", "n_scored", "n_summed", "n_scored_labelled"):
        out[c] = table[c].cast(pa.int64())
    out["score_exact_sum"] = table["score_sum"].cast(pa.string())
    if versions:
        out["steward_last"] = table["last_at"].cast(pa.timestamp("us"))
    return pa.table(out)


def _stored_table(rows: pa.Table, model: Model, versions: bool) -> pa.Table | list[Any]:
    """One window's merged counts as ``fairness_counts`` rows."""
    if rows.num_rows == 0:
        return []
    n = len(model.protected_attributes)
    groups = zip(*(rows[f"g_{i}"].to_pylist() for i in range(n)), strict=True)
    null_version = pa.nulls(rows.num_rows, pa.string())
    return pa.table(
        {
            "group_values": pa.array([json.dumps(list(g)) for g in groups], type=pa.string()),
            "model_version": rows[VERSION] if versions else null_version,
            "score_bin": rows["score_bin"],
            "predicted_favourable": rows["predicted_favourable"],
            "label_favourable": rows["label_favourable"],
            "label_value": rows["label_value"],
            "n_rows": rows["n_rows"],
            "n_scored": rows["n_scored"],
            "n_summed": rows["n_summed"],
            "score_sum": rows["score_exact_sum"].cast(_DECIMAL),
            "n_scored_labelled": rows["n_scored_labelled"],
            "last_at": rows["steward_last"] if versions else pa.nulls(rows.num_rows, pa.timestamp("us")),
        }
    )
