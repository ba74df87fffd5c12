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


def test_the_slow_creep_is_caught_by_the_control_chart_in_the_second_week(fortnight) -> None:
    _, _, wh, outcomes, _ = fortnight
    rows = wh.fetch(
        "select window_date, state from control_chart_points where model = 'lead_scoring' "
        "and series = 'mean:pages_viewed' and chart = 'ewma' order by window_date"
    )
    states = {r["window_date"]: r["state"] for r in rows}
    assert [states[d] for d in DAYS[:5]] == ["learning"] * 5
    assert all(states[d] == "out_of_control" for d in DAYS[7:])
    assert any("mean:pages_viewed" in a for a in outcomes[LAST].chart_alerts)
    # one night's daily mean moves by less than its own noise: no single-night test on the mean exists
    first_week = wh.fetch(
        "select current_mean from drift_metrics where model = 'lead_scoring' and feature = 'pages_viewed' "
        "and window_date <= :d order by window_date",
        {"d": DEMO_START + dt.timedelta(days=1)},
    )
    assert abs(first_week[1]["current_mean"] - first_week[0]["current_mean"]) < 0.2


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
    assert html.count("data:image/png;base64,") >= 4
    assert (
        "time_on_site_s" in html
        and "Low-confidence review queue" in html
        and "Performance with late labels" in html
    )


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
