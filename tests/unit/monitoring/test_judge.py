"""Drift verdicts from aggregates against scipy on the raw rows, and the edge cases of bad input."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

from steward.monitoring import (
    ColumnSpec,
    Relation,
    aggregate,
    apply_fdr,
    files_relation,
    judge_column,
    scan_engine,
)
from steward.monitoring._aggregate import profile_reference
from steward.monitoring._judge import missing_column
from tests.unit.monitoring.data_for_test import DAY, model, sample, write


@pytest.fixture(scope="module")
def engine():
    eng = scan_engine(memory_limit="512MB", threads=1)
    yield eng
    eng.close()


def _judge(engine, tmp_path: Path, ref, cur, column: str, column_type: str, *, bins: int = 50, **policy):
    ref_rel = Relation(files_relation(engine, [str(write(ref, tmp_path / "r.parquet"))], "parquet"), engine)
    cur_rel = Relation(
        files_relation(engine, [str(write(cur, tmp_path / "c.parquet"))], "parquet", window=DAY), engine
    )
    (profile,) = profile_reference(ref_rel, [ColumnSpec(column, "feature", column_type)], bins=bins)  # type: ignore[arg-type]
    counted = aggregate(cur_rel, [profile.spec])
    m = model(bins=bins, **policy)
    return (
        profile,
        counted,
        judge_column(profile, counted.columns[column], n_rows=counted.n_rows, policy=m.monitoring),
    )


def test_numeric_drift_agrees_with_scipy_on_raw_values(engine, tmp_path: Path) -> None:
    ref, cur = sample(20_000, seed=10), sample(20_000, seed=11, shift=0.15)
    _, _, d = _judge(engine, tmp_path, ref, cur, "amount", "numeric")
    r = ref.column("amount").to_numpy()
    c = cur.column("amount").to_numpy()
    raw_ks = stats.ks_2samp(r, c)
    # binned KS: 0 <= D_raw - D_binned <= the largest share of either sample in one bin (1/50 here + ties)
    assert d.significance_method == "ks"
    assert 0 <= raw_ks.statistic - d.statistic <= 0.03
    assert d.p_value >= raw_ks.pvalue  # conservative
    # normed Wasserstein on 50 quantile bins: within 5% relative of the raw-data value
    raw_w = stats.wasserstein_distance(r, c) / r.std()
    assert d.effect_method == "wasserstein_normed"
    assert d.effect_size == pytest.approx(raw_w, rel=0.05)
    assert d.reference_mean == pytest.approx(r.mean(), rel=1e-9)
    assert d.current_mean == pytest.approx(c.mean(), rel=1e-9)


def test_categorical_drift_is_exact_chi_square_and_jensen_shannon(engine, tmp_path: Path) -> None:
    ref = sample(5_000, seed=12)
    cur = sample(3_000, seed=13)
    _, _, d = _judge(engine, tmp_path, ref, cur, "channel", "categorical")
    rc, cc = Counter(ref.column("channel").to_pylist()), Counter(cur.column("channel").to_pylist())
    keys = sorted(rc)
    table = np.array([[rc[k] for k in keys], [cc[k] for k in keys]])
    chi = stats.chi2_contingency(table, correction=False)
    assert d.statistic == pytest.approx(chi.statistic, rel=1e-12)
    assert d.p_value == pytest.approx(chi.pvalue, rel=1e-9)
    p = table[0] / table[0].sum()
    q = table[1] / table[1].sum()
    assert d.effect_size == pytest.approx(jensenshannon(p, q, base=2), rel=1e-9)


def test_new_categories_are_a_separate_signal_not_part_of_the_test(engine, tmp_path: Path) -> None:
    ref = sample(5_000, seed=14)
    cur = sample(3_000, seed=15, new_category_share=0.05)
    _, _, d = _judge(engine, tmp_path, ref, cur, "channel", "categorical")
    seen = [c for c in cur.column("channel").to_pylist() if c != "partner"]
    assert d.new_category_share == pytest.approx(1 - len(seen) / 3_000)
    assert d.new_category_alert is True and '"partner"' in d.new_categories_json
    rc, cc = Counter(ref.column("channel").to_pylist()), Counter(seen)
    keys = sorted(rc)
    chi = stats.chi2_contingency(np.array([[rc[k] for k in keys], [cc[k] for k in keys]]), correction=False)
    assert d.p_value == pytest.approx(chi.pvalue, rel=1e-9)  # the unseen category did not enter the test
    assert "never saw" in d.message


def test_missing_values_are_a_separate_signal(engine, tmp_path: Path) -> None:
    _, counted, d = _judge(
        engine, tmp_path, sample(3_000, seed=16), sample(3_000, seed=17, null_share=0.2), "amount", "numeric"
    )
    assert d.missing_share_reference == 0.0
    assert d.missing_share_current == pytest.approx(counted.columns["amount"].n_missing / 3_000)
    assert d.missing_alert is True and "missing values rose" in d.message
    assert d.n_current == 3_000 - counted.columns["amount"].n_missing


def test_fdr_matches_scipy_and_both_conditions_are_needed(engine, tmp_path: Path) -> None:
    ref = sample(20_000, seed=18)
    results = []
    for i, (col, kind, shift) in enumerate(
        [
            ("amount", "numeric", 0.0),
            ("amount", "numeric", 0.02),
            ("amount", "numeric", 0.5),
            ("tenure", "numeric", 0.0),
        ]
    ):
        cur = sample(20_000, seed=30 + i, shift=shift)
        _, _, d = _judge(engine, tmp_path, ref, cur, col, kind)
        results.append(d)
    judged = apply_fdr(results, alpha=0.05)
    expected = stats.false_discovery_control([r.p_value for r in results], method="bh")
    np.testing.assert_allclose([j.q_value for j in judged], expected, rtol=1e-12)
    small, big = judged[1], judged[2]
    # a tiny shift on 20k rows is significant but below the effect threshold: no drift
    assert small.significant and not small.drifted and "but small" in small.message
    assert big.significant and big.drifted and big.effect_size >= big.effect_threshold
    assert not judged[0].drifted


def test_effect_only_rule_from_the_registry(engine, tmp_path: Path) -> None:
    _, _, d = _judge(
        engine,
        tmp_path,
        sample(3_000, seed=19),
        sample(3_000, seed=20, shift=0.5),
        "amount",
        "numeric",
        columns={"amount": {"significance": "none", "effect_size": "psi", "threshold": 0.2}},
    )
    (j,) = apply_fdr([d], alpha=0.05)
    assert j.p_value is None and j.effect_method == "psi" and j.effect_threshold == 0.2
    assert j.drifted is (j.effect_size >= 0.2)


def test_all_null_window_column_is_recorded_not_judged(engine, tmp_path: Path) -> None:
    cur = sample(300, seed=21, null_share=1.0)
    _, _, d = _judge(engine, tmp_path, sample(3_000, seed=22), cur, "amount", "numeric")
    (j,) = apply_fdr([d], alpha=0.05)
    assert j.status == "all_null" and not j.drifted and j.missing_alert
    assert "all 300 values are null" in j.message


def test_single_row_window_is_too_few_rows(engine, tmp_path: Path) -> None:
    _, _, d = _judge(engine, tmp_path, sample(3_000, seed=23), sample(1, seed=24), "amount", "numeric")
    (j,) = apply_fdr([d], alpha=0.05)
    assert j.status == "too_few_rows" and j.p_value is None and not j.drifted
    assert "fewer than min_rows = 50" in j.message


def test_constant_reference_column_gives_a_verdict_not_nan(engine, tmp_path: Path) -> None:
    ref = sample(2_000, seed=25)
    cur = sample(2_000, seed=26).set_column(7, "constant", __import__("pyarrow").array(np.full(2_000, 8.0)))
    _, _, d = _judge(engine, tmp_path, ref, cur, "constant", "numeric")
    (j,) = apply_fdr([d], alpha=0.05)
    assert j.status == "all_new_categories" and j.column_type == "categorical"
    assert j.new_category_share == 1.0 and j.new_category_alert and not j.drifted
    assert "never saw" in j.message
    (same,) = apply_fdr(
        [_judge(engine, tmp_path, ref, sample(2_000, seed=27), "constant", "numeric")[2]], alpha=0.05
    )
    assert same.status == "ok" and not same.drifted and same.effect_size == 0.0


def test_missing_column_names_the_dataset_and_the_fix(engine, tmp_path: Path) -> None:
    profile, _, _ = _judge(engine, tmp_path, sample(500, seed=28), sample(500, seed=29), "amount", "numeric")
    d = missing_column(profile, dataset="test_predictions")
    assert d.status == "missing_column" and d.missing_alert
    assert "test_predictions" in d.message and "renamed" in d.message


def _amounts(n: int, seed: int, *, nan_share: float = 0.0, inf_share: float = 0.0) -> pa.Table:
    rng = np.random.default_rng(seed)
    amount = rng.lognormal(3.0, 0.5, n)
    u = rng.random(n)
    amount[u < nan_share] = np.nan
    amount[(u >= nan_share) & (u < nan_share + inf_share)] = np.inf
    return pa.table({"amount": amount})


def test_invalid_values_are_counted_noted_and_a_missing_like_signal(engine, tmp_path: Path) -> None:
    ref, cur = _amounts(5_000, 70, nan_share=0.01), _amounts(4_000, 71, nan_share=0.06, inf_share=0.04)
    _, _, d = _judge(engine, tmp_path, ref, cur, "amount", "numeric")
    raw = cur.column("amount").to_numpy()
    finite = raw[np.isfinite(raw)]
    invalid = int((~np.isfinite(raw)).sum())
    ref_raw = ref.column("amount").to_numpy()
    assert d.status == "ok" and d.n_invalid_current == invalid
    assert d.invalid_share_current == pytest.approx(invalid / 4_000)
    assert d.invalid_share_reference == pytest.approx((~np.isfinite(ref_raw)).sum() / 5_000)
    assert d.invalid_alert  # about 10% vs 1%: more than max_missing_increase (0.05)
    assert not d.missing_alert and d.missing_share_current == 0.0  # NaN is not NULL
    assert d.n_current == finite.size
    assert d.current_mean == pytest.approx(finite.mean(), rel=1e-12)  # a number, never NaN
    assert f"{invalid} values" in d.message and "not finite numbers" in d.message
    assert f"up from {d.invalid_share_reference:.1%} in the reference" in d.message


def test_a_few_invalid_values_are_noted_without_an_alert(engine, tmp_path: Path) -> None:
    ref, cur = _amounts(5_000, 72), _amounts(4_000, 73, nan_share=0.01)
    _, _, d = _judge(engine, tmp_path, ref, cur, "amount", "numeric")
    assert not d.invalid_alert and d.n_invalid_current and "not finite numbers" in d.message


def test_a_window_of_only_invalid_values_is_all_null_with_the_reason(engine, tmp_path: Path) -> None:
    ref, cur = _amounts(5_000, 74), _amounts(300, 75, nan_share=1.0)
    _, _, d = _judge(engine, tmp_path, ref, cur, "amount", "numeric")
    assert d.status == "all_null" and d.invalid_alert
    assert "no valid value: 0 null and 300 invalid of 300" in d.message


def _zero_inflated(n: int, seed: int, *, scale: float = 1.0) -> pa.Table:
    rng = np.random.default_rng(seed)
    amount = rng.lognormal(3.0, 0.6, n) * scale
    amount[rng.random(n) < 0.95] = 0.0
    return pa.table({"amount": amount})


def test_zero_inflated_column_whose_nonzero_part_doubles_is_flagged_through_sql(
    engine, tmp_path: Path
) -> None:
    ref, cur = _zero_inflated(50_000, 90), _zero_inflated(50_000, 91, scale=2.0)
    profile, counted, d = _judge(engine, tmp_path, ref, cur, "amount", "numeric", bins=20)
    (d,) = apply_fdr([d], alpha=0.05)
    r, c = ref.column("amount").to_numpy(), cur.column("amount").to_numpy()
    p = profile.profile
    assert p.point_bins.sum() == 1  # the zeros: one exact bin
    cur_counts = counted.columns["amount"].counts
    rng_bins = ~p.point_bins
    bound = max((p.counts[rng_bins] / p.n).max(), (cur_counts[rng_bins] / cur_counts.sum()).max())
    assert 0 <= stats.ks_2samp(r, c).statistic - d.statistic <= bound  # documented KS bound
    raw_w = stats.wasserstein_distance(r, c) / r.std()
    assert d.effect_size == pytest.approx(raw_w, rel=0.02)  # bin means: within the documented 2%
    assert d.drifted and "drift: wasserstein_normed" in d.message
