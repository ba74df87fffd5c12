"""Inline SVG charts: bars, lines and ticks where the data says, text escaped, valid XML, no matplotlib."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from steward.reports import Figure, date_ticks, nice_ticks, span

NS = {"s": "http://www.w3.org/2000/svg"}


def _tree(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # our own output, parsed: it must be well-formed


def _series(root: ET.Element, label: str) -> ET.Element:
    found = root.findall(f".//s:g[@data-label='{label}']", NS)
    assert len(found) == 1, f"one series {label!r}"
    return found[0]


def test_bars_one_per_value_with_heights_proportional_to_the_values() -> None:
    counts = [3.0, 0.0, 12.0, 6.0]
    fig = Figure(400, 200, label="counts")
    ax = fig.panel(40, 20, 300, 150, xlim=(-0.5, 3.5), ylim=(0, 12), ylabel="rows")
    ax.bars([0, 1, 2, 3], counts, width=0.8, colour="#0969da", label="tonight")
    ax.xticks([0, 1, 2, 3], ["a", "b", "c", "d"])
    root = _tree(fig.svg())
    rects = _series(root, "tonight").findall("s:rect", NS)
    assert len(rects) == 4
    heights = [float(r.get("height", "nan")) for r in rects]
    # 150 px of plot for 12 rows: 12.5 px a row, each bar standing on the axis at y = 170
    assert heights == pytest.approx([37.5, 0.0, 150.0, 75.0], abs=0.06)
    assert all(
        float(r.get("y", "nan")) + h == pytest.approx(170, abs=0.06)
        for r, h in zip(rects, heights, strict=True)
    )
    xs = [float(r.get("x", "nan")) + float(r.get("width", "nan")) / 2 for r in rects]
    assert xs == pytest.approx([77.5, 152.5, 227.5, 302.5], abs=0.06)  # centred on each category
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert {"a", "b", "c", "d", "rows", "tonight"} <= set(texts)  # tick labels, axis label, legend


def test_text_and_labels_are_escaped() -> None:
    fig = Figure(200, 100, label='a "quoted" <label>')
    ax = fig.panel(20, 20, 160, 60, xlim=(0, 1), ylim=(0, 1), title="<script>alert(1)</script>")
    ax.line([0, 1], [0, 1], colour="#000", label="x & y")
    ax.xticks([0.5], ["<b>"])
    svg = str(fig.svg())
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    root = _tree(svg)  # still well-formed XML
    assert root.get("aria-label") == 'a "quoted" <label>'
    assert _series(root, "x & y") is not None
    assert "<b>" in [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_a_line_breaks_at_missing_values_and_maps_data_to_pixels() -> None:
    fig = Figure(200, 200, label="line")
    ax = fig.panel(0, 0, 100, 100, xlim=(0, 4), ylim=(-1, 1))
    ax.line([0, 1, 2, 3, 4], [-1, 1, None, 0, 0.5], colour="#000", label="v")
    lines = _series(_tree(fig.svg()), "v").findall("s:polyline", NS)
    assert [ln.get("points") for ln in lines] == ["0,100 25,0", "75,50 100,25"]


def test_a_panel_may_run_downwards_first_category_on_top() -> None:
    fig = Figure(200, 200, label="groups")
    ax = fig.panel(0, 0, 100, 90, xlim=(0, 1), ylim=(2.5, -0.5))
    assert [ax.y(0), ax.y(1), ax.y(2)] == pytest.approx([15, 45, 75])


@pytest.mark.parametrize(
    ("lo", "hi", "expected"),
    [
        (0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1]),
        (0.62, 0.81, [0.65, 0.7, 0.75, 0.8]),
        (-1, 1, [-1, -0.5, 0, 0.5, 1]),
    ],
)
def test_nice_ticks(lo: float, hi: float, expected: list[float]) -> None:
    assert nice_ticks(lo, hi) == pytest.approx(expected)


def test_span_and_date_ticks() -> None:
    assert span([None, 2.0, 4.0], pad=0.5) == (1.0, 5.0)
    days = [dt.date(2026, 11, 1) + dt.timedelta(days=i) for i in range(14)]
    positions, labels = date_ticks(days, most=7)
    assert labels == [d.isoformat() for d in days[::2]]
    assert positions == [float(d.toordinal()) for d in days[::2]]


CHECK = (
    "import sys, datetime as dt\n"
    "from steward.monitoring._report import _performance_plot\n"
    "from steward.fairness._report import _calibration_plot\n"
    "rows = [{'window_date': dt.date(2026, 11, 1 + i), 'realized_value': 0.8, 'estimated_value': 0.79,"
    " 'label_coverage': 0.5} for i in range(3)]\n"
    "cal = [{'attribute': 'sex', 'group_value': 'f', 'score_bin': 0,"
    " 'mean_score': 0.2, 'observed_rate': 0.3}]\n"
    "assert _performance_plot(rows, 0.7).startswith('<svg')\n"
    "assert _calibration_plot(cal, 'sex').startswith('<svg')\n"
    "print('matplotlib' in sys.modules)\n"
)


def test_the_nightly_charts_do_not_import_matplotlib() -> None:
    # a fresh interpreter: this test session may have imported matplotlib already
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False"]
