"""HTML reports: one place that renders templates, so every report looks and escapes alike.

Modules
-------
``_governance``
    The Governance page: what the nights found, per dataset and model, read from the warehouse read-only.
``_render``
    Render Jinja templates shipped in ``steward/reports/templates`` (autoescaped).
``_svg``
    Small inline SVG charts for the nightly reports: bars, lines, markers, bands and error bars.
"""

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
from steward.reports._render import format_p, prepare_templates, render, write_report
from steward.reports._svg import PALETTE, Figure, Panel, date_ticks, nice_ticks, span

__all__ = [
    # rendering
    "format_p",
    "prepare_templates",
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
