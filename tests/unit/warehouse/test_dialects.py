"""Steward's pushed-down SQL from one source, in the dialects of larger warehouses (``sqlglot``).

The aggregations Steward sends to an engine (a monitoring window's counts and profiles, the
performance join, the fairness group counts) are captured while they run on DuckDB over a table.
Each statement is transpiled by sqlglot from DuckDB to Postgres, BigQuery and Snowflake and parsed
back in that dialect; the Postgres forms are executed on a real Postgres over the same rows and must
give DuckDB's results. The static queries of ``include/sql`` (no placeholders) are transpiled and
parsed back the same way. No BigQuery or Snowflake is reachable here: for those two, what is verified
is that every statement has a form sqlglot accepts as valid in the dialect, not that it runs there
(docs/architecture.md, "Warehouses beyond one machine").
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import sqlglot
from sqlglot.errors import ErrorLevel

from steward import paths
from steward.fairness import count_groups, count_groups_by_window
from steward.monitoring import ColumnSpec, Relation, aggregate
from steward.monitoring._aggregate import profile_reference
from steward.monitoring._performance import performance_bins
from steward.warehouse import Warehouse, connect
from tests.unit.fairness.data_for_test import model as fairness_model
from tests.unit.monitoring.data_for_test import DAY, model, sample

TARGETS = ("postgres", "bigquery", "snowflake")
#: Files in include/sql written in another engine's dialect (the BigQuery billing export is read there).
SOURCE_DIALECT = {
    "costs/extract_gcp_billing_export.sql.j2": "bigquery",
    "carbon/extract_gcp_carbon_footprint.sql.j2": "bigquery",
}


def _transpile(sql: str, *, read: str = "duckdb", write: str) -> str:
    """Transpile every statement of ``sql``; raise where a construct has no form in ``write``."""
    out = sqlglot.transpile(sql, read=read, write=write, unsupported_level=ErrorLevel.RAISE)
    assert out, f"nothing parsed from {sql[:80]!r}"
    return ";\n".join(out)


def _parses_back(sql: str, dialect: str) -> None:
    for stmt in sqlglot.parse(sql, read=dialect, error_level=ErrorLevel.RAISE):
        assert stmt is not None


class _Recorder:
    """A warehouse whose fetch, fetch_arrow and fetch_batches calls are recorded (statement, result)."""

    def __init__(self, inner: Warehouse) -> None:
        self._inner = inner
        self.statements: list[tuple[str, list[dict[str, object]]]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def fetch(self, sql: str, params: Mapping[str, object] | None = None) -> list[dict[str, object]]:
        assert params is None, "the captured aggregations carry no parameters"
        rows = self._inner.fetch(sql)
        self.statements.append((sql, rows))
        return rows

    def fetch_arrow(self, sql: str) -> pa.Table:
        table = self._inner.fetch_arrow(sql)
        self.statements.append((sql, table.to_pylist()))
        return table

    def fetch_batches(self, sql: str) -> Iterator[pa.RecordBatch]:
        batches = list(self._inner.fetch_batches(sql))
        self.statements.append((sql, [row for b in batches for row in b.to_pylist()]))
        return iter(batches)


def _normal(value: object) -> object:
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 9)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, list | tuple):
        return tuple(_normal(v) for v in value)
    return value


def _rows(rows: Sequence[Mapping[str, object]]) -> list[tuple[object, ...]]:
    return sorted((tuple(_normal(v) for v in r.values()) for r in rows), key=repr)


PREDICTIONS = (
    "create table preds (steward_window date, id text, amount double precision, age bigint, "
    "tenure double precision, channel text, score double precision, predicted_label bigint)"
)
LABELS = "create table labels (steward_window date, id text, label bigint)"


def _load(wh: Warehouse) -> None:
    table = sample(1_500, seed=11, null_share=0.04).select(
        ["id", "amount", "age", "tenure", "channel", "score", "predicted_label"]
    )
    wh.execute(PREDICTIONS)
    wh.replace_partition("preds", {"steward_window": DAY}, table)
    ids = table.column("id").to_pylist()[::2]
    labels = pa.table({"id": ids, "label": [int(i.endswith(("1", "4", "7"))) for i in ids]})
    wh.execute(LABELS)
    wh.replace_partition("labels", {"steward_window": DAY}, labels)
    wh.execute(
        "create table fair (sex text, age_band text, pred integer, score double precision, label integer)"
    )
    wh.execute(
        "insert into fair values ('F', 'young', 1, 0.9, 1), ('F', 'young', 0, 0.2, 1), "
        "('F', 'old', 1, 0.8, 0), (null, 'old', 1, 0.7, null), ('M', 'old', 0, 0.1, 0), "
        "('M', 'young', 1, 0.6, 1), ('M', 'young', 0, 0.35, 0), ('F', 'old', 0, 0.05, 0)"
    )


def _run_aggregations(engine: Any) -> None:
    """Run the pushed-down aggregations once on ``engine`` (every grouping strategy)."""
    rel = Relation('select * from "preds"', engine, (DAY,))
    specs = profile_reference(
        rel,
        [
            ColumnSpec("amount", "feature", "numeric"),
            ColumnSpec("age", "feature", "numeric"),
            ColumnSpec("tenure", "feature", "numeric"),
            ColumnSpec("channel", "feature", "categorical"),
        ],
        bins=10,
    )
    for strategy in ("grouping_sets", "union", "stream"):
        aggregate(rel, [s.spec for s in specs], score="score", decision=0.3, band=0.05, strategy=strategy)
    performance_bins(model(), rel, Relation('select * from "labels"', engine, (DAY,)))
    fair = fairness_model(min_group_size=1)
    count_groups(engine.fetch, fair, source_sql='select * from "fair"', score_column="score")
    # the label horizon's windows in one aggregation (two windows: young and old rows)
    windows = (
        "select *, case when age_band = 'young' then date '2026-11-10' else date '2026-11-11' end "
        'as steward_window from "fair"'
    )
    count_groups_by_window(
        engine.fetch, fair, source_sql=windows, score_column="score", window_column="steward_window"
    )


@pytest.fixture(scope="module")
def captured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[tuple[str, list[dict[str, object]]]]]:
    with connect(f"duckdb:///{tmp_path_factory.mktemp('dialects') / 'w.duckdb'}") as wh:
        _load(wh)
        recorder = _Recorder(wh)
        _run_aggregations(recorder)
        yield recorder.statements


def test_the_aggregations_were_captured(captured: list[tuple[str, list[dict[str, object]]]]) -> None:
    text = "\n".join(sql for sql, _ in captured).lower()
    # profile, quantiles, the counting strategies, the label join and the fairness grouping sets
    for marker in ("quantile", "grouping sets", "union all", "low_confidence", "join", "left join"):
        assert marker in text, marker
    assert len(captured) >= 6
    assert any("grouping sets ((steward_window, g_0)" in sql.lower() for sql, _ in captured)  # by window


@pytest.mark.parametrize("dialect", TARGETS)
def test_every_pushed_down_query_has_a_valid_form_in_each_dialect(
    captured: list[tuple[str, list[dict[str, object]]]], dialect: str
) -> None:
    for sql, _ in captured:
        _parses_back(_transpile(sql, write=dialect), dialect)


def _static_queries() -> list[Path]:
    root = paths.project_dir() / "include" / "sql"
    return sorted(
        p
        for p in root.rglob("*.sql")
        if "ddl" not in p.relative_to(root).parts and not re.search(r"\{\w*\}", p.read_text(encoding="utf-8"))
    )


@pytest.mark.parametrize("path", _static_queries(), ids=lambda p: p.name)
def test_every_static_query_has_a_valid_form_in_each_dialect(path: Path) -> None:
    rel = path.relative_to(paths.project_dir() / "include" / "sql").as_posix()
    read = SOURCE_DIALECT.get(rel, "duckdb")
    # ``:name`` parameters are bound by the warehouse adapter; sqlglot reads them as placeholders
    sql = path.read_text(encoding="utf-8")
    for dialect in TARGETS:
        _parses_back(_transpile(sql, read=read, write=dialect), dialect)


def test_the_rendered_cost_normalization_has_a_valid_form_in_each_dialect() -> None:
    """``normalize_daily.sql.j2`` renders the one FOCUS column list: its rendered form is checked too."""
    from steward.costs._engine import _daily_sql

    sql = _daily_sql()
    assert '"BilledCost"' in sql and "{{" not in sql
    for dialect in TARGETS:
        _parses_back(_transpile(sql, write=dialect), dialect)


@pytest.mark.postgres
def test_the_postgres_forms_give_duckdbs_results(
    captured: list[tuple[str, list[dict[str, object]]]], pg_url: str
) -> None:
    with connect(pg_url) as pg:
        _load(pg)
        run: Callable[[str], list[dict[str, object]]] = pg.fetch
        for sql, on_duckdb in captured:
            on_postgres = run(_transpile(sql, write="postgres"))
            assert _rows(on_postgres) == _rows(on_duckdb), sql[:200]
