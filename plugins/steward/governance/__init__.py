"""Governance records: PII findings, data-sharing exports, decisions, incidents, impact assessments, feedback.

Each record is computed from the registry and the warehouse and written to its own table in one
transaction (reruns write the same rows); :mod:`steward.airflow` runs them nightly or on demand.
"""

from steward.governance._anonymity import Anonymity, generalized_sql, measure_anonymity
from steward.governance._decisions import Decision, audit_trail, record_decision
from steward.governance._exports import ExportError, ExportOutcome, run_export
from steward.governance._feedback import FeedbackError, ingest_feedback, review_feedback
from steward.governance._impact import record_impact_assessments
from steward.governance._incidents import (
    Incident,
    IncidentNight,
    evaluate_incidents,
    incident_notice,
    resolve_incident,
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
]
