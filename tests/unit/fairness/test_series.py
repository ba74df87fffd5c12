"""Gap series from fairness_metrics and their EWMA control charts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from steward.fairness import evaluate_arrow, gap_control_charts, gap_series, write_fairness
from steward.warehouse import connect
from tests.unit.fairness.data_for_test import log, model

DAY = dt.date(2026, 11, 1)


def test_series_and_control_chart_flag_the_unfair_nights(tmp_path: Path) -> None:
    m = model(protected=("age_band",), reference_groups={"age_band": "26-40"})
    nights = 24  # a 20-night silent Phase I, then judged; the gap opens on the last two
    with connect(f"duckdb:///{tmp_path / 'wh.duckdb'}") as wh:
        wh.migrate()
        for i in range(nights):
            day = DAY + dt.timedelta(days=i)
            table = log(3000, seed=100 + i, gap=0.3 if i >= nights - 2 else 0.0)
            write_fairness(wh, m, day, evaluate_arrow(m, table, window=day, run_id=f"r{i}"))
        last = DAY + dt.timedelta(days=nights - 1)
        series = gap_series(wh, m, until=last)
        charts = gap_control_charts(wh, m, until=last)
    young = series[("age_band", "18-25")]
    assert [d for d, _ in young] == [DAY + dt.timedelta(days=i) for i in range(nights)]
    assert all(v is not None for _, v in young) and young[-1][1] < -0.2  # type: ignore[operator]
    points = charts[("age_band", "18-25")]
    assert len(points) == nights
    assert all(p.state == "learning" for p in points[:20])
    assert points[-1].state == "out_of_control" and points[-1].limits_source == "phase_i"
    assert points[-1].phase_i_n == 20 and points[-1].adjustment.startswith("calibrated L=")
    assert all(p.state in ("in_control", "warning") for p in points[20:22])
