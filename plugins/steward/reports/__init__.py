"""HTML reports: one place that renders templates, so every report looks and escapes alike."""

from steward.reports._render import render, write_report

__all__ = ["render", "write_report"]
