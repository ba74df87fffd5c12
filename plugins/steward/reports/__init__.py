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
from steward.reports._render import format_p, render, write_report
from steward.reports._svg import PALETTE, Figure, Panel, date_ticks, nice_ticks, span

__all__ = [
    # rendering
    "format_p",
    "render",
    "write_report",
    # charts (inline SVG)
    "PALETTE",
    "Figure",
    "Panel",
    "date_ticks",
    "nice_ticks",
    "span",
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
