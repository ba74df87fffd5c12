"""Fairness: group and intersectional metrics with intervals and tests, bias assessment, gates.

Every number comes from per-group confusion counts computed by one SQL aggregation in the
warehouse (:func:`count_groups`); Python only does arithmetic on counts: Wilson intervals for rates,
Newcombe intervals for differences, Katz intervals for ratios, Fisher's exact test for gaps, Holm
or Benjamini-Hochberg across a night's tests. A breach needs significance AND a gap beyond the
model's tolerance; groups below the minimum size get ``insufficient_data`` and the smallest gap
detectable at their size, never a verdict.

Modules
-------
``_assess``
    Bias assessment of a training dataset version: representation, base rates, missingness, proxies.
``_between``
    Between-group summaries (Fairlearn's ``group_value = '*'`` rows) over the groups large enough to judge.
``_counts``
    Per-group confusion counts from one SQL aggregation (DuckDB or PostgreSQL, same text).
``_disparities``
    Disparities of each group against the reference group, with intervals, p-values and eligibility.
``_evaluate``
    Evaluate a model's fairness over a window (warehouse SQL), write it, and gate candidates on a holdout.
``_horizon``
    Fairness over the label horizon from stored per-window counts, updated with tonight's labels only.
``_metrics``
    Fairness metrics, intervals, tests and verdicts: arithmetic on group counts only.
``_rates``
    Group rates (selection rate, TPR, FPR, ...) with Wilson intervals, and group sizes.
``_report``
    The fairness HTML report of one model and window: rates, gaps with tolerance bands, series, calibration.
``_rows``
    The frozen metric row and the settings it is judged with (shared by rates, disparities and verdicts).
``_series``
    Nightly series of fairness gaps from ``fairness_metrics``, ready for control charts (steward.spc).
``_stats``
    Interval estimates and tests for proportions, computed from counts only (vectorised with numpy).
``_verdicts``
    Verdicts: adjust the night's p-values across test families, judge each pending disparity.
"""

from steward.fairness._assess import assess_training_data, write_bias_assessment
from steward.fairness._between import between_rows, homogeneity_p
from steward.fairness._counts import (
    ALL,
    CalibrationBin,
    GroupCounts,
    VersionCount,
    WindowCounts,
    attribute_sets,
    count_groups,
    count_groups_by_window,
    group_counts_sql,
    partial_counts_sql,
    rollup_counts_sql,
)
from steward.fairness._disparities import reference_rows
from steward.fairness._evaluate import (
    GateOutcome,
    GateResult,
    evaluate_arrow,
    evaluate_window,
    evaluate_windows,
    fairness_gate,
    fairness_writes,
    file_source_sql,
    write_fairness,
)
from steward.fairness._horizon import COUNT_TABLES, HorizonNight, Partition, evaluate_horizon, forget_windows
from steward.fairness._metrics import (
    DIFFERENCE_METRICS,
    RATE_METRICS,
    FairnessResult,
    compute_fairness,
    metric_rows,
)
from steward.fairness._rates import rate_rows
from steward.fairness._report import write_fairness_report
from steward.fairness._rows import Correction, Direction, Judgement, MetricRow
from steward.fairness._series import gap_control_charts, gap_series
from steward.fairness._stats import (
    holm,
    katz_ratio_interval,
    min_detectable_gap,
    mover_mean_interval,
    newcombe_interval,
    sidak_combine,
    two_proportion_test,
    wilson_interval,
)
from steward.fairness._verdicts import Shortfall, judge, rows_needed, shortfalls

__all__ = [
    # nightly evaluation
    "FairnessResult",
    "evaluate_arrow",
    "evaluate_window",
    "evaluate_windows",
    "evaluate_horizon",
    "forget_windows",
    "COUNT_TABLES",
    "HorizonNight",
    "Partition",
    "file_source_sql",
    "fairness_writes",
    "write_fairness",
    "write_fairness_report",
    # series and control charts
    "gap_control_charts",
    "gap_series",
    # gates and training data
    "GateOutcome",
    "GateResult",
    "Shortfall",
    "assess_training_data",
    "fairness_gate",
    "write_bias_assessment",
    # counts and metrics
    "ALL",
    "DIFFERENCE_METRICS",
    "RATE_METRICS",
    "CalibrationBin",
    "GroupCounts",
    "Judgement",
    "VersionCount",
    "WindowCounts",
    "attribute_sets",
    "compute_fairness",
    "count_groups",
    "count_groups_by_window",
    "group_counts_sql",
    "partial_counts_sql",
    "rollup_counts_sql",
    # metric pieces: rates, disparities, between-group summaries, verdicts
    "Correction",
    "Direction",
    "MetricRow",
    "between_rows",
    "homogeneity_p",
    "judge",
    "metric_rows",
    "rate_rows",
    "reference_rows",
    "rows_needed",
    "shortfalls",
    # statistics on counts
    "holm",
    "katz_ratio_interval",
    "min_detectable_gap",
    "mover_mean_interval",
    "newcombe_interval",
    "sidak_combine",
    "two_proportion_test",
    "wilson_interval",
]
