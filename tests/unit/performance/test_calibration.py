from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.isotonic import IsotonicRegression

from steward.performance import Calibration, fit_calibration
from tests.unit.performance.data_for_test import Log, aggregate, rng


def test_recovers_squared_miscalibration() -> None:
    g = rng(30)
    score = g.uniform(size=100_000)
    y = (g.uniform(size=score.size) < score**2).astype(float)
    cal = fit_calibration(aggregate(Log(score, (score > 0.5).astype(int), y)))
    assert cal is not None and len(cal.scores) == 10 and cal.n_labelled == 100_000
    grid = np.linspace(0.0, 1.0, 201)
    error = np.abs(cal.apply(grid) - grid**2)
    assert error[(grid >= 0.05) & (grid <= 0.95)].max() < 0.02
    assert error.max() < 0.06  # the extended end segments
    assert np.all(np.diff(cal.apply(grid)) >= 0)
    # the knots sit at the equal-mass bins' mean scores: about 0.05, 0.15, ..., 0.95
    np.testing.assert_allclose(cal.scores, np.arange(10) / 10 + 0.05, atol=0.01)
    assert min(cal.counts) > 9_000


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_rates_are_the_isotonic_regression_of_the_bin_rates(seed: int) -> None:
    # 20 score bins of 50 labelled rows each: with n_bins=20 every score bin is its own group, so the
    # knots must be sklearn's weighted isotonic fit of the per-bin rates
    g = rng(seed)
    bin_lo = np.sort(g.choice(1000, size=20, replace=False)) / 1000
    score = np.repeat(bin_lo + 0.0004, 50)
    true_rate = np.clip(np.repeat(np.linspace(0.1, 0.8, 20) + g.normal(0, 0.15, 20), 50), 0, 1)
    y = (g.uniform(size=score.size) < true_rate).astype(float)
    cal = fit_calibration(aggregate(Log(score, np.zeros(score.size, dtype=int), y)), n_bins=20)
    assert cal is not None and len(cal.scores) == 20
    observed = y.reshape(20, 50).mean(axis=1)
    iso = IsotonicRegression().fit(bin_lo + 0.0004, observed, sample_weight=np.full(20, 50.0))
    np.testing.assert_allclose(cal.rates, iso.predict(bin_lo + 0.0004), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(cal.scores, bin_lo + 0.0004, rtol=1e-12)


def test_too_few_labels_gives_none() -> None:
    g = rng(31)
    score = g.uniform(size=1_000)
    label = np.where(
        g.uniform(size=score.size) < 0.15, (g.uniform(size=score.size) < score).astype(float), np.nan
    )
    table = aggregate(Log(score, np.zeros(score.size, dtype=int), label))
    assert fit_calibration(table) is None  # about 150 labelled rows < 200
    assert fit_calibration(table, min_labelled=100) is not None
    assert fit_calibration([]) is None


def test_round_trip_through_json_and_validation() -> None:
    cal = Calibration(scores=(0.1, 0.5, 0.9), rates=(0.0, 0.4, 0.4), counts=(10, 20, 30))
    assert Calibration.from_dict(json.loads(json.dumps(cal.to_dict()))) == cal
    assert cal.to_dict()["kind"] == "histogram_pav"
    with pytest.raises(ValueError, match="not a stored calibration"):
        Calibration.from_dict({"kind": "platt", "version": 1})
    with pytest.raises(ValueError, match=r"missing \['counts'\]; refit with fit_calibration"):
        Calibration.from_dict({"kind": "histogram_pav", "version": 1, "scores": [0.5], "rates": [0.5]})
    with pytest.raises(ValueError, match="non-decreasing"):
        Calibration(scores=(0.1, 0.5), rates=(0.5, 0.4), counts=(1, 1))
    with pytest.raises(ValueError, match="strictly increasing"):
        Calibration(scores=(0.5, 0.5), rates=(0.1, 0.4), counts=(1, 1))
    single = Calibration(scores=(0.3,), rates=(0.2,), counts=(5,))
    assert single.apply([0.0, 1.0]).tolist() == [0.2, 0.2]
