"""FOCUS normalization: the table's columns, the FOCUS specification's own example CSVs read as a local
FOCUS source (totals checked against sums read by hand), and the export file."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from pydantic import TypeAdapter

from steward.costs import (
    CONTRACT_COLUMNS,
    COST_LINE_COLUMNS,
    FOCUS_COLUMNS,
    CostSourceError,
    cost_line_schema,
    export_focus,
    ingest,
)
from steward.registry._cost_sources import CostSource, LocalFilesSource
from steward.warehouse import Warehouse, read_sql
from tests.unit.costs import _source_data as data

D = Decimal
JAN_2023 = data.NOV.replace(year=2023, month=1)


def _focus_source(path: Path, name: str) -> LocalFilesSource:
    src = TypeAdapter(CostSource).validate_python(
        {
            "name": name,
            "kind": "local_files",
            "format": "focus",
            "path": str(path),
            "defaults": data.FOCUS_EXAMPLE_DEFAULTS,
        }
    )
    assert isinstance(src, LocalFilesSource)
    return src


def test_ddl_has_every_focus_and_x_column_in_order() -> None:
    ddl = read_sql("ddl/0004_cost_lines.sql")
    start = ddl.index("create table cost_line_daily")
    body = ddl[start : ddl.index(");", start)]
    assert re.findall(r'^\s+"(\w+)"', body, flags=re.MULTILINE) == list(COST_LINE_COLUMNS)
    assert set(CONTRACT_COLUMNS) <= set(COST_LINE_COLUMNS)
    assert all(c.startswith("x_") for c in COST_LINE_COLUMNS if c not in FOCUS_COLUMNS)
    assert '"BilledCost" numeric(38,10) not null' in body


def test_every_daily_column_is_grouped_summed_or_computed_once() -> None:
    from steward.costs._engine import _DAILY_COMPUTED, _DIMENSIONS, _MEASURES, _daily_sql

    parts = [*_DIMENSIONS, *_MEASURES, *_DAILY_COMPUTED]
    assert sorted(parts) == sorted(COST_LINE_COLUMNS)  # nothing missing, nothing twice
    ddl = read_sql("ddl/0004_cost_lines.sql")
    body = ddl[ddl.index("create table cost_line_daily") :]
    numeric = set(re.findall(r'^\s+"(\w+)" numeric\(38,10\)', body[: body.index(");")], flags=re.MULTILINE))
    assert set(_MEASURES) == {c for c in numeric if not c.endswith("UnitPrice")}  # money and quantities
    sql = _daily_sql()
    assert all(sql.count(f'sum("{c}") as "{c}"') == 2 for c in _MEASURES)  # both aggregation steps
    hashed = sql[sql.index("md5(") : sql.index("as row_hash")]
    assert re.findall(r'cast\("(\w+)" as varchar\)', hashed) == list(_DIMENSIONS)


def test_warehouse_columns_match_the_arrow_schema(scratch_wh: Warehouse) -> None:
    assert scratch_wh.columns("cost_line_daily") == cost_line_schema().names


@pytest.mark.parametrize("relpath", sorted(data.FOCUS_EXAMPLE_TOTALS))
def test_focus_spec_examples_keep_their_totals(scratch_wh: Warehouse, relpath: str, tmp_path: Path) -> None:
    rows, billed, effective = data.FOCUS_EXAMPLE_TOTALS[relpath]
    name = "spec_" + re.sub(r"\W+", "_", Path(relpath).stem)[:40]
    path = data.FOCUS_EXAMPLES / relpath
    if relpath in data.FOCUS_EXAMPLE_BAD_TIMESTAMPS:
        # The specification's file has hour 30 in a ChargePeriodEnd: refused with the value named ...
        with pytest.raises(
            CostSourceError, match=r"'ChargePeriodEnd' has 1 value\(s\).*'2023-02-01T30:00:00Z'"
        ):
            ingest(_focus_source(path, name), warehouse=scratch_wh, billing_periods=[JAN_2023], run_id="r")
        # ... and once corrected, its money totals still hold.
        fixed = tmp_path / path.name
        fixed.write_text(
            path.read_text(encoding="utf-8").replace("T30:00:00Z", "T23:00:00Z"), encoding="utf-8"
        )
        path = fixed
    result = ingest(_focus_source(path, name), warehouse=scratch_wh, billing_periods=[JAN_2023], run_id="r")
    assert result.periods == [JAN_2023]
    (got,) = scratch_wh.fetch(
        'select sum("x_SourceLineCount") as n, sum("BilledCost") as b, sum("EffectiveCost") as e '
        'from cost_line_daily where "x_SourceName" = :s',
        {"s": name},
    )
    assert (int(got["n"]), D(str(got["b"])), D(str(got["e"]))) == (rows, D(billed), D(effective))  # type: ignore[call-overload]


def test_identical_focus_rows_are_two_charges_not_a_duplicate(scratch_wh: Warehouse) -> None:
    """The two-resource flexibility example has two identical usage rows: both count."""
    relpath = next(p for p in data.FOCUS_EXAMPLE_TOTALS if p.endswith("with_2_resources.csv"))
    ingest(
        _focus_source(data.FOCUS_EXAMPLES / relpath, "spec_two_rows"),
        warehouse=scratch_wh,
        billing_periods=[JAN_2023],
        run_id="r",
    )
    rows = scratch_wh.fetch(
        'select "ChargeCategory" as c, "x_SourceLineCount" as n, "EffectiveCost" as e, '
        '"ChargePeriodStart" as s, "ChargePeriodEnd" as t from cost_line_daily '
        'where "x_SourceName" = :s order by 1',
        {"s": "spec_two_rows"},
    )
    assert [(r["c"], r["n"], D(str(r["e"]))) for r in rows] == [("Purchase", 1, D("0")), ("Usage", 2, D("2"))]
    # Hourly charges become the UTC day.
    assert {(r["s"].isoformat(), r["t"].isoformat()) for r in rows} == {  # type: ignore[union-attr]
        ("2023-01-01T00:00:00+00:00", "2023-01-02T00:00:00+00:00")
    }


def test_saas_examples_with_formatted_money_fail_clearly(scratch_wh: Warehouse) -> None:
    path = data.FOCUS_EXAMPLES / "saas_examples" / "simple_agreements" / "simple_saas_agreements_a1.csv"
    with pytest.raises(CostSourceError, match=r"'BilledCost' has 1 value\(s\).*'\$10,000.00 '"):
        ingest(_focus_source(path, "spec_saas"), warehouse=scratch_wh, billing_periods=[JAN_2023], run_id="r")


def test_focus_file_without_a_required_column_says_what_to_set(scratch_wh: Warehouse, tmp_path: Path) -> None:
    csv = tmp_path / "focus.csv"
    csv.write_text(
        "BilledCost,EffectiveCost,ChargePeriodStart,ChargePeriodEnd\n1,1,2026-11-01T00:00:00Z,2026-11-02T00:00:00Z\n",
        encoding="utf-8",
    )
    src = TypeAdapter(CostSource).validate_python(
        {"name": "focus_bare", "kind": "local_files", "format": "focus", "path": str(csv)}
    )
    with pytest.raises(
        CostSourceError, match=r"lacks required focus column\(s\) \['BillingCurrency'\].*defaults"
    ):
        ingest(src, warehouse=scratch_wh, billing_periods=[data.NOV], run_id="r")


def test_export_holds_focus_columns_and_the_loaded_totals(
    scratch_wh: Warehouse, cur_lake: Path, tmp_path: Path
) -> None:
    src = TypeAdapter(CostSource).validate_python(
        {
            "name": "export_me",
            "kind": "local_files",
            "format": "aws_cur2",
            "path": str(cur_lake / "**/*.parquet"),
        }
    )
    ingest(src, warehouse=scratch_wh, billing_periods=[data.OCT, data.NOV], run_id="r")
    out = export_focus(scratch_wh, tmp_path / "out" / "focus.parquet", billing_period=data.NOV)
    table = pq.read_table(out)
    nov = [r for r in table.to_pylist() if r["x_SourceName"] == "export_me"]
    assert sum(r["BilledCost"] for r in nov) == data.CUR_NOV_BILLED
    assert [c for c in table.column_names if not c.startswith("x_")] == list(FOCUS_COLUMNS)
    assert {c for c in table.column_names if c.startswith("x_")} == {
        "x_SourceName",
        "x_SourceSystem",
        "x_Estimated",
        "x_Credits",
    }
