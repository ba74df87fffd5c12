"""Model-monitoring benchmark cases (issue 3): our whole nightly step against Evidently and the scan floor.

Each case runs in its own interpreter (``benchmarks/run.py``) and returns ``seconds`` (the timed
section), ``peak_rss_mib`` (``RUSAGE_SELF`` of the case's process) and a ``note``. Data comes from
:mod:`benchmarks._monitoring_data` (generated once, cached under ``.bench/data``, never timed): a
prediction log with 20 features (12 numeric, 8 categorical), a score and a decision, a 1M-row
reference that includes the score, and labels for 60 % of the current rows.

The reference profile is built once per model version (our design), so a night case first builds it
in a separate process (into the case's warehouse file), then times one call of
:func:`steward.monitoring.monitor_relation` on the current window: drift of the 20 features and of the
score, performance with the labels, review queue, control charts, every result table written. A
small untimed night runs first in the timing process (imports, first connections: a worker that has
run before). The HTML report is timed on its own (``monitoring_report``). Scan engine: in-memory
DuckDB, 1 GB memory limit, 2 threads, progress bar off.

Example
-------
>>> monitoring_night(rows=50_000)["seconds"]  # doctest: +SKIP
0.4
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._monitoring_data import (
    CATEGORICAL,
    DAY,
    FEATURES,
    NUMERIC,
    data_root,
    labels_files,
    window_files,
)

__all__ = [
    "EVIDENTLY_VENV",
    "bench_model",
    "evidently_drift",
    "monitoring_night",
    "monitoring_report",
    "night_side_by_side",
    "plan",
    "reference_profile",
    "scan_floor",
]

ROOT = Path(__file__).resolve().parents[1]
EVIDENTLY_VENV = ROOT / ".bench" / "evidently-venv"
EVIDENTLY_PINS = ["evidently==0.7.23", "pandas==2.3.*", "pyarrow"]
REFERENCE_ROWS = 1_000_000
SEED = 20261101
#: The reference uses another seed than the window: the same generator, fresh draws.
REFERENCE_SEED = SEED + 1
MEMORY_LIMIT = "1GB"
THREADS = 2
#: Rows of the untimed warm-up night before a timed one.
WARM_UP_ROWS = 20_000
#: Columns a night reads (the floor scans exactly these).
SCANNED = ["id", *FEATURES, "score", "predicted_label"]


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def plan(*, quick: bool) -> list[dict[str, Any]]:
    """The monitoring cases ``make bench`` runs, smallest first.

    ``quick``: 50k rows, no 10M/100M, and Evidently only if its venv already exists (never installed).
    """
    small = 50_000 if quick else 1_000_000
    ref = 50_000 if quick else REFERENCE_ROWS
    args = {"rows": small, "reference_rows": ref}
    evidently = {
        "title": f"monitoring: Evidently 0.7.23 DataDriftPreset alone, {ref:,} ref + {small:,} current rows",
        "fn": "monitoring.evidently_drift",
        "args": args,
        "repeat": 1,
    }
    with_evidently = not quick or (EVIDENTLY_VENV / "bin" / "python").exists()
    cases: list[dict[str, Any]] = [
        {
            "title": f"monitoring: reference profile build, {ref:,} rows x 21 columns (once per version)",
            "fn": "monitoring.reference_profile",
            "args": {"reference_rows": ref},
        },
        {
            "title": f"monitoring: one night, {small:,} rows (drift of 20 features + score, performance)",
            "fn": "monitoring.monitoring_night",
            "args": args,
        },
        *([evidently] if with_evidently else []),
        {
            "title": f"monitoring: HTML report of one night, {small:,} rows",
            "fn": "monitoring.monitoring_report",
            "args": args,
            "repeat": 1,
        },
        {
            "title": f"monitoring: DuckDB scan floor, {small:,} rows x {len(SCANNED)} columns + labels",
            "fn": "monitoring.scan_floor",
            "args": {"rows": small},
        },
    ]
    if not quick:
        for rows in (10_000_000, 100_000_000):
            cases += [
                {
                    "title": f"monitoring: one night, {rows:,} rows from Parquet (2 threads, 1 GB limit)",
                    "fn": "monitoring.monitoring_night",
                    "args": {"rows": rows, "reference_rows": ref},
                    "repeat": 1,
                },
                {
                    "title": f"monitoring: DuckDB scan floor, {rows:,} rows x {len(SCANNED)} cols + labels",
                    "fn": "monitoring.scan_floor",
                    "args": {"rows": rows},
                    "repeat": 1,
                },
            ]
    return cases


def bench_model() -> Any:
    """The benchmark's model: id, timestamp, score, decision at 0.5, 20 features, labels by ``id``."""
    from steward.registry import LabelSource, Model, ModelColumns, ModelThresholds

    return Model(
        name="bench_model",
        owner="bench@example.com",
        business_unit="bench",
        risk_tier="limited",
        prediction_log="bench_predictions",
        labels=LabelSource(dataset="bench_labels", join_key="id", label_column="label"),
        columns=ModelColumns(id="id", timestamp="ts", score="score", prediction="predicted_label"),
        features=FEATURES,
        thresholds=ModelThresholds(decision=0.5),
    )


def _files(rows: int, reference_rows: int) -> tuple[list[str], list[str], list[str]]:
    root = data_root()
    return (
        window_files(root, rows=reference_rows, seed=REFERENCE_SEED, drift=False),
        window_files(root, rows=rows, seed=SEED, drift=True),
        labels_files(root, rows=rows, seed=SEED),
    )


def _engine() -> Any:
    """The scan engine a night uses (1 GB, 2 threads), without DuckDB's progress bar.

    The bar is drawn on stdout for queries over 2 s and would break the ``RESULT`` line run.py reads.
    """
    from steward.monitoring import scan_engine

    engine = scan_engine(memory_limit=MEMORY_LIMIT, threads=THREADS)
    engine.execute("set enable_progress_bar = false")
    return engine


def _relations(reference: list[str], current: list[str], labels: list[str]) -> tuple[Any, Any, Any]:
    from steward.monitoring import Relation, files_relation

    engine = _engine()

    def rel(files: list[str], window: bool) -> Relation:
        day = DAY if window else None
        return Relation(
            sql=files_relation(engine, files, "parquet", window=day),
            engine=engine,
            days=(DAY,) if window else (),
            files=tuple(files),
        )

    return rel(reference, False), rel(current, True), rel(labels, True)


def _warehouse_url(workdir: Path) -> str:
    return f"duckdb:///{workdir / 'wh.duckdb'}"


def _night(
    rows: int,
    reference_rows: int,
    workdir: Path,
    *,
    write_report: bool = False,
    before_15: bool = False,
    cpu: list[float] | None = None,
) -> tuple[float, Any]:
    """Run one night (the profile must exist already unless this is the build) and time it.

    ``before_15``: count the window with the SQL aggregation and open the warehouse file for each read,
    as nights did before issue 15's second pass (the same results: the side-by-side of
    :func:`night_side_by_side`). ``cpu`` gets the timed section's CPU seconds appended.
    """
    from contextlib import nullcontext

    from steward.monitoring import monitor_relation
    from steward.warehouse import connect

    reference, current, labels = _files(rows, reference_rows)
    ref_rel, cur_rel, lab_rel = _relations(reference, current, labels)
    with connect(_warehouse_url(workdir)) as wh:
        wh.migrate()
        if before_15:
            cur_rel.engine.grouping_strategy = "union"  # type: ignore[misc]
            wh.held_open = lambda: nullcontext(wh)  # type: ignore[method-assign]
        started, cpu_started = time.perf_counter(), time.process_time()
        outcome = monitor_relation(
            bench_model(),
            DAY,
            window=cur_rel,
            reference=ref_rel,
            reference_source=f"bench reference {reference_rows:,} rows",
            warehouse=wh,
            run_id="bench",
            score_reference=(None, "the reference has the score column"),
            performance_relation=cur_rel,
            labels_relation=lab_rel,
            reports_dir=workdir / "reports",
            write_report=write_report,
        )
        seconds = time.perf_counter() - started
        if cpu is not None:
            cpu.append(time.process_time() - cpu_started)
    return seconds, outcome


def _build_profile_in_subprocess(reference_rows: int, workdir: Path) -> float:
    """Build and store the reference profile in another process (so this one's peak RSS is the night's).

    That process runs the model version's first night on a small window (the profile depends only on
    the reference) and returns its seconds.
    """
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r}); from benchmarks import monitoring; "
        f"print('SECONDS', monitoring._build_profile({WARM_UP_ROWS}, {reference_rows}, {str(workdir)!r}))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(
            f"building the reference profile failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
        )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("SECONDS ")]
    if not lines:
        raise RuntimeError(f"building the reference profile printed no time:\n{proc.stdout[-2000:]}")
    return float(lines[-1].split()[1])


def _build_profile(rows: int, reference_rows: int, workdir: str) -> float:
    """First night of a model version: builds the profile; returns the whole first call's seconds."""
    seconds, _ = _night(rows, reference_rows, Path(workdir))
    return seconds


def _warm_up(reference_rows: int, workdir: Path) -> float:
    """Run a small untimed night first (imports, first connections), as a worker that has run before.

    It writes the same keys the timed night then replaces (the writes are idempotent).
    """
    _files(WARM_UP_ROWS, reference_rows)
    seconds, _ = _night(WARM_UP_ROWS, reference_rows, workdir)
    return seconds


def _floor_seconds(files: list[str], labels: list[str]) -> float:
    """Seconds DuckDB needs to read every column a night reads once (summing each value), and the labels."""
    from steward.warehouse import quote_ident

    engine = _engine()
    # sum every number and every string's length: min/max or count could come from Parquet statistics
    aggs = ", ".join(
        f"sum(length({quote_ident(c)}))" if c in CATEGORICAL else f"sum({quote_ident(c)})" for c in SCANNED
    )
    started = time.perf_counter()
    engine.fetch(f"select count(*), {aggs} from {engine.file_scan_sql(files, 'parquet')}")
    engine.fetch(f"select count(*), sum(id), sum(label) from {engine.file_scan_sql(labels, 'parquet')}")
    return time.perf_counter() - started


def _outcome_note(o: Any) -> str:
    score = next((d for d in o.drift if d.role == "score"), None)
    perf = o.performance[0] if o.performance else None
    auc = perf.value("auc") if perf else None
    return (
        f"{len(o.drifted_features)}/20 features drifted ({', '.join(o.drifted_features)}); "
        f"score drift {'yes' if o.prediction_drift else 'no'}"
        + (
            f" ({score.effect_method} {score.effect_size:.3f})"
            if score and score.effect_size is not None
            else ""
        )
        + (f"; AUC {auc:.3f} on {perf.label_coverage:.0%} labels" if perf and auc is not None else "")
        + f"; {len(o.review)} review segments"
    )


def monitoring_night(rows: int, reference_rows: int = REFERENCE_ROWS) -> dict[str, Any]:
    """Time one night of :func:`steward.monitoring.monitor_relation` on ``rows`` current rows.

    The reference profile is built first in another process (not timed here: see
    :func:`reference_profile`); the floor (one scan of the same columns) is measured after the night
    in the same process and reported as a ratio.
    """
    _, current, labels = _files(rows, reference_rows)  # generate outside everything timed
    workdir = Path(tempfile.mkdtemp(prefix="bench-monitoring-"))
    first = _build_profile_in_subprocess(reference_rows, workdir)
    warm = _warm_up(reference_rows, workdir)
    seconds, outcome = _night(rows, reference_rows, workdir)
    peak = _peak_mib()
    floor = _floor_seconds(current, labels)
    return {
        "seconds": seconds,
        "peak_rss_mib": peak,
        "floor_seconds": floor,
        "note": (
            f"{rows / seconds:,.0f} rows/s; {seconds / floor:.1f}x the DuckDB scan floor ({floor:.2f} s, "
            f"same process); profile build + a {WARM_UP_ROWS:,}-row first night {first:.2f} s (own process); "
            f"{_outcome_note(outcome)}; warm interpreter (a {WARM_UP_ROWS:,}-row night first took "
            f"{warm:.1f} s: imports, no .pyc here); no HTML report (timed separately)"
        ),
    }


def night_side_by_side(rows: int = 1_000_000, repeat: int = 5, reference_rows: int = REFERENCE_ROWS) -> str:
    """Time the scan floor, a night as it runs now and a night as before issue 15's second pass, in turn.

    Medians of ``repeat`` rounds in one process (after a warm-up night), wall seconds and the process's
    CPU seconds (DuckDB's threads included; steadier than wall time on a loaded machine), with each
    night's ratio to the floor. Not part of ``make bench``: run it by hand (docs/benchmarks.md).

    Example
    -------
    >>> print(night_side_by_side(1_000_000))  # doctest: +SKIP
    """
    import statistics

    _, current, labels = _files(rows, reference_rows)
    workdir = Path(tempfile.mkdtemp(prefix="bench-monitoring-"))
    _build_profile_in_subprocess(reference_rows, workdir)
    _warm_up(reference_rows, workdir)
    times: dict[str, list[tuple[float, float]]] = {"floor": [], "now": [], "before": []}
    for _ in range(repeat):
        for arm in times:
            cpu: list[float] = []
            if arm == "floor":
                started = time.process_time()
                wall = _floor_seconds(current, labels)
                cpu.append(time.process_time() - started)
            else:
                wall, _ = _night(rows, reference_rows, workdir, before_15=arm == "before", cpu=cpu)
            times[arm].append((wall, cpu[0]))
    med = {a: tuple(statistics.median(x) for x in zip(*v, strict=True)) for a, v in times.items()}
    floor_wall, floor_cpu = med["floor"]
    parts = [f"floor {floor_wall:.2f} s, {floor_cpu:.2f} s CPU"]
    for arm in ("now", "before"):
        wall, cpu_s = med[arm]
        parts.append(
            f"{arm} {wall:.2f} s ({wall / floor_wall:.1f}x the floor), {cpu_s:.2f} s CPU "
            f"({cpu_s / floor_cpu:.1f}x)"
        )
    return "; ".join(parts) + f" (medians of {repeat}, load average {os.getloadavg()[0]:.1f})"


def reference_profile(reference_rows: int = REFERENCE_ROWS) -> dict[str, Any]:
    """Time building and storing the reference profile (quantiles, bins, categories) of 21 columns."""
    from steward.monitoring._reference import load_or_build
    from steward.warehouse import connect

    reference, current, labels = _files(50_000, reference_rows)
    ref_rel, _, _ = _relations(reference, current, labels)
    model = bench_model()
    columns = [*FEATURES, "score"]
    workdir = Path(tempfile.mkdtemp(prefix="bench-monitoring-"))
    with connect(_warehouse_url(workdir)) as wh:
        wh.migrate()
        started = time.perf_counter()
        ref = load_or_build(
            model,
            ref_rel,
            columns,
            role_of={c: "feature" for c in FEATURES} | {"score": "score"},
            warehouse=wh,
            run_id="bench",
            source="bench reference",
        )
        seconds = time.perf_counter() - started
    kinds = [p.column_type for p in ref.profiles]
    return {
        "seconds": seconds,
        "peak_rss_mib": _peak_mib(),
        "note": (
            f"{kinds.count('numeric')} numeric + {kinds.count('categorical')} categorical profiles, "
            f"{reference_rows / seconds:,.0f} rows/s; stored once per model version, read every night"
        ),
    }


def monitoring_report(rows: int, reference_rows: int = REFERENCE_ROWS) -> dict[str, Any]:
    """Time writing the HTML report (plots of drifted features, series, performance) after one night."""
    from steward.monitoring import write_model_report
    from steward.warehouse import connect

    _files(rows, reference_rows)
    workdir = Path(tempfile.mkdtemp(prefix="bench-monitoring-"))
    _build_profile_in_subprocess(reference_rows, workdir)
    _, outcome = _night(rows, reference_rows, workdir)
    with connect(_warehouse_url(workdir)) as wh:
        started = time.perf_counter()
        path = write_model_report(bench_model(), DAY, outcome, warehouse=wh, reports_dir=workdir / "reports")
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "peak_rss_mib": _peak_mib(),
        "note": f"{path.stat().st_size / 2**10:,.0f} KiB of HTML with inline SVG charts",
    }


def scan_floor(rows: int) -> dict[str, Any]:
    """The floor: DuckDB reading each column a night reads once (summing it) and the labels, same engine."""
    _, current, labels = _files(rows, REFERENCE_ROWS)
    seconds = _floor_seconds(current, labels)
    size = sum(os.path.getsize(f) for f in current + labels)
    return {
        "seconds": seconds,
        "peak_rss_mib": _peak_mib(),
        "note": f"{size / 2**20:,.0f} MiB of Parquet (zstd); {rows / seconds:,.0f} rows/s",
    }


def ensure_evidently_venv() -> Path:
    """Create ``.bench/evidently-venv`` with Evidently 0.7.23 and pandas 2.3 (pip from PyPI) if absent."""
    python = EVIDENTLY_VENV / "bin" / "python"
    if (
        python.exists()
        and subprocess.run(
            [str(python), "-c", "import evidently, pandas, pyarrow"], capture_output=True, check=False
        ).returncode
        == 0
    ):
        return python
    subprocess.run(
        ["python3", "-m", "venv", str(EVIDENTLY_VENV)], check=True
    )  # not Steward's venv: no pandas 3
    proc = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", *EVIDENTLY_PINS],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"installing {EVIDENTLY_PINS} into {EVIDENTLY_VENV} failed:\n{proc.stderr[-3000:]}"
        )
    return python


def evidently_drift(rows: int, reference_rows: int = REFERENCE_ROWS) -> dict[str, Any]:
    """Evidently's DataDriftPreset alone (20 feature columns) beside our whole night, in the same case.

    Evidently runs in its own venv (it needs pandas < 3) as a subprocess reading the same Parquet
    files; its ``seconds`` and ``peak_rss_mib`` are that process's own (the run, not the Parquet read).
    Our night is timed in this process first, on the same data, for the ratio in the note.
    """
    reference, current, _ = _files(rows, reference_rows)
    python = ensure_evidently_venv()
    workdir = Path(tempfile.mkdtemp(prefix="bench-monitoring-"))
    _build_profile_in_subprocess(reference_rows, workdir)
    _warm_up(reference_rows, workdir)
    ours, _ = _night(rows, reference_rows, workdir)
    spec = workdir / "evidently.json"
    spec.write_text(
        json.dumps(
            {"reference": reference, "current": current, "numerical": NUMERIC, "categorical": CATEGORICAL}
        )
    )
    proc = subprocess.run(
        [str(python), str(ROOT / "benchmarks" / "peers" / "evidently_drift.py"), str(spec)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"Evidently failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    result = json.loads(next(line for line in proc.stdout.splitlines() if line.startswith("RESULT "))[7:])
    seconds = float(result["seconds"])
    return {
        "seconds": seconds,
        "peak_rss_mib": float(result["peak_rss_mib"]),
        "ours_seconds": ours,
        "note": (
            f"Steward's whole night on the same files in the same case: {ours:.2f} s, "
            f"{seconds / ours:.0f}x faster (target >= 30x); Evidently found "
            f"{result.get('drifted_columns')} drifted columns with {result.get('methods')}; "
            f"its Parquet->pandas read ({result['read_seconds']:.1f} s) not timed; RSS is Evidently's process"
        ),
    }
