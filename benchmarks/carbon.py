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


def estimate_lines(rows: int = 1_000_000) -> dict[str, object]:
    """Time :func:`steward.carbon.estimate_usage_emissions` over ``rows`` FOCUS usage lines."""
    import numpy as np
    import pyarrow as pa

    from steward.carbon import estimate_usage_emissions, load_coefficients
    from tests.unit.carbon.test_usage import LINES

    base = pa.Table.from_pylist(LINES)
    reps = -(-rows // base.num_rows)
    table = pa.concat_tables([base] * reps).slice(0, rows)
    rng = np.random.default_rng(0)
    table = table.set_column(
        table.schema.get_field_index("ConsumedQuantity"),
        "ConsumedQuantity",
        pa.array(rng.uniform(0, 100, rows)),
    )
    table = table.append_column("ResourceId", pa.array([f"r{i % 20}" for i in range(rows)], pa.string()))
    table = table.combine_chunks()  # one chunk per column, as the warehouse returns it
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


def plan(quick: bool) -> list[dict[str, object]]:
    """The carbon case ``make bench`` runs."""
    rows = 1_000_000 if quick else 10_000_000
    return [
        {
            "title": f"carbon usage estimates (CCF), {rows:,} FOCUS usage lines, in memory",
            "fn": "carbon.estimate_lines",
            "args": {"rows": rows},
            "repeat": 1,
        }
    ]


if __name__ == "__main__":  # pragma: no cover
    import sys

    print(estimate_lines(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
