"""The champion/challenger report's ROC chart: both curves as sklearn computes them, AUCs in the legend."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from sklearn.metrics import roc_curve

from steward.retraining._report import _roc_svg

SVG = "{http://www.w3.org/2000/svg}"


def _curve(root: ET.Element, label: str) -> list[tuple[float, float]]:
    (group,) = [g for g in root.iter(f"{SVG}g") if g.get("data-label") == label]
    (line,) = group.iter(f"{SVG}polyline")
    return [tuple(float(v) for v in p.split(",")) for p in line.get("points", "").split()]  # type: ignore[misc]


def test_the_roc_chart_draws_both_curves_point_for_point() -> None:
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 2, 400)
    challenger = labels * 0.4 + rng.random(400)
    champion = labels * 0.1 + rng.random(400)
    svg = _roc_svg(labels, challenger, champion, {"auc_challenger": 0.8123, "auc_champion": 0.6})
    root = ET.fromstring(svg)  # our own output, parsed: it must be well-formed
    assert root.get("aria-label") == "ROC curves of challenger and champion"
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert {"false positive rate", "true positive rate"} <= texts
    for scores, label in ((challenger, "challenger AUC 0.812"), (champion, "champion AUC 0.600")):
        fpr, tpr, _ = roc_curve(labels, scores)
        points = _curve(root, label)
        # the plot area is 346 x 316 pixels from (58, 14): pixel -> rate, to the drawing's 0.1 px
        assert [x for x, _ in points] == pytest.approx(list(58 + 346 * fpr), abs=0.051)
        assert [y for _, y in points] == pytest.approx(list(14 + 316 * (1 - tpr)), abs=0.051)


def test_without_a_champion_only_the_challenger_is_drawn() -> None:
    labels = np.array([0, 1, 0, 1])
    svg = _roc_svg(labels, np.array([0.1, 0.9, 0.2, 0.8]), None, {"auc_challenger": 1.0})
    root = ET.fromstring(svg)
    assert {g.get("data-label") for g in root.iter(f"{SVG}g")} - {None} == {"challenger AUC 1.000"}
