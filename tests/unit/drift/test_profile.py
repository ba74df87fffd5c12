from __future__ import annotations

import numpy as np
import pytest

from steward.drift import (
    CategoricalProfile,
    NumericProfile,
    bin_counts,
    categorical_profile,
    numeric_profile,
)
from tests.unit.drift.data_for_test import rng


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
    profile = numeric_profile([1.0, 2.0, 3.0, 4.0], bins=2)  # edges -inf, 2.5, inf
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
