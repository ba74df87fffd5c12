from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from steward.drift import benjamini_hochberg
from tests.unit.drift.data_for_test import rng


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_q_values_match_scipy(seed: int) -> None:
    p = np.concatenate([rng(seed).uniform(size=40), rng(seed + 100).uniform(0, 0.01, size=10)])
    rejected, q = benjamini_hochberg(p, alpha=0.05)
    expected = stats.false_discovery_control(p, method="bh")
    np.testing.assert_allclose(q, expected, rtol=1e-12, atol=0)
    np.testing.assert_array_equal(rejected, expected <= 0.05)


def test_nan_never_rejected_and_not_counted() -> None:
    p = np.array([0.001, np.nan, 0.02, 0.5, np.nan])
    rejected, q = benjamini_hochberg(p)
    present = ~np.isnan(p)
    np.testing.assert_allclose(q[present], stats.false_discovery_control(p[present], method="bh"))
    assert np.isnan(q[~present]).all()
    assert rejected.tolist() == [True, False, True, False, False]


def test_empty_and_invalid_input() -> None:
    rejected, q = benjamini_hochberg([])
    assert rejected.size == 0 and q.size == 0
    with pytest.raises(ValueError, match=r"p_values must lie in \[0, 1\]"):
        benjamini_hochberg([0.1, 1.5])
    with pytest.raises(ValueError, match=r"alpha must be in \(0, 1\)"):
        benjamini_hochberg([0.1], alpha=0.0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=50))
def test_q_values_monotone_in_p_and_at_least_p(p_list: list[float]) -> None:
    p = np.array(p_list)
    _, q = benjamini_hochberg(p)
    assert np.all(q >= p)
    assert np.all(q <= 1.0)
    order = np.argsort(p, kind="stable")
    assert np.all(np.diff(q[order]) >= 0)
