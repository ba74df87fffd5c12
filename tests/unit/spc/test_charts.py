from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from steward.spc import ChartPoint, control_chart, to_rows, worst_state
from tests.unit.spc.data_for_test import (
    MONTGOMERY_C_MINUS,
    MONTGOMERY_C_PLUS,
    MONTGOMERY_EWMA_LCL_1_2,
    MONTGOMERY_EWMA_UCL_1_2,
    MONTGOMERY_X,
    MONTGOMERY_Z,
    rng,
)


def first_alarm(points: list[ChartPoint]) -> int | None:
    return next((p.index for p in points if p.state == "out_of_control"), None)


# --- textbook examples (Montgomery, known mu0 = 10, sigma = 1) -------------------------------------


def test_montgomery_tabular_cusum() -> None:
    pts = control_chart(MONTGOMERY_X, method="cusum", center=10.0, sigma=1.0, k=0.5, h=5.0)
    assert [round(p.cusum_upper or 0.0, 2) for p in pts] == MONTGOMERY_C_PLUS
    assert [round(p.cusum_lower or 0.0, 2) for p in pts] == MONTGOMERY_C_MINUS
    # published: the CUSUM signals at observation 29 (C+_29 = 5.28 > H = 5), and not before
    assert first_alarm(pts) == 28
    assert pts[28].ucl == 5.0
    assert pts[28].statistic == pytest.approx(5.28, abs=5e-3)
    assert all(p.state != "learning" for p in pts)


def test_montgomery_ewma() -> None:
    pts = control_chart(MONTGOMERY_X, method="ewma", center=10.0, sigma=1.0, lam=0.1, L=2.7)
    np.testing.assert_allclose(np.array([p.statistic for p in pts], dtype=float), MONTGOMERY_Z, atol=1e-4)
    assert (round(pts[0].ucl or 0, 2), round(pts[1].ucl or 0, 2)) == MONTGOMERY_EWMA_UCL_1_2
    assert (round(pts[0].lcl or 0, 2), round(pts[1].lcl or 0, 2)) == MONTGOMERY_EWMA_LCL_1_2
    # limits approach the asymptote mu0 + L sigma sqrt(lam / (2 - lam)) = 10.6194
    assert pts[-1].ucl == pytest.approx(10 + 2.7 * math.sqrt(0.1 / 1.9), abs=1e-3)
    assert first_alarm(pts) == 28  # observation 29: z = 10.6468 > UCL = 10.6187


def test_hand_computed_shewhart_with_learned_limits() -> None:
    # baseline 1, 3, 2, 4, 5: mean 3, moving ranges 2, 1, 2, 1 -> MR-bar 1.5, sigma 1.5 / 1.128
    values = [1.0, 3.0, 2.0, 4.0, 5.0, 3.0, 7.0, 8.5, 0.0]
    pts = control_chart(values, method="shewhart", baseline=5, min_baseline=5)
    sigma = 1.5 / 1.128
    assert [p.state for p in pts[:5]] == ["learning"] * 5
    assert pts[5].center == pytest.approx(3.0) and pts[5].sigma == pytest.approx(sigma)
    assert pts[5].ucl == pytest.approx(3 + 3 * sigma) and pts[5].warn_low == pytest.approx(3 - 2 * sigma)
    # limits 3 +/- 3.99 (control) and 3 +/- 2.66 (warning): 7.0 and 8.5 beyond, 0.0 between
    assert 3 + 3 * sigma < 7.0
    assert [p.state for p in pts[5:]] == ["in_control", "out_of_control", "out_of_control", "warning"]


def test_hand_computed_std_sigma_and_one_sided() -> None:
    values = [1.0, 3.0, 2.0, 4.0, 5.0, 6.5, -1.0]
    pts = control_chart(
        values, method="shewhart", baseline=5, sigma_method="std", direction="up", L=2.0, warn_L=1.0
    )
    s = float(np.std(values[:5], ddof=1))  # sqrt(2.5)
    assert pts[5].sigma == pytest.approx(math.sqrt(2.5)) == pytest.approx(s)
    assert pts[5].lcl is None and pts[5].warn_low is None
    assert pts[5].ucl == pytest.approx(3 + 2 * s)
    # 6.5 > 3 + 2 * 1.58 = 6.16; -1.0 is far below but only "up" alarms
    assert [p.state for p in pts[5:]] == ["out_of_control", "in_control"]


def test_hand_computed_ewma_and_cusum_from_learned_baseline() -> None:
    values = [10.0, 12.0, 11.0, 13.0, 14.0, 16.0]  # baseline 5: mean 12, MR-bar 1.5
    mu, s = 12.0, 1.5 / 1.128
    ewma = control_chart(values, method="ewma", baseline=5, lam=0.5)
    z = mu
    for t, x in enumerate(values, start=1):
        z = 0.5 * x + 0.5 * z
        if t >= 6:
            assert ewma[t - 1].statistic == pytest.approx(z)
            half = 3 * s * math.sqrt(0.5 / 1.5 * (1 - 0.5 ** (2 * t)))
            assert ewma[t - 1].ucl == pytest.approx(mu + half)
    cusum = control_chart(values, method="cusum", baseline=5, k=0.5, h=2.0, warn_h=1.0)
    cp = cm = 0.0
    for x, p in zip(values, cusum, strict=True):
        cp = max(0.0, x - (mu + 0.5 * s) + cp)
        cm = max(0.0, (mu - 0.5 * s) - x + cm)
        if p.state != "learning":
            assert (p.cusum_upper, p.cusum_lower) == (pytest.approx(cp), pytest.approx(cm))
            assert p.statistic == pytest.approx(max(cp, cm))
    # C+ after 16.0: 0, 0, 0, 0.335, 1.670, 5.005 > 2 sigma = 2.66 -> out of control
    assert cusum[-1].state == "out_of_control"
    assert cusum[-1].ucl == pytest.approx(2 * s) and cusum[-1].warn_high == pytest.approx(s)


# --- behaviour --------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["ewma", "cusum", "shewhart"])
def test_step_shift_caught_by_all(method: str) -> None:
    noise = rng(3).normal(0, 1, size=40)
    values = list(noise[:20]) + list(noise[20:] + 4.0)  # a 4 sigma step at index 20
    pts = control_chart(values, method=method, baseline=10)  # type: ignore[arg-type]
    alarm = first_alarm(pts)
    assert alarm is not None and 20 <= alarm <= 23
    assert worst_state(pts[:20]) in ("in_control", "warning")
    # the same upward step never alarms a chart watching only for decreases
    down = control_chart(values, method=method, baseline=10, direction="down")  # type: ignore[arg-type]
    assert first_alarm(down) is None
    assert all(p.ucl is None for p in down if p.state != "learning") or method == "cusum"


def test_slow_creep_caught_by_ewma_and_cusum_before_shewhart() -> None:
    delays: dict[str, list[int]] = {"ewma": [], "cusum": [], "shewhart": []}
    for seed in range(20):
        noise = rng(100 + seed).normal(0, 1, size=100)
        creep = np.where(np.arange(100) >= 10, 0.1 * (np.arange(100) - 9), 0.0)  # +0.1 sigma a night
        for method in delays:
            pts = control_chart(list(noise + creep), method=method, baseline=10, sigma=1.0)  # type: ignore[arg-type]
            alarm = first_alarm(pts[10:])
            delays[method].append(alarm - 10 if alarm is not None else 90)
    med = {m: float(np.median(d)) for m, d in delays.items()}
    # the creep reaches 3 sigma after 30 nights; the memory charts see it after about 15
    assert med["ewma"] + 5 <= med["shewhart"]
    assert med["cusum"] + 5 <= med["shewhart"]
    assert max(delays["ewma"] + delays["cusum"]) < 30
    # seeded, so deterministic: the memory charts are earlier in at least 15 of the 20 series
    assert sum(e < s for e, s in zip(delays["ewma"], delays["shewhart"], strict=True)) >= 15
    assert sum(c < s for c, s in zip(delays["cusum"], delays["shewhart"], strict=True)) >= 15


@pytest.mark.slow
def test_shewhart_false_alarm_rate_near_theory() -> None:
    # known sigma: each in-control point falls outside +/- 3 sigma with probability 2 * (1 - Phi(3)) = 0.0027
    x = rng(7).normal(0, 1, size=200_000)
    pts = control_chart(x.tolist(), method="shewhart", center=0.0, sigma=1.0)
    rate = sum(p.state == "out_of_control" for p in pts) / x.size
    se = math.sqrt(0.0027 * (1 - 0.0027) / x.size)
    assert abs(rate - 0.0027) < 4 * se
    warn = sum(p.state == "warning" for p in pts) / x.size
    assert abs(warn - (0.0455 - 0.0027)) < 0.002  # between 2 and 3 sigma


def test_moving_range_sigma_robust_to_creep_in_baseline() -> None:
    values = [0.1 * i for i in range(7)] + [0.75]
    mr = control_chart(values, method="shewhart", baseline=7)
    sd = control_chart(values, method="shewhart", baseline=7, sigma_method="std")
    assert mr[-1].sigma == pytest.approx(0.1 / 1.128)
    assert sd[-1].sigma == pytest.approx(float(np.std(values[:7], ddof=1)))
    assert sd[-1].sigma is not None and mr[-1].sigma is not None and sd[-1].sigma > 2 * mr[-1].sigma


def test_missing_values_are_skipped_and_carried() -> None:
    values: list[float | None] = [1.0, None, 1.2, 0.9, float("nan"), 1.1, 1.0, 1.05, None, 0.95, 1.0, 3.0]
    pts = control_chart(values, method="ewma", baseline=7)
    dense = control_chart(
        [v for v in values if v is not None and not math.isnan(v)], method="ewma", baseline=7
    )
    assert [p.state for p in pts if p.state != "no_data"] == [p.state for p in dense]
    usable = [p for p in pts if p.state != "no_data"]
    assert [p.statistic for p in usable] == [p.statistic for p in dense]
    assert [p.index for p in pts] == list(range(len(values)))
    assert (
        pts[1].state == "no_data" and pts[1].value is None and pts[1].statistic is None
    )  # nothing to carry yet
    assert pts[8].state == "no_data" and pts[8].statistic == pts[7].statistic and pts[8].ucl == pts[7].ucl
    assert "carried" in pts[8].note
    assert pts[-1].state == "out_of_control"


def test_all_missing_and_too_short_series() -> None:
    assert [p.state for p in control_chart([None, None], method="cusum")] == ["no_data", "no_data"]
    assert control_chart([], method="cusum") == []
    pts = control_chart([1.0, 2.0, 3.0, 4.0], method="shewhart")
    assert worst_state(pts) == "learning"
    assert pts[0].note == "learning: usable point 1 of the min_baseline=5 needed"


@pytest.mark.parametrize("method", ["ewma", "cusum", "shewhart"])
def test_constant_baseline_does_not_divide_by_zero(method: str) -> None:
    pts = control_chart([0.5] * 7 + [0.5, 0.5 + 1e-6], method=method)  # type: ignore[arg-type]
    assert pts[7].state == "in_control" and pts[7].sigma == pytest.approx(1e-9)
    assert "floored" in pts[7].note
    assert pts[8].state == "out_of_control"  # any change from a perfectly constant series
    floored = control_chart([0.0] * 7 + [0.001, 0.5], method=method, min_sigma=0.01)  # type: ignore[arg-type]
    assert floored[7].sigma == 0.01 and "min_sigma=0.01" in floored[7].note
    assert floored[7].state == "in_control" and floored[8].state == "out_of_control"
    assert all(math.isfinite(p.statistic) for p in pts if p.statistic is not None)


def test_provisional_limits_between_min_baseline_and_baseline() -> None:
    values = [1.0, 1.2, 0.9, 1.1, 1.0, 1.05, 0.95, 1.0]
    pts = control_chart(values, method="shewhart", baseline=7, min_baseline=5)
    assert pts[4].state == "learning" and pts[4].center is None
    assert pts[5].center == pytest.approx(np.mean(values[:5]))  # judged by the points before it
    assert pts[6].center == pytest.approx(np.mean(values[:6]))
    assert pts[7].center == pytest.approx(np.mean(values[:7]))
    assert "provisional" in pts[5].note and "provisional" in pts[6].note and pts[7].note == ""


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.floats(-100, 100)), min_size=0, max_size=25),
    st.sampled_from(["ewma", "cusum", "shewhart"]),
)
def test_causal_history_never_changes(values: list[float | None], method: str) -> None:
    full = control_chart(values, method=method)  # type: ignore[arg-type]
    for m in range(len(values)):
        assert control_chart(values[:m], method=method) == full[:m]  # type: ignore[arg-type]


def test_worst_state_and_rows_are_json_ready() -> None:
    pts = control_chart([1.0, 1.1, 0.9, 1.0, 1.05, None, 9.0], method="cusum", direction="up")
    assert worst_state(pts) == "out_of_control"
    assert worst_state(pts[:5]) == "learning"
    assert worst_state([*pts[:5], pts[5]]) == "learning"  # no_data is the least severe
    rows = to_rows(pts, "leads.psi.age", "cusum")
    assert json.loads(json.dumps(rows, allow_nan=False)) == rows
    assert rows[-1]["state"] == "out_of_control" and rows[-1]["series"] == "leads.psi.age"
    assert rows[0]["center"] is None and rows[-1]["cusum_upper"] == pts[-1].statistic
    assert set(rows[0]) >= {
        "index",
        "value",
        "center",
        "sigma",
        "statistic",
        "lcl",
        "ucl",
        "warn_low",
        "warn_high",
    }


def test_bad_options_and_values() -> None:
    with pytest.raises(ValueError, match="method must be"):
        control_chart([1.0], method="xbar")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"baseline \(3\) must be at least min_baseline \(5\)"):
        control_chart([1.0], method="ewma", baseline=3)
    with pytest.raises(ValueError, match=r"lam must be in \(0, 1\]"):
        control_chart([1.0], method="ewma", lam=0.0)
    with pytest.raises(ValueError, match="warn_L <= L"):
        control_chart([1.0], method="ewma", warn_L=4.0)
    with pytest.raises(ValueError, match=r"values\[1\] is inf"):
        control_chart([1.0, float("inf")], method="ewma")
    with pytest.raises(ValueError, match="sigma must be finite and positive"):
        control_chart([1.0], method="ewma", sigma=0.0)
    with pytest.raises(ValueError, match="series must be a non-empty name"):
        to_rows([], "", "ewma")


def test_a_restart_resets_the_statistic_and_relearns_the_limits() -> None:
    # hand-computed: known centre 0, sigma 1, k 0.5; x = 2, 2, 2 gives C+ = 1.5, 3.0, 4.5; a restart at
    # position 2 starts C+ from 0 again: 1.5
    pts = control_chart([2.0, 2.0, 2.0], method="cusum", center=0.0, sigma=1.0, restarts=[2])
    assert [p.cusum_upper for p in pts] == [1.5, 3.0, 1.5]
    assert [p.segment for p in pts] == [0, 0, 1]
    assert all(p.limits_source == "known" and p.adjustment == "h=5" for p in pts)
    # estimated limits: the segment after the restart learns again from its own first points
    values = [1.0, 3.0, 2.0, 4.0, 5.0, 3.0, 10.0, 12.0, 11.0, 13.0, 14.0, 12.0]
    est = control_chart(values, method="shewhart", baseline=5, min_baseline=5, restarts=[6])
    assert [p.state for p in est[6:11]] == ["learning"] * 5
    assert est[11].center == pytest.approx(12.0)  # mean of 10, 12, 11, 13, 14
    assert (est[11].phase_i_from, est[11].phase_i_to, est[11].phase_i_n) == (6, 10, 5)
    assert est[5].phase_i_from == 0 and est[5].limits_source == "phase_i"
    with pytest.raises(ValueError, match="restart position 12 is outside the series"):
        control_chart(values, method="shewhart", restarts=[12])


def test_honest_phase_i_is_silent_and_says_where_its_limits_came_from() -> None:
    values = [0.0, 1.0] * 10 + [50.0]
    pts = control_chart(values, method="shewhart", baseline=20, min_baseline=5, arl0=370.0)
    assert all(p.state == "learning" for p in pts[:20])
    assert pts[5].limits_source == "provisional" and pts[5].ucl is not None  # shown, silent
    last = pts[20]
    assert last.state == "out_of_control" and last.limits_source == "phase_i"
    assert (last.phase_i_from, last.phase_i_to, last.phase_i_n) == (0, 19, 20)
    assert last.adjustment.startswith("calibrated L=") and "20 Phase I points" in last.adjustment
    # without arl0 the same point 5 is judged (the old, provisional-alarming behaviour)
    assert control_chart(values, method="shewhart", baseline=20, min_baseline=5)[5].state != "learning"


def test_a_reset_restarts_the_statistic_but_keeps_the_limits() -> None:
    # hand-computed EWMA, lam 0.5, centre 0, sigma 1: z = 1, 1.5, then reset before the third value: 0.5
    pts = control_chart(
        [2.0, 2.0, 1.0, None, 1.0], method="ewma", lam=0.5, center=0.0, sigma=1.0, resets=[2, 3]
    )
    assert [p.statistic for p in pts] == [1.0, 1.5, 0.5, 0.5, 0.5]  # the reset at the gap acts on the 5th
    width1 = math.sqrt(0.5 / 1.5 * (1 - 0.5**2))
    assert pts[2].ucl == pytest.approx(3 * width1) and pts[4].ucl == pytest.approx(3 * width1)
    assert all(p.segment == 0 for p in pts)
