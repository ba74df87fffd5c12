"""Cloud costs: billing sources normalized to FinOps FOCUS 1.2 in ``cost_line_daily``.

Sources (AWS Cost Explorer, AWS Data Exports in S3, the GCP BigQuery billing export with Cloud
Billing metadata, local FOCUS / CUR / GCP-export files) are read by small modules, normalized by
SQL in an in-memory DuckDB (``include/sql/costs/normalize_*.sql``, ``normalize_daily.sql.j2``) to
daily FOCUS lines, and written per source and billing period with ``Warehouse.replace_partitions``:
reruns and restatements replace, never add.

Modules
-------
``_allocate``
    Allocate FOCUS billing lines to business units, projects, models and environments.
``_aws_ce``
    AWS Cost Explorer: daily cost per linked account, service and cost-allocation tags.
``_aws_exports``
    AWS Data Exports in S3: CUR 2.0 or FOCUS 1.2 Parquet files under ``s3://bucket/prefix``.
``_coverage``
    Tag coverage: how much of each day's cost is tagged with a business unit, to drive tagging work.
``_engine``
    The normalization engine: an in-memory DuckDB that turns billing lines into FOCUS daily lines.
``_export``
    Write ``cost_line_daily`` as a FOCUS 1.2 file (Parquet or CSV) for finance tools and focus-validator.
``_focus``
    The FOCUS 1.2 columns of ``cost_line_daily`` and Steward's own ``x_`` columns, with their types.
``_gcp``
    GCP billing: the BigQuery billing export (google-cloud-bigquery) and Cloud Billing metadata.
``_ingest``
    Load one billing source into ``cost_line_daily``: read, normalize to FOCUS, replace billing periods.
``_lines``
    The allocation input shared by allocation and tag coverage: its dimensions, types, checks, engine and
    tags.
``_local``
    Local billing files: FOCUS CSV/Parquet exports, and CUR- or GCP-export-shaped Parquet (the demo lake).
``_money``
    Money for display: round amounts to cents so the displayed rows add up to the displayed total.
``_retry``
    Bounded provider calls: throttling retries with exponential backoff, and page loops that end.
``_tags``
    Tags to allocation dimensions: business unit, project, model, environment, and the shared-cost rule.
``_validator``
    Run the FinOps Foundation's ``focus-validator`` (in its own Python 3.12 venv) on a FOCUS export.
"""

from steward.costs._allocate import (
    ALLOCATED_TABLE,
    DIMENSIONS,
    AllocationResult,
    allocate,
    allocate_days,
    format_spend,
    load_allocation_input,
    spend_summary,
)
from steward.costs._coverage import COVERAGE_TABLE, tag_coverage
from steward.costs._engine import CostSourceError, NormalizeEngine
from steward.costs._export import export_focus
from steward.costs._focus import (
    CONTRACT_COLUMNS,
    COST_LINE_COLUMNS,
    FOCUS_COLUMNS,
    FOCUS_VERSION,
    MONEY_COLUMNS,
    QUANTITY_COLUMNS,
    TABLE,
    X_COLUMNS,
    cost_line_schema,
)
from steward.costs._ingest import IngestResult, billing_periods_to_reload, ingest, period_key
from steward.costs._money import round_to_total
from steward.costs._retry import FetchTimeoutError, PageGuard, PaginationError, is_throttling, with_backoff
from steward.costs._tags import TagResolution, TagStatus, match_rule, parse_tags, resolve_tags

__all__ = [
    # FOCUS table
    "CONTRACT_COLUMNS",
    "COST_LINE_COLUMNS",
    "FOCUS_COLUMNS",
    "FOCUS_VERSION",
    "MONEY_COLUMNS",
    "QUANTITY_COLUMNS",
    "TABLE",
    "X_COLUMNS",
    "cost_line_schema",
    # ingestion
    "CostSourceError",
    "IngestResult",
    "NormalizeEngine",
    "billing_periods_to_reload",
    "ingest",
    "period_key",
    # FOCUS export
    "export_focus",
    # provider calls
    "FetchTimeoutError",
    "PageGuard",
    "PaginationError",
    "is_throttling",
    "with_backoff",
    # allocation (tags -> business unit, project, model, environment; shared-cost rules)
    "ALLOCATED_TABLE",
    "AllocationResult",
    "DIMENSIONS",
    "allocate",
    "allocate_days",
    "load_allocation_input",
    "spend_summary",
    "format_spend",
    # money for display
    "round_to_total",
    # tag coverage
    "COVERAGE_TABLE",
    "tag_coverage",
    # tags
    "TagResolution",
    "TagStatus",
    "match_rule",
    "parse_tags",
    "resolve_tags",
]
