"""Cloud costs: billing sources normalized to FinOps FOCUS 1.2 in ``cost_line_daily``.

Sources (AWS Cost Explorer, AWS Data Exports in S3, the GCP BigQuery billing export with Cloud
Billing metadata, local FOCUS / CUR / GCP-export files) are read by small modules, normalized by
SQL in an in-memory DuckDB (``include/sql/costs/normalize_*.sql``, ``normalize_daily.sql.j2``) to
daily FOCUS lines, and written per source and billing period with ``Warehouse.replace_partitions``:
reruns and restatements replace, never add.
"""

from steward.costs._allocate import (
    ALLOCATED_TABLE,
    DIMENSIONS,
    AllocationResult,
    allocate,
    allocate_days,
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
