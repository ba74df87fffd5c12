"""Counting streamed record batches with numpy gives exactly the SQL aggregation's counts and sums."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from steward.drift import merge_edges
from steward.monitoring import (
    ColumnSpec,
    Relation,
    WindowCounts,
    _stream,
    aggregate,
    files_relation,
    scan_engine,
)
from steward.monitoring._aggregate import profile_reference
from steward.monitoring._stream import count_batches
from tests.unit.monitoring.data_for_test import DAY

STRATEGIES = ("union", "grouping_sets")


@pytest.fixture
def engine():
    eng = scan_engine(memory_limit="512MB", threads=2)
    yield eng
    eng.close()


def _relation(engine, path: Path, where: str = "") -> Relation:
    sql = files_relation(engine, [str(path)], "parquet", window=DAY)
    return Relation(f"select * from ({sql}) as w {where}", engine, (DAY,), (str(path),))


def _reference(n: int, seed: int) -> pa.Table:
    """Zero-inflated values with ties (point bins), a wide integer column and a score."""
    rng = np.random.default_rng(seed)
    x = rng.normal(5.0, 2.0, n).round(2)
    x[rng.random(n) < 0.3] = 0.0
    return pa.table(
        {
            "x": x,
            "big": rng.integers(-(2**31), 2**31 - 1, n).astype(np.int32),
            "score": rng.random(n),
        }
    )


def _awkward(n: int, seed: int, edges: np.ndarray) -> pa.Table:
    """Values on and beside every edge, beyond the outermost ones, NULL, NaN, +/-inf, -0.0, huge."""
    rng = np.random.default_rng(seed)
    interior = edges[1:-1]
    x = rng.normal(5.5, 3.0, n)
    kind = rng.integers(0, 12, n)
    on = rng.choice(interior, n)
    x = np.where(kind == 0, on, x)  # exactly on an edge (a point bin's value among them)
    x = np.where(kind == 1, np.nextafter(on, -np.inf), x)
    x = np.where(kind == 2, np.nextafter(on, np.inf), x)
    x = np.where(
        kind == 3, rng.choice([interior[0] - 1e6, interior[-1] + 1e6, -1e30, 1e30, 1e27, -1e27], n), x
    )
    x = np.where(kind == 4, rng.choice([np.nan, np.inf, -np.inf, -0.0], n), x)
    x = np.where(kind == 5, (rng.integers(-(10**6), 10**6, n) + 0.5) * 1e-10, x)  # halfway at 1e-10
    x = np.where(kind == 6, rng.normal(0, 1e20, n), x)
    null = kind == 7
    score = rng.random(n)
    score[rng.random(n) < 0.05] = np.nan
    channels = np.array(["web", "app", "", "partner", "web "], dtype=object)  # '' and 'partner' unseen
    channel = channels[rng.choice(5, n, p=[0.5, 0.3, 0.05, 0.1, 0.05])]
    return pa.table(
        {
            "x": pa.array(x, mask=null),
            "big": pa.array(rng.integers(-(2**31), 2**31 - 1, n).astype(np.int32), mask=kind == 8),
            "channel": pa.array(channel.tolist(), mask=kind == 9),
            "visits": pa.array(rng.integers(0, 4, n)),  # a number counted as a category
            "ratio": pa.array(rng.integers(0, 3, n) / 2),  # a double counted as a category
            "flag": pa.array(rng.random(n) < 0.4, mask=kind == 10),
            "score": pa.array(score, mask=kind == 11),
        }
    )


def _assert_identical(a: WindowCounts, b: WindowCounts) -> None:
    assert (a.n_rows, a.n_low) == (b.n_rows, b.n_low)
    assert a.columns.keys() == b.columns.keys()
    for name, x in a.columns.items():
        y = b.columns[name]
        assert (x.column_type, x.n_missing, x.n_missing_low, x.n_invalid) == (
            y.column_type,
            y.n_missing,
            y.n_missing_low,
            y.n_invalid,
        ), name
        if isinstance(x.counts, dict):
            assert (x.counts, x.low) == (y.counts, y.low), name
        else:
            assert isinstance(x.low, np.ndarray) and isinstance(y.counts, np.ndarray)
            assert (x.counts.tolist(), x.low.tolist()) == (y.counts.tolist(), y.low.tolist()), name
            assert x.sums is not None and y.sums is not None
            assert x.sums.tolist() == y.sums.tolist(), name  # bit for bit, not approximately
            assert x.total == y.total, name


@pytest.fixture
def specs(engine, tmp_path: Path) -> list[ColumnSpec]:
    path = tmp_path / "ref.parquet"
    pq.write_table(_reference(5_000, seed=1), path)
    binned = profile_reference(
        _relation(engine, path),
        [ColumnSpec("x"), ColumnSpec("big"), ColumnSpec("score", "score")],
        bins=20,
        max_exact=0,  # the zero is a point mass by its share, not because values are few
    )
    assert binned[0].spec.edges is not None
    return [
        *(p.spec for p in binned),
        *(ColumnSpec(c, "feature", "categorical") for c in ("channel", "visits", "ratio", "flag")),
    ]


def test_streamed_counts_are_identical_to_the_sql_aggregation(
    engine, specs: list[ColumnSpec], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edges = np.asarray(specs[0].edges, dtype=float)
    assert (edges[2:] == np.nextafter(edges[1:-1], np.inf)).any()  # a point bin among the edges
    path = tmp_path / "cur.parquet"
    pq.write_table(_awkward(30_000, seed=2, edges=edges), path, row_group_size=3_000)
    rel = _relation(engine, path)
    monkeypatch.setattr(_stream, "BATCH_ROWS", 4_096)  # many batches, added up
    streamed = aggregate(rel, specs, score="score", decision=0.3, band=0.05, strategy="stream")
    x = streamed.columns["x"]
    assert x.n_missing > 0 and x.n_invalid > 0 and streamed.n_low > 0
    assert (
        isinstance(streamed.columns["channel"].counts, dict)
        and "partner" in streamed.columns["channel"].counts
    )
    for strategy in STRATEGIES:
        _assert_identical(
            streamed, aggregate(rel, specs, score="score", decision=0.3, band=0.05, strategy=strategy)
        )
    assert engine.grouping_strategy == "stream"  # DuckDB's adapter default
    _assert_identical(streamed, aggregate(rel, specs, score="score", decision=0.3, band=0.05))


def test_an_empty_window_counts_nothing_the_same_way(engine, specs: list[ColumnSpec], tmp_path: Path) -> None:
    path = tmp_path / "cur.parquet"
    pq.write_table(_awkward(100, seed=3, edges=np.asarray(specs[0].edges)), path)
    rel = _relation(engine, path, where="where false")
    streamed = aggregate(rel, specs, score="score", decision=0.3, band=0.05, strategy="stream")
    assert streamed.n_rows == 0 and all(c.n == 0 for c in streamed.columns.values())
    for strategy in STRATEGIES:
        _assert_identical(
            streamed, aggregate(rel, specs, score="score", decision=0.3, band=0.05, strategy=strategy)
        )


def test_many_edges_are_binned_by_the_grid_identically(engine, tmp_path: Path) -> None:
    edges = merge_edges(np.arange(0.0, 40.0), np.linspace(40.5, 90.5, 60))  # 139 interior edges
    assert edges.size - 2 > _stream._COMPARE_EDGES
    path = tmp_path / "cur.parquet"
    pq.write_table(_awkward(20_000, seed=4, edges=edges).select(["x", "score"]), path)
    rel = _relation(engine, path)
    spec = [ColumnSpec("x", edges=tuple(float(e) for e in edges))]
    streamed = aggregate(rel, spec, strategy="stream")
    assert streamed.columns["x"].counts[1:80:2].sum() > 0  # the point bins of 0..39 are filled
    _assert_identical(streamed, aggregate(rel, spec, strategy="union"))


def _half_away(x: float) -> int:
    """round(x * 1e10) half away from zero, from the double product (the engine's decimal cast)."""
    p = Fraction(x * 1e10)
    r = int(abs(p) + Fraction(1, 2))
    return r if p >= 0 else -r


def test_a_hand_computed_batch() -> None:
    # bins of (-inf, 0), [0] (a point bin), (0, 2), [2, inf)
    edges = (-np.inf, 0.0, float(np.nextafter(0.0, 1.0)), 2.0, np.inf)
    values = [-1.0, -0.0, 0.0, 1.5, 2.0, 1e30, None, np.nan, np.inf, 2.5e-10, -2.5e-10, 0.1]
    low = [True, False, True, False, False, True, True, False, False, False, False, True]
    batch = pa.record_batch(
        {
            "v0": pa.array(values, type=pa.float64()),
            "k1": pa.array(["a", None, "a", "b", "", "a", None, "b", "b", "a", "a", "a"]),
            "low_confidence": low,
        }
    )
    n_rows, n_low, (num, cat) = count_batches([batch.slice(0, 5), batch.slice(5)], [edges, None])
    assert (n_rows, n_low) == (12, 5)
    # -1, -2.5e-10 | -0.0, 0.0 | 1.5, 2.5e-10, 0.1 | 2.0, 1e30 ; NaN, inf invalid ; None missing
    assert num.counts == {0: 2, 1: 2, 2: 3, 3: 2}
    assert num.low == {0: 1, 1: 1, 2: 1, 3: 1}
    assert (num.missing, num.missing_low, num.invalid) == (1, 1, 2)
    # 1e30 is binned but left out of the sums; 2.5e-10 rounds half away from zero to 3e-10
    assert _half_away(2.5e-10) == 3 and _half_away(-2.5e-10) == -3
    assert num.sums[0] == float(Fraction(-(10**10) - 3, 10**10))
    assert num.sums[2] == float(Fraction(15 * 10**9 + 3 + 10**9, 10**10))
    assert (num.sums[1], num.sums[3]) == (0.0, 2.0)
    assert cat.counts == {"a": 6, "b": 3, "": 1} and cat.low == {"a": 4, "b": 0, "": 0}
    assert (cat.missing, cat.missing_low) == (2, 1)


def test_exact_sums_of_large_values_match_a_fraction_reference() -> None:
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.normal(0, 1e20, 3_000), rng.lognormal(0, 3, 3_000), [9.99e26, -9.99e26] * 5])
    batch = pa.record_batch({"v0": x, "low_confidence": np.zeros(x.size, dtype=bool)})
    _, _, (num,) = count_batches([batch], [(-np.inf, np.inf)])
    expected = sum(_half_away(float(v)) for v in x)
    assert num.sums == {0: float(Fraction(expected, 10**10))}
    assert num.sums[0] == pytest.approx(float(np.sum(x)), rel=1e-9, abs=1e9)


def _ulps(edges: np.ndarray) -> np.ndarray:
    """Each edge, and one and two ulps either side of it."""
    once_down, once_up = np.nextafter(edges, -np.inf), np.nextafter(edges, np.inf)
    return np.concatenate(
        [edges, once_down, once_up, np.nextafter(once_down, -np.inf), np.nextafter(once_up, np.inf)]
    )


_TINY = float(np.nextafter(0.0, 1.0))  # the smallest subnormal
#: Interior edges that stress the grid lookup: each set is binned by it except where named; in
#: ``CROWDED`` a cell holds three edges or more (binary search there), in ``PAIRED`` only two.
GRID_EDGES = {
    "closer than one cell": [0.0, 1e-12, 2e-12, 1.0, float(np.nextafter(1.0, 2.0)), 2.0, 3.0, 1000.0],
    "duplicated": [0.0, 1.0, 1.0, 2.0, 3.0, 3.0, 3.0, 4.0],
    "point bins": [0.0, 1.0, float(np.nextafter(1.0, 2.0)), 2.0, 5.0, float(np.nextafter(5.0, 6.0)), 9.0],
    "subnormal": [-1e-310, _TINY, 1e-320, 2.2250738585072014e-308, 1e-300],
    "huge": [-1e300, -1.0, 0.0, 1.0, 1e300],
    "wider than a double (binary search)": [-1.7e308, -1.0, 0.0, 1.0, 1.7e308],
    "two ulps wide": [1.0, float(np.nextafter(1.0, 2.0)), float(np.nextafter(np.nextafter(1.0, 2.0), 2.0))],
    "a single edge (comparison)": [0.5],
}

CROWDED = {"closer than one cell", "duplicated", "subnormal", "huge"}
PAIRED = {"point bins"}


@pytest.mark.parametrize("name", GRID_EDGES)
def test_the_grid_lookup_bins_values_at_every_edge_like_the_sql(
    engine, tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_stream, "_COMPARE_EDGES", 2)  # the grid, not comparisons, for these few edges
    interior = np.asarray(GRID_EDGES[name])
    rng = np.random.default_rng(len(name))
    lo, hi = interior[0], interior[-1]
    u = rng.uniform(-0.25, 1.25, 4_000)
    with np.errstate(over="ignore"):  # beyond the widest edges: +/-inf, counted invalid
        spread = lo * (1 - u) + hi * u if hi > lo else lo + u
    specials = [np.nan, np.inf, -np.inf, 0.0, -0.0, _TINY, -_TINY, 1.7e308, -1.7e308, 1e26, -1e26]
    x = np.concatenate(
        [
            np.repeat(_ulps(interior), 3),
            spread,
            rng.choice(interior, 2_000) * (1 + rng.normal(0, 1e-15, 2_000)),
            specials,
        ]
    )
    rng.shuffle(x)
    null = rng.random(x.size) < 0.02
    path = tmp_path / "cur.parquet"
    pq.write_table(pa.table({"x": pa.array(x, mask=null), "score": rng.random(x.size)}), path)
    edges = (-np.inf, *interior.tolist(), np.inf)
    grid = _stream._Numeric.of(edges).grid
    assert (grid is None) == name.endswith(("(binary search)", "(comparison)"))
    if grid is not None:
        assert grid.crowded == (name in CROWDED)
        assert np.isfinite(grid.second).any() == (name in CROWDED | PAIRED)
    spec = [ColumnSpec("x", edges=edges)]
    # the sum of comparisons is the reference: each value's bin is how many interior edges are <= it
    valid = np.isfinite(x) & ~null
    expected = np.bincount((x[valid, None] >= interior[None, :]).sum(axis=1), minlength=interior.size + 1)
    for rows in (4_096, 100_000):  # many batches, and one
        _stream.BATCH_ROWS, saved = rows, _stream.BATCH_ROWS
        try:
            streamed = aggregate(_relation(engine, path), spec, score="score", strategy="stream")
        finally:
            _stream.BATCH_ROWS = saved
        counted = streamed.columns["x"]
        assert isinstance(counted.counts, np.ndarray)
        assert counted.counts.tolist() == expected.tolist()
        assert (counted.n_missing, counted.n_invalid) == (int(null.sum()), int((~valid & ~null).sum()))
        _assert_identical(streamed, aggregate(_relation(engine, path), spec, score="score", strategy="union"))
