"""Monitoring over the demo company's fortnight: each injected problem is found on its days, and only there.

The demo plants (steward.demo.INJECTED_PROBLEMS): a slow creep of pages_viewed from day one, a jump of
time_on_site_s (4x) and of the scores from 2026-11-08, and an AUC decay from 0.83 to about 0.70 for leads
scored from 2026-11-08, visible once their labels arrive 2 to 9 days later.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from steward.demo import DEMO_START, generate
from steward.monitoring import monitor_window
from steward.registry import load_registry
from steward.warehouse import connect

DRIFT_DAY = DEMO_START + dt.timedelta(days=7)  # 2026-11-08
LAST = DEMO_START + dt.timedelta(days=13)  # 2026-11-14
DAYS = [DEMO_START + dt.timedelta(days=i) for i in range(14)]


@pytest.fixture(scope="module")
def fortnight(tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("home")
    mp = pytest.MonkeyPatch()
    mp.setenv("STEWARD_HOME", str(home))
    generate(home, datasets=["lead_scoring_training", "lead_scoring_predictions", "lead_scoring_labels"])
    registry = load_registry()
    model = registry.model("lead_scoring")
    wh = connect(f"duckdb:///{home / 'wh.duckdb'}")
    wh.migrate()
    outcomes = {
        day: monitor_window(
            model, day, registry=registry, warehouse=wh, run_id=f"night-{day}", write_report=day == LAST
        )
        for day in DAYS
    }
    yield registry, model, wh, outcomes, home
    mp.undo()


def _drift(wh, feature: str) -> dict[dt.date, dict]:
    rows = wh.fetch(
        "select * from drift_metrics where model = 'lead_scoring' and feature = :f", {"f": feature}
    )
    return {r["window_date"]: r for r in rows}


def test_time_on_site_drifts_from_its_day_on_and_not_before(fortnight) -> None:
    _, _, wh, _, _ = fortnight
    rows = _drift(wh, "time_on_site_s")
    for day in DAYS:
        if day >= DRIFT_DAY:
            assert rows[day]["drifted"] and rows[day]["effect_size"] > 1.0, day
            assert rows[day]["q_value"] <= 0.05
        else:
            assert rows[day]["effect_size"] < 0.2, day


def test_prediction_drift_from_its_day_and_no_reference_before_the_window_ends(fortnight) -> None:
    _, _, wh, outcomes, _ = fortnight
    score = _drift(wh, "score")
    assert score[DEMO_START]["status"] == "no_reference"
    assert "usable from the next day" in score[DEMO_START]["message"]
    for day in DAYS:
        if day >= DRIFT_DAY:
            assert outcomes[day].prediction_drift, day


def _chart(wh, series: str, chart: str = "ewma") -> dict[dt.date, dict]:
    rows = wh.fetch(
        "select * from control_chart_points where model = 'lead_scoring' and series = :s and chart = :c",
        {"s": series, "c": chart},
    )
    return {r["window_date"]: r for r in rows}


def test_the_slow_creep_is_caught_by_the_control_chart_in_the_first_week_as_one_episode(fortnight) -> None:
    _, _, wh, outcomes, _ = fortnight
    points = _chart(wh, "mean:pages_viewed")
    # judged from night one against the reference (mean, std / sqrt(rows)): no learning nights any more
    assert all(points[d]["limits_source"] == "reference" for d in DAYS)
    assert [points[d]["state"] for d in DAYS[:2]] == ["in_control"] * 2  # nothing before the creep adds up
    assert all(points[d]["state"] == "out_of_control" for d in DAYS[2:])
    assert {points[d]["episode_from"] for d in DAYS[2:]} == {DAYS[2]}
    assert any(
        "mean:pages_viewed: EWMA" in a and f"episode since {DAYS[2]}" in a
        for a in outcomes[LAST].chart_alerts
    )
    # one excursion, one breach per alerting chart, on the night it began
    breaches = wh.fetch(
        "select window_date, subject from monitoring_breaches where model = 'lead_scoring' "
        "and kind = 'control_chart' and subject like 'mean:pages_viewed:%' order by subject"
    )
    assert [(b["window_date"], b["subject"]) for b in breaches] == [
        (DAYS[2], "mean:pages_viewed:cusum"),
        (DAYS[2], "mean:pages_viewed:ewma"),
    ]
    # one night's daily mean moves by less than its own noise: no single-night test on the mean exists
    first_week = wh.fetch(
        "select current_mean from drift_metrics where model = 'lead_scoring' and feature = 'pages_viewed' "
        "and window_date <= :d order by window_date",
        {"d": DEMO_START + dt.timedelta(days=1)},
    )
    assert abs(first_week[1]["current_mean"] - first_week[0]["current_mean"]) < 0.2


def test_clean_series_never_alarm_and_phase_i_series_stay_silent(fortnight) -> None:
    _, _, wh, _, _ = fortnight
    # columns that do not depend on pages viewed: in control all fortnight against their reference
    clean = ["mean:form_score"] + [
        f"drift:{c}" for c in ("form_score", "channel", "region", "device", "company_size", "email_opens")
    ]
    for series in clean:
        for chart in ("ewma", "cusum"):
            points = _chart(wh, series, chart)
            assert len(points) == 14 and all(p["limits_source"] == "reference" for p in points.values())
            assert all(p["state"] != "out_of_control" for p in points.values()), (series, chart)
    # the score's reference is the prediction log's first week, not the reference profile: it and
    # performance learn a 20-night Phase I, shown as provisional, never alarming
    for series in ("drift:score", "performance:auc", "estimate:auc"):
        points = _chart(wh, series)
        assert points and all(p["state"] == "learning" for p in points.values()), series
    judged = _chart(wh, "performance:auc")[DRIFT_DAY]
    assert judged["limits_source"] == "provisional" and judged["phase_i_from"] == DEMO_START
    subjects = {
        r["subject"] for r in wh.fetch("select subject from monitoring_breaches where kind = 'control_chart'")
    }
    # only the creep and what it feeds (time on site = pages x time per page) alarm, one episode each
    assert subjects == {
        f"{kind}:{c}:{chart}"
        for kind in ("mean", "drift")
        for c in ("pages_viewed", "time_on_site_s")
        for chart in ("ewma", "cusum")
    }


def test_performance_decays_after_the_drift_once_labels_arrive(fortnight) -> None:
    _, _, wh, outcomes, _ = fortnight
    perf = {
        r["window_date"]: r
        for r in wh.fetch("select * from model_performance where model = 'lead_scoring' and metric = 'auc'")
    }
    for day in DAYS[:5]:
        assert perf[day]["label_coverage"] == 1.0 and 0.78 < perf[day]["realized_value"] < 0.88
        assert not perf[day]["breach"]
    assert perf[DRIFT_DAY]["realized_value"] < 0.72 and perf[DRIFT_DAY]["breach"]
    assert perf[LAST]["label_coverage"] == 0.0 and perf[LAST]["realized_value"] is None
    assert perf[LAST]["realized_status"] == "no_labels" and perf[LAST]["estimated_value"] is not None
    assert outcomes[LAST].performance_breach
    breaches = wh.fetch(
        "select window_date, message from monitoring_breaches "
        "where model = 'lead_scoring' and kind = 'performance'"
    )
    assert DRIFT_DAY in {b["window_date"] for b in breaches}
    assert all("below the floor 0.72" in b["message"] for b in breaches)


def test_the_report_has_plots_and_tables(fortnight) -> None:
    _, _, _, outcomes, _ = fortnight
    html = Path(outcomes[LAST].report_path).read_text()
    assert html.count("<svg ") >= 4
    assert (
        "time_on_site_s" in html
        and "Low-confidence review queue" in html
        and "Performance with late labels" in html
    )
    assert "Alert episodes" in html and f"<td>{DAYS[2]}</td>" in html  # the creep's episode
    assert "Where tonight&#39;s limits came from" in html or "Where tonight's limits came from" in html


def test_rerun_writes_the_same_rows(fortnight) -> None:
    registry, model, wh, outcomes, _ = fortnight
    tables = [
        "drift_metrics",
        "model_performance",
        "control_chart_points",
        "review_queue",
        "monitoring_breaches",
        "monitoring_runs",
    ]

    def snapshot() -> dict[str, list[tuple]]:
        out = {}
        for t in tables:
            cols = [
                c
                for c in wh.columns(t)
                if c not in ("run_id", "computed_at", "detected_at", "duration_s", "report_path", "message")
            ]
            rows = wh.fetch(f"select {', '.join(cols)} from {t} where model = 'lead_scoring'")
            # every bit: sums are exact decimals in SQL and fsum in Python, so parallel scans agree
            out[t] = sorted(tuple(repr(v) for v in r.values()) for r in rows)
        return out

    before = snapshot()
    for attempt in range(3):  # DuckDB's parallel aggregation orders rows differently on each run
        again = monitor_window(
            model, LAST, registry=registry, warehouse=wh, run_id=f"rerun-{attempt}", write_report=False
        )
        assert again.summary() == outcomes[LAST].summary()
        after = snapshot()
        for t in tables:
            diff = sorted(set(after[t]) ^ set(before[t]))
            assert not diff, (t, attempt, [list(d) for d in diff[:2]])


def test_a_quarantined_partition_is_skipped_and_left_out_of_performance(fortnight) -> None:
    registry, model, wh, _, _ = fortnight
    day = DEMO_START + dt.timedelta(days=2)
    wh.replace_partition(
        "quarantine",
        {"dataset": "lead_scoring_predictions", "partition_date": day},
        [{"reason": "test", "run_id": "t"}],
    )
    try:
        skipped = monitor_window(model, day, registry=registry, warehouse=wh, run_id="q")
        assert skipped.status == "skipped" and "quarantined" in skipped.message
        later = monitor_window(model, LAST, registry=registry, warehouse=wh, run_id="q2", write_report=False)
        assert day not in {w.window for w in later.performance}
    finally:
        wh.execute("delete from quarantine where dataset = 'lead_scoring_predictions'")


def _row_counts(wh, run_id: str) -> dict[str, int]:
    tables = [
        "drift_metrics",
        "review_queue",
        "model_performance",
        "control_chart_points",
        "monitoring_breaches",
        "monitoring_runs",
    ]
    return {
        t: wh.fetch(f"select count(*) as n from {t} where run_id = :r", {"r": run_id})[0]["n"] for t in tables
    }


@pytest.mark.parametrize("stage", ["report", "charts"])
def test_a_failure_after_the_rows_are_computed_writes_nothing(fortnight, monkeypatch, stage: str) -> None:
    registry, model, wh, _, _ = fortnight
    total = {
        t: wh.fetch(f"select count(*) as n from {t}")[0]["n"] for t in ("drift_metrics", "monitoring_runs")
    }

    def boom(*args, **kwargs):
        raise RuntimeError(f"{stage} failed")

    if stage == "report":
        monkeypatch.setattr("steward.monitoring._report.write_model_report", boom)
    else:
        monkeypatch.setattr("steward.monitoring._run.chart_model", boom)
    with pytest.raises(RuntimeError, match=f"{stage} failed"):
        monitor_window(
            model, LAST, registry=registry, warehouse=wh, run_id=f"boom-{stage}", write_report=True
        )
    assert set(_row_counts(wh, f"boom-{stage}").values()) == {0}  # no partial night
    assert total == {t: wh.fetch(f"select count(*) as n from {t}")[0]["n"] for t in total}


def test_an_acknowledged_signal_restarts_the_chart_and_opens_a_new_episode(fortnight) -> None:
    from steward.monitoring import record_restart

    registry, model, wh, _, _ = fortnight
    ack = DEMO_START + dt.timedelta(days=9)
    record_restart(
        wh, "lead_scoring", ack, kind="acknowledged", series="mean:pages_viewed", reason="creep known"
    )
    try:
        again = monitor_window(model, LAST, registry=registry, warehouse=wh, run_id="ack", write_report=False)
        points = _chart(wh, "mean:pages_viewed")
        assert points[ack]["restart_reason"] == f"acknowledged on {ack}: creep known"
        assert points[ack]["segment_from"] == ack and points[DAYS[8]]["segment_from"] == DAYS[0]
        # the episode that began on night 3 closes the night before the acknowledgement; a new one opens
        spans = [(e.start, e.last, e.open) for e in again.chart_episodes if e.series == "mean:pages_viewed"
                 and e.chart == "ewma"]  # fmt: skip
        assert spans[0] == (DAYS[2], DAYS[8], False)
        assert spans[1][0] >= ack and spans[1][2]
        assert _chart(wh, "mean:form_score")[ack]["restart_reason"] is None  # other series untouched
    finally:
        wh.execute("delete from control_chart_restarts where model = 'lead_scoring'")
        monitor_window(model, LAST, registry=registry, warehouse=wh, run_id="restore", write_report=False)
