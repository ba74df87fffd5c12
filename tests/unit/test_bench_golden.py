"""The golden comparison's logic on two tiny DuckDB files (no demo run)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from benchmarks import golden

_DDL = (
    "create table metrics (model varchar, day date, value double, note varchar, "
    "run_id varchar, computed_at timestamp, duration_s double)"
)


def _warehouse(path: Path, rows: list[tuple[object, ...]], *, extra: str | None = None) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute(_DDL)
        con.executemany("insert into metrics values (?, ?, ?, ?, ?, ?, ?)", rows)
        if extra:
            con.execute(extra)
    return path


def _row(
    value: float, note: str = "ok", run: str = "r1", at: str = "2026-11-01 02:00:00"
) -> tuple[object, ...]:
    return ("m", "2026-11-01", value, note, run, at, 1.5)


def _diffs(
    tmp_path: Path,
    before: list[tuple[object, ...]],
    after: list[tuple[object, ...]],
    *,
    extra: str | None = None,
) -> dict[str, golden.TableDiff]:
    b = _warehouse(tmp_path / "b.duckdb", before)
    a = _warehouse(tmp_path / "a.duckdb", after, extra=extra)
    return {d.table: d for d in golden.compare_warehouses(golden.Side(b), golden.Side(a))}


def test_run_ids_timestamps_durations_and_row_order_are_ignored(tmp_path: Path) -> None:
    before = [_row(1.0), _row(2.0, "x")]
    after = [
        ("m", "2026-11-01", 2.0, "x", "r2", "2026-11-30 05:00:00", 9.0),
        ("m", "2026-11-01", 1.0, "ok", "r2", "2026-11-30 05:00:01", 8.0),
    ]
    d = _diffs(tmp_path, before, after)["metrics"]
    assert d.same
    assert d.ignored == ["run_id", "computed_at", "duration_s"]
    assert d.compared == ["model", "day", "value", "note"]
    assert (d.rows_before, d.rows_after) == (2, 2)


def test_floats_compare_at_a_relative_tolerance(tmp_path: Path) -> None:
    (tmp_path / "close").mkdir()
    (tmp_path / "far").mkdir()
    assert _diffs(tmp_path / "close", [_row(1.0)], [_row(1.0 + 1e-12)])["metrics"].same
    m = _diffs(tmp_path / "far", [_row(1.0)], [_row(1.0 + 1e-6)])["metrics"]
    assert not m.same
    assert m.only_before == [("m", _day(), 1.0, "ok")]
    assert m.only_after == [("m", _day(), 1.0 + 1e-6, "ok")]
    assert m.summary()[0] == "DIFF metrics: 1 rows before, 1 after: 1 rows only before, 1 only after"


def _day() -> dt.date:
    return dt.date(2026, 11, 1)


def test_a_duplicated_row_is_a_difference(tmp_path: Path) -> None:
    d = _diffs(tmp_path, [_row(1.0)], [_row(1.0), _row(1.0, run="r2")])["metrics"]
    assert not d.same
    assert d.only_before == []
    assert d.only_after == [("m", _day(), 1.0, "ok")]


def test_home_paths_are_replaced_before_comparing(tmp_path: Path) -> None:
    b = _warehouse(tmp_path / "b.duckdb", [_row(1.0, "/tmp/before-home/lake/x.parquet")])
    a = _warehouse(tmp_path / "a.duckdb", [_row(1.0, "/tmp/after-home/lake/x.parquet")])
    same = golden.compare_warehouses(
        golden.Side(b, (("/tmp/before-home", "$STEWARD_HOME"),)),
        golden.Side(a, (("/tmp/after-home", "$STEWARD_HOME"),)),
    )
    assert [d.same for d in same] == [True]
    differ = golden.compare_warehouses(golden.Side(b), golden.Side(a))
    assert [d.same for d in differ] == [False]


def test_tables_and_columns_on_one_side_only_are_differences(tmp_path: Path) -> None:
    d = _diffs(
        tmp_path,
        [_row(1.0)],
        [_row(1.0)],
        extra="create table extra (x integer); alter table metrics add column flag boolean",
    )
    assert d["extra"].missing == "before"
    assert d["extra"].summary() == ["DIFF extra: only after"]
    assert d["metrics"].columns_added == ["flag"]
    assert not d["metrics"].same


@pytest.mark.parametrize(
    ("name", "type_name", "ignored"),
    [
        ("run_id", "VARCHAR", True),
        ("dag_run_id", "VARCHAR", True),
        ("decided_at", "TIMESTAMP WITH TIME ZONE", True),
        ("event_time", "VARCHAR", True),
        ("duration_s", "DOUBLE", True),
        ("anything", "TIMESTAMP", True),
        ("x_PipelineRunId", "VARCHAR", True),
        ("x_RunId", "VARCHAR", True),
        ("BilledCost", "DECIMAL(18,6)", False),
        ("partition_date", "DATE", False),
        ("attribute", "VARCHAR", False),
        ("cost_usd", "DECIMAL(18,6)", False),
    ],
)
def test_which_columns_are_ignored(name: str, type_name: str, ignored: bool) -> None:
    assert golden.ignored_column(name, type_name) is ignored


def test_main_compares_two_files_and_exits_1_on_a_difference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    b = _warehouse(tmp_path / "b.duckdb", [_row(1.0)])
    a = _warehouse(tmp_path / "a.duckdb", [_row(3.0)])
    assert golden.main(["--compare", str(b), str(b)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1 tables, 0 differ"
    assert golden.main(["--compare", str(b), str(a)]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "1 tables, 1 differ: metrics"


def test_airflow_run_ids_inside_text_are_replaced(tmp_path: Path) -> None:
    def note(run: str) -> str:
        return '{"source_run_ids": ["' + run + '"], "window": "2026-11-01"}'

    before = [_row(1.0, note("asset_triggered__2026-11-30T08:14:59.544102+00:00_KH3gM85x"))]
    after = [_row(1.0, note("asset_triggered__2026-11-30T08:27:59.839349+00:00_i6q43eF6"))]
    assert _diffs(tmp_path, before, after)["metrics"].same
    (tmp_path / "other").mkdir()
    run = "asset_triggered__2026-11-30T08:27:59.839349+00:00_i6q43eF6"
    other_window = note(run).replace("11-01", "11-02")
    assert not _diffs(tmp_path / "other", before, [_row(1.0, other_window)])["metrics"].same


def test_wall_clock_columns_are_ignored_in_their_table_only(tmp_path: Path) -> None:
    ddl = "create table {t} (job varchar, energy_kwh double, reason varchar)"
    for side, energy in (("b", 1.6e-05), ("a", 3.5e-05)):
        with duckdb.connect(str(tmp_path / f"{side}.duckdb")) as con:
            for table in ("finance_windows", "carbon_usage_estimates"):
                con.execute(ddl.format(t=table))
                con.execute(f"insert into {table} values ('dq', {energy}, 'started at {energy}')")
    diffs = {
        d.table: d
        for d in golden.compare_warehouses(
            golden.Side(tmp_path / "b.duckdb"), golden.Side(tmp_path / "a.duckdb")
        )
    }
    assert diffs["finance_windows"].same and diffs["finance_windows"].compared == ["job"]
    assert not diffs["carbon_usage_estimates"].same
