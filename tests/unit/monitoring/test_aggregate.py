"""The one-scan SQL aggregation against numpy on the raw rows, on DuckDB files and on Postgres tables."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from steward.monitoring import ColumnSpec, Relation, aggregate, files_relation, scan_engine
from steward.monitoring._aggregate import column_types, profile_reference
from steward.warehouse import quote_ident
from tests.unit.monitoring.data_for_test import DAY, sample, write


@pytest.fixture
def engine():
    eng = scan_engine(memory_limit="512MB", threads=1)
    yield eng
    eng.close()


def _relation(engine, path: Path) -> Relation:
    return Relation(files_relation(engine, [str(path)], "parquet", window=DAY), engine, (DAY,), (str(path),))


def test_column_types_read_from_the_schema(engine, tmp_path: Path) -> None:
    rel = _relation(engine, write(sample(50, seed=1), tmp_path / "a.parquet"))
    types = column_types(rel, ["amount", "age", "channel", "is_member", "nope"])
    assert types == {
        "amount": "numeric",
        "age": "numeric",
        "channel": "categorical",
        "is_member": "categorical",
        "nope": None,
    }


def test_reference_profile_matches_numpy(engine, tmp_path: Path) -> None:
    table = sample(5_000, seed=2, null_share=0.03)
    rel = _relation(engine, write(table, tmp_path / "ref.parquet"))
    specs = [
        ColumnSpec("amount", "feature", "numeric"),
        ColumnSpec("tenure", "feature", "numeric"),
        ColumnSpec("channel", "feature", "categorical"),
        ColumnSpec("is_member", "feature", "categorical"),
        ColumnSpec("constant", "feature", "numeric"),
    ]
    profiles = {p.name: p for p in profile_reference(rel, specs, bins=10)}

    amount = table.column("amount").to_numpy(zero_copy_only=False)
    present = amount[~np.isnan(amount)]
    edges = np.unique(np.quantile(present, np.linspace(0, 1, 11)[1:-1]))
    p = profiles["amount"].profile
    np.testing.assert_allclose(p.edges[1:-1], edges, rtol=1e-12)
    assert (
        p.counts.tolist()
        == np.bincount(np.searchsorted(edges, present, side="right"), minlength=edges.size + 1).tolist()
    )
    assert p.n == present.size and p.n_missing == int(np.isnan(amount).sum())
    assert p.mean == pytest.approx(present.mean(), rel=1e-12)
    assert p.std == pytest.approx(present.std(ddof=0), rel=1e-9)
    assert (p.minimum, p.maximum) == (present.min(), present.max())

    assert profiles["channel"].profile.counts == dict(Counter(table.column("channel").to_pylist()))
    members = Counter(str(v).lower() for v in table.column("is_member").to_pylist())
    assert profiles["is_member"].profile.counts == dict(members)
    # a constant numeric column has one distinct value: counted as a category, not binned
    assert profiles["constant"].column_type == "categorical"
    assert profiles["constant"].profile.counts == {"7.0": 5_000}


def test_window_counts_use_the_reference_bins(engine, tmp_path: Path) -> None:
    ref = sample(4_000, seed=3)
    cur = sample(3_000, seed=4, shift=0.4, null_share=0.1)
    ref_rel = _relation(engine, write(ref, tmp_path / "ref.parquet"))
    cur_rel = _relation(engine, write(cur, tmp_path / "cur.parquet"))
    (amount,) = profile_reference(ref_rel, [ColumnSpec("amount", "feature", "numeric")], bins=20)
    counted = aggregate(
        cur_rel,
        [amount.spec, ColumnSpec("channel", "feature", "categorical")],
        score="score",
        decision=0.3,
        band=0.05,
    )

    raw = cur.column("amount").to_numpy(zero_copy_only=False)
    present = raw[~np.isnan(raw)]
    interior = amount.profile.edges[1:-1]
    expected = np.bincount(np.searchsorted(interior, present, side="right"), minlength=interior.size + 1)
    got = counted.columns["amount"]
    assert got.counts.tolist() == expected.tolist()
    assert got.n_missing == int(np.isnan(raw).sum())
    assert got.mean == pytest.approx(present.mean(), rel=1e-9)
    assert counted.n_rows == 3_000
    score = cur.column("score").to_numpy()
    low = np.abs(score - 0.3) <= 0.05
    assert counted.n_low == int(low.sum())
    expected_low = np.bincount(
        np.searchsorted(interior, raw[low & ~np.isnan(raw)], side="right"), minlength=interior.size + 1
    )
    assert got.low.tolist() == expected_low.tolist()
    channels = cur.column("channel").to_pylist()
    assert counted.columns["channel"].counts == dict(Counter(channels))
    assert counted.columns["channel"].low == dict(
        Counter(c for c, lo in zip(channels, low, strict=True) if lo)
    )


@pytest.mark.postgres
def test_the_same_sql_counts_a_postgres_table_identically(engine, pg_url: str, tmp_path: Path) -> None:
    from steward.warehouse import connect

    cur = sample(2_000, seed=5, null_share=0.05)
    duck = _relation(engine, write(cur, tmp_path / "cur.parquet"))
    ref_rel = _relation(engine, write(sample(3_000, seed=6), tmp_path / "ref.parquet"))
    specs = profile_reference(
        ref_rel,
        [
            ColumnSpec("amount", "feature", "numeric"),
            ColumnSpec("age", "feature", "numeric"),
            ColumnSpec("channel", "feature", "categorical"),
        ],
        bins=15,
    )
    with connect(pg_url) as pg:
        pg.execute(
            "create table preds (steward_window date, id text, amount double precision, age bigint, "
            "channel text, score double precision)"
        )
        pg.replace_partition(
            "preds",
            {"steward_window": DAY},
            cur.select(["id", "amount", "age", "channel", "score"]),
        )
        pg_rel = Relation(f"select * from {quote_ident('preds')}", pg, (DAY,))
        on_pg = aggregate(pg_rel, [s.spec for s in specs], score="score", decision=0.3, band=0.05)
        # the reference profile itself (quantiles with percentile_cont) also runs on Postgres
        pg_profiles = profile_reference(pg_rel, [ColumnSpec("amount", "feature", "numeric")], bins=15)
    on_duck = aggregate(duck, [s.spec for s in specs], score="score", decision=0.3, band=0.05)
    assert on_pg.n_rows == on_duck.n_rows and on_pg.n_low == on_duck.n_low
    for name in ("amount", "age", "channel"):
        a, b = on_pg.columns[name], on_duck.columns[name]
        assert a.n_missing == b.n_missing
        if isinstance(a.counts, dict):
            assert a.counts == b.counts
        else:
            assert a.counts.tolist() == b.counts.tolist()
            assert a.total == pytest.approx(b.total, rel=1e-12)
    duck_profile = profile_reference(duck, [ColumnSpec("amount", "feature", "numeric")], bins=15)[0]
    np.testing.assert_allclose(
        pg_profiles[0].profile.edges[1:-1], duck_profile.profile.edges[1:-1], rtol=1e-12
    )


def test_union_and_grouping_sets_strategies_count_the_same(engine, tmp_path: Path) -> None:
    ref_rel = _relation(engine, write(sample(3_000, seed=40), tmp_path / "ref.parquet"))
    cur_rel = _relation(
        engine, write(sample(2_500, seed=41, shift=0.3, null_share=0.05), tmp_path / "cur.parquet")
    )
    specs = [
        p.spec
        for p in profile_reference(
            ref_rel,
            [
                ColumnSpec("amount", "feature", "numeric"),
                ColumnSpec("tenure", "feature", "numeric"),
                ColumnSpec("channel", "feature", "categorical"),
                ColumnSpec("is_member", "feature", "categorical"),
            ],
            bins=12,
        )
    ]
    assert engine.grouping_strategy == "union"  # DuckDB's adapter: one GROUP BY per column
    union = aggregate(cur_rel, specs, score="score", decision=0.3, band=0.05)
    sets = aggregate(cur_rel, specs, score="score", decision=0.3, band=0.05, strategy="grouping_sets")
    assert (union.n_rows, union.n_low) == (sets.n_rows, sets.n_low)
    for name, a in union.columns.items():
        b = sets.columns[name]
        assert (a.n_missing, a.n_missing_low, a.column_type) == (b.n_missing, b.n_missing_low, b.column_type)
        if isinstance(a.counts, dict):
            assert a.counts == b.counts and a.low == b.low
        else:
            assert a.counts.tolist() == b.counts.tolist() and a.low.tolist() == b.low.tolist()
            assert a.total == pytest.approx(b.total, rel=1e-12)


def test_sums_are_bit_identical_whatever_the_parallel_order(tmp_path: Path) -> None:
    # many row groups scanned by several threads: a plain double sum would vary in its last bits
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(7)
    values = rng.lognormal(3, 2, 400_000)
    values[::97] = np.nan  # NaN stays out of the sum (it is not a number to add up)
    path = tmp_path / "many.parquet"
    pq.write_table(pa.table({"x": values}), path, row_group_size=5_000)
    eng = scan_engine(memory_limit="512MB", threads=4)
    try:
        rel = Relation(files_relation(eng, [str(path)], "parquet", window=DAY), eng, (DAY,), (str(path),))
        (x,) = profile_reference(rel, [ColumnSpec("x", "feature", "numeric")], bins=20)
        totals = {aggregate(rel, [x.spec]).columns["x"].total for _ in range(6)}
    finally:
        eng.close()
    assert len(totals) == 1
    finite = values[np.isfinite(values)]
    assert totals.pop() == pytest.approx(finite.sum(), rel=1e-12)
