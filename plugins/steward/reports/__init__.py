"""HTML reports: one place that renders templates, so every report looks and escapes alike."""

from steward.reports._render import format_p, render, write_report

__all__ = ["format_p", "render", "write_report"]
