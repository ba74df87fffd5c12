"""Governance records: lineage and access history, retention, erasure, storage footprint, the ESG extract.

Each record is a warehouse table (``include/sql/ddl/0017_lineage_retention.sql``) written by a
nightly DAG, an on-demand CLI command, or (lineage) every Steward task and CLI command; the README's
"What an auditor can ask Steward" lists the question each answers. ``docs/governance.md`` explains them.

Modules: ``_lineage`` (edges, access, the lineage questions), ``_retention`` (plan, record,
remove), ``_erasure`` (requests, evidence, reports), ``_footprint`` (bytes per dataset and night),
``_esg`` (the quarterly sustainability extract).
"""

from steward.governance._erasure import (
    ErasureOutcome,
    Evidence,
    request_erasure,
    run_erasure,
    subject_digest,
)
from steward.governance._esg import (
    EsgExtract,
    EsgRow,
    esg_extract,
    parse_quarter,
    previous_quarter,
    quarter_of,
)
from steward.governance._footprint import (
    footprint_trend,
    measure_footprint,
)
from steward.governance._lineage import (
    Affected,
    affected_by_partition,
    cli_actor,
    lineage_rows,
    model_datasets,
    model_lineage,
    parse_partition,
    record_lineage,
)
from steward.governance._retention import (
    RetentionItem,
    RetentionOutcome,
    apply_retention,
    plan_retention,
    run_retention,
)

__all__ = [
    # lineage and access history
    "Affected",
    "affected_by_partition",
    "cli_actor",
    "lineage_rows",
    "model_datasets",
    "model_lineage",
    "parse_partition",
    "record_lineage",
    # retention
    "RetentionItem",
    "RetentionOutcome",
    "apply_retention",
    "plan_retention",
    "run_retention",
    # erasure requests
    "ErasureOutcome",
    "Evidence",
    "request_erasure",
    "run_erasure",
    "subject_digest",
    # storage footprint
    "footprint_trend",
    "measure_footprint",
    # the ESG extract
    "EsgExtract",
    "EsgRow",
    "esg_extract",
    "parse_quarter",
    "previous_quarter",
    "quarter_of",
]
