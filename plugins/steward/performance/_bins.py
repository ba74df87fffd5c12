"""The input contract of the performance metrics: per-score-bin aggregates of one window.

One row per ``(score_bin, predicted_label)`` present in the window, as a ``pyarrow.Table`` or a list
of dicts, with the columns of :data:`BIN_COLUMNS`:

=====================  ===========================================================================
``score_bin``          float64, lower edge of the score's bin: ``floor(score * 1000) / 1000``,
                       so 1001 possible bins in [0, 1] (a score of exactly 1 has bin 1.0)
``predicted_label``    int 0/1, the decision that was served
``n``                  rows
``sum_score``          sum of the raw scores
``n_labelled``         rows with a label
``n_positive``         labelled rows with label 1
``sum_log_loss``       over labelled rows, ``-(y ln p + (1 - y) ln(1 - p))``, ``p`` clipped to
                       ``[1e-15, 1 - 1e-15]``
``sum_brier``          over labelled rows, ``(p - y)^2``
``sum_score_labelled`` sum of the scores of the labelled rows
=====================  ===========================================================================

A null in a sum or count column is read as 0 (SQL ``sum`` over no labelled rows is null); a null
``score_bin`` or ``predicted_label`` is an error. The same ``score_bin`` may appear once per
``predicted_label`` (a served decision need not follow a threshold on the score); metrics that rank
by score merge them. Several rows for the same ``(score_bin, predicted_label)`` are summed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "BIN_COLUMNS",
    "SCORE_BIN_WIDTH",
    "Bins",
    "MetricValue",
    "Status",
]

SCORE_BIN_WIDTH = 0.001
"""Width of a score bin: ``score_bin = floor(score * 1000) / 1000``."""

BIN_COLUMNS: tuple[str, ...] = (
    "score_bin",
    "predicted_label",
    "n",
    "sum_score",
    "n_labelled",
    "n_positive",
    "sum_log_loss",
    "sum_brier",
    "sum_score_labelled",
)
"""Columns of the input contract, in order (see the module docstring)."""

_SUM_COLUMNS = BIN_COLUMNS[2:]
_COUNT_COLUMNS = ("n", "n_labelled", "n_positive")

Status = Literal["ok", "no_labels", "single_class", "undefined"]
Bins: TypeAlias = pa.Table | Sequence[Mapping[str, Any]]


class MetricValue(NamedTuple):
    """One metric of one window, with why it has no value when it has none.

    Attributes
    ----------
    value : float or None
        The metric, ``None`` (never NaN) unless ``status == "ok"``.
    n : int
        Rows in the metric's denominator (labelled rows, predicted positives, actual positives,
        or all rows for label-free metrics).
    status : {"ok", "no_labels", "single_class", "undefined"}
        ``"no_labels"``: the window has no labelled rows yet; ``"single_class"``: the labels are
        all one class (AUC, recall); ``"undefined"``: a zero denominator otherwise (precision with
        no predicted positives, an empty window).
    note : str
        How the value was computed or why it is missing, for people.
    bound : float or None
        Largest possible difference to the same metric on the raw rows, where the aggregation
        approximates (AUC's within-bin ties); ``None`` where exact or not bounded.
    std_error : float or None
        Estimated metrics only: standard deviation of the realized metric if the calibrated
        probabilities are right (label sampling noise), where available.
    """

    value: float | None
    n: int
    status: Status
    note: str = ""
    bound: float | None = None
    std_error: float | None = None


def _missing(status: Status, n: int, note: str) -> MetricValue:
    return MetricValue(None, n, status, note)


@dataclass(frozen=True)
class _Bins:
    """Validated contract columns as float arrays (counts as floats: exact below 2**53)."""

    score_bin: np.ndarray
    predicted: np.ndarray
    n: np.ndarray
    sum_score: np.ndarray
    n_labelled: np.ndarray
    n_positive: np.ndarray
    sum_log_loss: np.ndarray
    sum_brier: np.ndarray
    sum_score_labelled: np.ndarray

    @property
    def negatives(self) -> np.ndarray:
        return self.n_labelled - self.n_positive

    def by_score_bin(self, *columns: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """Sum ``columns`` over predicted labels: (sorted unique score bins, one array per column)."""
        edges, inverse = np.unique(self.score_bin, return_inverse=True)
        sums = [np.bincount(inverse, weights=c, minlength=edges.size) for c in columns]
        return edges, sums


def _to_table(bins: Bins, source: str) -> pa.Table:
    if isinstance(bins, pa.Table):
        return bins
    if isinstance(bins, pa.RecordBatch):
        return pa.Table.from_batches([bins])
    if isinstance(bins, Sequence) and not isinstance(bins, str | bytes):
        if len(bins) == 0:
            return pa.table({c: pa.array([], pa.float64()) for c in BIN_COLUMNS})
        try:
            return pa.Table.from_pylist([dict(row) for row in bins])
        except (TypeError, ValueError, pa.ArrowException) as exc:
            raise ValueError(f"{source}: could not read the rows as a table of bins: {exc}") from exc
    raise TypeError(f"{source}: expected a pyarrow.Table or a list of dicts, got {type(bins).__name__}")


def parse_bins(bins: Bins, *, source: str = "bins") -> _Bins:
    """Validate the input contract and return its columns as arrays.

    Raises
    ------
    ValueError
        Missing columns, nulls in ``score_bin``/``predicted_label``, a score bin outside [0, 1],
        a label other than 0/1, or inconsistent counts; the message names ``source`` and the row.
    """
    table = _to_table(bins, source)
    missing = [c for c in BIN_COLUMNS if c not in table.column_names]
    if missing:
        raise ValueError(
            f"{source}: missing columns {missing}; the performance metrics need one row per "
            f"(score_bin, predicted_label) with columns {list(BIN_COLUMNS)} (see steward.performance)"
        )
    arrays: dict[str, np.ndarray] = {}
    for name in BIN_COLUMNS:
        column = table.column(name)
        if name in ("score_bin", "predicted_label"):
            if column.null_count:
                raise ValueError(f"{source}: column {name!r} has {column.null_count} null(s); it must be set")
        elif pa.types.is_null(column.type):  # every value null, e.g. no labelled row in the window
            arrays[name] = np.zeros(len(column))
            continue
        else:
            column = pc.fill_null(column, 0)
        try:
            arrays[name] = np.asarray(column.to_numpy(zero_copy_only=False), dtype=float)
        except (TypeError, ValueError, pa.ArrowException) as exc:
            raise ValueError(f"{source}: column {name!r} is not numeric ({column.type}): {exc}") from exc

    def fail(mask: np.ndarray, problem: str) -> None:
        if np.any(mask):
            i = int(np.flatnonzero(mask)[0])
            raise ValueError(
                f"{source}: row {i} (score_bin={float(arrays['score_bin'][i]):g}, "
                f"predicted_label={float(arrays['predicted_label'][i]):g}) {problem}; "
                f"{int(mask.sum())} row(s) affected"
            )

    for name in BIN_COLUMNS:
        fail(~np.isfinite(arrays[name]), f"has a non-finite {name}")
    fail((arrays["score_bin"] < 0) | (arrays["score_bin"] > 1), "has a score_bin outside [0, 1]")
    fail(~np.isin(arrays["predicted_label"], (0.0, 1.0)), "has a predicted_label other than 0 or 1")
    for name in _COUNT_COLUMNS:
        fail((arrays[name] < 0) | (arrays[name] != np.round(arrays[name])), f"has {name} not a count")
    fail(arrays["n_labelled"] > arrays["n"], "has n_labelled > n")
    fail(arrays["n_positive"] > arrays["n_labelled"], "has n_positive > n_labelled")
    for name in _SUM_COLUMNS:
        fail(arrays[name] < 0, f"has a negative {name}")
    return _Bins(
        score_bin=arrays["score_bin"],
        predicted=arrays["predicted_label"].astype(np.int64),
        n=arrays["n"],
        sum_score=arrays["sum_score"],
        n_labelled=arrays["n_labelled"],
        n_positive=arrays["n_positive"],
        sum_log_loss=arrays["sum_log_loss"],
        sum_brier=arrays["sum_brier"],
        sum_score_labelled=arrays["sum_score_labelled"],
    )


def mann_whitney_auc(pos: np.ndarray, neg: np.ndarray) -> tuple[float, float]:
    """AUC and its tie bound from (possibly weighted) positive/negative counts per ascending bin.

    A positive ranks above every negative of a lower bin; a pair within one bin counts 1/2. The raw
    AUC, which orders pairs within a bin by their actual scores, counts each such pair 0, 1/2 or 1,
    so it lies within ``auc +/- bound`` with ``bound = sum(pos_b * neg_b) / (2 * P * N)`` (attained
    when every positive of every bin outscores its negatives). Callers ensure ``P, N > 0``.
    """
    total_pos, total_neg = float(pos.sum()), float(neg.sum())
    neg_below = np.cumsum(neg) - neg
    u = float(np.sum(pos * (neg_below + 0.5 * neg)))
    ties = float(np.sum(pos * neg))
    denom = total_pos * total_neg
    return u / denom, ties / (2.0 * denom)


def to_int(x: float) -> int:
    return round(x)
