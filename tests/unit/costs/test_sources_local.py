"""Local billing files -> cost_line_daily on real DuckDB and PostgreSQL: totals against hand sums,
reruns change nothing, restatements replace, bad input fails clearly and writes nothing."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from pydantic import TypeAdapter

from steward.costs import CostSourceError, billing_periods_to_reload, ingest
from steward.registry._cost_sources import CostSource, LocalFilesSource
from steward.warehouse import Warehouse
from tests.unit.costs import _source_data as data

D = Decimal


def _source(
    path: Path | str, fmt: str = "aws_cur2", name: str = "aws_local", **extra: object
) -> LocalFilesSource:
    src = TypeAdapter(CostSource).validate_python(
        {"name": name, "kind": "local_files", "format": fmt, "path": str(path), **extra}
    )
    assert isinstance(src, LocalFilesSource)
    return src


def _totals(wh: Warehouse, source: str = "aws_local") -> dict[str, tuple[int, Decimal, Decimal]]:
    rows = wh.fetch(
        'select cast("BillingPeriodStart" as date) as p, count(*) as n, sum("BilledCost") as b, '
        'sum("EffectiveCost") as e from cost_line_daily where "x_SourceName" = :s group by 1 order by 1',
        {"s": source},
    )
    return {f"{r['p']:%Y-%m}": (int(r["n"]), D(str(r["b"])), D(str(r["e"]))) for r in rows}  # type: ignore[call-overload,str-format]


def test_cur_files_load_with_hand_computed_totals(warehouse: Warehouse, cur_lake: Path) -> None:
    src = _source(cur_lake / "date={date}" / "*.parquet")
    result = ingest(src, warehouse=warehouse, billing_periods=[data.OCT, data.NOV], run_id="run-1")

    assert result.periods == [data.OCT, data.NOV]
    assert result.billed_cost_total == {"USD": data.CUR_OCT_BILLED + data.CUR_NOV_BILLED}
    totals = _totals(warehouse)
    # October's two hourly lines of i-1 are one daily line.
    assert totals["2026-10"] == (1, data.CUR_OCT_BILLED, data.CUR_OCT_EFFECTIVE)
    assert totals["2026-11"] == (4, data.CUR_NOV_BILLED, data.CUR_NOV_EFFECTIVE)
    by_day = warehouse.fetch(
        'select cast("ChargePeriodStart" as date) as d, "SubAccountId" as a, "BillingCurrency" as c, '
        'sum("BilledCost") as b from cost_line_daily where "BillingPeriodStart" = :p group by 1, 2, 3',
        {"p": "2026-11-01 00:00:00+00"},
    )
    assert {(f"{r['d']:%Y-%m-%d}", r["a"]): D(str(r["b"])) for r in by_day} == data.CUR_NOV_BY_DAY_ACCOUNT  # type: ignore[str-format]
    assert {r["c"] for r in by_day} == {"USD"}


def test_cur_lines_map_to_focus_values(warehouse: Warehouse, cur_lake: Path) -> None:
    ingest(
        _source(cur_lake / "**" / "*.parquet"), warehouse=warehouse, billing_periods=[data.OCT], run_id="r"
    )
    (row,) = warehouse.fetch("select * from cost_line_daily")
    assert row["ChargePeriodStart"].isoformat() == "2026-10-31T00:00:00+00:00"  # type: ignore[union-attr]
    assert row["ChargePeriodEnd"].isoformat() == "2026-11-01T00:00:00+00:00"  # type: ignore[union-attr]
    assert row["BillingPeriodEnd"].isoformat() == "2026-11-01T00:00:00+00:00"  # type: ignore[union-attr]
    assert (row["BillingAccountId"], row["SubAccountId"]) == (data.PAYER, data.ACCT_A)
    assert (row["ProviderName"], row["ServiceName"], row["ServiceCategory"]) == (
        "AWS",
        "AmazonEC2",
        "Compute",
    )
    assert row["ServiceSubcategory"] == "Virtual Machines"
    assert (row["ChargeCategory"], row["PricingUnit"], row["ConsumedUnit"]) == ("Usage", "Hours", "Hours")
    assert D(str(row["ListCost"])) == D("3.00")  # 1.50 + 1.50 public on-demand
    assert D(str(row["ConsumedQuantity"])) == D("2")
    assert json.loads(str(row["Tags"])) == {"BusinessUnit": "Marketing"}
    assert row["x_SourceLineCount"] == 2
    assert (row["x_SourceSystem"], row["x_PipelineRunId"], row["x_Estimated"]) == ("aws_cur2", "r", False)


def test_rerun_of_a_billing_month_changes_no_totals(warehouse: Warehouse, cur_lake: Path) -> None:
    src = _source(cur_lake / "date={date}" / "*.parquet")
    ingest(src, warehouse=warehouse, billing_periods=[data.OCT, data.NOV], run_id="r1")
    first = _totals(warehouse)
    hashes = {r["x_SourceRowHash"] for r in warehouse.fetch('select "x_SourceRowHash" from cost_line_daily')}
    ingest(src, warehouse=warehouse, billing_periods=[data.OCT, data.NOV], run_id="r2")
    assert _totals(warehouse) == first
    again = warehouse.fetch('select "x_SourceRowHash", "x_PipelineRunId" from cost_line_daily')
    assert {r["x_SourceRowHash"] for r in again} == hashes
    assert {r["x_PipelineRunId"] for r in again} == {"r2"}


def test_restated_month_replaces_and_leaves_other_months(warehouse: Warehouse, cur_lake: Path) -> None:
    src = _source(cur_lake / "date={date}" / "*.parquet")
    ingest(src, warehouse=warehouse, billing_periods=[data.OCT, data.NOV], run_id="r1")
    for day in ("2026-11-01", "2026-11-02"):
        (cur_lake / f"date={day}" / "part.parquet").unlink()
    by_day: dict[str, list[dict[str, object]]] = {}
    for ln in data.CUR_NOV_RESTATED:
        by_day.setdefault(f"{ln['line_item_usage_start_date']:%Y-%m-%d}", []).append(ln)
    for day, lines in by_day.items():
        data.write_parquet(
            data.cur_table(lines, tags_as_json=True), cur_lake / f"date={day}" / "part.parquet"
        )

    result = ingest(src, warehouse=warehouse, billing_periods=[data.NOV], run_id="r2")

    assert result.billed_cost_total == {"USD": data.CUR_NOV_RESTATED_BILLED}
    totals = _totals(warehouse)
    assert totals["2026-11"][1] == data.CUR_NOV_RESTATED_BILLED
    assert totals["2026-10"] == (1, data.CUR_OCT_BILLED, data.CUR_OCT_EFFECTIVE)


def test_gcp_export_net_cost_credits_and_labels(warehouse: Warehouse, tmp_path: Path) -> None:
    path = data.write_parquet(data.gcp_table(data.GCP_NOV), tmp_path / "gcp" / "export.parquet")
    result = ingest(
        _source(path, "gcp_billing_export", "gcp_local"),
        warehouse=warehouse,
        billing_periods=[data.NOV],
        run_id="r",
    )
    assert result.billed_cost_total == {"USD": data.GCP_NOV_BILLED}
    rows = warehouse.fetch(
        'select "SubAccountId", "BilledCost", "EffectiveCost", "ContractedCost", "x_Credits", "Tags", '
        '"ProviderName", "ServiceCategory", "PricingUnit" from cost_line_daily order by 1'
    )
    assert sum(D(str(r["BilledCost"])) for r in rows) == data.GCP_NOV_BILLED
    assert sum(D(str(r["ContractedCost"])) for r in rows) == data.GCP_NOV_CONTRACTED
    assert sum(D(str(r["x_Credits"])) for r in rows) == data.GCP_NOV_CREDITS
    growth = rows[0]
    assert growth["SubAccountId"] == "nw-growth"
    assert json.loads(str(growth["Tags"])) == data.GCP_GROWTH_TAGS
    assert (growth["ProviderName"], growth["ServiceCategory"], growth["PricingUnit"]) == (
        "Google Cloud",
        "Databases",
        "Hours",
    )
    assert rows[1]["Tags"] == "{}"


def test_nightly_periods_are_current_and_previous_month() -> None:
    assert billing_periods_to_reload(data.NOV.replace(day=26)) == [data.OCT, data.NOV]
    assert billing_periods_to_reload(data.NOV.replace(month=1, day=2), months_back=2) == [
        data.NOV.replace(year=2025, month=11),
        data.NOV.replace(year=2025, month=12),
        data.NOV.replace(month=1),
    ]


def test_missing_files_keep_what_was_loaded(warehouse: Warehouse, cur_lake: Path) -> None:
    src = _source(cur_lake / "date={date}" / "*.parquet")
    ingest(src, warehouse=warehouse, billing_periods=[data.OCT], run_id="r1")
    result = ingest(src, warehouse=warehouse, billing_periods=[data.OCT.replace(month=9)], run_id="r2")
    assert result.periods == [] and "no billing data for ['2026-09']" in result.warnings[0]
    assert _totals(warehouse)["2026-10"][1] == data.CUR_OCT_BILLED


# --- bad input: clear errors, nothing written ------------------------------------------------------


def _load_nov(warehouse: Warehouse, cur_lake: Path) -> LocalFilesSource:
    src = _source(cur_lake / "date={date}" / "*.parquet")
    ingest(src, warehouse=warehouse, billing_periods=[data.NOV], run_id="r1")
    return src


def test_malformed_file_names_the_file_and_keeps_loaded_rows(warehouse: Warehouse, cur_lake: Path) -> None:
    src = _load_nov(warehouse, cur_lake)
    bad = cur_lake / "date=2026-11-05" / "part.parquet"
    bad.parent.mkdir()
    bad.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(CostSourceError, match=r"aws_local.*cannot read.*malformed"):
        ingest(src, warehouse=warehouse, billing_periods=[data.NOV], run_id="r2")
    assert _totals(warehouse)["2026-11"][1] == data.CUR_NOV_BILLED


def test_missing_column_is_named(scratch_wh: Warehouse, tmp_path: Path) -> None:
    table = data.cur_table(data.CUR_NOV).drop_columns(["line_item_unblended_cost"])
    path = data.write_parquet(table, tmp_path / "cur.parquet")
    with pytest.raises(
        CostSourceError, match=r"lacks required aws_cur2 column\(s\) \['line_item_unblended_cost'\]"
    ):
        ingest(_source(path, name="no_cost"), warehouse=scratch_wh, billing_periods=[data.NOV], run_id="r")
    assert _totals(scratch_wh, "no_cost") == {}


def test_currency_mix_within_one_invoice_is_refused(scratch_wh: Warehouse, tmp_path: Path) -> None:
    lines = [*data.GCP_NOV, data.gcp_line("2026-11-02", "nw-growth", "BigQuery", 1.0, None, currency="EUR")]
    path = data.write_parquet(data.gcp_table(lines), tmp_path / "gcp.parquet")
    with pytest.raises(CostSourceError, match=r"billed in \['EUR', 'USD'\].*split the export"):
        ingest(
            _source(path, "gcp_billing_export", "gcp_mix"),
            warehouse=scratch_wh,
            billing_periods=[data.NOV],
            run_id="r",
        )


def test_currencies_of_different_accounts_are_totalled_apart(scratch_wh: Warehouse, tmp_path: Path) -> None:
    eur = {
        **data.cur_line("2026-11-01", "999999999999", "AmazonEC2", 5.0, 5.0, 5.0),
        "bill_payer_account_id": "999",
    }
    eur["line_item_currency_code"] = "EUR"
    path = data.write_parquet(data.cur_table([*data.CUR_NOV, eur]), tmp_path / "cur.parquet")
    result = ingest(
        _source(path, name="eur_mix"), warehouse=scratch_wh, billing_periods=[data.NOV], run_id="r"
    )
    assert result.billed_cost_total == {"USD": data.CUR_NOV_BILLED, "EUR": D("5")}


def test_positive_credits_are_kept_with_a_warning(scratch_wh: Warehouse, tmp_path: Path) -> None:
    lines = [*data.GCP_NOV, data.gcp_line("2026-11-02", "nw-growth", "BigQuery", 1.0, 0.25)]
    path = data.write_parquet(data.gcp_table(lines), tmp_path / "gcp.parquet")
    result = ingest(
        _source(path, "gcp_billing_export", "gcp_credits"),
        warehouse=scratch_wh,
        billing_periods=[data.NOV],
        run_id="r",
    )
    assert result.billed_cost_total == {"USD": data.GCP_NOV_BILLED + D("1.25")}
    assert any("positive credits" in w for w in result.warnings)


def test_duplicate_cur_line_items_are_dropped_once(scratch_wh: Warehouse, tmp_path: Path) -> None:
    """Overlapping export files repeat line items; identity_line_item_id + time interval dedupe them."""
    data.write_parquet(data.cur_table(data.CUR_NOV), tmp_path / "cur" / "a.parquet")
    data.write_parquet(data.cur_table(data.CUR_NOV[:2]), tmp_path / "cur" / "b.parquet")
    result = ingest(
        _source(tmp_path / "cur" / "*.parquet", name="dupes"),
        warehouse=scratch_wh,
        billing_periods=[data.NOV],
        run_id="r",
    )
    assert result.billed_cost_total == {"USD": data.CUR_NOV_BILLED}
    assert any("dropped 2 duplicate CUR line item" in w for w in result.warnings)


def test_bad_numbers_name_the_column_and_value(scratch_wh: Warehouse, tmp_path: Path) -> None:
    csv = tmp_path / "focus.csv"
    csv.write_text(
        "BilledCost,EffectiveCost,ChargePeriodStart,ChargePeriodEnd,BillingPeriodStart,BillingCurrency,"
        "BillingAccountId\n"
        '"$10,000.00 ",1,2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,2026-11-01T00:00:00Z,USD,a\n',
        encoding="utf-8",
    )
    with pytest.raises(
        CostSourceError, match=r"column 'BilledCost' has 1 value\(s\).*'\$10,000.00 '.*plain numbers"
    ):
        ingest(
            _source(csv, "focus", "focus_csv"), warehouse=scratch_wh, billing_periods=[data.NOV], run_id="r"
        )


def test_tags_keep_keys_and_values_exactly(scratch_wh: Warehouse, tmp_path: Path) -> None:
    odd = {"Business Unit": "Mär keting", "business-unit": "x:y", "a": ""}
    line = data.cur_line("2026-11-01", data.ACCT_A, "AmazonEC2", 1.0, 1.0, 1.0, tags=odd)
    path = data.write_parquet(data.cur_table([line]), tmp_path / "cur.parquet")
    ingest(_source(path, name="odd_tags"), warehouse=scratch_wh, billing_periods=[data.NOV], run_id="r")
    (row,) = scratch_wh.fetch(
        'select "Tags" from cost_line_daily where "x_SourceName" = :s', {"s": "odd_tags"}
    )
    assert json.loads(str(row["Tags"])) == odd


def test_arrow_money_type_is_decimal_38_10(scratch_wh: Warehouse, cur_lake: Path) -> None:
    src = _source(cur_lake / "**" / "*.parquet", name="arrow_types")
    ingest(src, warehouse=scratch_wh, billing_periods=[data.NOV], run_id="r")
    table = scratch_wh.fetch_arrow('select "BilledCost", "Tags" from cost_line_daily')
    assert table.schema.field("BilledCost").type == pa.decimal128(38, 10)
