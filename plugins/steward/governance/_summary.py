"""A few lines on the governance records of a window, for the demo's summary and the CLI."""

from __future__ import annotations

import datetime as dt

from steward.warehouse import Warehouse

__all__ = ["governance_summary"]


def governance_summary(warehouse: Warehouse, *, start: dt.date, end: dt.date) -> list[str]:
    """Return lines on PII findings, exports and incidents between ``start`` and ``end`` (inclusive)."""
    window = {"a": start, "b": end}
    lines: list[str] = []
    if warehouse.table_exists("pii_findings"):
        flagged = warehouse.fetch(
            "select dataset, column_name, entity, sensitivity, warranted_sensitivity, declared, "
            "sensitivity_too_low, max(scan_date) as last_seen from pii_findings "
            "where scan_date between :a and :b and (not declared or sensitivity_too_low) "
            "group by dataset, column_name, entity, sensitivity, warranted_sensitivity, declared, "
            "sensitivity_too_low order by dataset, column_name",
            window,
        )
        lines.append(f"PII findings to act on: {len(flagged)}")
        for r in flagged:
            what = "undeclared" if not r["declared"] else "declared"
            low = f"; {r['sensitivity']} is too low, warrants {r['warranted_sensitivity']}"
            lines.append(
                f"  {r['dataset']}.{r['column_name']}: {r['entity']}, {what}"
                + (low if r["sensitivity_too_low"] else "")
            )
    if warehouse.table_exists("data_exports"):
        for r in warehouse.fetch(
            "select export_name, status, count(*) as nights, min(k_measured) as k_min, max(reason) as reason "
            "from data_exports where export_date between :a and :b group by export_name, status "
            "order by export_name, status",
            window,
        ):
            lines.append(
                f"Export {r['export_name']}: {r['status']} on {r['nights']} night(s), smallest k {r['k_min']}"
                f" ({r['reason']})"
            )
    if warehouse.table_exists("incidents"):
        incidents = warehouse.fetch(
            "select severity, kind, subject, coalesce(model, dataset) as about, opened_on, status, "
            "resolved_on from incidents where opened_on between :a and :b order by opened_on, about",
            window,
        )
        lines.append(f"Incidents opened: {len(incidents)}")
        for r in incidents:
            state = f"resolved {r['resolved_on']}" if r["status"] == "resolved" else "open"
            lines.append(
                f"  {r['opened_on']} [{r['severity']}] {r['about']} {r['kind']} ({r['subject']}): {state}"
            )
    return lines
