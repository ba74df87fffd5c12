"""The chart stage: known limits from the reference, honest Phase I, restarts, episodes; it writes nothing.

Each test builds nightly ``drift_metrics`` / ``model_performance`` rows by hand on a real warehouse
(DuckDB and PostgreSQL) and checks the returned rows against hand-computed values.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from steward.monitoring import chart_model, record_restart
from steward.spc import calibrated_width
from steward.warehouse import Warehouse
from tests.unit.monitoring.data_for_test import model

START = dt.date(2026, 10, 1)
REF_MEAN, REF_STD, N_REF = 20.0, 10.0, 100_000


def _night(
    i: int, mean: float, *, n: int = 4_000, reference_id: str = "ref-a", drifted: bool = False
) -> dict:
    return {
        "window_date": START + dt.timedelta(days=i),
        "feature": "amount",
        "role": "feature",
        "column_type": "numeric",
        "status": "ok",
        "effect_method": "wasserstein_normed",
        "effect_size": 0.01,
        "drifted": drifted,
        "current_mean": mean,
        "reference_mean": REF_MEAN,
        "reference_std": REF_STD,
        "n_current": n,
        "n_reference": N_REF,
        "reference_id": reference_id,
    }


def _store(wh: Warehouse, nights: list[dict]) -> None:
    now = dt.datetime(2026, 11, 29, tzinfo=dt.UTC)
    for r in nights:
        key = {"model": "test_model", "window_date": r["window_date"]}
        wh.replace_partition(
            "drift_metrics",
            key,
            [{k: v for k, v in r.items() if k != "window_date"} | {"run_id": "t", "computed_at": now}],
        )


def _store_profile(wh: Warehouse, profile) -> None:
    row = {k: v for k, v in profile.to_row().items() if k != "feature"}
    now = dt.datetime(2026, 11, 29, tzinfo=dt.UTC)
    wh.replace_partition(
        "monitoring_reference_profiles",
        {"model": "test_model", "reference_id": "ref-a", "feature": profile.name},
        [{**row, "source": "t", "computed_at": now, "run_id": "t"}],
    )


def _sigma(n: int) -> float:
    return REF_STD * math.sqrt(1 / n + 1 / N_REF)


def _points(night, series: str, chart: str) -> list[dict]:
    return sorted(
        (r for r in night.rows if r["series"] == series and r["chart"] == chart),
        key=lambda r: r["window_date"],
    )


def test_a_mean_is_judged_from_night_one_against_the_reference(warehouse: Warehouse) -> None:
    m = model()
    history = [_night(i, REF_MEAN) for i in range(4)]
    _store(warehouse, history)
    tonight = _night(4, REF_MEAN + 5 * _sigma(2_500), n=2_500)  # 5 sigma of tonight's own noise
    night = chart_model(m, tonight["window_date"], warehouse=warehouse, run_id="r", drift_rows=[tonight])
    pts = _points(night, "mean:amount", "shewhart")
    assert [p["state"] for p in pts[:4]] == ["in_control"] * 4  # no learning nights
    assert all(p["limits_source"] == "reference" and p["center"] == REF_MEAN for p in pts)
    assert pts[0]["sigma"] == pytest.approx(_sigma(4_000)) and pts[4]["sigma"] == pytest.approx(_sigma(2_500))
    width = calibrated_width("shewhart", phase_i=None)
    assert pts[4]["ucl"] == pytest.approx(REF_MEAN + width * _sigma(2_500))
    assert pts[4]["state"] == "out_of_control"
    ewma = _points(night, "mean:amount", "ewma")
    assert ewma[4]["state"] == "out_of_control" and ewma[4]["episode_from"] == tonight["window_date"]
    # CUSUM: C+ = 5 - k = 4.5 sigma, below h = 4.67; EWMA: z = 0.2 * 5 + ... > 2.86 * 0.315 sigma
    assert [b["subject"] for b in night.breaches] == ["mean:amount:ewma"]
    assert _points(night, "mean:amount", "cusum")[4]["statistic"] == pytest.approx(
        4.5 * _sigma(2_500), rel=1e-3
    )
    assert "limits from the reference" in night.alerts[0]
    # the stage wrote nothing: tonight's drift row and every chart row are only in memory
    assert warehouse.fetch("select count(*) as n from control_chart_points")[0]["n"] == 0
    assert warehouse.fetch("select count(*) as n from drift_metrics")[0]["n"] == 4


def test_performance_learns_a_silent_phase_i_then_judges_with_calibrated_limits(warehouse: Warehouse) -> None:
    m = model()
    rng = np.random.default_rng(3)
    auc = 0.80 + 0.01 * rng.standard_normal(25)
    rows = [
        {
            "window_date": START + dt.timedelta(days=i),
            "metric": "auc",
            "model_version": None,
            "realized_value": float(a),
            "estimated_value": None,
            "label_coverage": 1.0,
        }
        for i, a in enumerate(auc)
    ]
    night = chart_model(m, rows[-1]["window_date"], warehouse=warehouse, run_id="r", performance_rows=rows)
    pts = _points(night, "performance:auc", "ewma")
    assert all(p["state"] == "learning" for p in pts[:20])
    assert pts[10]["limits_source"] == "provisional" and pts[10]["lcl"] is not None
    judged = pts[20]
    assert judged["limits_source"] == "phase_i" and judged["phase_i_nights"] == 20
    assert (judged["phase_i_from"], judged["phase_i_to"]) == (START, START + dt.timedelta(days=19))
    first20 = auc[:20]
    assert judged["center"] == pytest.approx(first20.mean())
    assert judged["sigma"] == pytest.approx(np.abs(np.diff(first20)).mean() / 1.128)
    L = calibrated_width("ewma", phase_i=20, direction="down")
    assert judged["adjustment"].startswith(f"calibrated L={L:.3f}")
    assert judged["ucl"] is None and judged["lcl"] < judged["center"]  # AUC alarms downward only


def test_one_excursion_is_one_episode_and_one_breach(warehouse: Warehouse) -> None:
    m = model()
    nights = [_night(i, REF_MEAN) for i in range(3)] + [
        _night(i, REF_MEAN + 10 * _sigma(4_000)) for i in range(3, 6)
    ]
    _store(warehouse, nights[:-1])
    night = chart_model(m, nights[-1]["window_date"], warehouse=warehouse, run_id="r", drift_rows=nights[-1:])
    ewma = _points(night, "mean:amount", "ewma")
    assert [p["state"] for p in ewma[3:]] == ["out_of_control"] * 3
    assert {p["episode_from"] for p in ewma[3:]} == {nights[3]["window_date"]}
    episodes = [e for e in night.episodes if e.series == "mean:amount" and e.chart == "ewma"]
    assert len(episodes) == 1 and episodes[0].open and episodes[0].nights == 3
    assert night.breaches == ()  # the episode began two nights ago: its breach was that night's
    assert "episode since 2026-10-04, night 3" in night.alerts[0]


def test_restarts_new_reference_and_acknowledged_signal(warehouse: Warehouse) -> None:
    m = model()
    shifted = REF_MEAN + 10 * _sigma(4_000)
    nights = [
        _night(i, shifted if i >= 2 else REF_MEAN, reference_id="ref-a" if i < 5 else "ref-b")
        for i in range(7)
    ]
    _store(warehouse, nights[:-1])
    record_restart(
        warehouse, "test_model", START + dt.timedelta(days=3), kind="acknowledged", reason="ticket 12: known"
    )
    record_restart(
        warehouse, "test_model", START + dt.timedelta(days=3), kind="acknowledged", reason="ticket 12: known"
    )
    assert warehouse.fetch("select count(*) as n from control_chart_restarts")[0]["n"] == 1  # idempotent
    night = chart_model(m, nights[-1]["window_date"], warehouse=warehouse, run_id="r", drift_rows=nights[-1:])
    cusum = _points(night, "mean:amount", "cusum")
    assert cusum[3]["restart_reason"] == "acknowledged on 2026-10-04: ticket 12: known"
    assert cusum[3]["segment_from"] == START + dt.timedelta(days=3)
    assert cusum[5]["restart_reason"] == "new reference ref-b"
    # CUSUM C+ restarts from 0 at each restart: tonight's sum is two nights of (10 - k) sigma, not four
    k = m.monitoring.control_chart.k
    assert cusum[6]["statistic"] == pytest.approx(2 * (10 - k) * _sigma(4_000), rel=1e-6)
    spans = [
        (e.start.day, e.last.day, e.open)
        for e in night.episodes
        if e.series == "mean:amount" and e.chart == "cusum"
    ]
    assert spans == [(3, 3, False), (4, 5, False), (6, 7, True)]
    with pytest.raises(ValueError, match="restart kind must be one of"):
        record_restart(warehouse, "test_model", START, kind="oops", reason="x")  # type: ignore[arg-type]


def test_a_drift_distance_is_judged_against_its_reference_null_when_the_profile_is_stored(
    warehouse: Warehouse,
) -> None:
    from steward.drift import numeric_profile
    from steward.monitoring._aggregate import ColumnProfile

    m = model()
    nights = [_night(i, REF_MEAN) for i in range(3)]
    without = chart_model(m, nights[-1]["window_date"], warehouse=warehouse, run_id="r", drift_rows=nights)
    assert {p["state"] for p in _points(without, "drift:amount", "ewma")} == {"learning"}  # Phase I
    values = np.random.default_rng(1).normal(REF_MEAN, REF_STD, 5_000)
    profile = ColumnProfile("amount", "feature", "numeric", 5_000, 5_000, numeric_profile(values, bins=10))
    _store_profile(warehouse, profile)
    night = chart_model(m, nights[-1]["window_date"], warehouse=warehouse, run_id="r", drift_rows=nights)
    pts = _points(night, "drift:amount", "ewma")
    assert all(p["limits_source"] == "reference" and p["state"] != "learning" for p in pts)
    # a distance of 0.01 at 4,000 rows is below the null's typical size: in control, centre above it
    assert all(p["state"] == "in_control" and p["center"] > 0.01 for p in pts)


def test_a_registry_change_restarts_every_series(warehouse: Warehouse) -> None:
    from steward.monitoring import registry_fingerprint

    m = model()
    changed = model(alpha=0.01)
    assert registry_fingerprint(m) != registry_fingerprint(changed)
    assert registry_fingerprint(m) == registry_fingerprint(model())  # deterministic
    nights = [_night(i, REF_MEAN) for i in range(4)]
    _store(warehouse, nights[:-1])
    now = dt.datetime(2026, 11, 29, tzinfo=dt.UTC)
    for r in nights[:-1]:
        warehouse.replace_partition(
            "monitoring_runs",
            {"model": "test_model", "window_date": r["window_date"]},
            [
                {
                    "status": "ok",
                    "run_id": "t",
                    "computed_at": now,
                    "registry_fingerprint": registry_fingerprint(m),
                }
            ],
        )
    same = chart_model(
        m, nights[-1]["window_date"], warehouse=warehouse, run_id="r", drift_rows=nights[-1:],
        registry_fingerprint=registry_fingerprint(m),
    )  # fmt: skip
    assert {p["restart_reason"] for p in same.rows} == {None}
    night = chart_model(
        changed, nights[-1]["window_date"], warehouse=warehouse, run_id="r", drift_rows=nights[-1:],
        registry_fingerprint=registry_fingerprint(changed),
    )  # fmt: skip
    last = [p for p in night.rows if p["window_date"] == nights[-1]["window_date"]]
    assert last and all(
        p["restart_reason"].startswith("registry_change on 2026-10-04: registry entry changed") for p in last
    )
    assert all(p["segment_from"] == nights[-1]["window_date"] for p in last)


def test_later_nights_never_change_an_earlier_point(warehouse: Warehouse) -> None:
    from steward.drift import numeric_profile
    from steward.monitoring._aggregate import ColumnProfile

    m = model()
    rng = np.random.default_rng(5)
    values = rng.normal(REF_MEAN, REF_STD, 5_000)
    profile = ColumnProfile("amount", "feature", "numeric", 5_000, 5_000, numeric_profile(values, bins=10))
    now = dt.datetime(2026, 11, 29, tzinfo=dt.UTC)
    _store_profile(warehouse, profile)
    nights = [
        {**_night(i, REF_MEAN + float(rng.normal(0, _sigma(4_000))), n=int(rng.integers(2_000, 9_000))),
         "effect_size": float(rng.uniform(0.005, 0.05))}
        for i in range(30)
    ]  # fmt: skip
    perf = [
        {"window_date": n["window_date"], "metric": "auc", "model_version": None, "label_coverage": 1.0,
         "realized_value": float(0.8 + 0.01 * rng.standard_normal()), "estimated_value": None}
        for n in nights
    ]  # fmt: skip
    early = chart_model(m, nights[24]["window_date"], warehouse=warehouse, run_id="r", drift_rows=nights[:25],
                        performance_rows=perf[:25], now=now)  # fmt: skip
    late = chart_model(m, nights[29]["window_date"], warehouse=warehouse, run_id="r", drift_rows=nights,
                       performance_rows=perf, now=now)  # fmt: skip
    cutoff = nights[24]["window_date"]
    assert [r for r in late.rows if r["window_date"] <= cutoff] == list(early.rows)
    kinds = {(r["series"], r["limits_source"]) for r in early.rows}
    assert {
        ("mean:amount", "reference"),
        ("drift:amount", "reference"),
        ("performance:auc", "phase_i"),
    } <= kinds


def test_a_rerun_of_an_earlier_night_raises_the_alert_it_raised_the_first_time(warehouse: Warehouse) -> None:
    """Backfills and reruns: with later nights already stored, night 4 still opens its episode.

    The episode continues on nights 5 and 6; judged on the whole stored series it would look like a
    night in the middle of an episode (no alert, no breach), which is what a rerun used to write.
    """
    m = model()
    nights = [_night(i, REF_MEAN) for i in range(3)] + [
        _night(i, REF_MEAN + 10 * _sigma(4_000)) for i in range(3, 6)
    ]
    _store(warehouse, nights[:3])
    first = chart_model(m, nights[3]["window_date"], warehouse=warehouse, run_id="r", drift_rows=nights[3:4])
    _store(warehouse, nights)  # the later nights ran
    again = chart_model(m, nights[3]["window_date"], warehouse=warehouse, run_id="r", drift_rows=nights[3:4])
    assert first.alerts and again.alerts == first.alerts
    assert [b["subject"] for b in again.breaches] == [b["subject"] for b in first.breaches] != []
    strip = ("detected_at", "run_id")
    assert [{k: v for k, v in b.items() if k not in strip} for b in again.breaches] == [
        {k: v for k, v in b.items() if k not in strip} for b in first.breaches
    ]
    # the stored points are the whole series' (derived state): the later nights' are kept
    assert max(r["window_date"] for r in again.rows) == nights[5]["window_date"]
