"""A drift distance's normal score under the reference's null is standard normal when nothing changed."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats

from steward.drift import CategoricalProfile, get_method, numeric_profile
from steward.monitoring._aggregate import ColumnProfile
from steward.monitoring._null import counts_digest, distance_scores


def _profile(values: np.ndarray) -> ColumnProfile:
    return ColumnProfile(
        "x", "feature", "numeric", len(values), len(np.unique(values)), numeric_profile(values, bins=20)
    )


@pytest.mark.parametrize("method", ["wasserstein_normed", "psi", "jensenshannon"])
def test_scores_of_unchanged_nights_are_standard_normal(method: str) -> None:
    rng = np.random.default_rng(8)
    reference = rng.lognormal(3.0, 0.5, 50_000)
    profile = _profile(reference)
    p = profile.profile
    ctx = {"edges": p.edges, "reference_std": p.std, "minimum": p.minimum, "maximum": p.maximum}
    ns = rng.integers(3_000, 6_000, 300)
    distances = []
    for n in ns:  # independent nights: fresh samples of the same distribution, counted into the bins
        night = rng.lognormal(3.0, 0.5, int(n))
        counts = np.histogram(night, bins=np.r_[-1e300, p.edges[1:-1], 1e300])[0]
        distances.append(get_method(method).compute(p.counts, counts, **ctx).statistic)
    out = distance_scores(profile, method, distances, [int(n) for n in ns], seed_key="t")
    scores = np.array(out.scores)
    # the scores are capped near +/-3 by 400 draws; a KS test against N(0, 1) and the upper tail
    assert stats.kstest(scores, "norm").pvalue > 0.01
    assert np.mean(scores > stats.norm.ppf(0.9)) == pytest.approx(0.1, abs=0.06)
    assert out.centers[0] == pytest.approx(float(np.mean(distances)), rel=0.25)


def test_a_shifted_night_scores_high_and_missing_nights_score_nothing() -> None:
    rng = np.random.default_rng(9)
    profile = _profile(rng.normal(0, 1, 20_000))
    p = profile.profile
    ctx = {"edges": p.edges, "reference_std": p.std, "minimum": p.minimum, "maximum": p.maximum}
    counts = np.histogram(rng.normal(0.3, 1, 5_000), bins=np.r_[-1e300, p.edges[1:-1], 1e300])[0]
    d = get_method("wasserstein_normed").compute(p.counts, counts, **ctx).statistic
    out = distance_scores(profile, "wasserstein_normed", [d, None], [5_000, None], seed_key="t")
    assert out.scores[0] is not None and out.scores[0] > 2.5 and out.scores[1] is None
    again = distance_scores(profile, "wasserstein_normed", [d, None], [5_000, None], seed_key="t")
    assert again == out  # seeded


def test_the_null_is_seeded_by_the_reference_counts_not_by_where_they_came_from() -> None:
    """A reference profiled again (new files, new reference id, stored and read back) draws the same null."""
    rng = np.random.default_rng(10)
    profile = _profile(rng.normal(0, 1, 20_000))
    stored = ColumnProfile.from_row(profile.to_row())  # as the chart reads it from the warehouse
    d, n = [0.01, 0.02, 0.05], [4_000, 4_100, 3_900]
    first = distance_scores(profile, "wasserstein_normed", d, n, seed_key="m/x/wasserstein_normed")
    again = distance_scores(stored, "wasserstein_normed", d, n, seed_key="m/x/wasserstein_normed")
    assert again == first
    assert counts_digest(stored) == counts_digest(profile)
    # one row moved between two bins: another reference, another draw (and another digest)
    counts = profile.profile.counts.copy()
    counts[3] += 1
    counts[4] -= 1
    moved = ColumnProfile.from_row(profile.to_row() | {"counts_json": json.dumps([int(c) for c in counts])})
    assert counts_digest(moved) != counts_digest(profile)
    other = distance_scores(moved, "wasserstein_normed", d, n, seed_key="m/x/wasserstein_normed")
    assert other.centers != first.centers
    categorical = ColumnProfile(
        "c", "feature", "categorical", 30, 2, CategoricalProfile({"b": 20, "a": 10}, 30, 0)
    )
    reordered = ColumnProfile(
        "c", "feature", "categorical", 30, 2, CategoricalProfile({"a": 10, "b": 20}, 30, 0)
    )
    assert counts_digest(categorical) == counts_digest(reordered)
