"""Statistical process control for nightly metric series: EWMA, tabular CUSUM and Shewhart charts."""

from steward.spc._charts import (
    D2,
    SIGMA_REL_FLOOR,
    STATES,
    ChartPoint,
    Direction,
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
    # summaries and storage
    "worst_state",
    "to_rows",
    # options and states
    "Method",
    "SigmaMethod",
    "Direction",
    "State",
    "STATES",
    # constants
    "D2",
    "SIGMA_REL_FLOOR",
]
