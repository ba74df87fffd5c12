"""HTML reports: one place that renders templates, so every report looks and escapes alike."""

from steward.reports._governance import (
    GOVERNANCE_TABLES,
    GovernanceOverview,
    RunOutput,
    governance_overview,
    render_governance,
    render_run_outputs,
    report_relpath,
    run_note,
    run_outputs,
)
from steward.reports._plots import prepare_plots
from steward.reports._render import format_p, render, write_report

__all__ = [
    # rendering
    "format_p",
    "prepare_plots",
    "render",
    "write_report",
    # the Governance page (served by steward.airflow.ui)
    "GOVERNANCE_TABLES",
    "GovernanceOverview",
    "RunOutput",
    "governance_overview",
    "render_governance",
    "render_run_outputs",
    "report_relpath",
    "run_note",
    "run_outputs",
]
