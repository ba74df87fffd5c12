"""The HTML report: charts inline, breaches and small groups shown, the series read from the table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from steward.fairness import evaluate_arrow, write_fairness, write_fairness_report
from steward.warehouse import connect
from tests.unit.fairness.data_for_test import log, model

DAY = dt.date(2026, 11, 10)


def test_report_shows_rates_gaps_series_and_small_groups(tmp_path: Path) -> None:
    m = model(protected=("sex", "age_band"), intersections=[], min_group_size=150)
    with connect(f"duckdb:///{tmp_path / 'wh.duckdb'}") as wh:
        wh.migrate()
        for i, gap in enumerate((0.0, 0.0, 0.3)):
            day = DAY + dt.timedelta(days=i)
            result = evaluate_arrow(m, log(3000, seed=i, gap=gap), window=day, run_id=f"r{i}")
            if i < 2:
                write_fairness(wh, m, day, result)
        path = write_fairness_report(wh, m, day, result, out_dir=tmp_path / "reports")
    html = path.read_text(encoding="utf-8")
    assert path == tmp_path / "reports" / "2026-11-12" / "test_model.html"  # reports/<area>/<date>/<model>
    index = (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")
    assert 'href="2026-11-11/test_model.html"' not in index  # written to the warehouse, but no report file
    assert "fairness overview" in index.lower()
    assert html.count("<svg ") >= 6  # rates, gaps, series and calibration per attribute
    assert 'aria-label="series over time of age_band"' in html
    assert "breach" in html and "18-25" in html
    assert "small groups" in html and "smallest detectable gap" in html
