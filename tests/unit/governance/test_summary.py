"""The demo summary's governance lines come from the tables, one line per finding, export status, incident."""

from __future__ import annotations

import datetime as dt

from steward.governance import evaluate_incidents, governance_summary
from steward.warehouse import connect
from tests.unit.governance.test_incidents import _breach, _registry, night


def test_lines_name_findings_exports_and_incidents(duckdb_url: str) -> None:
    with connect(duckdb_url) as wh:
        wh.migrate()
        assert governance_summary(wh, start=night(1), end=night(3)) == [
            "PII findings to act on: 0",
            "Incidents opened: 0",
        ]
        wh.replace_partition(
            "pii_findings",
            {"dataset": "user_feedback", "scan_date": night(1)},
            [{"column_name": "reporter_email", "entity": "email", "match_share": 1.0, "sample_size": 5,
              "matched_by": "values", "declared": False, "sensitivity": "internal",
              "warranted_sensitivity": "confidential", "sensitivity_too_low": True, "run_id": "r",
              "scanned_at": dt.datetime(2026, 11, 2, tzinfo=dt.UTC)}],
        )  # fmt: skip
        for i in (1, 2):
            wh.replace_partition(
                "data_exports",
                {"export_name": "loans_to_bureau", "export_date": night(i)},
                [{"dataset": "loan_applications", "partner": "P", "permitted_use": "u",
                  "agreement_expires": dt.date(2027, 1, 1), "status": "refused", "reason": "k = 1 < min_k 10",
                  "quasi_identifiers_json": "[]", "min_k": 10, "min_l": 2, "k_measured": i, "row_count": 5,
                  "run_id": "r", "exported_at": dt.datetime(2026, 11, 2, tzinfo=dt.UTC)}],
            )  # fmt: skip
        _breach(wh, 2)
        evaluate_incidents(_registry(persist_nights=1), night(2), warehouse=wh)
        evaluate_incidents(_registry(persist_nights=1), night(3), warehouse=wh)
        assert governance_summary(wh, start=night(1), end=night(3)) == [
            "PII findings to act on: 1",
            "  user_feedback.reporter_email: email, undeclared; internal is too low, warrants confidential",
            "Export loans_to_bureau: refused on 2 night(s), smallest k 1 (k = 1 < min_k 10)",
            "Incidents opened: 1",
            "  2026-11-02 [critical] credit performance (auc): resolved 2026-11-03",
        ]
