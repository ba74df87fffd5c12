"""Generated prediction logs for the monitoring benchmark: 20 features, a score, a decision, late labels.

Deterministic (seeded numpy, one generator per chunk), written in chunks of at most 1M rows so memory
stays flat at any size, and cached under ``.bench/data/<kind>-<rows>-s<seed>`` so reruns skip it.

The log has an ``id`` (int64), a ``ts`` timestamp, 12 numeric features (``num_00`` .. ``num_08`` doubles,
``int_09`` .. ``int_11`` 32-bit ints with wide ranges), 8 categorical string features (``cat_00`` ..
``cat_07``, 3 to 60 categories), the ``score`` (a logistic function of a few features) and the
``predicted_label`` (``score >= 0.5``). The current window (``drift=True``) shifts ``num_00`` by
0.5 standard deviations, widens ``num_01`` by 1.5x, moves 20 % of ``cat_00`` to its last category and
adds a category unseen in the reference to ``cat_03`` (2 % of rows); the score shifts as a consequence.
Labels (``id``, ``label`` drawn from the score) exist for 60 % of the current rows.

Example
-------
>>> files = window_files(Path("/tmp/bench"), rows=50_000, seed=7, drift=True)  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = [
    "CATEGORICAL",
    "CHUNK_ROWS",
    "DAY",
    "FEATURES",
    "LABEL_SHARE",
    "NUMERIC",
    "data_root",
    "labels_files",
    "window_files",
]

#: Rows per Parquet file (and per generated chunk).
CHUNK_ROWS = 1_000_000
#: The monitored window.
DAY = dt.date(2026, 11, 1)
NUMERIC = [f"num_{i:02d}" for i in range(9)] + [f"int_{i:02d}" for i in range(9, 12)]
CATEGORICAL = [f"cat_{i:02d}" for i in range(8)]
FEATURES = NUMERIC + CATEGORICAL
_CARDINALITY = [3, 5, 8, 12, 20, 40, 4, 60]
_WEIGHTS = [0.8, -0.6, 0.4, 0.3, -0.2]  # num_00 .. num_04 in the score's logit
_FORMAT_VERSION = 1
#: Share of the current rows whose label has arrived.
LABEL_SHARE = 0.6


def data_root() -> Path:
    """Where generated data is cached (``$STEWARD_BENCH_DATA`` or ``<repo>/.bench/data``)."""
    env = os.environ.get("STEWARD_BENCH_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[1] / ".bench" / "data"


def _categories(i: int) -> list[str]:
    return [f"c{i}_{j:02d}" for j in range(_CARDINALITY[i])]


def _probabilities(n: int) -> np.ndarray:
    """Zipf-like category probabilities (a few common categories, a long tail)."""
    w = 1.0 / np.arange(1, n + 1) ** 0.8
    return np.asarray(w / w.sum())


def _chunk(start: int, rows: int, *, seed: int, chunk_no: int, drift: bool) -> pa.Table:
    rng = np.random.default_rng([seed, chunk_no])
    cols: dict[str, pa.Array] = {}
    cols["id"] = pa.array(np.arange(start, start + rows, dtype=np.int64))
    base = np.datetime64(DAY.isoformat(), "us").astype(np.int64)
    offsets = np.sort(rng.integers(0, 86_400_000_000, rows))
    cols["ts"] = pa.array((base + offsets).astype("datetime64[us]"))
    num = rng.standard_normal((9, rows))
    num[2] = np.exp(num[2])  # a skewed (log-normal) feature
    num[5] = num[5] * 1000 + 5000  # a wide-scale feature
    if drift:
        num[0] += 0.5
        num[1] *= 1.5
    for i in range(9):
        values = num[i]
        if i == 7:  # 3 % missing values
            cols[NUMERIC[i]] = pa.array(values, mask=rng.random(rows) < 0.03)
        else:
            cols[NUMERIC[i]] = pa.array(values)
    cols["int_09"] = pa.array(rng.integers(18, 90, rows, dtype=np.int32))
    cols["int_10"] = pa.array(rng.poisson(40, rows).astype(np.int32))
    cols["int_11"] = pa.array(rng.integers(0, 10_000, rows, dtype=np.int32))
    for i in range(8):
        names = _categories(i)
        idx = rng.choice(len(names), size=rows, p=_probabilities(len(names))).astype(np.int32)
        if drift and i == 0:
            idx[rng.random(rows) < 0.2] = len(names) - 1
        dictionary = names
        if drift and i == 3:
            dictionary = [*names, "c3_new"]
            idx[rng.random(rows) < 0.02] = len(names)
        arr = pa.DictionaryArray.from_arrays(pa.array(idx), pa.array(dictionary))
        cols[CATEGORICAL[i]] = arr.cast(pa.string())
    logit = sum(w * num[i] for i, w in enumerate(_WEIGHTS)) - 0.3
    score = 1.0 / (1.0 + np.exp(-logit))
    cols["score"] = pa.array(score)
    cols["predicted_label"] = pa.array((score >= 0.5).astype(np.int32))
    return pa.table(cols)


def _labels(table: pa.Table, *, seed: int, chunk_no: int, share: float) -> pa.Table:
    """Labels (``id``, ``label``) for a share of a current chunk's rows, drawn from their scores."""
    rng = np.random.default_rng([seed, chunk_no, 1])
    rows = table.num_rows
    keep = rng.random(rows) < share
    score = table.column("score").to_numpy()[keep]
    # the realized outcome follows a slightly miscalibrated score, so performance is not perfect
    label = (rng.random(int(keep.sum())) < np.clip(score * 0.9 + 0.03, 0, 1)).astype(np.int32)
    return pa.table({"id": table.column("id").to_numpy()[keep], "label": label})


def _target(root: Path, kind: str, rows: int, seed: int) -> Path:
    return root / f"{kind}-{rows}-s{seed}-v{_FORMAT_VERSION}"


def _cached(target: Path) -> list[str] | None:
    manifest = target / "manifest.json"
    if not manifest.exists():
        return None
    return [str(target / f) for f in json.loads(manifest.read_text())["files"]]


def _generate(root: Path, rows: int, seed: int, *, drift: bool, label_share: float) -> None:
    """Write the log (and for the current window its labels) chunk by chunk, then publish atomically."""
    kinds = ["current", f"labels{round(label_share * 100)}"] if drift else ["reference"]
    tmps = {
        k: _target(root, k, rows, seed).with_name(_target(root, k, rows, seed).name + ".partial")
        for k in kinds
    }
    for tmp in tmps.values():
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
    files = []
    for chunk_no, start in enumerate(range(0, rows, CHUNK_ROWS)):
        n = min(CHUNK_ROWS, rows - start)
        name = f"part-{chunk_no:05d}.parquet"
        table = _chunk(start, n, seed=seed, chunk_no=chunk_no, drift=drift)
        pq.write_table(table, tmps[kinds[0]] / name, compression="zstd")
        if drift:
            labels = _labels(table, seed=seed, chunk_no=chunk_no, share=label_share)
            pq.write_table(labels, tmps[kinds[1]] / name, compression="zstd")
        files.append(name)
    for kind, tmp in tmps.items():
        (tmp / "manifest.json").write_text(json.dumps({"rows": rows, "seed": seed, "files": files}))
        target = _target(root, kind, rows, seed)
        shutil.rmtree(target, ignore_errors=True)
        tmp.rename(target)


def window_files(root: Path, *, rows: int, seed: int, drift: bool) -> list[str]:
    """Return the Parquet files of a generated log (``drift=False``: the reference), generating once.

    Parameters
    ----------
    root
        The cache folder (see :func:`data_root`).
    rows
        Total rows, split into files of at most ``CHUNK_ROWS``.
    seed
        The numpy seed; the same rows, seed and drift always give the same data.
    drift
        The current window (drifted columns, written with its labels) instead of the reference.
    """
    target = _target(root, "current" if drift else "reference", rows, seed)
    found = _cached(target)
    if found is None:
        _generate(root, rows, seed, drift=drift, label_share=LABEL_SHARE)
        found = _cached(target)
    assert found is not None
    return found


def labels_files(root: Path, *, rows: int, seed: int) -> list[str]:
    """Return the label files (``id``, ``label``) of the current window ``window_files(..., drift=True)``."""
    target = _target(root, f"labels{round(LABEL_SHARE * 100)}", rows, seed)
    found = _cached(target)
    if found is None:
        _generate(root, rows, seed, drift=True, label_share=LABEL_SHARE)
        found = _cached(target)
    assert found is not None
    return found
