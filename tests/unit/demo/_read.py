"""Read demo partitions the way the pipelines do (pyarrow, then pandas)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow.parquet as pq

from steward.demo import DemoManifest


def read_day(manifest: DemoManifest, dataset: str, day: dt.date | None = None) -> pd.DataFrame:
    """One partition (or the snapshot) as a DataFrame, read the way the pipelines read it."""
    return pq.read_table(manifest.path(dataset, day)).to_pandas()


def read_all(manifest: DemoManifest, dataset: str) -> pd.DataFrame:
    """Every partition of ``dataset``, concatenated."""
    return pd.concat([read_day(manifest, dataset, d) for d in manifest.days], ignore_index=True)
