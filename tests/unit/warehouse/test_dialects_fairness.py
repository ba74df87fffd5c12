"""The fairness label horizon's SQL (``steward.fairness.evaluate_horizon``) in larger warehouses' dialects.

The horizon's delta runs partly in a private scratch DuckDB (the merge and rollup of the signed
counts), outside the warehouse that ``test_dialects.py`` records. Here every statement of that path
is built the way ``fairness/_horizon.py`` builds it, for a model with two protected attributes, a
score, model versions and two windows: the pre-rollup counts over the labelled windows
(count_partial_groups.sql.j2), the relabelled rows (select_relabelled_rows.sql.j2) and the counts of
them with their old and new labels, the merge of the signed parts (merge_window_counts.sql.j2), the
rollup (compute_group_counts.sql.j2) and the reads of the stored counts (DDL 0019 tables). Each is
transpiled to Postgres, BigQuery and Snowflake and parsed back; the merge and rollup run on DuckDB and,
transpiled, on a real Postgres over hand-made signed rows, and must give the hand-computed counts.

Two constructs of this path do NOT transpile to a statement Postgres runs (sqlglot writes them
unchanged; they are DuckDB-only and run on the engine, never on the warehouse): ``create or replace
temp table`` (the relabelled rows' temp table, ``_Context.delta_partials``) and ``order by all`` (the
merged counts' order, ``_merge_and_rollup``). ``test_the_engine_only_constructs_are_not_postgres``
pins that; docs/architecture.md ("Warehouses beyond one machine") says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import pytest

from steward.fairness import Partition, partial_counts_sql, rollup_counts_sql
from steward.fairness._horizon import _Context, _read_state, _stored_rows
from steward.registry import Model
from steward.warehouse import Warehouse, WarehouseError, connect, quote_ident, render_sql
from tests.unit.fairness.data_for_test import model as base_model
from tests.unit.warehouse.test_dialects import TARGETS, _parses_back, _transpile

W1, W2 = dt.date(2026, 11, 10), dt.date(2026, 11, 11)
KEYS = "g_0, g_1, steward_version, steward_window"  # as _merge_and_rollup builds them (versions counted)
LAST_MERGED = ",\n        max(steward_last) as steward_last"


def _model() -> Model:
    spec = base_model(min_group_size=1).model_dump(exclude_none=True)
    spec["labels"] = {"dataset": "test_labels", "join_key": "lead", "label_column": "outcome"}
    spec["columns"]["version"] = "version"
    return Model.model_validate(spec)


def _engine() -> Warehouse:
    engine = connect("duckdb:///:memory:")
    engine.execute(
        "create table preds (day date, id bigint, sex text, age_band text, score double precision, "
        "pred integer, version text, ts timestamp)"
    )
    engine.execute(
        "insert into preds values "
        "('2026-11-10', 1, 'F', 'young', 0.85, 1, '1.0', '2026-11-10 08:00'), "
        "('2026-11-10', 2, 'M', 'old', 0.25, 0, '1.0', '2026-11-10 09:00'), "
        "('2026-11-11', 3, null, 'old', null, 1, '1.1', '2026-11-11 10:00')"
    )
    engine.execute("create table labels (arrival date, lead bigint, outcome bigint)")
    engine.execute(
        "insert into labels values ('2026-11-10', 1, 1), ('2026-11-11', 1, 0), ('2026-11-11', 2, 1)"
    )
    return engine


def _window(day: dt.date) -> Partition:
    return Partition(day, f"select * from preds where day = cast('{day}' as date)", f"preds {day}")


def _labels(day: dt.date) -> Partition:
    return Partition(day, f"select * from labels where arrival = cast('{day}' as date)", f"labels {day}")


def _horizon_statements() -> dict[str, str]:
    """Every statement the horizon path sends, built with the arguments ``_horizon.py`` passes."""
    model = _model()
    assert model.labels is not None
    engine = _engine()
    windows = [_window(W1), _window(W2)]
    ctx = _Context.build(engine, model, windows, "version", "ts")
    assert ctx.versions and ctx.score == "score" and ctx.timestamp == "ts"
    labelled = ctx.labelled_sql(ctx.windows_sql(windows), [_labels(W1), _labels(W2)])
    # the delta as in _Context.delta_partials: W1 applied label partition W1; W2 arrived tonight
    key, label = quote_ident(model.labels.join_key), quote_ident(model.labels.label_column)
    added = _labels(W2)
    changed = f"select {key} as steward_key from ({added.sql}) as lp where {label} is not null"
    labels = "\nunion all\n".join(
        f"select {key} as steward_key, cast({label} as integer) as steward_label, "
        f"{before} as steward_before, 1 as steward_now from ({p.sql}) as lp where {label} is not null"
        for before, p in ((1, _labels(W1)), (0, added))
    )
    relabelled = render_sql(
        "fairness/select_relabelled_rows.sql.j2",
        changed_sql=changed,
        labels_sql=labels,
        windows_sql=ctx.windows_sql([windows[0]]),
        id=quote_ident(model.columns.id),
    )
    rows_table = "steward_relabelled_0123456789ab"  # _horizon.py: a hash of the model and applied days
    merge = render_sql(
        "fairness/merge_window_counts.sql.j2",
        signed_sql="select * from signed_parts",
        keys=KEYS,
        last_merged=LAST_MERGED,
    )
    store: Any = _StoreRecorder(connect("duckdb:///:memory:"))  # a Warehouse, recorded
    store.migrate()
    _read_state(store, model, [W1, W2])
    _stored_rows(store, model, [W1], versions=True)
    assert len(store.statements) == 3
    return {
        "partial_full": partial_counts_sql(model, source_sql=labelled, **ctx.options),
        "relabelled_rows": relabelled,
        "partial_before": partial_counts_sql(
            model,
            source_sql=f"select r.*, r.steward_label_before as label from {rows_table} as r",
            **ctx.options,
        ),
        "partial_now": partial_counts_sql(
            model,
            source_sql=f"select r.*, r.steward_label_now as label from {rows_table} as r",
            **ctx.options,
        ),
        "merge": merge,
        "rollup": rollup_counts_sql(model, partial_sql="select * from merged_counts", **ctx.options),
        **{f"store_{i}": sql for i, sql in enumerate(store.statements)},
    }


class _StoreRecorder:
    """The store's reads (with ``:name`` parameters, bound by the adapter), recorded."""

    def __init__(self, inner: Warehouse) -> None:
        self._inner = inner
        self.statements: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def fetch(self, sql: str, params: Mapping[str, object] | None = None) -> list[dict[str, object]]:
        self.statements.append(sql)
        return self._inner.fetch(sql, params)

    def fetch_arrow(self, sql: str, params: Mapping[str, object] | None = None) -> Any:
        self.statements.append(sql)
        return self._inner.fetch_arrow(sql, params)


@pytest.fixture(scope="module")
def statements() -> dict[str, str]:
    return _horizon_statements()


def test_the_horizon_statements_were_built(statements: dict[str, str]) -> None:
    assert all("{{" not in sql and "{%" not in sql for sql in statements.values())
    text = {name: sql.lower() for name, sql in statements.items()}
    assert "g_1" in text["partial_full"] and "steward_version" in text["partial_full"]
    assert "left join" in text["partial_full"] and "steward_last" in text["partial_full"]
    assert "is distinct from" in text["relabelled_rows"]
    assert "having sum(steward_sign * n_rows) <> 0" in text["merge"]
    assert "grouping sets ((steward_window, g_0)" in text["rollup"]
    stored = [sql for name, sql in text.items() if name.startswith("store_")]
    assert len(stored) == 3 and all("from fairness_count" in sql for sql in stored)


def test_the_horizon_statements_run_on_duckdb(statements: dict[str, str]) -> None:
    """The built statements are the ones the engine runs: the full count and the relabelled rows run."""
    engine = _engine()
    full: list[dict[str, Any]] = engine.fetch(statements["partial_full"])
    assert sum(int(r["n_rows"]) for r in full) == 3  # three prediction rows
    relabelled = engine.fetch(statements["relabelled_rows"])
    # key 1 went from label 1 (partition W1) to max(1, 0) = 1: unchanged, no row; key 2: NULL -> 1
    assert [(r["id"], r["steward_label_before"], r["steward_label_now"]) for r in relabelled] == [
        (2, None, 1)
    ]


@pytest.mark.parametrize("dialect", TARGETS)
def test_every_horizon_statement_has_a_valid_form_in_each_dialect(
    statements: dict[str, str], dialect: str
) -> None:
    for name, sql in statements.items():
        try:
            _parses_back(_transpile(sql, write=dialect), dialect)
        except Exception as exc:  # name the statement in the failure
            raise AssertionError(f"{name}: {exc}") from exc


# ---------------------------------------------------------------- merge + rollup on both backends
SIGNED = (
    "create table signed_parts (g_0 varchar, g_1 varchar, steward_version varchar, steward_window date, "
    "score_bin integer, predicted_favourable integer, label_favourable integer, label_value integer, "
    "n_rows bigint, n_scored bigint, n_summed bigint, score_exact_sum decimal(38, 14), "
    "n_scored_labelled bigint, steward_last timestamp, steward_sign bigint)"
)
# stored counts (+1), a relabelled row taken out with its old label (-1) and put back with its new (+1)
ROWS = (
    "insert into signed_parts values "
    "('F', 'young', '1.0', '2026-11-10', 8, 1, 1, 1, 3, 3, 3, 2.55, 3, '2026-11-10 08:00', 1), "
    "('F', 'young', '1.0', '2026-11-10', 8, 1, 1, 1, 1, 1, 1, 0.85, 1, '2026-11-10 07:00', -1), "
    "('F', 'young', '1.0', '2026-11-10', 8, 1, 0, 0, 1, 1, 1, 0.85, 1, '2026-11-10 07:00', 1), "
    "('M', 'old', '1.0', '2026-11-10', 2, 0, null, null, 1, 1, 1, 0.25, 0, '2026-11-10 09:00', 1), "
    "('M', 'old', '1.0', '2026-11-10', 2, 0, null, null, 1, 1, 1, 0.25, 0, '2026-11-10 09:00', -1), "
    "('M', 'old', '1.0', '2026-11-10', 2, 0, 1, 1, 1, 1, 1, 0.25, 1, '2026-11-10 09:00', 1), "
    "('unknown', 'old', '1.1', '2026-11-11', null, 1, 0, 0, 2, 0, 0, null, 0, '2026-11-11 10:00', 1)"
)
#: Hand-computed: key by key, signed sums; the unlabelled (M, old) row taken out leaves no row.
MERGED = [
    ("F", "young", "1.0", W1, 8, 1, 0, 0, 1, 1, 1, 0.85, 1, dt.datetime(2026, 11, 10, 7)),
    ("F", "young", "1.0", W1, 8, 1, 1, 1, 2, 2, 2, 1.7, 2, dt.datetime(2026, 11, 10, 8)),
    ("M", "old", "1.0", W1, 2, 0, 1, 1, 1, 1, 1, 0.25, 1, dt.datetime(2026, 11, 10, 9)),
    ("unknown", "old", "1.1", W2, None, 1, 0, 0, 2, 0, 0, None, 0, dt.datetime(2026, 11, 11, 10)),
]


def _value(v: object) -> object:
    if isinstance(v, Decimal):
        return round(float(v), 9)
    if isinstance(v, float):
        return round(v, 9)
    if isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    return v


def _sorted(rows: Sequence[Sequence[object]]) -> list[tuple[object, ...]]:
    return sorted((tuple(_value(v) for v in r) for r in rows), key=repr)


def _merge_and_rollup(
    wh: Warehouse, statements: dict[str, str], write: str
) -> Iterator[list[dict[str, object]]]:
    """Run the merge, keep it as ``merged_counts``, run the rollup over it (``write``'s form of each)."""
    wh.execute(SIGNED)
    wh.execute(ROWS)
    merge = _transpile(statements["merge"], write=write)
    yield wh.fetch(merge)
    wh.execute(f"create table merged_counts as {merge}")
    yield wh.fetch(_transpile(statements["rollup"], write=write))


def _check_hand_computed(merged: list[dict[str, Any]], rollup: list[dict[str, Any]]) -> None:
    assert _sorted([list(r.values()) for r in merged]) == _sorted(MERGED)
    overall = {
        r["steward_window"]: r
        for r in rollup
        if (r["grouped_0"], r["grouped_1"], r["grouped_bin"], r["grouped_version"]) == (1, 1, 1, 1)
    }
    w1, w2 = overall[W1], overall[W2]
    # W1: (F,young) tp 2 + fp 1, (M,old) fn 1; the removed unlabelled row counts nowhere
    assert [int(w1[k]) for k in ("n_rows", "n_labelled", "tp", "fp", "tn", "fn", "n_scored")] == [
        4,
        4,
        2,
        1,
        0,
        1,
        4,
    ]
    assert float(w1["score_sum"]) == pytest.approx(2.8)
    assert [int(w2[k]) for k in ("n_rows", "fp", "n_scored")] == [2, 2, 0] and w2["score_sum"] is None
    # counts sum by key: the per-sex rows of W1 add up to its overall row
    by_sex = [
        r
        for r in rollup
        if r["steward_window"] == W1 and (r["grouped_0"], r["grouped_1"], r["grouped_bin"]) == (0, 1, 1)
    ]
    assert sorted((r["g_0"], int(r["n_rows"])) for r in by_sex) == [("F", 3), ("M", 1)]


def test_the_merge_and_rollup_give_the_hand_computed_counts_on_duckdb(statements: dict[str, str]) -> None:
    with connect("duckdb:///:memory:") as wh:
        merged, rollup = _merge_and_rollup(wh, statements, "duckdb")
    _check_hand_computed(merged, rollup)


@pytest.mark.postgres
def test_the_postgres_forms_of_the_merge_and_rollup_give_duckdbs_rows(
    statements: dict[str, str], pg_url: str
) -> None:
    with connect("duckdb:///:memory:") as wh:
        on_duckdb = list(_merge_and_rollup(wh, statements, "duckdb"))
    with connect(pg_url) as pg:
        on_postgres = list(_merge_and_rollup(pg, statements, "postgres"))
    for duck, post in zip(on_duckdb, on_postgres, strict=True):
        assert _sorted([list(r.values()) for r in post]) == _sorted([list(r.values()) for r in duck])
    _check_hand_computed(*on_postgres)


@pytest.mark.postgres
def test_the_engine_only_constructs_are_not_postgres(statements: dict[str, str], pg_url: str) -> None:
    """``create or replace temp table`` and ``order by all`` transpile verbatim; Postgres rejects both.

    The horizon runs them on the DuckDB engine (relabelled rows) and the scratch DuckDB (merged counts),
    never on the warehouse: a Postgres/BigQuery/Snowflake engine would need them rewritten.
    """
    engine_only = {
        # as _Context.delta_partials runs it, and as _merge_and_rollup reads the merged counts
        f"create or replace temp table steward_relabelled_x as {statements['relabelled_rows']}": (
            "CREATE OR REPLACE TEMPORARY TABLE"
        ),
        f"{statements['merge']} order by all": "ORDER BY ALL",
    }
    with connect(pg_url) as pg:
        pg.execute(SIGNED)
        for sql, verbatim in engine_only.items():
            written = _transpile(sql, write="postgres")
            assert verbatim in written
            near = "ALL" if "ORDER" in verbatim else "TABLE"
            with pytest.raises(WarehouseError, match=f'SyntaxError: syntax error at or near "{near}"'):
                pg.execute(written)
