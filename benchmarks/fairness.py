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


def _horizon_day(seed: int, d: int, rows: int) -> tuple[Any, ...]:
    """Day ``d``'s generator, ids, sex, age band, true label and score (ids unique across days)."""
    rng = np.random.default_rng(seed + d)
    ids = np.arange(d * rows, (d + 1) * rows, dtype=np.int64)
    sex = SEXES[rng.choice(3, rows, p=[0.49, 0.49, 0.02])]
    age = AGES[rng.choice(6, rows, p=[0.14, 0.26, 0.22, 0.17, 0.13, 0.08])]
    label = (rng.random(rows) < 0.15).astype(np.int64)
    score = np.clip(rng.beta(2, 9, rows) + 0.2 * label, 0, 1)
    return rng, ids, sex, age, label, score


def _horizon_files(rows_per_day: int, days: int) -> tuple[list[Path], Path]:
    """Write (once) ``days`` daily prediction files (id, sex, age_band, score, predicted_label) and one
    labels file (id, label): window ``d`` has ``d / days`` of its labels arrived, the newest none."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(os.environ.get("STEWARD_HOME", tempfile.gettempdir())) / "bench-data"
    folder = folder / f"fairness_horizon_{rows_per_day}x{days}"
    labels_path = folder / "labels.parquet"
    paths = [folder / f"predictions_{d:02d}.parquet" for d in range(days)]
    if labels_path.exists():
        return paths, labels_path
    folder.mkdir(parents=True, exist_ok=True)
    labels_writer = None
    for d, path in enumerate(paths):
        rng, ids, sex, age, label, score = _horizon_day(1000, d, rows_per_day)
        pq.write_table(
            pa.table(
                {
                    "id": ids,
                    "sex": sex,
                    "age_band": age,
                    "score": score,
                    "predicted_label": (score >= 0.15).astype(np.int64),
                }
            ),
            path,
        )
        arrived = rng.random(rows_per_day) < (days - 1 - d) / days
        labels = pa.table({"id": ids[arrived], "label": label[arrived]})
        labels_writer = labels_writer or pq.ParquetWriter(labels_path.with_suffix(".tmp"), labels.schema)
        labels_writer.write_table(labels)
    assert labels_writer is not None
    labels_writer.close()
    labels_path.with_suffix(".tmp").replace(labels_path)
    return paths, labels_path


def horizon_night(rows_per_day: int, days: int = 14) -> dict[str, Any]:
    """A night with a ``days``-day label horizon: every window in one aggregation vs one window alone.

    Both read Parquet and join the arrived labels (read once into a temp table, as the monitoring
    night does); ``seconds`` is the one-pass horizon, and the note gives the single-window time,
    the ratio, and the per-window loop it replaces (one scan per window).
    """
    from steward.fairness import evaluate_window, evaluate_windows
    from steward.warehouse import connect

    paths, labels_path = _horizon_files(rows_per_day, days)
    first = dt.date(2026, 11, 1)
    windows = [first + dt.timedelta(days=d) for d in range(days)]
    model = _model()

    def window_sql(ds: list[int]) -> str:
        parts = [
            f"select cast('{windows[d].isoformat()}' as date) as steward_window, * "
            f"from read_parquet('{paths[d]}')"
            for d in ds
        ]
        union = " union all ".join(parts)
        return f"select w.*, l.label from ({union}) as w left join bench_labels as l on w.id = l.id"

    with connect("duckdb:///:memory:") as wh:
        wh.execute("set enable_progress_bar = false")
        wh.execute(
            "create temp table bench_labels as select id, max(label) as label "
            f"from read_parquet('{labels_path}') group by id"
        )
        evaluate_window(wh, model, source_sql=window_sql([0]), window=windows[0], run_id="warmup")
        started = time.perf_counter()
        evaluate_window(wh, model, source_sql=window_sql([days - 1]), window=windows[-1], run_id="one")
        single = time.perf_counter() - started
        started = time.perf_counter()
        results = evaluate_windows(
            wh, model, source_sql=window_sql(list(range(days))), windows=windows, run_id="all"
        )
        one_pass = time.perf_counter() - started
        started = time.perf_counter()
        for d in range(days):
            evaluate_window(wh, model, source_sql=window_sql([d]), window=windows[d], run_id="loop")
        loop = time.perf_counter() - started
    labelled = sum(c["n_labelled"] for r in results.values() for c in r.counts if c["attribute"] == "*")
    return {
        "seconds": one_pass,
        "peak_rss_mib": _peak_mib(),
        "note": f"{days} windows x {rows_per_day:,} rows ({labelled:,} labelled) in one aggregation "
        f"{one_pass:.2f} s = {one_pass / single:.1f}x one window alone ({single:.2f} s); "
        f"one scan per window: {loop:.2f} s ({loop / one_pass:.1f}x the one pass)",
        "single_window_seconds": single,
        "per_window_seconds": loop,
        "ratio_to_single": one_pass / single,
    }


def _stored_files(rows_per_day: int, days: int) -> tuple[list[Path], dict[int, Path]]:
    """Write (once) ``days + 1`` daily prediction files and one label file per arrival day: a row of
    window ``d`` is labelled on day ``d + k`` (k uniform in 1..days-1) with probability 0.85."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(os.environ.get("STEWARD_HOME", tempfile.gettempdir())) / "bench-data"
    folder = folder / f"fairness_stored_{rows_per_day}x{days}"
    paths = [folder / f"predictions_{d:02d}.parquet" for d in range(days + 1)]
    done = folder / "done"
    label_paths = {a: folder / f"labels_{a:02d}.parquet" for a in range(1, 2 * days + 1)}
    if done.exists():
        return paths, {a: p for a, p in label_paths.items() if p.exists()}
    folder.mkdir(parents=True, exist_ok=True)
    writers: dict[int, Any] = {}  # one writer per arrival day: the labels stream to disk window by window
    schema = pa.schema([("id", pa.int64()), ("label", pa.int64())])
    for d, path in enumerate(paths):
        rng, ids, sex, age, label, score = _horizon_day(2000, d, rows_per_day)
        table = {"id": ids, "sex": sex, "age_band": age, "score": score}
        pq.write_table(pa.table({**table, "predicted_label": (score >= 0.15).astype(np.int64)}), path)
        arrives = rng.random(rows_per_day) < 0.85
        delay = rng.integers(1, days, rows_per_day)
        for k in np.unique(delay[arrives]):
            chosen = arrives & (delay == k)
            a = d + int(k)
            if a not in writers:
                writers[a] = pq.ParquetWriter(label_paths[a], schema)
            writers[a].write_table(pa.table({"id": ids[chosen], "label": label[chosen]}, schema=schema))
    for writer in writers.values():
        writer.close()
    done.touch()
    return paths, {a: p for a, p in label_paths.items() if p.exists()}


def horizon_stored(rows_per_day: int, days: int = 14) -> dict[str, Any]:
    """A night over a ``days``-window label horizon from stored per-window counts vs one window alone.

    Untimed: the night before (every window counted in full, its counts stored). Timed: tonight
    (:func:`steward.fairness.evaluate_horizon`: tonight's window in full, the earlier windows by the rows
    keyed in tonight's label partition, the label files read inside the timed section) and the same
    night counted in one pass over every window (the path before stored counts); the single window is
    timed as in ``horizon_night`` (its labels pre-aggregated in a temp table, untimed).
    """
    from steward.fairness import Partition, evaluate_horizon, evaluate_window, evaluate_windows
    from steward.warehouse import connect

    paths, label_paths = _stored_files(rows_per_day, days)
    first = dt.date(2026, 11, 1)
    model = _labelled_model()

    def window(d: int) -> Partition:
        return Partition(first + dt.timedelta(days=d), f"select * from read_parquet('{paths[d]}')", f"p{d}")

    def label(a: int) -> Partition | None:
        if a not in label_paths:
            return None
        return Partition(
            first + dt.timedelta(days=a), f"select * from read_parquet('{label_paths[a]}')", f"l{a}"
        )

    def night(wh: Any, store: Any, n: int) -> Any:
        horizon = range(n - days + 1, n + 1)
        labels = [p for a in horizon if (p := label(a)) is not None]
        return evaluate_horizon(
            wh, store, model, windows=[window(d) for d in horizon], labels=labels,
            earlier_labels=lambda day: label((day - first).days), run_id=f"night {n}",
        )  # fmt: skip

    with connect("duckdb:///:memory:") as wh, connect("duckdb:///:memory:") as store:
        wh.execute("set enable_progress_bar = false")
        store.migrate()
        store.replace_partitions(night(wh, store, days - 1).writes)  # the night before: state stored
        tonight = [a for a in range(1, days + 1) if a in label_paths]
        arrived = " union all ".join(f"select * from read_parquet('{label_paths[a]}')" for a in tonight)
        wh.execute(
            f"create temp table bench_labels as select id, max(label) as label from ({arrived}) l group by id"
        )

        def window_sql(ds: list[int]) -> str:
            union = " union all ".join(
                f"select cast('{first + dt.timedelta(days=d)}' as date) as steward_window, * "
                f"from read_parquet('{paths[d]}')"
                for d in ds
            )
            return f"select w.*, l.label from ({union}) as w left join bench_labels as l on w.id = l.id"

        last = first + dt.timedelta(days=days)
        evaluate_window(wh, model, source_sql=window_sql([0]), window=first, run_id="warmup")
        single, seconds = float("inf"), float("inf")
        for _ in range(3):  # interleaved, best of 3 each: the shared machine's load moves between runs
            started = time.perf_counter()
            evaluate_window(wh, model, source_sql=window_sql([days]), window=last, run_id="one")
            single = min(single, time.perf_counter() - started)
            started = time.perf_counter()
            stored = night(wh, store, days)
            seconds = min(seconds, time.perf_counter() - started)
        started = time.perf_counter()
        store.replace_partitions(stored.writes)
        write = time.perf_counter() - started
        windows = [first + dt.timedelta(days=d) for d in range(1, days + 1)]
        started = time.perf_counter()
        before = evaluate_windows(
            wh, model, source_sql=window_sql(list(range(1, days + 1))), windows=windows, run_id="all"
        )
        one_pass = time.perf_counter() - started
    fields = ("attribute", "group_value", "n", "n_labelled", "tp", "fp", "tn", "fn", "n_scored")
    for day, result in before.items():  # the same counts both ways (the tests check every metric)
        mine = sorted(tuple(c[f] for f in fields) for c in stored.results[day].counts)
        assert mine == sorted(tuple(c[f] for f in fields) for c in result.counts), day
    how = {k: list(stored.counted.values()).count(k) for k in ("full", "delta", "stored")}
    labelled = sum(
        c["n_labelled"] for r in stored.results.values() for c in r.counts if c["attribute"] == "*"
    )
    return {
        "seconds": seconds,
        "peak_rss_mib": _peak_mib(),
        "note": f"{days} windows x {rows_per_day:,} rows ({labelled:,} labelled; windows {how}) from stored "
        f"counts {seconds:.2f} s = {seconds / single:.1f}x one window alone ({single:.2f} s), "
        f"plus {write:.2f} s to store them; one pass over every window (before): {one_pass:.2f} s "
        f"= {one_pass / single:.1f}x",
        "single_window_seconds": single,
        "one_pass_seconds": one_pass,
        "write_seconds": write,
        "ratio_to_single": seconds / single,
    }


def _labelled_model() -> Any:
    from steward.registry import Model

    spec = _model().model_dump(exclude_none=True)
    spec["labels"] = {"dataset": "bench_labels", "join_key": "id", "label_column": "label"}
    return Model.model_validate(spec)


def plan(quick: bool) -> list[dict[str, Any]]:
    """The fairness cases ``make bench`` runs, smallest first."""
    small, big = (100_000, 1_000_000) if quick else (1_000_000, 10_000_000)
    return [
        {
            "title": f"fairness label horizon: 14 windows x {big:,} rows/day, one aggregation vs one window",
            "fn": "fairness.horizon_night",
            "args": {"rows_per_day": big, "days": 14},
            "repeat": 1,
        },
        {
            "title": f"fairness label horizon, stored counts: 14 windows x {big:,} rows/day vs one window",
            "fn": "fairness.horizon_stored",
            "args": {"rows_per_day": big, "days": 14},
            "repeat": 1,
        },
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
