"""Fairness benchmarks: our evaluate_window (one DuckDB aggregation + intervals/tests on counts) vs
Fairlearn's MetricFrame with the same metrics, on generated Parquet with 2 protected attributes.

Each case returns ``seconds`` (the timed section), ``peak_rss_mib`` and a ``note``. Data generation
and (for Fairlearn) loading the Parquet into pandas are outside the timed section; our time includes
scanning the Parquet file.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

DAY = dt.date(2026, 11, 10)
SEXES = np.array(["female", "male", "undisclosed"])
AGES = np.array(["18-25", "26-35", "36-45", "46-55", "56-65", "66+"])


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _data_file(rows: int, *, seed: int = 42, chunk: int = 1_000_000) -> Path:
    """Write (once) a Parquet log of ``rows`` rows: sex, age_band, score, predicted_label, label."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(os.environ.get("STEWARD_HOME", tempfile.gettempdir())) / "bench-data"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"fairness_{rows}.parquet"
    if path.exists():
        return path
    rng = np.random.default_rng(seed)
    tmp = path.with_suffix(".tmp")
    writer = None
    for start in range(0, rows, chunk):
        n = min(chunk, rows - start)
        sex = SEXES[rng.choice(3, n, p=[0.49, 0.49, 0.02])]
        age = AGES[rng.choice(6, n, p=[0.14, 0.26, 0.22, 0.17, 0.13, 0.08])]
        label = (rng.random(n) < 0.15).astype(np.int64)
        score = np.clip(rng.beta(2, 9, n) + 0.2 * label + 0.05 * (age == "18-25"), 0, 1)
        table = pa.table(
            {
                "sex": sex,
                "age_band": age,
                "score": score,
                "predicted_label": (score >= 0.15).astype(np.int64),
                "label": label,
            }
        )
        if writer is None:
            writer = pq.ParquetWriter(tmp, table.schema)
        writer.write_table(table)
    assert writer is not None
    writer.close()
    tmp.replace(path)
    return path


def _model() -> Any:
    from steward.registry import Model

    return Model.model_validate(
        {
            "name": "bench_model",
            "owner": "bench@example.com",
            "business_unit": "lending",
            "risk_tier": "high",
            "prediction_log": "bench_log",
            "columns": {"id": "id", "timestamp": "ts", "prediction": "predicted_label", "score": "score"},
            "features": ["score"],
            "protected_attributes": ["sex", "age_band"],
            "thresholds": {"decision": 0.15},
            "fairness": {"favourable_prediction": 0, "favourable_label": 0},
        }
    )


def steward_evaluate(rows: int) -> dict[str, Any]:
    """Our ``evaluate_window`` on DuckDB over a Parquet file: counts, rates, gaps, intervals, tests, Holm."""
    from steward.fairness import evaluate_window
    from steward.warehouse import connect

    path = _data_file(rows)
    model = _model()
    with connect("duckdb:///:memory:") as wh:
        source = f"select * from read_parquet('{path}')"
        evaluate_window(wh, model, source_sql=source, window=DAY, run_id="warmup-schema")  # imports, plans
        started = time.perf_counter()
        result = evaluate_window(wh, model, source_sql=source, window=DAY, run_id="bench")
        seconds = time.perf_counter() - started
    intervals = sum(r["ci_low"] is not None for r in result.rows)
    tests = sum(r["p_value"] is not None for r in result.rows)
    return {
        "seconds": seconds,
        "peak_rss_mib": _peak_mib(),
        "note": f"{len(result.rows)} metric rows, {intervals} intervals, {tests} p-values, "
        f"{len(result.calibration)} calibration bins; 3 attribute sets (sex, age_band, sex*age_band)",
    }


def _fairlearn_inputs(rows: int) -> tuple[Any, Any, Any]:
    import pyarrow.parquet as pq

    df = pq.read_table(_data_file(rows)).to_pandas()
    y_true = (df["label"] == 0).to_numpy().astype(int)  # favourable = 0, as in our run
    y_pred = (df["predicted_label"] == 0).to_numpy().astype(int)
    return df, y_true, y_pred


def _fairlearn_run(df: Any, y_true: Any, y_pred: Any) -> int:
    from fairlearn.metrics import (
        MetricFrame,
        count,
        false_negative_rate,
        false_positive_rate,
        selection_rate,
        true_negative_rate,
        true_positive_rate,
    )
    from sklearn.metrics import accuracy_score, precision_score

    metrics = {
        "selection_rate": selection_rate,
        "true_positive_rate": true_positive_rate,
        "false_positive_rate": false_positive_rate,
        "false_negative_rate": false_negative_rate,
        "true_negative_rate": true_negative_rate,
        "precision": lambda y, p: precision_score(y, p, zero_division=0),
        "accuracy": accuracy_score,
        "count": count,
    }
    cells = 0
    for features in (["sex"], ["age_band"], ["sex", "age_band"]):
        frame = MetricFrame(metrics=metrics, y_true=y_true, y_pred=y_pred, sensitive_features=df[features])
        frame.difference(method="between_groups")
        frame.ratio(method="between_groups")
        frame.group_min()
        frame.group_max()
        cells += frame.by_group.size
    return cells


def fairlearn_metricframe(rows: int) -> dict[str, Any]:
    """Fairlearn's MetricFrame with the same rates, per attribute and intersection, plus between-group
    differences and ratios (no intervals: Fairlearn has none besides its bootstrap)."""
    df, y_true, y_pred = _fairlearn_inputs(rows)
    started = time.perf_counter()
    cells = _fairlearn_run(df, y_true, y_pred)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "peak_rss_mib": _peak_mib(),
        "note": f"{cells} group x metric cells, no intervals",
    }


def side_by_side(rows: int) -> dict[str, Any]:
    """Both in one process on the same file: our time (with every interval and test) and the speed-up."""
    ours = steward_evaluate(rows)
    theirs = fairlearn_metricframe(rows)
    ratio = theirs["seconds"] / ours["seconds"]
    return {
        "seconds": ours["seconds"],
        "peak_rss_mib": _peak_mib(),
        "note": f"steward {ours['seconds']:.3f} s vs Fairlearn MetricFrame {theirs['seconds']:.2f} s "
        f"on {rows:,} rows: {ratio:.0f}x faster (ours includes the Parquet scan and all intervals)",
        "fairlearn_seconds": theirs["seconds"],
        "speedup": ratio,
    }


def plan(quick: bool) -> list[dict[str, Any]]:
    """The fairness cases ``make bench`` runs, smallest first."""
    small, big = (100_000, 1_000_000) if quick else (1_000_000, 10_000_000)
    return [
        {
            "title": f"fairness: ours vs Fairlearn MetricFrame side by side, {small:,} rows",
            "fn": "fairness.side_by_side",
            "args": {"rows": small},
            "repeat": 1,
        },
        {
            "title": f"fairness evaluate_window (DuckDB, all intervals), {big:,} rows",
            "fn": "fairness.steward_evaluate",
            "args": {"rows": big},
            "repeat": 1,
        },
        {
            "title": f"Fairlearn MetricFrame, same metrics, {small:,} rows",
            "fn": "fairness.fairlearn_metricframe",
            "args": {"rows": small},
            "repeat": 1,
        },
    ]
