"""Smoke test of the monitoring benchmark: its data generator and our side at 20k rows.

The generator's properties are checked with numpy/pyarrow on the raw files; the night's verdicts
against the drift the generator injects by construction, and its label coverage against the label
files counted directly.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from benchmarks import _monitoring_data as data
from benchmarks import monitoring

ROWS = 20_000


def _read(files: list[str]) -> pa.Table:
    return pa.concat_tables([pq.read_table(f) for f in files])


def test_generator_is_deterministic_chunked_and_drifted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data, "CHUNK_ROWS", 8_000)
    current = data.window_files(tmp_path, rows=ROWS, seed=3, drift=True)
    labels = data.labels_files(tmp_path, rows=ROWS, seed=3)
    reference = data.window_files(tmp_path, rows=ROWS, seed=4, drift=False)
    assert len(current) == len(labels) == 3  # 8k + 8k + 4k rows
    again = data.window_files(tmp_path / "again", rows=ROWS, seed=3, drift=True)
    cur, ref = _read(current), _read(reference)
    assert cur.equals(_read(again))
    assert cur.num_rows == ref.num_rows == ROWS
    assert set(data.FEATURES) <= set(cur.column_names)
    assert len(data.NUMERIC) == 12 and len(data.CATEGORICAL) == 8
    assert all(pa.types.is_string(cur.schema.field(c).type) for c in data.CATEGORICAL)
    assert pc.count_distinct(cur.column("id")).as_py() == ROWS

    # the injected drift, measured on the raw values
    shift = np.mean(cur.column("num_00").to_numpy()) - np.mean(ref.column("num_00").to_numpy())
    assert 0.45 < shift < 0.55
    ratio = np.std(cur.column("num_01").to_numpy()) / np.std(ref.column("num_01").to_numpy())
    assert 1.4 < ratio < 1.6
    new = pc.sum(pc.equal(cur.column("cat_03"), "c3_new")).as_py() / ROWS
    assert 0.015 < new < 0.025
    assert "c3_new" not in set(ref.column("cat_03").to_pylist())
    stable = np.mean(cur.column("num_04").to_numpy()) - np.mean(ref.column("num_04").to_numpy())
    assert abs(stable) < 0.05
    assert cur.column("num_07").null_count / ROWS == pytest.approx(0.03, abs=0.01)
    np.testing.assert_array_equal(
        cur.column("predicted_label").to_numpy(), (cur.column("score").to_numpy() >= 0.5).astype(np.int32)
    )

    # labels: a 60 % subset of the current ids, 0/1
    lab = _read(labels)
    assert lab.num_rows / ROWS == pytest.approx(data.LABEL_SHARE, abs=0.02)
    assert pc.all(pc.is_in(lab.column("id"), value_set=cur.column("id"))).as_py()
    assert set(lab.column("label").to_pylist()) == {0, 1}


def test_plan_shapes() -> None:
    for quick in (True, False):
        cases = monitoring.plan(quick=quick)
        for case in cases:
            area, name = case["fn"].split(".")
            assert area == "monitoring" and callable(getattr(monitoring, name))
            assert set(case) <= {"title", "fn", "args", "repeat"}
    quick_rows = {c["args"].get("rows") for c in monitoring.plan(quick=True)} - {None}
    assert max(quick_rows) <= 50_000
    assert 100_000_000 in {c["args"].get("rows") for c in monitoring.plan(quick=False)}


def test_one_night_on_generated_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STEWARD_BENCH_DATA", str(tmp_path / "data"))
    seconds, outcome = monitoring._night(ROWS, ROWS, tmp_path)  # first night: builds the profile too
    assert seconds > 0
    assert outcome.window == dt.date(2026, 11, 1)
    assert outcome.rows == ROWS
    assert sorted(outcome.drifted_features) == ["cat_00", "num_00", "num_01"]
    by_name = {d.feature: d for d in outcome.drift}
    assert by_name["cat_03"].new_category_alert
    assert outcome.prediction_drift  # the score moves with num_00 and num_01
    labels = _read(data.labels_files(tmp_path / "data", rows=ROWS, seed=monitoring.SEED))
    (window,) = outcome.performance
    assert window.n == ROWS
    assert window.n_labelled == labels.num_rows


def test_a_night_as_before_issue_15_gives_the_same_verdicts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the side-by-side's two arms: counts streamed through numpy (now) and the SQL aggregation (before)
    monkeypatch.setenv("STEWARD_BENCH_DATA", str(tmp_path / "data"))
    cpu: list[float] = []
    _, now = monitoring._night(ROWS, ROWS, tmp_path, cpu=cpu)
    _, before = monitoring._night(ROWS, ROWS, tmp_path, before_15=True, cpu=cpu)
    assert len(cpu) == 2 and all(c > 0 for c in cpu)
    assert [d.row() for d in now.drift] == [d.row() for d in before.drift]  # means and sums bit for bit
    assert [r.row() for r in now.review] == [r.row() for r in before.review]
    assert (now.rows, now.status, now.chart_alerts) == (before.rows, before.status, before.chart_alerts)
