"""The monitoring report's charts: distributions as bars, the EWMA with its limits, the CUSUM that alarmed."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest

from steward.monitoring._report import _distribution_plot, _performance_plot, _series_plot
from steward.spc import control_chart, to_rows

DAYS = [dt.date(2026, 11, 1) + dt.timedelta(days=i) for i in range(12)]


#: The columns of control_chart_points the report reads (what the night's rows carry, nothing more).
COLUMNS = ("series", "value", "center", "sigma", "statistic", "lcl", "ucl", "warn_low", "warn_high", "state")


def _rows(method: str, values: list[float]) -> list[dict]:
    rows = to_rows(control_chart(values, method=method, center=0.0, sigma=1.0), "mean:x", method)
    return [{**{k: r[k] for k in COLUMNS}, "window_date": d} for r, d in zip(rows, DAYS, strict=True)]


SVG = "{http://www.w3.org/2000/svg}"


def _tree(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # our own output, parsed: it must be well-formed


def _labels(root: ET.Element) -> set[str]:
    return {g.get("data-label", "") for g in root.iter(f"{SVG}g")} - {""}


def test_the_cusum_panel_is_drawn_only_when_cusum_raised_the_alert() -> None:
    quiet = [0.1, -0.2, 0.0, 0.3, -0.1, 0.2, 0.0, -0.3, 0.1, 0.0, 0.2, -0.1]
    shifted = quiet[:4] + [v + 1.5 for v in quiet[4:]]
    ewma = _rows("ewma", shifted)
    without = _series_plot(ewma, "mean:x", _rows("cusum", quiet))
    with_cusum = _series_plot(ewma, "mean:x", _rows("cusum", shifted))
    assert any(r["state"] == "out_of_control" for r in _rows("cusum", shifted))
    assert not any(r["state"] == "out_of_control" for r in _rows("cusum", quiet))
    panels = [
        len([g for g in _tree(svg).iter(f"{SVG}g") if g.get("class") == "panel"])
        for svg in (without, with_cusum)
    ]
    assert panels == [1, 2]  # a second panel below the EWMA
    assert {"CUSUM max(C+, C-)", "decision interval h"} <= _labels(_tree(with_cusum))
    assert "CUSUM max(C+, C-)" not in _labels(_tree(without))
    assert {"nightly value", "EWMA", "out of control"} <= _labels(_tree(with_cusum))
    assert float(_tree(with_cusum).get("height", "0")) > 1.3 * float(_tree(without).get("height", "0"))


def test_the_distribution_has_one_bar_per_category_at_the_shares_of_rows() -> None:
    reference = {"web": 600, "email": 300, "<partner & co>": 100}
    tonight = {"web": 100, "email": 300, "<partner & co>": 100}
    profile = SimpleNamespace(profile=SimpleNamespace(counts=reference))
    root = _tree(_distribution_plot(profile, tonight, "channel: jensen_shannon 0.3 (drift)"))
    heights = {}
    for label in ("reference", "this window"):
        (group,) = [g for g in root.iter(f"{SVG}g") if g.get("data-label") == label]
        heights[label] = [float(r.get("height", "nan")) for r in group.iter(f"{SVG}rect")]
    # shares (ordered by the reference's counts): reference 0.6, 0.3, 0.1; tonight 0.2, 0.6, 0.2
    unit = heights["reference"][0] / 0.6
    assert heights["reference"] == pytest.approx([0.6 * unit, 0.3 * unit, 0.1 * unit], abs=0.1)
    assert heights["this window"] == pytest.approx([0.2 * unit, 0.6 * unit, 0.2 * unit], abs=0.1)
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert {"web", "email", "<partner & co>", "share of rows", "channel: jensen_shannon 0.3 (drift)"} <= texts


def test_the_performance_chart_shows_auc_the_floor_and_label_coverage() -> None:
    rows = [
        {"window_date": d, "realized_value": None if i == 11 else 0.8 - 0.01 * i, "estimated_value": 0.78,
         "label_coverage": 1 - i / 11}
        for i, d in enumerate(DAYS)
    ]  # fmt: skip
    root = _tree(_performance_plot(rows, 0.72))
    assert {"AUC (realized)", "AUC (estimated, label-free)", "floor 0.72", "label coverage"} <= _labels(root)
    coverage = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "#d0d7de" and r.get("height") != "8"]
    heights = [float(r.get("height", "nan")) for r in coverage]
    assert len(heights) == 12 and heights[-1] == 0.0
    assert heights == pytest.approx([heights[0] * (1 - i / 11) for i in range(12)], abs=0.1)
    (realized,) = [g for g in root.iter(f"{SVG}g") if g.get("data-label") == "AUC (realized)"]
    assert len(realized.findall(f"{SVG}circle")) == 11  # no point where no label arrived
