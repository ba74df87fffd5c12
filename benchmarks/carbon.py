"""Benchmark: usage-based carbon estimates (``steward.carbon.estimate_usage_emissions``) on N usage lines.

The lines repeat the 15 hand-checked usage shapes of ``tests/unit/carbon/test_usage.py`` (AWS
instances with and without GPUs, S3, data transfer, GCP cores, T4 GPUs, multi-region storage,
network, RAM, and unmapped usage) with random quantities over 20 resources each, so the
classification runs once per distinct usage and the arithmetic is vectorised over the rows.
"""

from __future__ import annotations

import resource
import time


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _lines(rows: int, seed: int = 0):
    """Return ``rows`` usage lines: the hand-checked shapes with random quantities over 20 resources."""
    import numpy as np
    import pyarrow as pa

    from tests.unit.carbon.test_usage import LINES

    base = pa.Table.from_pylist(LINES)
    reps = -(-rows // base.num_rows)
    table = pa.concat_tables([base] * reps).slice(0, rows)
    rng = np.random.default_rng(seed)
    table = table.set_column(
        table.schema.get_field_index("ConsumedQuantity"),
        "ConsumedQuantity",
        pa.array(rng.uniform(0, 100, rows)),
    )
    table = table.append_column("ResourceId", pa.array([f"r{i % 20}" for i in range(rows)], pa.string()))
    return table.combine_chunks()  # one chunk per column, as the warehouse returns it


def estimate_lines(rows: int = 1_000_000) -> dict[str, object]:
    """Time :func:`steward.carbon.estimate_usage_emissions` over ``rows`` FOCUS usage lines in memory."""
    import numpy as np

    from steward.carbon import estimate_usage_emissions, load_coefficients

    table = _lines(rows)
    coefficients = load_coefficients()
    started = time.perf_counter()
    out = estimate_usage_emissions(table, coefficients=coefficients)
    seconds = time.perf_counter() - started
    unestimated = int(
        np.sum(np.asarray(out.column("x_UsageCategory").to_pylist(), dtype=object) == "unestimated")
    )
    return {
        "seconds": seconds,
        "peak_rss_mib": _peak_mib(),
        "note": f"{rows:,} lines, {rows / seconds:,.0f} lines/s; {unestimated:,} unestimated kept",
    }


def stream_lines(rows: int = 1_000_000, batch_rows: int = 262_144) -> dict[str, object]:
    """Time :func:`steward.carbon.estimate_usage_batches` from a Parquet file of ``rows`` lines to another.

    The input file is written first, one batch of lines at a time (not timed), so the process never
    holds more than a batch or two: the peak RSS is that of streaming. The time includes reading and
    writing Parquet (zstd), as a warehouse load would.
    """
    import tempfile
    from pathlib import Path

    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from steward.carbon import USAGE_COLUMNS, estimate_usage_batches, load_coefficients

    coefficients = load_coefficients()
    with tempfile.TemporaryDirectory(prefix="steward-bench-carbon-") as tmp:
        source, target = Path(tmp) / "usage.parquet", Path(tmp) / "estimates.parquet"
        writer = None
        for seed, start in enumerate(range(0, rows, batch_rows)):
            chunk = _lines(min(batch_rows, rows - start), seed=seed)
            writer = writer or pq.ParquetWriter(source, chunk.schema)
            writer.write_table(chunk, row_group_size=batch_rows)
        assert writer is not None
        writer.close()
        started = time.perf_counter()
        unestimated, estimating = 0, 0.0
        with pq.ParquetWriter(target, USAGE_COLUMNS, compression="zstd") as out:
            for line_batch in pq.ParquetFile(source).iter_batches(batch_size=batch_rows):
                tick = time.perf_counter()
                batches = list(estimate_usage_batches([line_batch], coefficients=coefficients))
                estimating += time.perf_counter() - tick
                for batch in batches:
                    out.write_batch(batch)
                    unestimated += int(
                        pc.sum(pc.equal(batch.column("x_UsageCategory"), "unestimated")).as_py()
                    )
        seconds = time.perf_counter() - started
        written = pq.ParquetFile(target).metadata.num_rows
    return {
        "seconds": seconds,
        "peak_rss_mib": _peak_mib(),
        "note": (
            f"{written:,} lines Parquet to Parquet, batches of {batch_rows:,}, "
            f"{rows / seconds:,.0f} lines/s; estimating alone {estimating:.2f} s, the rest Parquet I/O; "
            f"{unestimated:,} unestimated kept"
        ),
    }


def plan(quick: bool) -> list[dict[str, object]]:
    """The carbon case ``make bench`` runs."""
    rows = 1_000_000 if quick else 10_000_000
    return [
        {
            "title": f"carbon usage estimates (CCF), {rows:,} FOCUS usage lines, in memory",
            "fn": "carbon.estimate_lines",
            "args": {"rows": rows},
            "repeat": 1,
        },
        {
            "title": f"carbon usage estimates (CCF), {rows:,} FOCUS usage lines, streamed Parquet to Parquet",
            "fn": "carbon.stream_lines",
            "args": {"rows": rows},
            "repeat": 1,
        },
    ]


if __name__ == "__main__":  # pragma: no cover
    import sys

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(stream_lines(n) if "--stream" in sys.argv else estimate_lines(n))
