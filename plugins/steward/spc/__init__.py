"""Statistical process control for nightly metric series: EWMA, tabular CUSUM and Shewhart charts.

Modules
-------
``_calibrate``
    Control limits calibrated by simulation to a target in-control false-alarm rate.
``_charts``
    Control charts for nightly metric series: EWMA, tabular CUSUM and Shewhart individuals.
``_table``
    The calibrated widths of the default chart options, tabulated.
"""

from steward.spc._calibrate import REPLICATES, calibrated_width, false_signal_target
from steward.spc._charts import (
    D2,
    SIGMA_REL_FLOOR,
    STATES,
    ChartPoint,
    Direction,
    LimitsSource,
    Method,
    SigmaMethod,
    State,
    control_chart,
    to_rows,
    worst_state,
)

__all__ = [
    # charts
    "ChartPoint",
    "control_chart",
    # honest limits
    "calibrated_width",
    "false_signal_target",
    "REPLICATES",
    # summaries and storage
    "worst_state",
    "to_rows",
    # options and states
    "Method",
    "SigmaMethod",
    "Direction",
    "State",
    "STATES",
    "LimitsSource",
    # constants
    "D2",
    "SIGMA_REL_FLOOR",
]
