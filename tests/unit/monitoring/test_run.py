"""The night's status always agrees with its breach rows, whatever went wrong with the features."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from steward.monitoring import Relation, files_relation, monitor_relation, scan_engine
from steward.warehouse import connect
from tests.unit.monitoring.data_for_test import DAY, model, sample, write

REFERENCE = sample(5_000, seed=80)


def _with_nan(table: pa.Table) -> pa.Table:
    """A tenth of ``amount`` NaN and a tenth +inf: invalid values, not missing ones."""
    amount = table.column("amount").to_numpy().copy()
    amount[::10] = np.nan
    amount[5::10] = np.inf
    return table.set_column(table.schema.get_field_index("amount"), "amount", pa.array(amount))


# case -> (reference, window, expected status, expected breach subjects, expected column status)
CASES: dict[str, tuple[pa.Table, Callable[[], pa.Table], str, set[str], dict[str, str]]] = {
    "nothing wrong": (REFERENCE, lambda: sample(2_000, seed=81), "ok", set(), {"amount": "ok"}),
    "a feature absent from the window": (
        REFERENCE,
        lambda: sample(2_000, seed=82).drop_columns(["tenure"]),
        "breach",
        {"tenure"},
        {"tenure": "missing_column"},
    ),
    "a feature entirely null": (
        REFERENCE,
        lambda: sample(2_000, seed=83).set_column(2, "amount", pa.nulls(2_000, type=pa.float64())),
        "breach",
        {"amount"},
        {"amount": "all_null"},
    ),
    "a feature absent from the reference": (
        REFERENCE.drop_columns(["age"]),
        lambda: sample(2_000, seed=84),
        "breach",
        {"age"},
        {"age": "no_reference"},
    ),
    "NaN and inf in a numeric feature": (
        REFERENCE,
        lambda: _with_nan(sample(2_000, seed=86)),
        "drift",
        {"amount"},
        {"amount": "ok"},
    ),
    # a 0.6 sigma shift also moves the daily mean far outside its limits known from the reference:
    # the control chart's breach row (its episode's first night) makes the night a breach
    "a drifted feature": (
        REFERENCE,
        lambda: sample(2_000, seed=85, shift=0.6),
        "breach",
        {"amount", "mean:amount:ewma"},
        {"amount": "ok"},
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_status_and_breach_rows_agree(case: str, tmp_path: Path) -> None:
    reference, window, status, subjects, column_status = CASES[case]
    engine = scan_engine(memory_limit="512MB", threads=1)
    ref_path = write(reference, tmp_path / "ref.parquet")
    cur_path = write(window(), tmp_path / "cur.parquet")
    try:
        with connect(f"duckdb:///{tmp_path / 'wh.duckdb'}") as wh:
            wh.migrate()
            out = monitor_relation(
                model(),
                DAY,
                window=Relation(
                    files_relation(engine, [str(cur_path)], "parquet", window=DAY),
                    engine,
                    (DAY,),
                    (str(cur_path),),
                ),
                reference=Relation(
                    files_relation(engine, [str(ref_path)], "parquet"), engine, (), (str(ref_path),)
                ),
                reference_source="ref.parquet",
                warehouse=wh,
                run_id="r1",
                write_report=False,
            )
            stored = wh.fetch(
                "select kind, subject from monitoring_breaches where model = :m and window_date = :d",
                {"m": "test_model", "d": DAY},
            )
            (run,) = wh.fetch("select status from monitoring_runs where model = :m", {"m": "test_model"})
            rows = {
                r["feature"]: r
                for r in wh.fetch("select * from drift_metrics where model = :m", {"m": "test_model"})
            }
            drift = {f: r["status"] for f, r in rows.items()}
    finally:
        engine.close()
    assert out.status == run["status"] == status
    assert (out.status == "ok") == (stored == [])  # the status never contradicts the breach rows
    assert subjects <= {r["subject"] for r in stored}
    assert {f: drift[f] for f in column_status} == column_status
    if case == "NaN and inf in a numeric feature":
        amount = rows["amount"]  # stored in drift_metrics (DDL 0009)
        assert amount["invalid_alert"] is True and amount["n_invalid_current"] == 400
        assert amount["invalid_share_current"] == pytest.approx(0.2) and amount["drifted"] is False
        raw = _with_nan(sample(2_000, seed=86)).column("amount").to_numpy()
        assert amount["current_mean"] == pytest.approx(raw[np.isfinite(raw)].mean(), rel=1e-12)  # not NaN
