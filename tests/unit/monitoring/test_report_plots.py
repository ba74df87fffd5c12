"""The monitoring report's control-chart plot: the EWMA line and its limits, and the CUSUM that alarmed."""

from __future__ import annotations

import base64
import datetime as dt
import io

from PIL import Image

from steward.monitoring._report import _series_plot
from steward.spc import control_chart, to_rows

DAYS = [dt.date(2026, 11, 1) + dt.timedelta(days=i) for i in range(12)]


#: The columns of control_chart_points the report reads (what the night's rows carry, nothing more).
COLUMNS = ("series", "value", "center", "sigma", "statistic", "lcl", "ucl", "warn_low", "warn_high", "state")


def _rows(method: str, values: list[float]) -> list[dict]:
    rows = to_rows(control_chart(values, method=method, center=0.0, sigma=1.0), "mean:x", method)
    return [{**{k: r[k] for k in COLUMNS}, "window_date": d} for r, d in zip(rows, DAYS, strict=True)]


def _height(png: str) -> int:
    return Image.open(io.BytesIO(base64.b64decode(png))).size[1]


def test_the_cusum_panel_is_drawn_only_when_cusum_raised_the_alert() -> None:
    quiet = [0.1, -0.2, 0.0, 0.3, -0.1, 0.2, 0.0, -0.3, 0.1, 0.0, 0.2, -0.1]
    shifted = quiet[:4] + [v + 1.5 for v in quiet[4:]]
    ewma = _rows("ewma", shifted)
    without = _series_plot(ewma, "mean:x", _rows("cusum", quiet))
    with_cusum = _series_plot(ewma, "mean:x", _rows("cusum", shifted))
    assert any(r["state"] == "out_of_control" for r in _rows("cusum", shifted))
    assert not any(r["state"] == "out_of_control" for r in _rows("cusum", quiet))
    assert _height(with_cusum) > 1.3 * _height(without)  # a second panel below the EWMA
