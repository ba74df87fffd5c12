from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.spatial import distance

from steward.drift import (
    METHODS,
    PSI_EPSILON,
    DefaultMethods,
    MethodResult,
    NumericProfile,
    bin_counts,
    bin_means,
    default_method,
    get_method,
    numeric_profile,
)
from tests.unit.drift.data_for_test import (
    CONTINUOUS_PAIRS,
    N_LARGE,
    integer_edges,
    integer_pair,
    rng,
    zero_inflated,
)

psi = get_method("psi")
js = get_method("jensenshannon")
hellinger = get_method("hellinger")
wasserstein = get_method("wasserstein_normed")
ks = get_method("ks")
chisquare = get_method("chisquare")


def _profile_with_edges(values: np.ndarray, edges: np.ndarray) -> NumericProfile:
    counts = np.bincount(np.searchsorted(edges[1:-1], values, side="right"), minlength=edges.size - 1)
    return NumericProfile(
        edges=edges,
        counts=counts,
        n=values.size,
        mean=float(values.mean()),
        std=float(values.std()),
        n_missing=0,
        minimum=float(values.min()),
        maximum=float(values.max()),
    )


# --- registry ------------------------------------------------------------------------------------


def test_registry_names_kinds_thresholds_and_column_types() -> None:
    expected = {
        "psi": ("distance", 0.1, {"numeric", "categorical"}),
        "jensenshannon": ("distance", 0.1, {"numeric", "categorical"}),
        "hellinger": ("distance", 0.1, {"numeric", "categorical"}),
        "wasserstein_normed": ("distance", 0.1, {"numeric"}),
        "ks": ("p_value", 0.05, {"numeric"}),
        "chisquare": ("p_value", 0.05, {"categorical"}),
    }
    assert set(METHODS) == set(expected)
    for name, (kind, threshold, types) in expected.items():
        method = get_method(name)
        assert method.name == name
        assert (method.kind, method.default_threshold, set(method.column_types)) == (kind, threshold, types)


def test_get_method_unknown_name_lists_known_names() -> None:
    with pytest.raises(KeyError, match=r"unknown drift method 'kl'.*chisquare, hellinger, jensenshannon"):
        get_method("kl")


def test_is_drift_uses_direction_of_kind_and_default_threshold() -> None:
    assert psi.is_drift(psi.compute([1, 3], [3, 1]))
    assert not psi.is_drift(psi.compute([1, 3], [3, 1]), threshold=2.0)
    assert chisquare.is_drift(chisquare.compute([100, 300], [300, 100]))
    assert not chisquare.is_drift(chisquare.compute([100, 300], [101, 299]))


# --- hand-computed fixtures ----------------------------------------------------------------------


def test_hellinger_hand_computed() -> None:
    # p = [1/4, 3/4], q = [3/4, 1/4]: sum sqrt(p q) = 2 * sqrt(3/16) = sqrt(3)/2,
    # H = sqrt(1 - sqrt(3)/2) = (sqrt(3) - 1)/2 = 0.36602540378443865
    result = hellinger.compute([1, 3], [3, 1])
    assert result.statistic == pytest.approx(0.36602540378443865, rel=1e-12)
    assert result.p_value is None


def test_psi_hand_computed() -> None:
    # p = [1/4, 3/4], q = [3/4, 1/4]: (3/4 - 1/4) ln 3 + (1/4 - 3/4) ln(1/3) = ln 3 = 1.0986122886681098
    assert psi.compute([1, 3], [3, 1]).statistic == pytest.approx(1.0986122886681098, rel=1e-12)


def test_psi_empty_bin_uses_documented_epsilon() -> None:
    # p = [1/2, 1/2, 0 -> 1e-4], q = [1/4, 1/4, 1/2]:
    # 2 * (1/4 - 1/2) ln(1/2) + (1/2 - 1e-4) ln(0.5 / 1e-4)
    # = 0.5 ln 2 + 0.4999 ln 5000 = 0.34657359 + 4.25774488 = 4.60431847
    assert PSI_EPSILON == 1e-4
    expected = 0.5 * math.log(2) + 0.4999 * math.log(5000)
    assert expected == pytest.approx(4.60431847, abs=1e-8)
    assert psi.compute([5, 5, 0], [1, 1, 2]).statistic == pytest.approx(expected, rel=1e-12)


# --- against scipy -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "cur"),
    [([1, 3], [3, 1]), ([10, 0, 5, 7], [2, 9, 0, 30]), ([100, 200, 300], [100, 200, 300])],
)
def test_jensenshannon_matches_scipy(ref: list[int], cur: list[int]) -> None:
    p = np.asarray(ref) / sum(ref)
    q = np.asarray(cur) / sum(cur)
    expected = distance.jensenshannon(p, q, base=2)
    assert js.compute(ref, cur).statistic == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("ref", "cur"),
    [([120, 80], [90, 110]), ([50, 30, 20, 5], [40, 40, 10, 15]), ([1000, 1, 3], [990, 6, 1])],
)
def test_chisquare_matches_scipy(ref: list[int], cur: list[int]) -> None:
    expected = stats.chi2_contingency(np.array([ref, cur]), correction=False)
    result = chisquare.compute(ref, cur)
    assert result.statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-12)


def test_ks_exact_on_integer_data_with_one_bin_per_value() -> None:
    a, b = integer_pair()
    profile = _profile_with_edges(a, integer_edges())
    result = ks.compute(profile.counts, bin_counts(profile, b))
    assert result.statistic == pytest.approx(stats.ks_2samp(a, b).statistic, abs=1e-12)
    expected_p = stats.ks_2samp(a, b, method="asymp").pvalue
    assert result.p_value == pytest.approx(expected_p, rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("case", sorted(CONTINUOUS_PAIRS))
def test_ks_binned_within_documented_bound(case: str) -> None:
    # Documented bound: 0 <= D_raw - D_binned <= largest share of either sample in one (range) bin.
    a, b = CONTINUOUS_PAIRS[case]
    profile = numeric_profile(a, bins=20)
    cur = bin_counts(profile, b)
    assert isinstance(cur, np.ndarray)
    bound = max((profile.counts / profile.n).max(), (cur / cur.sum()).max())
    raw = stats.ks_2samp(a, b)
    result = ks.compute(profile.counts, cur)
    assert 0.0 <= raw.statistic - result.statistic <= bound
    assert result.p_value is not None
    assert result.p_value >= stats.ks_2samp(a, b, method="asymp").pvalue  # conservative


@pytest.mark.parametrize("case", sorted(CONTINUOUS_PAIRS))
def test_wasserstein_normed_within_documented_tolerance(case: str) -> None:
    # Documented tolerance: 5% relative or 0.01 absolute, 50 quantile bins, 50k light-tailed values.
    a, b = CONTINUOUS_PAIRS[case]
    profile = numeric_profile(a, bins=50)
    result = wasserstein.compute(
        profile.counts,
        bin_counts(profile, b),
        edges=profile.edges,
        reference_std=profile.std,
        minimum=profile.minimum,
        maximum=profile.maximum,
    )
    expected = stats.wasserstein_distance(a, b) / a.std()
    assert abs(result.statistic - expected) <= max(0.05 * expected, 0.01)


def test_wasserstein_normed_exact_for_point_masses_on_midpoints() -> None:
    # Values sitting on the interior bin midpoints are represented exactly.
    edges = np.array([-np.inf, 0.0, 1.0, 2.0, 3.0, np.inf])
    a = np.array([0.5] * 3 + [1.5] * 5 + [2.5] * 2)
    b = np.array([0.5] * 1 + [1.5] * 4 + [2.5] * 5)
    profile = _profile_with_edges(a, edges)
    result = wasserstein.compute(
        profile.counts, bin_counts(profile, b), edges=edges, reference_std=profile.std
    )
    assert result.statistic == pytest.approx(stats.wasserstein_distance(a, b) / a.std(), rel=1e-12)


def test_wasserstein_normed_requires_context() -> None:
    with pytest.raises(ValueError, match=r"edges=\.\.\. and reference_std"):
        wasserstein.compute([1, 2, 3], [3, 2, 1])
    with pytest.raises(ValueError, match="expected 4"):
        wasserstein.compute([1, 2, 3], [3, 2, 1], edges=[-np.inf, 0.0, np.inf], reference_std=1.0)


# --- edge cases ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(METHODS))
def test_all_zero_current_counts_raise(name: str) -> None:
    with pytest.raises(ValueError, match="cur_counts are all zero: the current sample is empty"):
        get_method(name).compute([1, 2, 3], [0, 0, 0], edges=[-np.inf, 0, 1, np.inf], reference_std=1.0)


@pytest.mark.parametrize("name", sorted(METHODS))
def test_single_bin_means_no_drift(name: str) -> None:
    result = get_method(name).compute([10], [3], edges=[-np.inf, np.inf], reference_std=1.0)
    assert result.statistic == 0.0
    assert result.p_value in (None, 1.0)
    assert not get_method(name).is_drift(result)


def test_mismatched_bins_and_bad_counts_raise() -> None:
    with pytest.raises(ValueError, match="ref_counts has 2 bins but cur_counts has 3"):
        psi.compute([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="non-negative"):
        psi.compute([1, -2], [1, 2])
    with pytest.raises(TypeError, match="both be arrays or both be category mappings"):
        psi.compute({"a": 1}, [1])


def test_unseen_category_enters_with_reference_count_zero() -> None:
    ref = {"a": 60, "b": 40}
    cur = {"a": 50, "b": 30, "new": 20}
    # aligned on sorted keys a, b, new
    p = np.array([60, 40, 0]) / 100
    q = np.array([50, 30, 20]) / 100
    assert js.compute(ref, cur).statistic == pytest.approx(distance.jensenshannon(p, q, base=2), abs=1e-12)
    expected = stats.chi2_contingency(np.array([[60, 40, 0], [50, 30, 20]]), correction=False)
    result = chisquare.compute(ref, cur)
    assert result.statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-12)
    assert math.isfinite(psi.compute(ref, cur).statistic)


def test_chisquare_drops_categories_empty_in_both() -> None:
    with_empty = chisquare.compute({"a": 10, "b": 20, "c": 0}, {"a": 20, "b": 10})
    without = chisquare.compute({"a": 10, "b": 20}, {"a": 20, "b": 10})
    assert with_empty == without


# --- defaults ------------------------------------------------------------------------------------


@pytest.mark.parametrize("reference_size", [1, 1_000, 1_001, 10_000_000])
def test_default_method_pairs_significance_with_effect_size(reference_size: int) -> None:
    assert default_method("numeric", reference_size=reference_size) == DefaultMethods(
        "ks", "wasserstein_normed"
    )
    assert default_method("categorical", reference_size=reference_size) == DefaultMethods(
        "chisquare", "jensenshannon"
    )
    for name in default_method("numeric", reference_size=reference_size):
        assert "numeric" in get_method(name).column_types
    for name in default_method("categorical", reference_size=reference_size):
        assert "categorical" in get_method(name).column_types


def test_default_method_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="reference_size must be >= 1"):
        default_method("numeric", reference_size=0)
    with pytest.raises(ValueError, match="column_type must be"):
        default_method("text", reference_size=10)  # type: ignore[arg-type]


# --- properties ----------------------------------------------------------------------------------

_counts = st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=20).filter(
    lambda c: sum(c) > 0
)


@st.composite
def _count_pairs(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    ref = draw(_counts)
    cur = draw(
        st.lists(st.integers(min_value=0, max_value=10_000), min_size=len(ref), max_size=len(ref)).filter(
            lambda c: sum(c) > 0
        )
    )
    return ref, cur


@settings(max_examples=200, deadline=None)
@given(_count_pairs())
def test_distances_bounded_and_nonnegative(pair: tuple[list[int], list[int]]) -> None:
    ref, cur = pair
    assert psi.compute(ref, cur).statistic >= 0.0
    assert 0.0 <= js.compute(ref, cur).statistic <= 1.0
    assert 0.0 <= hellinger.compute(ref, cur).statistic <= 1.0
    result = ks.compute(ref, cur)
    assert 0.0 <= result.statistic <= 1.0
    assert result.p_value is not None and 0.0 <= result.p_value <= 1.0


@settings(max_examples=100, deadline=None)
@given(_counts, st.integers(min_value=1, max_value=5))
def test_identical_distributions_give_zero(ref: list[int], factor: int) -> None:
    cur = [c * factor for c in ref]  # same proportions, different sample size
    assert psi.compute(ref, cur).statistic == pytest.approx(0.0, abs=1e-12)
    assert js.compute(ref, cur).statistic == pytest.approx(0.0, abs=1e-7)
    assert hellinger.compute(ref, cur).statistic == pytest.approx(0.0, abs=1e-7)
    assert ks.compute(ref, cur).statistic == pytest.approx(0.0, abs=1e-12)


def test_identical_draws_do_not_drift_under_default_pair() -> None:
    a = rng(20).normal(size=5_000)
    b = rng(21).normal(size=5_000)
    profile = numeric_profile(a)
    cur = bin_counts(profile, b)
    significance, effect = (get_method(n) for n in default_method("numeric", reference_size=profile.n))
    ctx = {"edges": profile.edges, "reference_std": profile.std}
    assert not (
        significance.is_drift(significance.compute(profile.counts, cur, **ctx))
        and effect.is_drift(effect.compute(profile.counts, cur, **ctx))
    )


# --- point masses (zero-inflated columns) ----------------------------------------------------------


def _default_pair(
    profile: NumericProfile, cur: np.ndarray, raw: np.ndarray | None = None
) -> tuple[MethodResult, MethodResult]:
    # as the monitoring judge calls them: with per-bin means of both samples when the raw values are known
    ctx = {
        "edges": profile.edges,
        "reference_std": profile.std,
        "minimum": profile.minimum,
        "maximum": profile.maximum,
        "reference_means": None if raw is None else profile.means,
        "current_means": None if raw is None else bin_means(profile, raw),
    }
    return ks.compute(profile.counts, cur, **ctx), wasserstein.compute(profile.counts, cur, **ctx)


def _flagged(ks_result: MethodResult, w_result: MethodResult) -> bool:
    return ks.is_drift(ks_result) and wasserstein.is_drift(w_result)


def _range_bin_bound(profile: NumericProfile, cur: np.ndarray) -> float:
    # documented bound: the largest share of either sample in one range bin (point bins add no error)
    rng_bins = ~profile.point_bins
    return float(max((profile.counts[rng_bins] / profile.n).max(), (cur[rng_bins] / cur.sum()).max()))


def test_zero_inflated_column_whose_nonzero_values_double_is_flagged() -> None:
    a, b = zero_inflated(40), zero_inflated(41, scale=2.0)  # 95% zeros; the other 5% doubled
    profile = numeric_profile(a, bins=20)
    cur = bin_counts(profile, b)
    assert isinstance(cur, np.ndarray)
    ks_result, w_result = _default_pair(profile, cur, b)
    raw = stats.ks_2samp(a, b)
    assert 0.0 <= raw.statistic - ks_result.statistic <= _range_bin_bound(profile, cur)
    assert ks_result.p_value is not None
    assert ks_result.p_value >= stats.ks_2samp(a, b, method="asymp").pvalue  # conservative
    assert _flagged(ks_result, w_result)
    raw_w = stats.wasserstein_distance(a, b) / a.std()
    assert abs(w_result.statistic - raw_w) <= max(0.02 * raw_w, 0.005)  # documented, with bin means
    _, midpoints = _default_pair(profile, cur)  # documented: midpoints understate a tail moving out
    assert raw_w >= midpoints.statistic >= 0.7 * raw_w
    # without point masses the zeros swallow the quantile bins and the change is invisible
    merged = numeric_profile(a, bins=20, point_share=1.0, max_exact=0)
    assert merged.counts.size <= 3
    assert not _flagged(*_default_pair(merged, bin_counts(merged, b)))  # type: ignore[arg-type]


def test_zero_inflated_column_where_a_tenth_of_the_zeros_turn_positive_is_flagged() -> None:
    a, b = zero_inflated(42, zero_share=0.9), zero_inflated(43, zero_share=0.8)
    profile = numeric_profile(a, bins=20)
    cur = bin_counts(profile, b)
    assert isinstance(cur, np.ndarray)
    ks_result, w_result = _default_pair(profile, cur, b)
    raw = stats.ks_2samp(a, b)
    assert 0.0 <= raw.statistic - ks_result.statistic <= _range_bin_bound(profile, cur)
    assert _flagged(ks_result, w_result)
    raw_w = stats.wasserstein_distance(a, b) / a.std()
    assert abs(w_result.statistic - raw_w) <= max(0.02 * raw_w, 0.005)


def test_unchanged_zero_inflated_columns_are_not_flagged() -> None:
    # a seeded null simulation: 200 nights drawn from the reference's own distribution
    a = zero_inflated(50, 20_000)
    profile = numeric_profile(a, bins=20)
    flagged = ks_rejections = 0
    for seed in range(200):
        b = zero_inflated(1_000 + seed, 5_000)
        cur = bin_counts(profile, b)
        assert isinstance(cur, np.ndarray)
        ks_result, w_result = _default_pair(profile, cur, b)
        assert ks_result.p_value is not None
        ks_rejections += ks_result.p_value < 0.05
        flagged += _flagged(ks_result, w_result)
    assert flagged == 0
    assert ks_rejections <= 16  # about alpha * 200 = 10 or fewer (the binned p-value is conservative)


def test_ks_exact_on_low_cardinality_profile() -> None:
    a, b = integer_pair()  # 15 distinct values: one exact bin each, no hand-made edges needed
    profile = numeric_profile(a)
    result = ks.compute(profile.counts, bin_counts(profile, b))
    assert result.statistic == pytest.approx(stats.ks_2samp(a, b).statistic, abs=1e-12)
    assert result.p_value == pytest.approx(stats.ks_2samp(a, b, method="asymp").pvalue, rel=1e-9, abs=1e-15)


def _heavy_tailed_pairs() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return {
        "pareto_scaled": (rng(60).pareto(2.5, N_LARGE), rng(61).pareto(2.5, N_LARGE) * 1.2),
        "lognormal_shift": (rng(62).lognormal(0, 1.5, N_LARGE), rng(63).lognormal(0.1, 1.5, N_LARGE)),
        "zero_inflated_doubled": (zero_inflated(64), zero_inflated(65, scale=2.0)),
    }


@pytest.mark.parametrize("bins", [20, 50])
@pytest.mark.parametrize("case", sorted(CONTINUOUS_PAIRS) + sorted(_heavy_tailed_pairs()))
def test_wasserstein_normed_with_bin_means_within_documented_tolerance(case: str, bins: int) -> None:
    # Documented tolerance with per-bin means: 2% relative or 0.005 absolute, light and heavy tails.
    a, b = {**CONTINUOUS_PAIRS, **_heavy_tailed_pairs()}[case]
    profile = numeric_profile(a, bins=bins)
    assert profile.means is not None
    result = wasserstein.compute(
        profile.counts,
        bin_counts(profile, b),
        edges=profile.edges,
        reference_std=profile.std,
        reference_means=profile.means,
        current_means=bin_means(profile, b),
    )
    expected = stats.wasserstein_distance(a, b) / a.std()
    assert abs(result.statistic - expected) <= max(0.02 * expected, 0.005)


def test_wasserstein_bin_means_are_clamped_into_their_bins_and_checked() -> None:
    edges = np.array([-np.inf, 0.0, np.nextafter(0.0, 1.0), 1.0, 2.0, np.inf])
    ref, cur = np.array([0, 5, 5, 0, 0]), np.array([0, 5, 0, 5, 0])
    # a mean outside its bin (rounding, or a value beyond the exact sums' range) is put back in the bin;
    # the point bin's mass is exactly at 0 whatever mean is given
    result = wasserstein.compute(
        ref,
        cur,
        edges=edges,
        reference_std=1.0,
        reference_means=[0.0, 0.3, 7.0, 0.0, 0.0],
        current_means=[0.0, 0.0, 0.0, 1.5, 0.0],
    )
    expected = stats.wasserstein_distance([0.0, 1.0], [0.0, 1.5], [5, 5], [5, 5])  # 7.0 clamped to 1.0
    assert result.statistic == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match="one finite mean per bin"):
        wasserstein.compute(ref, cur, edges=edges, reference_std=1.0, reference_means=[0.0, 1.0])


BATCHED = ["psi", "jensenshannon", "hellinger", "wasserstein_normed", "ks", "chisquare"]


@pytest.mark.parametrize("method", BATCHED)
@pytest.mark.parametrize("with_means", [False, True])
def test_batch_statistics_equal_the_row_by_row_methods(method: str, with_means: bool) -> None:
    """Null draws (thousands per chart) computed at once give each row's compute() value.

    With per-bin means, the row form is scipy.stats.wasserstein_distance on the placed values: the
    independent reference for the batch's cumulative-gap formula. Draws include empty bins and a point bin.
    """
    from steward.drift import batch_statistics

    rng = np.random.default_rng(7)
    edges = np.array([-np.inf, 0.0, 1.0, np.nextafter(1.0, np.inf), 2.5, 4.0, np.inf])
    p = np.array([0.05, 0.3, 0.2, 0.25, 0.15, 0.05])
    ref = rng.multinomial(5_000, p, size=300)
    cur = rng.multinomial(40, p, size=300)  # small nights: many empty bins
    ctx: dict[str, object] = {"edges": edges, "reference_std": 1.3, "minimum": -2.0, "maximum": 7.5}
    if with_means:
        means = np.array([-0.7, 0.45, 1.0, 1.8, 3.1, 5.2])
        ctx |= {"reference_means": means, "current_means": means}
    got = batch_statistics(method, ref, cur, **ctx)
    m = get_method(method)
    expected = np.array([m.compute(a, b, **ctx).statistic for a, b in zip(ref, cur, strict=True)])
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    assert np.unique(np.round(got, 12)).size > 50  # the draws differ: not one repeated value


def test_batch_statistics_refuse_bad_matrices() -> None:
    from steward.drift import batch_statistics

    with pytest.raises(ValueError, match="one shape"):
        batch_statistics("psi", np.ones((3, 4)), np.ones((3, 5)))
    with pytest.raises(ValueError, match="all zero"):
        batch_statistics("psi", np.ones((2, 3)), np.array([[1, 0, 0], [0, 0, 0]]))
    with pytest.raises(ValueError, match="non-negative"):
        batch_statistics("hellinger", np.ones((1, 2)), np.array([[1, -1]]))
