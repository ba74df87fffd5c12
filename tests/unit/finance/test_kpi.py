import math

import numpy as np
import pytest
from scipy import stats

from steward.finance import RatioEstimate, kpi_benefit, ratio_interval


def test_ratio_interval_by_hand() -> None:
    # x = 10, 12, 8; y = 2, 3, 2: R = 30/7; residuals x - R y = 10/7, -6/7, -4/7;
    # sum of squares = (100 + 36 + 16)/49 = 152/49; se = sqrt(152/49 / (2*3)) / (7/3).
    r = ratio_interval([10, 12, 8], [2, 3, 2], confidence=0.95)
    se = math.sqrt(152 / 49 / 6) / (7 / 3)
    assert r.value == pytest.approx(30 / 7)
    assert r.low == pytest.approx(30 / 7 - 1.959963984540054 * se)
    assert r.high == pytest.approx(30 / 7 + 1.959963984540054 * se)
    assert (r.n, r.denominator) == (3, 7.0)


def test_ratio_interval_agrees_with_scipy_bootstrap() -> None:
    rng = np.random.default_rng(7)
    conversions = rng.binomial(200, 0.14, size=60).astype(float)
    spend = rng.normal(7600, 300, size=60)
    r = ratio_interval(spend.tolist(), conversions.tolist(), confidence=0.95)
    boot = stats.bootstrap(
        (spend, conversions),
        lambda x, y: x.sum() / y.sum(),
        paired=True,
        vectorized=False,
        n_resamples=2000,
        method="percentile",
        random_state=np.random.default_rng(1),
    )
    ci = boot.confidence_interval
    assert r.value == pytest.approx(spend.sum() / conversions.sum())
    assert r.low == pytest.approx(ci.low, rel=0.01)
    assert r.high == pytest.approx(ci.high, rel=0.01)


def test_scale_and_single_day() -> None:
    r = ratio_interval([3], [200], scale=100)
    assert (r.value, r.low, r.high) == (1.5, None, None)


@pytest.mark.parametrize(
    ("x", "y", "message"),
    [
        ([], [], "no observations"),
        ([1.0, 2.0], [0, 0], "denominator sums to 0"),
        ([1.0], [1, 2], "numerators"),
    ],
)
def test_ratio_not_defined(x: list[float], y: list[float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ratio_interval(x, y)


def test_benefit_lower_is_better_by_hand() -> None:
    est = RatioEstimate(value=110.0, low=100.0, high=120.0, n=10, denominator=28.0)
    b = kpi_benefit(
        est, baseline=100.0, value_per_unit=1.0, direction="lower_is_better", target_change_pct=-10
    )
    # (100 - 110) * 28 = -280; interval (100-120)*28 = -560 .. (100-100)*28 = 0; projected (100-90)*28 = 280
    assert (b.realized, b.low, b.high, b.projected, b.projected_kpi) == (-280.0, -560.0, 0.0, 280.0, 90.0)


def test_benefit_higher_is_better_flips_the_sign() -> None:
    est = RatioEstimate(value=0.2, low=None, high=None, n=1, denominator=1000.0)
    b = kpi_benefit(
        est, baseline=0.15, value_per_unit=50.0, direction="higher_is_better", target_change_pct=None
    )
    assert b.realized == pytest.approx(0.05 * 1000 * 50)
    assert (b.low, b.high, b.projected) == (None, None, None)
