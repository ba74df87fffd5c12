"""A few lines on the governance records of a window, for the demo's summary and the CLI."""

from __future__ import annotations

import datetime as dt

from steward.warehouse import Warehouse, read_sql

__all__ = ["governance_summary"]


def governance_summary(warehouse: Warehouse, *, start: dt.date, end: dt.date) -> list[str]:
    """Return lines on PII findings, exports and incidents between ``start`` and ``end`` (inclusive)."""
    window = {"first_day": start, "last_day": end}
    lines: list[str] = []
    if warehouse.table_exists("pii_findings"):
        flagged = warehouse.fetch(read_sql("governance/select_pii_to_act_on.sql"), window)
        lines.append(f"PII findings to act on: {len(flagged)}")
        for r in flagged:
            what = "undeclared" if not r["declared"] else "declared"
            low = f"; {r['sensitivity']} is too low, warrants {r['warranted_sensitivity']}"
            lines.append(
                f"  {r['dataset']}.{r['column_name']}: {r['entity']}, {what}"
                + (low if r["sensitivity_too_low"] else "")
            )
    if warehouse.table_exists("data_exports"):
        for r in warehouse.fetch(read_sql("governance/summarize_exports.sql"), window):
            lines.append(
                f"Export {r['export_name']}: {r['status']} on {r['nights']} night(s), smallest k {r['k_min']}"
                f" ({r['reason']})"
            )
    if warehouse.table_exists("incidents"):
        incidents = warehouse.fetch(read_sql("governance/select_opened_incidents.sql"), window)
        lines.append(f"Incidents opened: {len(incidents)}")
        for r in incidents:
            state = f"resolved {r['resolved_on']}" if r["status"] == "resolved" else "open"
            lines.append(
                f"  {r['opened_on']} [{r['severity']}] {r['about']} {r['kind']} ({r['subject']}): {state}"
            )
    return lines
