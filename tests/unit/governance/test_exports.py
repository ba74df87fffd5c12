"""Exports: refused below min k, generalized when declared hierarchies suffice, refused once the agreement
expires; measured k and l recorded on both backends (checked against pycanon on the same rows)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pycanon import anonymity as pycanon

from steward.governance import ExportError, run_export
from steward.registry import Registry, parse_registry
from steward.warehouse import Warehouse

DAY = dt.date(2026, 11, 4)
FRAME = pd.DataFrame(
    {
        "age": [23, 27, 31, 35, 44, 48, 52, 58] * 3,
        "zip": ["94107", "94110", "94115", "94118", "10001", "10002", "10003", "10004"] * 3,
        "outcome": ["paid", "late", "default", "paid", "late", "paid", "default", "late"] * 3,
        "name": [f"person {i}" for i in range(24)],
    }
)


def _registry(tmp_path: Path, **export: Any) -> Registry:
    path = tmp_path / "loans" / "date=2026-11-04" / "part.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pandas(FRAME, preserve_index=False), path)
    job = {
        "name": "loans_to_bureau",
        "dataset": "loans",
        "agreement": {"partner": "Credit Bureau", "permitted_use": "research", "expires": "2026-12-31"},
        "quasi_identifiers": ["age", "zip"],
        "sensitive_attribute": "outcome",
        "min_k": 6,
        "min_l": 2,
        "destination": str(tmp_path / "out"),
        **export,
    }
    return parse_registry(
        {
            "datasets": [
                {
                    "name": "loans",
                    "source": {"path": str(tmp_path / "loans" / "date={date}" / "part.parquet")},
                    "owner": "o@example.com",
                }
            ],
            "privacy": {"exports": [job]},
        }
    )


def _row(warehouse: Warehouse) -> dict[str, object]:
    (row,) = warehouse.fetch("select * from data_exports where export_name = 'loans_to_bureau'")
    return row


def test_low_k_without_hierarchies_is_refused_and_nothing_leaves(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    out = run_export(_registry(tmp_path), "loans_to_bureau", DAY, warehouse=warehouse, run_id="r1")
    assert out.status == "refused"
    assert out.before is not None
    assert out.before.k == pycanon.k_anonymity(FRAME, ["age", "zip"]) == 3
    assert out.reason == "k = 3 < min_k 6; l = 1 < min_l 2"  # each (age, zip) holds one outcome
    assert not (tmp_path / "out").exists()
    row = _row(warehouse)
    assert (row["status"], row["k_measured"], row["min_k"], row["partner"]) == (
        "refused",
        3,
        6,
        "Credit Bureau",
    )
    assert row["l_measured"] == pycanon.l_diversity(FRAME, ["age", "zip"], ["outcome"])


def test_declared_hierarchies_generalize_until_k_holds(warehouse: Warehouse, tmp_path: Path) -> None:
    registry = _registry(tmp_path, generalize={"age": {"bands": [40]}, "zip": {"prefix": 2}})
    out = run_export(registry, "loans_to_bureau", DAY, warehouse=warehouse, run_id="r1")
    again = run_export(registry, "loans_to_bureau", DAY, warehouse=warehouse, run_id="r1")
    coarse = FRAME.assign(
        age=(FRAME["age"] >= 40).map({True: ">= 40", False: "< 40"}), zip=FRAME["zip"].str[:2]
    )
    assert out.status == again.status == "generalized"
    assert out.after is not None
    assert out.after.k == pycanon.k_anonymity(coarse, ["age", "zip"]) == 12
    assert out.after.l == pycanon.l_diversity(coarse, ["age", "zip"], ["outcome"]) == 3
    written = pd.read_csv(tmp_path / "out" / "loans_to_bureau_2026-11-04.csv", dtype=str)
    assert list(written.columns) == ["age", "zip", "outcome"]  # the name never leaves: not declared
    assert set(written["zip"]) == {"94***", "10***"}
    assert set(written["age"]) == {"< 40", ">= 40"}
    row = _row(warehouse)
    assert (row["status"], row["k_before"], row["k_measured"], row["l_measured"]) == ("generalized", 3, 12, 3)


def test_when_generalizing_is_not_enough_the_earlier_file_is_removed(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    ok = _registry(tmp_path, min_k=3, min_l=1)
    assert run_export(ok, "loans_to_bureau", DAY, warehouse=warehouse, run_id="r1").status == "exported"
    target = tmp_path / "out" / "loans_to_bureau_2026-11-04.csv"
    assert target.is_file()
    strict = _registry(tmp_path, min_k=30, min_l=1, generalize={"zip": {"prefix": 0}})
    out = run_export(strict, "loans_to_bureau", DAY, warehouse=warehouse, run_id="r2")
    assert out.status == "refused"
    assert out.reason == "k = 3 < min_k 30; after generalizing zip: k = 3 < min_k 30"
    assert not target.exists()
    assert _row(warehouse)["run_id"] == "r2"


def test_an_expired_agreement_is_refused_before_reading(warehouse: Warehouse, tmp_path: Path) -> None:
    registry = _registry(
        tmp_path, agreement={"partner": "Credit Bureau", "permitted_use": "research", "expires": "2026-11-03"}
    )
    out = run_export(registry, "loans_to_bureau", DAY, warehouse=warehouse, run_id="r1")
    assert (out.status, out.reason) == ("refused", "the agreement with Credit Bureau expired on 2026-11-03")
    assert _row(warehouse)["k_measured"] is None


def test_bad_names_are_one_clear_error(warehouse: Warehouse, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"export 'nope' is not declared under privacy.exports"):
        run_export(_registry(tmp_path), "nope", DAY, warehouse=warehouse, run_id="r1")
    with pytest.raises(ExportError, match=r"dataset 'loans' has no column\(s\) \['income'\]"):
        run_export(
            _registry(tmp_path, columns=["income"]), "loans_to_bureau", DAY, warehouse=warehouse, run_id="r"
        )
    assert warehouse.fetch("select * from data_exports") == []
