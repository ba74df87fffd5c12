"""Model monitoring: drift, prediction drift, performance with late labels, control charts, review queue.

Row-level work is SQL executed where the rows live (DuckDB over the lake's Parquet/CSV files, or the
warehouse for table sources); Python only sees aggregates. :func:`monitor_window` monitors one model for
one night from the registry; :func:`monitor_relation` does the same for any reference and current
relation (the CLI's one-off check of two files).

Modules
-------
``_aggregate``
    Aggregate a relation into per-column counts with one scan, and profile a reference sample.
``_asof``
    The night's measurements kept per night (DDL 0021), so that a later read sees what the night knew.
``_catch_up``
    Catch-up from the warehouse's state: partitions that passed data quality but were never monitored.
``_charts``
    Control charts of every monitored series of a model (EWMA, CUSUM, Shewhart) at a stated false-alarm rate.
``_fairness``
    Fairness of a model's nightly window, wired into monitoring (see :mod:`steward.fairness`).
``_judge``
    Judge drift per column from a reference profile and a window's counts.
``_night``
    One model's night, as the DAG task and ``steward monitor run`` both run it: fairness, then monitoring.
``_null``
    The null distribution of a drift distance, from the reference alone: known limits of ``drift:`` series.
``_outcome``
    What one model's night concluded: built by the monitoring stages, read by the report, CLI and DAG.
``_performance``
    Performance with late labels: realized metrics as labels arrive, a label-free estimate before.
``_reference``
    A model's reference profiles: computed once per reference, stored in the warehouse, reused nightly.
``_relation``
    Where a model's rows are read: SQL relations over the prediction log, its labels and its reference.
``_report``
    The monitoring report of one model and window: plots first, tables for the details.
``_retired``
    Models that are no longer monitored: their versions were decommissioned in the model registry.
``_review``
    The low-confidence review queue: segments where many scores sit near the decision threshold.
``_run``
    Monitor one model for one window: drift, prediction drift, performance with late labels, review queue.
``_sql``
    SQL literals for the monitoring templates (rendered by :func:`steward.warehouse.render_sql`).
``_stream``
    Count a window's columns as they stream out of the engine in Arrow record batches.
``_summary``
    What one monitoring run concluded per model-window, read back from the warehouse (the DAG's leaf).
``_version``
    Which model version produced a window's predictions: read from the prediction log's version column.
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
