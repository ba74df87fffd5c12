"""The low-confidence review queue: segments where many scores sit near the decision threshold.

The window scan already counts, per category and per numeric bin, the rows whose score lies within
``thresholds.review_band`` of ``thresholds.decision``. A segment is queued when it is big enough and
its low-confidence share stands out (``monitoring.review``); a few example row ids are fetched for the
reviewers with one small query per queued segment.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass

import numpy as np

from steward.drift import point_bin_mask
from steward.monitoring._aggregate import ColumnCounts, ColumnProfile
from steward.monitoring._relation import Relation
from steward.monitoring._sql import number
from steward.registry import Model, mask_examples
from steward.warehouse import quote_ident

__all__ = ["MAX_SEGMENTS", "ReviewSegment", "review_segments"]

#: At most this many segments are queued per model and window (the largest shares first).
MAX_SEGMENTS = 20


@dataclass(frozen=True)
class ReviewSegment:
    """One queued segment (a ``review_queue`` row)."""

    segment_feature: str
    segment_value: str
    n: int
    n_low_confidence: int
    low_confidence_share: float
    overall_share: float
    example_ids: tuple[str, ...] = ()

    def row(self) -> dict[str, object]:
        """Return the ``review_queue`` columns (without model, window and run keys)."""
        return {
            "segment_feature": self.segment_feature,
            "segment_value": self.segment_value,
            "n": self.n,
            "n_low_confidence": self.n_low_confidence,
            "low_confidence_share": self.low_confidence_share,
            "overall_share": self.overall_share,
            "example_ids_json": json.dumps(list(self.example_ids)),
        }


def _after_point(edges: np.ndarray, i: int) -> bool:
    """Whether bin ``i`` starts where a point bin ``[v, nextafter(v))`` ends (it holds ``x > v``)."""
    return i > 0 and bool(point_bin_mask(edges)[i - 1])


def _label(edges: np.ndarray, i: int) -> str:
    lo, hi = edges[i], edges[i + 1]
    if point_bin_mask(edges)[i]:
        return f"= {lo:.6g}"
    hi_s = "inf" if math.isinf(hi) else f"{hi:.6g}"
    if _after_point(edges, i):
        return f"({edges[i - 1]:.6g}, {hi_s})"
    lo_s = "-inf" if math.isinf(lo) else f"{lo:.6g}"
    return f"[{lo_s}, {hi_s})"


def _predicate(column: str, edges: np.ndarray | None, key: str | int) -> str:
    q = quote_ident(column)
    if edges is None:
        return f"cast({q} as varchar) = '" + str(key).replace("'", "''") + "'"
    i = int(key)
    x = f"cast({q} as double precision)"
    if point_bin_mask(edges)[i]:
        return f"{x} = {number(edges[i])}"
    parts = []
    if _after_point(edges, i):
        parts.append(f"{x} > {number(edges[i - 1])}")
    elif not math.isinf(edges[i]):
        parts.append(f"{x} >= {number(edges[i])}")
    if not math.isinf(edges[i + 1]):
        parts.append(f"{x} < {number(edges[i + 1])}")
    return " and ".join(parts) or f"{q} is not null"


def review_segments(
    model: Model,
    window: Relation,
    counts: dict[str, tuple[ColumnProfile, ColumnCounts]],
    *,
    n_rows: int,
    n_low: int,
    day: dt.date,
    sensitivity: str = "internal",
) -> list[ReviewSegment]:
    """Return the window's queued segments, largest low-confidence share first.

    Example row ids follow the prediction log's ``sensitivity`` (:func:`steward.registry.mask_examples`,
    ``kind="ids"``): a restricted log keeps the count of examples, never the ids.
    """
    policy = model.monitoring.review
    overall = n_low / n_rows if n_rows else 0.0
    bar = max(policy.min_share, policy.share_factor * overall)
    found: list[tuple[float, str, str | int, int, int, np.ndarray | None]] = []
    for name, (profile, cc) in counts.items():
        edges = profile.spec.edges
        edge_arr = np.array(edges) if edges is not None else None
        if isinstance(cc.counts, dict) and isinstance(cc.low, dict):
            items: list[tuple[str | int, int, int]] = [(k, v, cc.low.get(k, 0)) for k, v in cc.counts.items()]
        else:
            items = [(i, int(v), int(cc.low[i])) for i, v in enumerate(cc.counts)]  # type: ignore[index]
        for key, n, low in items:
            if n >= policy.min_rows and low / n >= bar:
                found.append((low / n, name, key, n, low, edge_arr))
    found.sort(key=lambda t: (-t[0], t[1], str(t[2])))
    out: list[ReviewSegment] = []
    score = model.columns.score
    for share, name, key, n, low, edge_arr in found[:MAX_SEGMENTS]:
        examples: tuple[str, ...] = ()
        if policy.examples and score:
            near = (
                f"abs(cast({quote_ident(score)} as double precision) - {number(model.thresholds.decision)}) "
                f"<= {number(model.thresholds.review_band)}"
            )
            sql = (
                f"select cast({quote_ident(model.columns.id)} as varchar) as id from ({window.sql}) as r "
                f"where {near} and {_predicate(name, edge_arr, key)} "
                f"order by 1 limit {int(policy.examples)}"
            )
            ids = [str(r["id"]) for r in window.engine.fetch(sql)]
            examples = tuple(mask_examples(ids, sensitivity=sensitivity, kind="ids"))
        value = _label(edge_arr, int(key)) if edge_arr is not None else str(key)
        out.append(ReviewSegment(name, value, n, low, share, overall, examples))
    return out
