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
    with connect(f"duckdb:///{tmp_path / 'wh.duckdb'}") as wh:
        wh.migrate()
        for i in range(10):
            day = DAY + dt.timedelta(days=i)
            table = log(3000, seed=100 + i, gap=0.3 if i >= 8 else 0.0)
            write_fairness(wh, m, day, evaluate_arrow(m, table, window=day, run_id=f"r{i}"))
        last = DAY + dt.timedelta(days=9)
        series = gap_series(wh, m, until=last)
        charts = gap_control_charts(wh, m, until=last)
    young = series[("age_band", "18-25")]
    assert [d for d, _ in young] == [DAY + dt.timedelta(days=i) for i in range(10)]
    assert all(v is not None for _, v in young) and young[-1][1] < -0.2  # type: ignore[operator]
    points = charts[("age_band", "18-25")]
    assert len(points) == 10
    assert points[-1].state == "out_of_control"
    assert all(p.state in ("learning", "in_control", "warning") for p in points[:8])
