"""Honest limits: false-signal probability at the configured ARL0, and detection delay (simulation).

Every number here is simulated through the public ``control_chart`` with fresh seeds, independent of
the calibration's own simulation, and compared with the closed-form nominal
``1 - (1 - 1/ARL0)^60`` (a geometric run length of mean ARL0).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from steward.spc import calibrated_width, control_chart, false_signal_target

REPLICATES = 800
HORIZON = 60
PHASE_I = 20
NOMINAL = 1 - (1 - 1 / 370) ** HORIZON  # 0.1499
TOLERANCE = 3 * math.sqrt(NOMINAL * (1 - NOMINAL) / REPLICATES)  # binomial, 3 standard errors

#: Documented median detection delay (nights) of a sustained 1 sigma shift (docs/monitoring.md).
DELAY_1SIGMA = {
    ("ewma", True): 10,
    ("cusum", True): 10,
    ("shewhart", True): 40,
    ("ewma", False): 18,
    ("cusum", False): 16,
    ("shewhart", False): 120,
}


def false_signal_share(method: str, *, known: bool, seed: int, **options: object) -> float:
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(REPLICATES):
        if known:
            x = rng.standard_normal(HORIZON)
            pts = control_chart(x.tolist(), method=method, center=0.0, sigma=1.0, **options)  # type: ignore[arg-type]
        else:
            x = rng.standard_normal(PHASE_I + HORIZON)
            pts = control_chart(x.tolist(), method=method, **options)  # type: ignore[arg-type]
            if "arl0" in options:  # honest Phase I: silent until its 20 points are complete
                assert all(p.state == "learning" for p in pts[:PHASE_I])
        hits += any(p.state == "out_of_control" for p in pts)
    return hits / REPLICATES


def test_nominal_matches_the_geometric_formula() -> None:
    assert false_signal_target(370, 60) == pytest.approx(1 - (369 / 370) ** 60)
    assert false_signal_target(370, 60) == pytest.approx(0.1499, abs=1e-4)
    with pytest.raises(ValueError, match="arl0 must be above 1"):
        false_signal_target(1, 60)


def test_known_shewhart_width_is_the_textbook_three_sigma() -> None:
    # two-sided Shewhart, ARL0 = 1 / (2 * (1 - Phi(L))) = 370 <=> L = 3.0 (Montgomery); simulation error ~0.02
    assert calibrated_width("shewhart", phase_i=None) == pytest.approx(3.0, abs=0.05)
    # one-sided: 1 / (1 - Phi(L)) = 370 <=> L = 2.782
    assert calibrated_width("shewhart", phase_i=None, direction="up") == pytest.approx(2.782, abs=0.05)


@pytest.mark.parametrize("method", ["ewma", "cusum", "shewhart"])
@pytest.mark.parametrize("known", [True, False], ids=["known", "estimated"])
def test_in_control_false_signals_within_60_nights_at_most_nominal(method: str, known: bool) -> None:
    options = {"arl0": 370.0} if known else {"arl0": 370.0, "baseline": PHASE_I}
    share = false_signal_share(method, known=known, seed=17 + known, **options)
    assert share <= NOMINAL + TOLERANCE, (method, known, share)
    assert share >= NOMINAL - 2 * TOLERANCE, (method, known, share)  # calibrated, not merely wide


@pytest.mark.parametrize("method", ["ewma", "cusum"])
def test_uncorrected_short_baseline_alarms_far_above_nominal(method: str) -> None:
    # the defaults issue 17 measured: 7 nights, textbook widths, provisional limits from night 6
    share = false_signal_share(method, known=False, seed=5, baseline=7)
    assert share > NOMINAL + 3 * TOLERANCE, share


@pytest.mark.parametrize("method", ["ewma", "cusum", "shewhart"])
@pytest.mark.parametrize("known", [True, False], ids=["known", "estimated"])
def test_a_sustained_one_sigma_shift_is_detected_within_the_documented_delay(
    method: str, known: bool
) -> None:
    rng = np.random.default_rng(99)
    delays = []
    for _ in range(300):
        x = rng.standard_normal(PHASE_I + 150)
        x[PHASE_I:] += 1.0
        kw = {"center": 0.0, "sigma": 1.0} if known else {"baseline": PHASE_I}
        pts = control_chart(x.tolist(), method=method, arl0=370.0, **kw)  # type: ignore[arg-type]
        first = next((p.index for p in pts[PHASE_I:] if p.state == "out_of_control"), None)
        delays.append(1000 if first is None else first - PHASE_I + 1)
    assert float(np.median(delays)) <= DELAY_1SIGMA[(method, known)], (method, known, np.median(delays))


def test_calibration_is_deterministic_and_wider_with_estimated_limits() -> None:
    for method in ("ewma", "cusum", "shewhart"):
        known = calibrated_width(method, phase_i=None)  # type: ignore[arg-type]
        estimated = calibrated_width(method, phase_i=PHASE_I)  # type: ignore[arg-type]
        assert estimated > known
        assert calibrated_width(method, phase_i=PHASE_I) == estimated  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="phase_i must be at least 2"):
        calibrated_width("ewma", phase_i=1)


def test_the_tabulated_default_widths_are_what_the_simulation_gives() -> None:
    from steward.registry._monitoring import ControlChartPolicy
    from steward.spc._calibrate import _default_keys, _simulate
    from steward.spc._table import WIDTHS

    assert sorted(WIDTHS, key=repr) == sorted(_default_keys(), key=repr)
    for key, width in WIDTHS.items():
        assert _simulate(key) == pytest.approx(width, rel=1e-12, abs=1e-12), key
    # the registry's defaults, with which every series of a model is charted, are all in the table
    policy = ControlChartPolicy()
    for kind in policy.arl0:
        for method in ("ewma", "cusum", "shewhart"):
            for phase_i in (None, policy.baseline):
                for direction in ("both", "up", "down"):
                    key = (
                        method,
                        phase_i,
                        policy.arl0_of(kind),
                        policy.horizon,
                        policy.lam,
                        policy.k,
                        direction,
                    )
                    assert (*key, "moving_range") in WIDTHS


def test_options_outside_the_table_are_simulated(monkeypatch: pytest.MonkeyPatch) -> None:
    from steward.spc import _calibrate

    simulated: list[tuple[object, ...]] = []
    real = _calibrate._simulate
    monkeypatch.setattr(_calibrate, "_simulate", lambda key: simulated.append(key) or real(key))
    _calibrate._width.cache_clear()
    tabulated = calibrated_width("ewma", phase_i=20)
    assert simulated == []
    other = calibrated_width("ewma", phase_i=20, arl0=200.0)
    assert simulated == [("ewma", 20, 200.0, 60, 0.2, 0.5, "both", "moving_range")]
    assert other < tabulated  # a shorter ARL0 tolerates more false signals: narrower limits
