from __future__ import annotations

import numpy as np
import pytest

from steward.drift import (
    MAX_EXACT_VALUES,
    CategoricalProfile,
    NumericProfile,
    bin_counts,
    categorical_profile,
    merge_edges,
    numeric_profile,
    point_bin_mask,
    point_masses,
)
from tests.unit.drift.data_for_test import rng, zero_inflated


def test_numeric_profile_summary_matches_numpy() -> None:
    values = rng(3).normal(5.0, 2.0, size=1_000)
    values[:7] = np.nan
    profile = numeric_profile(values, bins=20)
    present = values[~np.isnan(values)]
    assert isinstance(profile, NumericProfile)
    assert profile.n == 993
    assert profile.n_missing == 7
    assert profile.counts.sum() == 993
    assert profile.mean == pytest.approx(np.mean(present), rel=1e-12)
    assert profile.std == pytest.approx(np.std(present), rel=1e-12)
    assert profile.minimum == present.min()
    assert profile.maximum == present.max()
    assert profile.edges[0] == -np.inf and profile.edges[-1] == np.inf
    assert profile.edges.size == 21
    assert np.all(np.diff(profile.edges) > 0)
    np.testing.assert_allclose(profile.edges[1:-1], np.quantile(present, np.arange(1, 20) / 20))


def test_numeric_profile_counts_match_histogram_closed_on_the_left() -> None:
    values = rng(4).exponential(size=2_000)
    profile = numeric_profile(values, bins=10)
    interior = profile.edges[1:-1]
    finite_edges = np.concatenate([[values.min()], interior, [values.max() + 1.0]])
    expected, _ = np.histogram(values, bins=finite_edges)
    np.testing.assert_array_equal(profile.counts, expected)


def test_numeric_profile_merges_tied_quantiles() -> None:
    values = np.array([0.0] * 90 + [1.0] * 10)
    profile = numeric_profile(values, bins=20)
    assert np.all(np.diff(profile.edges) > 0)
    assert profile.counts.sum() == 100
    assert profile.counts.size == profile.edges.size - 1


def test_numeric_profile_rejects_empty_and_infinite() -> None:
    with pytest.raises(ValueError, match="no non-missing values"):
        numeric_profile([np.nan, np.nan])
    with pytest.raises(ValueError, match="inf"):
        numeric_profile([1.0, np.inf])
    with pytest.raises(ValueError, match="bins must be >= 1"):
        numeric_profile([1.0], bins=0)


def test_bin_counts_counts_current_into_reference_bins() -> None:
    profile = numeric_profile([1.0, 2.0, 3.0, 4.0], bins=2, point_share=1, max_exact=0)  # -inf, 2.5, inf
    counts = bin_counts(profile, [-100.0, 2.5, 2.4999, 100.0, np.nan])
    assert isinstance(counts, np.ndarray)
    assert counts.tolist() == [2, 2]


def test_categorical_profile_and_counts() -> None:
    profile = categorical_profile(np.array(["a", "b", "a", None, "c"], dtype=object))
    assert isinstance(profile, CategoricalProfile)
    assert profile.counts == {"a": 2, "b": 1, "c": 1}
    assert profile.n == 4
    assert profile.n_missing == 1
    assert bin_counts(profile, ["a", "z", float("nan")]) == {"a": 1, "z": 1}


def test_a_heavy_value_gets_an_exact_bin_and_the_rest_quantile_bins() -> None:
    values = zero_inflated(30, 20_000)
    profile = numeric_profile(values, bins=20)
    nonzero = values[values != 0]
    # the zeros are one bin [0, nextafter(0)) holding exactly them
    (zero_bin,) = np.flatnonzero(profile.point_bins)
    assert profile.edges[zero_bin] == 0.0 and profile.edges[zero_bin + 1] == np.nextafter(0.0, 1.0)
    assert profile.counts[zero_bin] == int((values == 0).sum())
    # the other values keep 20 quantile bins of their own, not one or two bins merged by the zeros
    np.testing.assert_allclose(
        profile.edges[zero_bin + 2 : -1], np.quantile(nonzero, np.arange(1, 20) / 20), rtol=1e-12
    )
    assert profile.counts.sum() == values.size and np.all(np.diff(profile.edges) > 0)


def test_a_low_cardinality_column_gets_one_exact_bin_per_value() -> None:
    values = rng(31).binomial(14, 0.4, size=5_000).astype(float)  # 15 distinct values <= MAX_EXACT_VALUES
    profile = numeric_profile(values)
    distinct, counts = np.unique(values, return_counts=True)
    assert distinct.size <= MAX_EXACT_VALUES
    assert profile.edges[:-1][profile.point_bins].tolist() == distinct.tolist()
    assert profile.counts[profile.point_bins].tolist() == counts.tolist()
    assert profile.counts[~profile.point_bins].sum() == 0  # nothing between the values


def test_point_masses_rule() -> None:
    # few distinct values: all of them; many: only those with at least POINT_SHARE of the total
    assert point_masses([3.0, 1.0, 2.0], [1, 1, 1], max_exact=3).tolist() == [1.0, 2.0, 3.0]
    values, counts = np.arange(100.0), np.ones(100)
    counts[[7, 42]] = [60, 5]  # shares 60/163 and 5/163 = 3.1% (< 5%)
    assert point_masses(values, counts).tolist() == [7.0]
    assert point_masses(values, counts, point_share=0.03).tolist() == [7.0, 42.0]
    # the SQL returns only the values frequent enough: total and n_distinct come separately
    assert point_masses([7.0], [60], total=1_000, n_distinct=500).tolist() == [7.0]
    assert point_masses([7.0], [40], total=1_000, n_distinct=500).tolist() == []


def test_merge_edges_pairs_each_point_with_its_successor() -> None:
    edges = merge_edges([0.0, 10.0], [5.0, 10.0, 20.0])
    assert edges.tolist() == [-np.inf, 0.0, 5e-324, 5.0, 10.0, np.nextafter(10.0, 11.0), 20.0, np.inf]
    assert point_bin_mask(edges).tolist() == [False, True, False, False, True, False, False]
