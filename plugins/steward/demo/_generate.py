"""Write the demo company's data lake: daily Parquet partitions, training snapshots, a manifest."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa

from steward import paths
from steward.demo import _company as co
from steward.demo._billing import aws_lines, gcp_lines
from steward.demo._entities import label_batch
from steward.demo._feedback import feedback_rows
from steward.demo._flows import FLOWS, Flow
from steward.demo._io import ChunkWriter, read_spill, write_spill
from steward.demo._manifest import MANIFEST_NAME, DemoManifest, Partition
from steward.demo._outcomes import outcomes_rows
from steward.demo._problems import injected_problems

__all__ = ["generate"]

#: Largest supported ``rows_per_day``: ids hold an 8-digit row number per day.
MAX_ROWS_PER_DAY = 99_999_999
_SPILL = "_spill"


def _rng(seed: int, code: int, day: dt.date, chunk: int = 0) -> np.random.Generator:
    """Return the generator of one dataset (or entity stream) x day x chunk."""
    return np.random.default_rng([seed, code, day.toordinal(), chunk])


def _chunks(rows: int, chunk_rows: int) -> Iterator[tuple[int, int, int]]:
    """Yield ``(index, first_row, n)`` for ``rows`` split into chunks of at most ``chunk_rows``."""
    for index, first in enumerate(range(0, rows, chunk_rows)):
        yield index, first, min(chunk_rows, rows - first)


class _Lake:
    """Writes partitions under ``<lake>/<dataset>/`` and records them for the manifest."""

    def __init__(self, lake: Path, chunk_rows: int, progress: Callable[[str], None]):
        self.lake = lake
        self.chunk_rows = chunk_rows
        self.progress = progress
        self.partitions: dict[str, list[Partition]] = {}

    def writer(self, dataset: str, key: str, schema: pa.Schema) -> ChunkWriter:
        folder = "snapshot" if co.spec(dataset).cadence == "snapshot" else "date"
        return ChunkWriter(
            self.lake / dataset / f"{folder}={key}" / "part-0.parquet", schema, self.chunk_rows
        )

    def done(self, dataset: str, key: str, writer: ChunkWriter) -> None:
        rows = writer.close()
        rel = writer.path.relative_to(self.lake).as_posix()
        self.partitions.setdefault(dataset, []).append(Partition(key, rel, rows, writer.path.stat().st_size))
        self.progress(f"{dataset} {key}: {rows:,} rows")


def _flow(
    lake: _Lake, flow: Flow, wanted: set[str], window: list[dt.date], *, seed: int, rows_per_day: int
) -> None:
    """Write a flow's raw, prediction and label partitions for the window.

    Entities are drawn once per scoring day (and chunk) and feed all three datasets. Labels go to
    spill files by arrival day, then each arrival day's file is assembled in scoring-day order.
    Scoring days before the window are drawn too (labels only), so that labels arrive from the
    window's first day, as in a system that was running before it.
    """
    want_raw, want_pred, want_labels = (flow.raw in wanted, flow.predictions in wanted, flow.labels in wanted)
    if not (want_raw or want_pred or want_labels):
        return
    start, end = window[0], window[-1]
    low, high = flow.delay_days
    first = start - dt.timedelta(days=high) if want_labels else start
    last = end if (want_raw or want_pred) else end - dt.timedelta(days=low)
    spill = lake.lake / _SPILL / flow.labels
    raw_code, pred_code, label_code = (co.spec(n).code for n in (flow.raw, flow.predictions, flow.labels))
    day = first
    while day <= last:
        offset = (day - start).days
        in_window = offset >= 0
        raw_w = lake.writer(flow.raw, day.isoformat(), flow.raw_schema) if in_window and want_raw else None
        pred_w = (
            lake.writer(flow.predictions, day.isoformat(), flow.predictions_schema)
            if in_window and want_pred
            else None
        )
        for chunk, first_row, n in _chunks(rows_per_day, lake.chunk_rows):
            batch = flow.draw(_rng(seed, flow.stream, day, chunk), n, day, first_row, offset)
            if raw_w is not None:
                raw_w.write(
                    _inject_raw(flow, flow.raw_table(batch, day), _rng(seed, raw_code, day, chunk), offset)
                )
            if pred_w is not None:
                pred_w.write(flow.predictions_table(_rng(seed, pred_code, day, chunk), batch, day))
            if want_labels:
                outcome, delay, tod = label_batch(
                    _rng(seed, label_code, day, chunk), batch, delay_days=flow.delay_days
                )
                for d in np.unique(delay):
                    arrival = day + dt.timedelta(days=int(d))
                    if start <= arrival <= end:
                        m = delay == d
                        table = flow.labels_table(batch.ids[m], outcome[m], day, arrival, tod[m])
                        write_spill(
                            spill / arrival.isoformat() / f"{day.isoformat()}-{chunk:05d}.arrow", table
                        )
        if raw_w is not None:
            lake.done(flow.raw, day.isoformat(), raw_w)
        if pred_w is not None:
            lake.done(flow.predictions, day.isoformat(), pred_w)
        day += dt.timedelta(days=1)
    if want_labels:
        for arrival in window:
            w = lake.writer(flow.labels, arrival.isoformat(), flow.labels_schema)
            folder = spill / arrival.isoformat()
            for file in sorted(folder.glob("*.arrow")) if folder.is_dir() else []:
                w.write(read_spill(file))
            lake.done(flow.labels, arrival.isoformat(), w)
        shutil.rmtree(spill, ignore_errors=True)


def _inject_raw(flow: Flow, table: pa.Table, rng: np.random.Generator, offset: int) -> pa.Table:
    """Plant the raw-feed problems of day ``offset``: form_score nulls, debt_to_income out of range."""
    n = table.num_rows
    if flow.raw == "leads" and offset == co.NULLS_OFFSET:
        k = round(n * co.NULLS_SHARE)
        mask = np.zeros(n, dtype=bool)
        mask[rng.choice(n, size=k, replace=False)] = True
        col = table.column("form_score").combine_chunks()
        nulled = pa.array(col.to_numpy(zero_copy_only=False), mask=mask, type=pa.float64())
        return table.set_column(table.schema.get_field_index("form_score"), "form_score", nulled)
    if flow.raw == "loan_applications" and offset == co.OUT_OF_RANGE_OFFSET:
        k = min(n, max(5, round(n * 0.002)))
        values = table.column("debt_to_income").to_numpy().copy()
        values[rng.choice(n, size=k, replace=False)] = np.round(rng.uniform(3.5, 9.0, size=k), 3)
        return table.set_column(
            table.schema.get_field_index("debt_to_income"), "debt_to_income", pa.array(values)
        )
    return table


def _training(lake: _Lake, flow: Flow, start: dt.date, *, seed: int, rows_per_day: int) -> None:
    """Write a flow's training snapshot, drawn from days before the window.

    It holds ``TRAINING_MULTIPLIER x rows_per_day`` labelled rows: pre-drift, no creep, no unfair scoring.
    """
    days = [
        start - dt.timedelta(days=b)
        for b in range(co.TRAINING_FIRST_DAY_BEFORE, co.TRAINING_LAST_DAY_BEFORE - 1, -1)
    ]
    total = co.TRAINING_MULTIPLIER * rows_per_day
    per_day, extra = divmod(total, len(days))
    code = co.spec(flow.training).code
    w = lake.writer(flow.training, co.SNAPSHOT_VERSION, flow.training_schema)
    for i, day in enumerate(days):
        rows = per_day + (1 if i < extra else 0)
        for chunk, first_row, n in _chunks(rows, lake.chunk_rows):
            rng = _rng(seed, code, day, chunk)
            batch = flow.draw(rng, n, day, first_row, None)
            outcome = (rng.random(n) < batch.p_true).astype(np.int64)
            w.write(flow.training_table(batch, outcome, day))
    lake.done(flow.training, co.SNAPSHOT_VERSION, w)


def _small_daily(lake: _Lake, dataset: str, window: list[dt.date], *, seed: int, rows_per_day: int) -> None:
    """Write billing, outcome and feedback partitions (a few rows a day, whatever ``rows_per_day``)."""
    code = co.spec(dataset).code
    for offset, day in enumerate(window):
        rng = _rng(seed, code, day)
        if dataset == "billing_aws":
            table = aws_lines(rng, day)
        elif dataset == "billing_gcp":
            table = gcp_lines(rng, day)
        elif dataset == "user_feedback":
            table = feedback_rows(rng, day, rows_per_day=rows_per_day)
        else:
            table = outcomes_rows(rng, day, offset=offset, rows_per_day=rows_per_day)
        w = lake.writer(dataset, day.isoformat(), table.schema)
        w.write(table)
        lake.done(dataset, day.isoformat(), w)


def generate(
    home: Path | None = None,
    *,
    start: dt.date = co.DEMO_START,
    days: int = co.DEMO_DAYS,
    rows_per_day: int = 2000,
    seed: int = 42,
    datasets: Collection[str] | None = None,
    progress: Callable[[str], None] | None = None,
    chunk_rows: int = 1_000_000,
) -> DemoManifest:
    """Generate the demo company's data lake under ``<home>/lake``.

    Daily datasets go to ``<home>/lake/<dataset>/date=YYYY-MM-DD/part-0.parquet``, training
    snapshots to ``<home>/lake/<dataset>/snapshot=v1/part-0.parquet``, and a manifest (parameters,
    partitions, row counts, injected problems) to ``<home>/lake/_manifest.json``. The same
    parameters always give byte-identical files; when the manifest already matches them and every
    file is intact, nothing is written. Other parameters replace the demo datasets' folders (other
    files under the lake are left alone).

    Parameters
    ----------
    home
        Steward's state folder; default :func:`steward.paths.steward_home`.
    start
        First day of the window.
    days
        Number of days.
    rows_per_day
        Leads and loan applications a day (and so predictions); labels follow them, training
        snapshots hold five times as many. Billing and outcome partitions stay a few rows a day.
        The injected problems are dependable from 1,000 rows a day.
    seed
        Base seed; each dataset x day x chunk draws from ``default_rng([seed, code, day, chunk])``.
    datasets
        Registry names of the datasets to write; default all (see ``DEMO_DATASETS``).
    progress
        Called with a short message after each partition is written.
    chunk_rows
        Most rows generated and held in memory at a time (also the Parquet row group size).
        Part of the output: another value gives other (equally valid) data.

    Returns
    -------
    DemoManifest
        What was written (``reused`` is True when the files were already there).

    Raises
    ------
    ValueError
        An argument is out of range or a dataset name is unknown.

    Examples
    --------
    >>> manifest = generate(tmp_home, days=2, rows_per_day=1000)  # doctest: +SKIP
    >>> manifest.path("leads", manifest.start).name  # doctest: +SKIP
    'part-0.parquet'
    """
    if not 1 <= days <= 3660:
        raise ValueError(f"days={days}: give a number of days between 1 and 3660")
    if not 1 <= rows_per_day <= MAX_ROWS_PER_DAY:
        raise ValueError(f"rows_per_day={rows_per_day}: give a count between 1 and {MAX_ROWS_PER_DAY:,}")
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows={chunk_rows}: give a positive row count (default 1,000,000)")
    if seed < 0:
        raise ValueError(f"seed={seed}: give a non-negative integer")
    names = co.DATASET_NAMES if datasets is None else tuple(datasets)
    unknown = sorted(set(names) - set(co.DATASET_NAMES))
    if unknown or not names:
        raise ValueError(f"unknown demo datasets {unknown}: choose from {list(co.DATASET_NAMES)}")
    wanted = set(names)
    ordered = [n for n in co.DATASET_NAMES if n in wanted]
    lake_dir = (Path(home) if home is not None else paths.steward_home()) / "lake"
    parameters = {
        "start": start.isoformat(),
        "days": days,
        "rows_per_day": rows_per_day,
        "seed": seed,
        "chunk_rows": chunk_rows,
        "datasets": ordered,
    }
    existing = DemoManifest.read(lake_dir)
    if existing is not None and dict(existing.parameters) == parameters and existing.files_intact():
        return DemoManifest(
            lake_dir, existing.parameters, existing.partitions, existing.injected_problems, reused=True
        )

    (lake_dir / MANIFEST_NAME).unlink(missing_ok=True)
    for name in (*co.DATASET_NAMES, _SPILL):
        shutil.rmtree(lake_dir / name, ignore_errors=True)
    lake_dir.mkdir(parents=True, exist_ok=True)
    lake = _Lake(lake_dir, chunk_rows, progress or (lambda _msg: None))
    window = [start + dt.timedelta(days=i) for i in range(days)]
    for flow in FLOWS:
        _flow(lake, flow, wanted, window, seed=seed, rows_per_day=rows_per_day)
        if flow.training in wanted:
            _training(lake, flow, start, seed=seed, rows_per_day=rows_per_day)
    for name in ("billing_aws", "billing_gcp", "business_outcomes", "user_feedback"):
        if name in wanted:
            _small_daily(lake, name, window, seed=seed, rows_per_day=rows_per_day)
    shutil.rmtree(lake_dir / _SPILL, ignore_errors=True)
    manifest = DemoManifest(
        lake_dir,
        parameters,
        {name: tuple(lake.partitions[name]) for name in ordered},
        tuple(p for p in injected_problems(start, days) if p.dataset in wanted),
    )
    manifest.write()
    return manifest
