"""Cloud-cost benchmark cases (issue 5): CUR 2.0 lines -> FOCUS ``cost_line_daily`` (+ allocation),
against the FinOps ``focus-converter`` 1.0.0 on the same CUR input.

Input (generated once, cached under ``.bench/data/costs``, never timed): hourly AWS CUR 2.0 line
items over two billing months (October and November 2026, the nightly reload window), about 6,800
resources in 5 linked accounts, 8 services, 12 tag sets written as JSON text (the demo's shape),
plus every column focus-converter's ``aws`` plan reads. Hourly lines aggregate to ~1/24 as many
daily FOCUS lines.

``normalize_cur`` times :func:`steward.costs.ingest` of both months into a fresh DuckDB warehouse
file (read Parquet, normalize, check, aggregate per day, write) and, when the allocation module is
present, :func:`steward.costs.allocate_days` with the demo registry's allocation rules.
``focus_converter`` runs ``focus-converter convert --provider aws`` in its own venv
(``.bench/focus-converter-venv``: Python 3.11, pandas < 3, polars 0.20.10, pyarrow < 15, plus
``multimethod<1.11`` and ``click<8.2`` that its pins leave open and that break it otherwise) and
reports the child's wall time and peak RSS.

Example
-------
>>> normalize_cur(rows=100_000)["seconds"]  # doctest: +SKIP
1.9
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["CONVERTER_VENV", "cur_files", "focus_converter", "normalize_cur", "plan"]

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".bench" / "data" / "costs"
CONVERTER_VENV = ROOT / ".bench" / "focus-converter-venv"
_CONVERTER_PINS = ("focus-converter==1.0.0", "multimethod<1.11", "click<8.2")
_START = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
_HOURS = 61 * 24  # October + November
_ACCOUNTS = ["210987654321", "345678901234", "456789012345", "567890123456", "678901234567"]
_PRODUCTS = [
    ("AmazonEC2", "USE1-BoxUsage:m5.2xlarge", "RunInstances", "Hrs", 0.384),
    ("AmazonSageMaker", "USE1-Host:ml.m5.xlarge", "RunInstance", "Hrs", 0.23),
    ("AmazonS3", "USE1-TimedStorage-ByteHrs", "StandardStorage", "GB-Mo", 0.023),
    ("AmazonEKS", "USE1-AmazonEKS-Hours:perCluster", "CreateOperation", "Hrs", 0.10),
    ("AmazonRDS", "USE1-InstanceUsage:db.r6g.large", "CreateDBInstance:0014", "Hrs", 0.225),
    ("AWSDataTransfer", "USE1-DataTransfer-Out-Bytes", "", "GB", 0.09),
    ("AmazonCloudWatch", "USE1-DataProcessing-Bytes", "PutLogEvents", "GB", 0.5),
    ("AWSLambda", "USE1-Lambda-GB-Second", "Invoke", "Lambda-GB-Second", 0.0000166667),
]
_TAGS = [
    {},
    {"BusinessUnit": "Marketing", "environment": "prod", "model": "lead-scoring"},
    {"business-unit": "lending", "environment": "prod", "model": "credit-risk"},
    {"BusinessUnit": "Lending", "project": "credit-risk"},
    {"team": "platform", "environment": "prod"},
    {"team": "platform"},
    {"business_unit": "marketing", "project": "growth-analytics"},
    {"environment": "dev"},
    {"BusinessUnit": "Marketing", "environment": "staging"},
    {"model": "lead-scoring"},
    {"team": "data", "environment": "prod"},
    {"cost-center": "4711"},
]


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cur_files(rows: int) -> Path:
    """Write (once) ``rows`` hourly CUR 2.0 lines as Parquet files; return their folder."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = DATA / f"cur_{rows}"
    done = folder / "_SUCCESS"
    if done.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    resources = max(1, rows // _HOURS)
    rng = np.random.default_rng(5)
    res_product = rng.integers(0, len(_PRODUCTS), resources)
    res_account = rng.integers(0, len(_ACCOUNTS), resources)
    res_tags = rng.integers(0, len(_TAGS), resources)
    tag_text = np.array([json.dumps(t, sort_keys=True) for t in _TAGS], dtype=object)
    written = 0
    hours_per_part = max(1, 1_000_000 // resources)
    for part, h0 in enumerate(range(0, _HOURS, hours_per_part)):
        hours = np.arange(h0, min(_HOURS, h0 + hours_per_part))
        n = min(len(hours) * resources, rows - written)
        if n <= 0:
            break
        hour = np.repeat(hours, resources)[:n]
        res = np.tile(np.arange(resources), len(hours))[:n]
        prod = res_product[res]
        usage = np.round(rng.uniform(0.5, 2.0, n), 6)
        rate = np.array([p[4] for p in _PRODUCTS])[prod]
        public = np.round(usage * rate, 10)
        unblended = np.round(public * 0.9, 10)
        start_us = (int(_START.timestamp()) + hour.astype(np.int64) * 3600) * 1_000_000
        month_start = np.where(
            hour < 31 * 24, int(_START.timestamp()), int(dt.datetime(2026, 11, 1, tzinfo=dt.UTC).timestamp())
        )
        month_end = np.where(
            hour < 31 * 24,
            int(dt.datetime(2026, 11, 1, tzinfo=dt.UTC).timestamp()),
            int(dt.datetime(2026, 12, 1, tzinfo=dt.UTC).timestamp()),
        )
        ts = pa.timestamp("us", tz="UTC")
        strings = {
            "bill_bill_type": np.full(n, "Anniversary", dtype=object),
            "bill_invoicing_entity": np.full(n, "Amazon Web Services, Inc.", dtype=object),
            "bill_payer_account_id": np.full(n, "111122223333", dtype=object),
            "line_item_usage_account_id": np.array(_ACCOUNTS, dtype=object)[res_account[res]],
            "line_item_line_item_type": np.full(n, "Usage", dtype=object),
            "line_item_legal_entity": np.full(n, "Amazon Web Services, Inc.", dtype=object),
            "line_item_availability_zone": np.full(n, "us-east-1a", dtype=object),
            "line_item_product_code": np.array([p[0] for p in _PRODUCTS], dtype=object)[prod],
            "product_code": np.array([p[0] for p in _PRODUCTS], dtype=object)[prod],
            "line_item_usage_type": np.array([p[1] for p in _PRODUCTS], dtype=object)[prod],
            "line_item_operation": np.array([p[2] for p in _PRODUCTS], dtype=object)[prod],
            "line_item_line_item_description": np.array([f"{p[0]} {p[1]}" for p in _PRODUCTS], dtype=object)[
                prod
            ],
            "line_item_resource_id": np.char.add("arn:aws:resource/r-", res.astype(str)).astype(object),
            "pricing_unit": np.array([p[3] for p in _PRODUCTS], dtype=object)[prod],
            "line_item_currency_code": np.full(n, "USD", dtype=object),
            "product_region": np.full(n, "us-east-1", dtype=object),
            "product_region_code": np.full(n, "us-east-1", dtype=object),
            "product_sku": np.array([f"SKU{i:04d}" for i in range(len(_PRODUCTS))], dtype=object)[prod],
            "product_purchase_option": np.full(n, "OnDemand", dtype=object),
            "pricing_rate_code": np.full(n, "RC", dtype=object),
            "pricing_rate_id": np.full(n, "1", dtype=object),
            "resource_tags": tag_text[res_tags[res]],
        }
        nulls_s = ["reservation_reservation_a_r_n", "savings_plan_savings_plan_a_r_n"]
        nulls_f = [
            "reservation_effective_cost",
            "reservation_total_reserved_units",
            "reservation_unused_amortized_upfront_fee_for_billing_period",
            "reservation_unused_recurring_fee",
            "savings_plan_savings_plan_effective_cost",
            "savings_plan_total_commitment_to_date",
            "savings_plan_used_commitment",
        ]
        table = pa.table(
            {
                **{k: pa.array(v, pa.string()) for k, v in strings.items()},
                "line_item_usage_start_date": pa.array(start_us, pa.int64()).cast(ts),
                "line_item_usage_end_date": pa.array(start_us + 3_600_000_000, pa.int64()).cast(ts),
                "bill_billing_period_start_date": pa.array(month_start * 1_000_000, pa.int64()).cast(ts),
                "bill_billing_period_end_date": pa.array(month_end * 1_000_000, pa.int64()).cast(ts),
                "line_item_usage_amount": usage,
                "pricing_public_on_demand_rate": rate,
                "pricing_public_on_demand_cost": public,
                "line_item_unblended_cost": unblended,
                "line_item_net_unblended_cost": np.round(unblended * 0.95, 10),
                **{k: pa.nulls(n, pa.string()) for k in nulls_s},
                **{k: pa.nulls(n, pa.float64()) for k in nulls_f},
            }
        )
        pq.write_table(table, folder / f"part-{part:04d}.parquet", row_group_size=250_000)
        written += n
    done.touch()
    return folder


def normalize_cur(rows: int, *, allocate: bool = True) -> dict[str, Any]:
    """Time ingest (and allocation) of ``rows`` hourly CUR lines into a fresh DuckDB warehouse file."""
    folder = cur_files(rows)
    from steward.costs import ingest
    from steward.registry._cost_sources import LocalFilesSource
    from steward.warehouse import connect

    source = LocalFilesSource(
        name="aws_bench", kind="local_files", format="aws_cur2", path=str(folder / "*.parquet")
    )
    periods = [dt.date(2026, 10, 1), dt.date(2026, 11, 1)]
    with (
        tempfile.TemporaryDirectory(prefix="steward-costs-bench-") as tmp,
        connect(f"duckdb:///{tmp}/wh.duckdb") as wh,
    ):
        wh.migrate()
        t0 = time.perf_counter()
        result = ingest(source, warehouse=wh, billing_periods=periods, run_id="bench")
        t_ingest = time.perf_counter() - t0
        note = f"{rows:,} CUR lines -> {result.rows:,} daily FOCUS lines in {t_ingest:.1f} s"
        total = t_ingest
        if allocate:
            try:
                from steward.costs import allocate_days
                from steward.registry import load_registry
            except ImportError:
                note += "; allocation module absent"
            else:
                registry = load_registry()
                t1 = time.perf_counter()
                alloc = allocate_days(
                    wh,
                    registry.costs.allocation,
                    billing_periods=periods,
                    run_id="bench",
                    models=registry.models,
                )
                t_alloc = time.perf_counter() - t1
                total += t_alloc
                note += f"; allocate_days {t_alloc:.1f} s ({alloc.allocated_rows:,} allocated rows)"
    return {"seconds": total, "peak_rss_mib": _peak_mib(), "note": note}


def _converter() -> Path:
    exe = CONVERTER_VENV / "bin" / "focus-converter"
    if not exe.exists():
        py = os.environ.get("STEWARD_PYTHON311") or str(
            Path.home() / ".pyenv" / "versions" / "3.11.7" / "bin" / "python"
        )
        subprocess.run([py, "-m", "venv", str(CONVERTER_VENV)], check=True)
        subprocess.run(
            [str(CONVERTER_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", *_CONVERTER_PINS],
            check=True,
        )
    return exe


def focus_converter(rows: int) -> dict[str, Any]:
    """Time ``focus-converter convert --provider aws`` on the same CUR Parquet (child wall time, peak RSS)."""
    folder = cur_files(rows)
    exe = _converter()
    with tempfile.TemporaryDirectory(prefix="focus-converter-") as tmp:
        t0 = time.perf_counter()
        proc = subprocess.run(
            [
                str(exe),
                "convert",
                "--provider",
                "aws",
                "--data-format",
                "parquet",
                "--parquet-data-format",
                "dataset",
                "--data-path",
                str(folder),
                "--export-path",
                tmp,
                "--export-format",
                "parquet",
                "--no-export-include-source-columns",
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=3600,
        )
        seconds = time.perf_counter() - t0
        child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        out_rows = 0
        if proc.returncode == 0:
            import pyarrow.dataset as ds

            out_rows = ds.dataset(tmp, format="parquet").count_rows()
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
        return {
            "seconds": seconds,
            "peak_rss_mib": child,
            "note": f"FAILED (exit {proc.returncode}): {' | '.join(tail)}",
        }
    return {
        "seconds": seconds,
        "peak_rss_mib": child,
        "note": f"{rows:,} CUR lines -> {out_rows:,} FOCUS rows (no daily aggregation)",
    }


def plan(quick: bool) -> list[dict[str, Any]]:
    """The cost cases ``make bench`` runs: ours at 10M (1M quick) and focus-converter at 1M (100k quick)."""
    big = 1_000_000 if quick else 10_000_000
    small = 100_000 if quick else 1_000_000
    return [
        {
            "title": f"costs: CUR -> FOCUS cost_line_daily + allocation, {small:,} hourly lines",
            "fn": "costs.normalize_cur",
            "args": {"rows": small},
            "repeat": 1,
        },
        {
            "title": f"costs: focus-converter 1.0.0 (peer), {small:,} hourly lines",
            "fn": "costs.focus_converter",
            "args": {"rows": small},
            "repeat": 1,
        },
        {
            "title": f"costs: CUR -> FOCUS cost_line_daily + allocation, {big:,} hourly lines",
            "fn": "costs.normalize_cur",
            "args": {"rows": big},
            "repeat": 1,
        },
    ]


if __name__ == "__main__":  # python -m benchmarks.costs normalize_cur 1000000
    fn = {"normalize_cur": normalize_cur, "focus_converter": focus_converter}[sys.argv[1]]
    print(json.dumps(fn(int(sys.argv[2]))))
