"""The one-scan SQL aggregation against numpy on the raw rows, on DuckDB files and on Postgres tables."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from steward.drift import NumericProfile, bin_counts, bin_means, numeric_profile
from steward.monitoring import ColumnSpec, Relation, aggregate, files_relation, scan_engine
from steward.monitoring._aggregate import ColumnProfile, column_types, profile_reference
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
    union = aggregate(cur_rel, specs, score="score", decision=0.3, band=0.05, strategy="union")
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


# --- point masses and invalid values ---------------------------------------------------------------


def _zero_inflated_table(n: int, seed: int, *, scale: float = 1.0) -> pa.Table:
    rng = np.random.default_rng(seed)
    amount = rng.lognormal(3.0, 0.6, n) * scale
    amount[rng.random(n) < 0.95] = 0.0
    visits = rng.binomial(12, 0.3, n).astype(np.int64)  # 13 values at most: exact bins, not categories
    visits[:11] = np.arange(11)  # every value present, more than MAX_DISTINCT_FOR_CATEGORY
    return pa.table({"amount": amount, "visits": visits, "score": rng.random(n).round(1)})


def test_reference_profile_keeps_point_masses_like_numpy(engine, tmp_path: Path) -> None:
    table = _zero_inflated_table(20_000, seed=60)
    rel = _relation(engine, write(table, tmp_path / "ref.parquet"))
    specs = [
        ColumnSpec("amount", "feature", "numeric"),
        ColumnSpec("visits", "feature", "numeric"),
        ColumnSpec("score", "score", "numeric"),
    ]
    profiles = {p.name: p for p in profile_reference(rel, specs, bins=20)}
    for name in ("amount", "visits", "score"):
        raw = table.column(name).to_numpy().astype(float)
        expected = numeric_profile(raw, bins=20)  # the numpy reference implementation
        got = profiles[name].profile
        assert profiles[name].column_type == "numeric", name
        assert isinstance(got, NumericProfile)
        assert got.point_bins.tolist() == expected.point_bins.tolist(), name
        np.testing.assert_allclose(got.edges[1:-1], expected.edges[1:-1], rtol=1e-12)
        assert got.edges[:-1][got.point_bins].tolist() == expected.edges[:-1][expected.point_bins].tolist()
        assert got.counts.tolist() == expected.counts.tolist(), name
        assert got.means is not None and expected.means is not None
        np.testing.assert_allclose(got.means, expected.means, rtol=1e-9, atol=1e-9)  # from the exact sums
    amount = profiles["amount"].profile
    assert isinstance(amount, NumericProfile)
    assert amount.counts[amount.point_bins].tolist() == [int((table.column("amount").to_numpy() == 0).sum())]
    assert amount.counts.size >= 20  # the non-zero 5% keeps its own quantile bins

    # a window is counted into the same bins by SQL as by numpy
    cur = _zero_inflated_table(5_000, seed=61, scale=2.0)
    counted = aggregate(_relation(engine, write(cur, tmp_path / "cur.parquet")), [profiles["amount"].spec])
    cur_amount = cur.column("amount").to_numpy()
    assert counted.columns["amount"].counts.tolist() == bin_counts(amount, cur_amount).tolist()  # type: ignore[union-attr]
    np.testing.assert_allclose(counted.columns["amount"].means, bin_means(amount, cur_amount), rtol=1e-9)
    # the stored row gives the same profile back, bin means included
    again = ColumnProfile.from_row(profiles["amount"].to_row())
    assert isinstance(again.profile, NumericProfile) and again.profile.means is not None
    assert again.profile.edges.tolist() == amount.edges.tolist()
    assert again.profile.means.tolist() == amount.means.tolist()  # type: ignore[union-attr]


def _with_invalid(n: int, seed: int) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(10.0, 2.0, n)
    x[rng.random(n) < 0.5] = 0.0
    kind = rng.choice(4, n, p=[0.85, 0.05, 0.05, 0.05])  # 0 value, 1 NaN, 2 +/-inf, 3 null
    x[kind == 1] = np.nan
    x[kind == 2] = np.where(rng.random(int((kind == 2).sum())) < 0.5, np.inf, -np.inf)
    null = kind == 3
    return pa.table({"x": pa.array(x, mask=null)}), x, null


def test_nan_and_inf_are_counted_as_invalid_apart_from_nulls(engine, tmp_path: Path) -> None:
    ref, ref_x, ref_null = _with_invalid(4_000, seed=62)
    cur, cur_x, cur_null = _with_invalid(3_000, seed=63)
    rel = _relation(engine, write(ref, tmp_path / "ref.parquet"))
    (profile,) = profile_reference(rel, [ColumnSpec("x", "feature", "numeric")], bins=10)
    p = profile.profile
    assert isinstance(p, NumericProfile)
    finite = ref_x[~ref_null & np.isfinite(ref_x)]
    assert (p.n, p.n_missing) == (finite.size, int(ref_null.sum()))
    assert p.n_invalid == int((~ref_null & ~np.isfinite(ref_x)).sum()) > 0
    assert p.mean == pytest.approx(finite.mean(), rel=1e-12)  # never NaN: invalid values are left out
    assert p.std == pytest.approx(finite.std(), rel=1e-9)
    assert (p.minimum, p.maximum) == (finite.min(), finite.max())
    assert p.counts.tolist() == numeric_profile(finite, bins=10).counts.tolist()

    cur_rel = _relation(engine, write(cur, tmp_path / "cur.parquet"))
    for strategy in ("stream", "union", "grouping_sets"):
        got = aggregate(cur_rel, [profile.spec], strategy=strategy).columns["x"]
        cur_finite = cur_x[~cur_null & np.isfinite(cur_x)]
        assert got.n_invalid == int((~cur_null & ~np.isfinite(cur_x)).sum()) > 0
        assert got.n_missing == int(cur_null.sum())
        assert got.counts.tolist() == bin_counts(p, cur_finite).tolist()  # type: ignore[union-attr]
        assert got.mean == pytest.approx(cur_finite.mean(), rel=1e-12)


def test_text_in_a_csv_numeric_column_is_invalid(engine, tmp_path: Path) -> None:
    ref = _relation(engine, write(pa.table({"x": np.arange(100.0)}), tmp_path / "ref.parquet"))
    (profile,) = profile_reference(ref, [ColumnSpec("x", "feature", "numeric")], bins=4)
    csv = tmp_path / "cur.csv"
    csv.write_text("id,x\n1,1.5\n2,abc\n3,\n4,inf\n5,NaN\n6, 70 \n7,-3e2\n8,n/a\n")
    rel = Relation(files_relation(engine, [str(csv)], "csv", window=DAY), engine, (DAY,), (str(csv),))
    assert column_types(rel, ["x"]) == {"x": "categorical"}  # DuckDB reads the column as text
    for strategy in ("stream", "union", "grouping_sets"):
        got = aggregate(rel, [profile.spec], strategy=strategy).columns["x"]
        assert (got.n_missing, got.n_invalid, got.n) == (1, 4, 3)  # abc, inf, NaN, n/a are invalid
        assert isinstance(got.counts, np.ndarray)
        assert got.counts.tolist() == bin_counts(profile.profile, [1.5, 70.0, -300.0]).tolist()  # type: ignore[union-attr]
        assert got.total == pytest.approx(1.5 + 70.0 - 300.0)


@pytest.mark.postgres
def test_point_masses_and_invalid_values_count_identically_on_postgres(
    engine, pg_url: str, tmp_path: Path
) -> None:
    from steward.warehouse import connect

    table, _, _ = _with_invalid(3_000, seed=64)
    duck = _relation(engine, write(table, tmp_path / "t.parquet"))
    spec = [ColumnSpec("x", "feature", "numeric")]
    with connect(pg_url) as pg:
        pg.execute("create table vals (steward_window date, x double precision)")
        pg.replace_partition("vals", {"steward_window": DAY}, table)
        pg_rel = Relation(f"select * from {quote_ident('vals')}", pg, (DAY,))
        (on_pg,) = profile_reference(pg_rel, spec, bins=10)
        pg_counts = aggregate(pg_rel, [on_pg.spec]).columns["x"]
    (on_duck,) = profile_reference(duck, spec, bins=10)
    duck_counts = aggregate(duck, [on_duck.spec]).columns["x"]
    a, b = on_pg.profile, on_duck.profile
    assert isinstance(a, NumericProfile) and isinstance(b, NumericProfile)
    assert a.point_bins.tolist() == b.point_bins.tolist() and a.point_bins.any()
    np.testing.assert_allclose(a.edges[1:-1], b.edges[1:-1], rtol=1e-12)
    assert (a.n, a.n_missing, a.n_invalid, a.counts.tolist()) == (
        b.n,
        b.n_missing,
        b.n_invalid,
        b.counts.tolist(),
    )
    assert a.mean == pytest.approx(b.mean, rel=1e-12)
    assert (pg_counts.n_invalid, pg_counts.n_missing, pg_counts.counts.tolist()) == (
        duck_counts.n_invalid,
        duck_counts.n_missing,
        duck_counts.counts.tolist(),  # type: ignore[union-attr]
    )
    # each engine's sum is exact for itself; PostgreSQL's double -> numeric cast keeps 15 digits
    assert pg_counts.total == pytest.approx(duck_counts.total, rel=1e-12)
