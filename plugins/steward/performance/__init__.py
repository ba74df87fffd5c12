"""Classifier performance from per-score-bin aggregates (never rows): realized, estimated, decay.

The input contract is one row per ``(score_bin, predicted_label)`` of a window with the columns
of :data:`BIN_COLUMNS` (documented in ``steward.performance._bins``).

Modules
-------
``_bins``
    The input contract of the performance metrics: per-score-bin aggregates of one window.
``_calibration``
    Histogram-binning calibration of scores, fitted on the labelled rows of per-score-bin aggregates.
``_decay``
    Performance decay: a metric below its absolute floor or decayed too far from its baseline.
``_estimated``
    Label-free expected performance from calibrated scores (confidence-based, in the spirit of CBPE).
``_realized``
    Realized classifier metrics of a window from its per-score-bin aggregates (labelled rows only).
"""

from steward.performance._bins import BIN_COLUMNS, SCORE_BIN_WIDTH, Bins, MetricValue, Status
from steward.performance._calibration import CALIBRATION_KIND, Calibration, fit_calibration
from steward.performance._decay import Breach, decay_breach
from steward.performance._estimated import estimated_metrics
from steward.performance._realized import ReliabilityCurve, realized_metrics, reliability_curve

__all__ = [
    # input contract
    "BIN_COLUMNS",
    "SCORE_BIN_WIDTH",
    "Bins",
    # metrics
    "MetricValue",
    "Status",
    "realized_metrics",
    "estimated_metrics",
    "ReliabilityCurve",
    "reliability_curve",
    # calibration
    "CALIBRATION_KIND",
    "Calibration",
    "fit_calibration",
    # decay
    "Breach",
    "decay_breach",
]
