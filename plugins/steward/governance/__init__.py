"""Governance records an auditor asks for, each in its own warehouse table (docs/governance.md).

Lineage and access history, retention, erasure, storage footprint and the ESG extract
(``include/sql/ddl/0017_lineage_retention.sql``); PII findings, data-sharing exports, decisions,
incidents, impact assessments and user feedback (``0018_privacy_incidents.sql``). Each is computed
from the registry and the warehouse and written in one transaction (reruns write the same rows);
:mod:`steward.airflow` runs them nightly or on demand, the CLI by hand.

Modules
-------
``_anonymity``
    k-anonymity and l-diversity measured in SQL, and declared generalization hierarchies.
``_decisions``
    The decision log of AI initiatives and stage gates, and the one audit trail an auditor reads.
``_erasure``
    Erasure requests (GDPR Art. 17): find a subject's rows in the lake and the warehouse, remove them.
``_esg``
    The quarterly ESG extract: energy and emissions per business unit and model, ready for a corporate report.
``_exports``
    Exports under a data-sharing agreement: checked for k-anonymity and l-diversity before anything leaves.
``_feedback``
    User feedback on predictions: ingested nightly from declared datasets and joined to the review queue.
``_footprint``
    Storage footprint: bytes, files and partitions per dataset each night, and its trend.
``_impact``
    Algorithmic impact assessments: the declarations recorded in the warehouse, and the promotion gate.
``_incidents``
    Incidents: a breach that persists opens one; it resolves when the breach clears, or by hand with a note.
``_lineage``
    Lineage and access history: what each Steward run read and wrote, and the questions over it.
``_pii``
    The PII scan: offline recognizers over column names and sampled values.
``_retention``
    Retention: delete or archive what is past its dataset's retention, keep what is held, record why.
``_summary``
    A few lines on the governance records of a window, for the demo's summary and the CLI.
"""

from steward.governance._anonymity import Anonymity, generalized_sql, measure_anonymity
from steward.governance._decisions import Decision, audit_trail, record_decision
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
from steward.governance._exports import ExportError, ExportOutcome, run_export
from steward.governance._feedback import FeedbackError, ingest_feedback, review_feedback
from steward.governance._footprint import (
    footprint_trend,
    measure_footprint,
)
from steward.governance._impact import record_impact_assessments
from steward.governance._incidents import (
    Incident,
    IncidentNight,
    evaluate_incidents,
    incident_notice,
    resolve_incident,
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
from steward.governance._pii import (
    RECOGNIZERS,
    SENSITIVITY_RANK,
    PiiFinding,
    PiiScanResult,
    Recognizer,
    iban_ok,
    luhn_ok,
    scan_columns,
    scan_dataset,
    scan_pii,
    us_ssn_ok,
)
from steward.governance._retention import (
    RetentionItem,
    RetentionOutcome,
    apply_retention,
    plan_retention,
    run_retention,
)
from steward.governance._summary import governance_summary
from steward.registry import ASSESSED_TIERS, ImpactCheck, check_impact_assessment, impact_assessment_ok

__all__ = [
    # anonymity before sharing
    "Anonymity",
    "ExportError",
    "ExportOutcome",
    "generalized_sql",
    "measure_anonymity",
    "run_export",
    # decisions and the audit trail
    "Decision",
    "audit_trail",
    "record_decision",
    # summary
    "governance_summary",
    # user feedback
    "FeedbackError",
    "ingest_feedback",
    "review_feedback",
    # impact assessments
    "ASSESSED_TIERS",
    "ImpactCheck",
    "check_impact_assessment",
    "impact_assessment_ok",
    "record_impact_assessments",
    # incidents
    "Incident",
    "IncidentNight",
    "evaluate_incidents",
    "incident_notice",
    "resolve_incident",
    # PII scan
    "PiiFinding",
    "PiiScanResult",
    "RECOGNIZERS",
    "Recognizer",
    "SENSITIVITY_RANK",
    "iban_ok",
    "luhn_ok",
    "scan_columns",
    "scan_dataset",
    "scan_pii",
    "us_ssn_ok",
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
