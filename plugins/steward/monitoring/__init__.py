"""Model monitoring: drift, prediction drift, performance with late labels, control charts, review queue.

Row-level work is SQL executed where the rows live (DuckDB over the lake's Parquet/CSV files, or the
warehouse for table sources); Python only sees aggregates. :func:`monitor_window` monitors one model for
one night from the registry; :func:`monitor_relation` does the same for any reference and current
relation (the CLI's one-off check of two files).
"""

from steward.monitoring._aggregate import ColumnCounts, ColumnProfile, ColumnSpec, WindowCounts, aggregate
from steward.monitoring._catch_up import unmonitored_partitions
from steward.monitoring._charts import (
    ChartNight,
    Episode,
    Restart,
    SeriesInput,
    chart_model,
    chart_series,
    model_series,
    record_restart,
    registry_fingerprint,
)
from steward.monitoring._fairness import fairness_source_sql, fairness_window
from steward.monitoring._judge import ColumnDrift, apply_fdr, judge_column
from steward.monitoring._night import NightOutcome, monitor_night
from steward.monitoring._outcome import MonitoringOutcome
from steward.monitoring._performance import PerformanceWindow, evaluate_performance, performance_bins
from steward.monitoring._reference import Reference, ReferenceNotReady
from steward.monitoring._relation import Relation, dataset_relation, files_relation, scan_engine
from steward.monitoring._report import model_report_path, write_model_report, write_monitoring_overview
from steward.monitoring._retired import retired_models
from steward.monitoring._review import ReviewSegment, review_segments
from steward.monitoring._run import MonitoringError, monitor_relation, monitor_window, quarantined_days
from steward.monitoring._summary import RunSummary, run_summary

__all__ = [
    # running
    "NightOutcome",
    "monitor_night",
    "MonitoringError",
    "MonitoringOutcome",
    "monitor_relation",
    "monitor_window",
    "quarantined_days",
    "retired_models",
    "RunSummary",
    "run_summary",
    "unmonitored_partitions",
    # relations and aggregation
    "ColumnCounts",
    "ColumnProfile",
    "ColumnSpec",
    "Relation",
    "WindowCounts",
    "aggregate",
    "dataset_relation",
    "files_relation",
    "scan_engine",
    # judging
    "ColumnDrift",
    "Reference",
    "ReferenceNotReady",
    "apply_fdr",
    "judge_column",
    # fairness
    "fairness_source_sql",
    "fairness_window",
    # performance, charts, review
    "PerformanceWindow",
    "ReviewSegment",
    "evaluate_performance",
    "performance_bins",
    "review_segments",
    # control charts
    "ChartNight",
    "Episode",
    "Restart",
    "SeriesInput",
    "chart_model",
    "chart_series",
    "model_series",
    "record_restart",
    "registry_fingerprint",
    # reports
    "model_report_path",
    "write_model_report",
    "write_monitoring_overview",
]
