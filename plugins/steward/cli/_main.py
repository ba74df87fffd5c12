"""``steward``: the command line. Runs the same package functions as the DAG tasks.

The parser (one sub-command per task the DAGs run) and the entry point with its one-line errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from steward.cli._common import (
    _RUN_IDS,
    _check_date_options,
    _command,
    _date,
    _datetime,
    _Help,
    _one_line,
    _record_cli_lineage,
    _setup_logging,
    _timestamp,
)
from steward.cli._costs import (
    _cmd_carbon_estimate,
    _cmd_carbon_summary,
    _cmd_costs_allocate,
    _cmd_costs_check_focus,
    _cmd_costs_export_focus,
    _cmd_costs_ingest,
    _cmd_costs_spend,
    _cmd_finance_review,
    _cmd_finance_tco,
)
from steward.cli._demo import _cmd_airflow_ui, _cmd_demo, _cmd_demo_generate
from steward.cli._models import (
    _cmd_models_decommission,
    _cmd_models_history,
    _cmd_models_list,
    _cmd_models_rollback,
    _cmd_models_show,
    _cmd_retraining_decide,
    _cmd_retraining_decisions,
    _cmd_retraining_request,
)
from steward.cli._monitoring import (
    _cmd_dq_report,
    _cmd_dq_validate,
    _cmd_fairness_assess,
    _cmd_fairness_audit,
    _cmd_monitor_files,
    _cmd_monitor_run,
)
from steward.cli._records import (
    _cmd_decision_record,
    _cmd_erasure_request,
    _cmd_erasure_run,
    _cmd_esg_extract,
    _cmd_export_run,
    _cmd_footprint,
    _cmd_incident_resolve,
    _cmd_lineage_show,
    _cmd_pii_scan,
    _cmd_registry_check,
    _cmd_retention_run,
    _cmd_warehouse_migrate,
    _cmd_warehouse_query,
)

if TYPE_CHECKING:
    pass


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser (one sub-command per task the DAGs run).

    One vocabulary across commands: ``--url`` (the warehouse), ``--registry`` (the registry file),
    ``--date`` (a window, a partition or a day of a billing month: each command says which),
    ``--model`` / ``--dataset`` (registered names). Every command's help ends with an example.
    """
    parser = argparse.ArgumentParser(
        prog="steward", description=__doc__.splitlines()[0], formatter_class=_Help
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging and tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = _command(
        sub, "demo", "generate the demo company and run its nightly DAGs through Airflow",
        "steward demo --days 3", _cmd_demo, url=False,
    )  # fmt: skip
    p.add_argument("--days", type=int, default=14, help="consecutive demo nights to run, 1-14")
    p.add_argument("--rows-per-day", type=int, default=2000, help="rows per day per dataset")
    p.add_argument(
        "--runner",
        choices=("scheduler", "test"),
        default=os.environ.get("STEWARD_DEMO_RUNNER") or "scheduler",
        help="scheduler: every DAG through Airflow's scheduler and LocalExecutor (backfills, "
        "asset-triggered runs, then the other DAGs' runs created one by one through the REST API; "
        "true durations and task logs in the UI); "
        "test: dag.test() per DAG and night in this process, for debugging (env STEWARD_DEMO_RUNNER)",
    )

    p = _command(
        sub, "generate-demo", "write the demo company's data lake under $STEWARD_HOME/lake",
        "steward generate-demo --days 14 --rows-per-day 100000", _cmd_demo_generate, url=False,
    )  # fmt: skip
    p.add_argument("--start", type=_date, default=dt.date(2026, 11, 1), help="first day YYYY-MM-DD")
    p.add_argument("--days", type=int, default=14, help="days of data")
    p.add_argument("--rows-per-day", type=int, default=2000, help="rows per day per dataset")
    p.add_argument("--seed", type=int, default=42, help="random seed (same seed, same lake)")

    reg = sub.add_parser("registry", help="the governance registry").add_subparsers(dest="sub", required=True)
    p = _command(
        reg, "check", "validate the registry file and list what it declares",
        "steward registry check --registry /etc/company/governance.yaml", _cmd_registry_check,
        url=False, registry=True,
    )  # fmt: skip
    p.add_argument("--path", dest="registry", help=argparse.SUPPRESS)  # the old name of --registry

    wh = sub.add_parser("warehouse", help="the warehouse").add_subparsers(dest="sub", required=True)
    _command(
        wh, "migrate", "apply include/sql/ddl migrations", "steward warehouse migrate", _cmd_warehouse_migrate
    )
    p = _command(
        wh, "query", "run one read-only SQL query and print its rows (the engine refuses every write)",
        "steward warehouse query \"select model, window_date, status from monitoring_runs\" --format table",
        _cmd_warehouse_query,
    )  # fmt: skip
    p.add_argument("sql", help="one query: select, with, values, show, describe, explain")
    p.add_argument(
        "--limit", type=int, default=50, help="rows printed at most; the output says when more were left out"
    )
    p.add_argument(
        "--format",
        choices=["json", "table", "csv"],
        default="json",
        help="json lines, an aligned table, or CSV",
    )
    p.add_argument(
        "--wait",
        type=float,
        default=10.0,
        help="seconds to wait while another process writes the DuckDB file",
    )

    pii = sub.add_parser("pii", help="personal data in datasets").add_subparsers(dest="sub", required=True)
    p = _command(
        pii, "scan", "scan datasets' columns for personal data (offline recognizers), as the nightly DAG",
        "steward pii scan --date 2026-11-04 --dataset leads", _cmd_pii_scan, registry=True,
    )  # fmt: skip
    p.add_argument("--date", type=_date, required=True, help="the scan date (daily datasets: that partition)")
    p.add_argument("--dataset", action="append", help="dataset name (repeatable; default: every dataset)")

    export = sub.add_parser("export", help="data shared with partners").add_subparsers(
        dest="sub", required=True
    )
    p = _command(
        export, "run", "check k-anonymity and l-diversity, then write an export of privacy.exports",
        "steward export run loans_to_bureau --date 2026-11-14", _cmd_export_run, registry=True,
    )  # fmt: skip
    p.add_argument("name", help="the export's name (privacy.exports[].name)")
    p.add_argument(
        "--date", type=_date, required=True, help="the export date (daily datasets: that partition)"
    )

    decision = sub.add_parser("decision", help="the decision log of AI initiatives").add_subparsers(
        dest="sub", required=True
    )
    p = _command(
        decision, "record", "record a stage-gate decision (proposed, approved, rejected) in the audit trail",
        "steward decision record --initiative credit_v2 --stage production --status approved "
        "--sponsor 'Chief Risk Officer' --rationale 'beats v1 on AUC' --model credit_risk",
        _cmd_decision_record,
    )  # fmt: skip
    p.add_argument("--initiative", required=True, help="the AI initiative's name")
    p.add_argument("--stage", required=True, help="the stage gate, e.g. idea, pilot, production, retirement")
    p.add_argument(
        "--status", required=True, choices=["proposed", "approved", "rejected"], help="the decision"
    )
    p.add_argument("--sponsor", required=True, help="the accountable sponsor")
    p.add_argument("--rationale", required=True, help="why")
    p.add_argument("--success-criteria", help="how success will be judged (default: none given)")
    p.add_argument("--model", help="the registered model it concerns (default: none)")
    p.add_argument("--by", help="who decided (default: $USER)")
    p.add_argument("--at", type=_timestamp, help="when, YYYY-MM-DDTHH:MM UTC (default: now)")

    incident = sub.add_parser("incident", help="incidents").add_subparsers(dest="sub", required=True)
    p = _command(
        incident, "resolve", "resolve an incident by hand with a note (it stays resolved while breaching)",
        "steward incident resolve 3f9a0c1d2e4b5a6978877665 --date 2026-11-12 --note 'rolled back to v1'",
        _cmd_incident_resolve,
    )  # fmt: skip
    p.add_argument("incident_id", help="the incident's id (incidents.incident_id)")
    p.add_argument("--note", required=True, help="why it is resolved")
    p.add_argument("--date", type=_date, default=dt.date.today(), help="the resolution date (default: today)")
    p.add_argument("--by", help="who resolves it (default: $USER)")

    dq = sub.add_parser("dq", help="data quality").add_subparsers(dest="sub", required=True)
    p = _command(
        dq, "validate", "validate datasets' partition of one day, as the nightly DAG does",
        "steward dq validate --date 2026-11-04 --dataset leads", _cmd_dq_validate, registry=True,
    )  # fmt: skip
    p.add_argument("--date", type=_date, required=True, help="the partition date YYYY-MM-DD")
    p.add_argument(
        "--dataset", action="append", help="dataset name (repeatable; default: every daily dataset)"
    )
    _command(
        dq,
        "report",
        "rewrite the data-quality overview page from the warehouse",
        "steward dq report",
        _cmd_dq_report,
    )

    mon = sub.add_parser("monitor", help="model monitoring").add_subparsers(dest="sub", required=True)
    p = _command(
        mon, "run", "monitor registered models' windows (fairness included), as the nightly DAG does",
        "steward monitor run --date 2026-11-08 --days 3 --model lead_scoring",
        _cmd_monitor_run, registry=True,
    )  # fmt: skip
    p.add_argument("--date", type=_date, required=True, help="the first window (a day of the prediction log)")
    p.add_argument("--days", type=int, default=1, help="consecutive windows from --date")
    p.add_argument("--model", action="append", help="model name (repeatable; default: every model)")
    p = _command(
        mon, "files", "one-off: compare a current file with a reference file for drift (no registry needed)",
        "steward monitor files train.csv today.parquet --features age,income",
        _cmd_monitor_files, registry=True,
    )  # fmt: skip
    p.add_argument(
        "reference_file", nargs="?", metavar="REFERENCE", help="reference data file (e.g. training)"
    )
    p.add_argument("current_file", nargs="?", metavar="CURRENT", help="current data file (e.g. today's log)")
    p.add_argument("--features", help="comma-separated columns to compare (default: every shared column)")
    p.add_argument("--score", help="the model's score column, compared as prediction drift")
    p.add_argument("--columns", help="comma-separated names for delimited files without a header row")
    p.add_argument("--name", help="stored as model adhoc-NAME (default: the current file's name)")
    p.add_argument(
        "--model", help="use a registered model's features, columns and thresholds (globs allowed)"
    )
    p.add_argument("--reference", help=argparse.SUPPRESS)
    p.add_argument("--current", help=argparse.SUPPRESS)
    p.add_argument(
        "--labels", help="with --model: labels file or glob (join key and label as in the registry)"
    )
    p.add_argument("--date", type=_date, help="the window date the results are stored under (default: today)")

    costs = sub.add_parser("costs", help="cloud costs").add_subparsers(dest="sub", required=True)
    p = _command(
        costs, "ingest", "load billing sources into cost_line_daily, as the nightly DAG does",
        "steward costs ingest --date 2026-11-14 --source aws_demo", _cmd_costs_ingest, registry=True,
    )  # fmt: skip
    p.add_argument(
        "--date", type=_date, required=True, help="a day: its billing month and the one before are reloaded"
    )
    p.add_argument("--months-back", type=int, default=1, help="earlier billing months to reload")
    p.add_argument(
        "--source", action="append", help="a costs.sources name (repeatable; default: all enabled)"
    )
    p.add_argument("--run-id", help="stored in x_PipelineRunId (default: a fresh id)")
    p = _command(
        costs, "export-focus", "write cost_line_daily as a FOCUS 1.2 Parquet or CSV file",
        "steward costs export-focus --out focus.parquet --date 2026-11-01", _cmd_costs_export_focus,
    )  # fmt: skip
    p.add_argument("--out", required=True, help="output path (.parquet or .csv)")
    p.add_argument(
        "--date", "--billing-period", dest="billing_period", type=_date,
        help="a day of the billing month to export (default: every month)",
    )  # fmt: skip
    _command(
        costs, "check-focus",
        "export cost_line_daily and run the FinOps focus-validator (FOCUS 1.2, offline)",
        "steward costs check-focus", _cmd_costs_check_focus,
    )  # fmt: skip
    p = _command(
        costs, "allocate", "allocate the billing months of the given days and recompute tag coverage",
        "steward costs allocate --date 2026-11-14", _cmd_costs_allocate, registry=True,
    )  # fmt: skip
    p.add_argument(
        "--date", type=_date, action="append", required=True, help="a day of the billing month (repeatable)"
    )
    p.add_argument("--run-id", help="stored on every row (default: a fresh id)")
    p = _command(
        costs, "spend", "print allocated spend by business unit and the untagged share",
        "steward costs spend --start 2026-11-01 --end 2026-11-30", _cmd_costs_spend, registry=True,
    )  # fmt: skip
    p.add_argument("--start", type=_date, required=True, help="the first charge day YYYY-MM-DD")
    p.add_argument("--end", type=_date, required=True, help="the last charge day YYYY-MM-DD (included)")

    lin = sub.add_parser("lineage", help="lineage records").add_subparsers(dest="sub", required=True)
    p = _command(
        lin, "show", "which dataset partitions, runs and code produced a model's rows, or which models a "
        "partition reached", "steward lineage show --partition lead_scoring_predictions 2026-11-04",
        _cmd_lineage_show,
    )  # fmt: skip
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--model", help="a registered model: the partitions behind its rows and versions")
    which.add_argument(
        "--partition", nargs=2, metavar=("DATASET", "DATE"), help="a dataset partition: the models it affects"
    )

    ret = sub.add_parser("retention", help="retention of partitions and rows").add_subparsers(
        dest="sub", required=True
    )
    p = _command(
        ret, "run", "delete or archive partitions and warehouse rows past retention, keep holds, record why",
        "steward retention run --dry-run --date 2026-11-14", _cmd_retention_run, registry=True,
    )  # fmt: skip
    p.add_argument(
        "--date", type=_date, default=dt.datetime.now(dt.UTC).date(), help="the day retention keeps data for"
    )
    p.add_argument("--dry-run", action="store_true", help="list and record what would go; remove nothing")
    p.add_argument("--dataset", action="append", help="dataset name (repeatable; default: every dataset)")
    p.add_argument(
        "--archive-dir",
        help="where archived partitions go (default: the registry's, else $STEWARD_HOME/archive)",
    )

    era = sub.add_parser("erasure", help="erasure requests (right to be forgotten)").add_subparsers(
        dest="sub", required=True
    )
    p = _command(
        era, "request", "record a request to erase one subject's rows (stored as its sha256 only)",
        "steward erasure request 1042 --dataset-key lead_id --deadline 2026-12-15", _cmd_erasure_request,
        registry=True,
    )  # fmt: skip
    p.add_argument("subject", help="the subject's identifier value, e.g. a lead_id")
    p.add_argument(
        "--dataset-key", required=True, help="the identifier kind, a key of the datasets' identifier_columns"
    )
    p.add_argument("--deadline", type=_date, required=True, help="the day the erasure is due YYYY-MM-DD")
    p = _command(
        era, "run", "erase open requests' subjects from lake partitions and warehouse tables, with evidence",
        "steward erasure run", _cmd_erasure_run, registry=True,
    )  # fmt: skip
    p.add_argument("--request", action="append", help="request id (repeatable; default: every open request)")

    p = _command(
        sub, "footprint", "storage footprint per dataset and night (bytes, files, partitions) and its change",
        "steward footprint --date 2026-11-14 --dataset leads", _cmd_footprint, registry=True,
    )  # fmt: skip
    p.add_argument("--date", type=_date, help="measure this night first (default: only show what is stored)")
    p.add_argument("--dataset", help="one dataset (default: every dataset)")
    p.add_argument("--limit", type=int, default=50, help="the most recent rows shown")

    esg = sub.add_parser("esg", help="the sustainability extract").add_subparsers(dest="sub", required=True)
    p = _command(
        esg, "extract", "write the quarterly ESG extract per business unit and model (CSV + HTML summary)",
        "steward esg extract --quarter 2026Q4", _cmd_esg_extract, registry=True,
    )  # fmt: skip
    p.add_argument("--quarter", help="YYYYQn (default: the quarter before today's)")

    carbon = sub.add_parser("carbon", help="carbon estimates").add_subparsers(dest="sub", required=True)
    p = _command(
        carbon, "estimate",
        "estimate, allocate and compare the usage emissions of the given days' billing months",
        "steward carbon estimate --date 2026-11-14", _cmd_carbon_estimate, registry=True,
    )  # fmt: skip
    p.add_argument(
        "--date", type=_date, action="append", required=True, help="a day of the billing month (repeatable)"
    )
    p.add_argument("--run-id", help="stored on every row (default: a fresh id)")
    p = _command(
        carbon, "summary", "print emissions by business unit and the candidate-region comparison",
        "steward carbon summary --start 2026-11-01 --end 2026-11-30", _cmd_carbon_summary,
    )  # fmt: skip
    p.add_argument("--start", type=_date, required=True, help="the first charge day YYYY-MM-DD")
    p.add_argument("--end", type=_date, required=True, help="the last charge day YYYY-MM-DD (included)")

    fin = sub.add_parser("finance", help="cost of ownership and ROI reviews").add_subparsers(
        dest="sub", required=True
    )
    p = _command(
        fin, "review",
        "review a month or quarter: ledger, marts, KPI vs projection, ROI, flags; HTML, CSV, Parquet",
        "steward finance review --period 2026-11", _cmd_finance_review, registry=True,
    )  # fmt: skip
    p.add_argument("--period", required=True, help="a month (2026-11) or a quarter (2026-Q4)")
    p.add_argument("--today", type=_date, help="decides provisional vs final (default: today); YYYY-MM-DD")
    p.add_argument("--out", help="folder of review.html and the extracts (default: reports/finance/PERIOD)")
    p.add_argument("--run-id", help="stored on every row (default: a fresh id)")
    p = _command(
        fin, "tco", "load the period's cost ledger and print total cost of ownership per model and category",
        "steward finance tco --period 2026-11", _cmd_finance_tco, registry=True,
    )  # fmt: skip
    p.add_argument("--period", required=True, help="a month (2026-11) or a quarter (2026-Q4)")
    p.add_argument("--run-id", help="stored on the ledger lines (default: a fresh id)")
    retrain = sub.add_parser("retraining", help="retraining decisions").add_subparsers(
        dest="sub", required=True
    )
    p = _command(
        retrain, "request", "ask for a model's retraining; its next policy evaluation acts on it (stored)",
        'steward retraining request lead_scoring --reason "new landing pages"', _cmd_retraining_request,
        registry=True,
    )  # fmt: skip
    p.add_argument("model", help="a registered model")
    p.add_argument("--reason", required=True, help="why (recorded with the decision that acts on it)")
    p.add_argument("--by", help="who asks (default: $USER)")
    p = _command(
        retrain, "decide",
        "evaluate the retraining policies for a night and record the decision, as the retraining_trigger DAG "
        "does (without Airflow: nothing is started and no running retraining is seen)",
        "steward retraining decide lead_scoring --date 2026-11-05", _cmd_retraining_decide, registry=True,
    )  # fmt: skip
    p.add_argument("model", nargs="?", help="a registered model (default: every model)")
    p.add_argument("--date", type=_date, required=True, help="the monitored night YYYY-MM-DD")
    p.add_argument("--now", type=_datetime, help="the evaluation's clock, UTC (default: now)")
    p.add_argument("--run-id", default="cli_decide", help="stored on the decision (default: cli_decide)")
    p.add_argument("--dry-run", action="store_true", help="print the decision without recording it")
    p = _command(
        retrain, "decisions", "list the recorded retraining decisions (night, model, action, reason)",
        "steward retraining decisions --model credit_risk", _cmd_retraining_decisions,
    )  # fmt: skip
    p.add_argument("--model", help="only this model (default: every model)")
    p.add_argument(
        "--width", type=int, default=100, help="reasons are cut to this many characters (default: 100)"
    )

    fair = sub.add_parser("fairness", help="fairness audits").add_subparsers(dest="sub", required=True)
    p = _command(
        fair, "audit", "one-off fairness audit of a scored file (no registry needed)",
        "steward fairness audit adult.csv --label income --favourable '>50K' "
        "--score risk_decile --threshold 5 --group sex --group race --reference sex=Male",
        _cmd_fairness_audit, registry=True,
    )  # fmt: skip
    p.add_argument("files", nargs="*", metavar="FILE", help="CSV/TSV/.data/.txt, Parquet or JSON lines")
    p.add_argument("--label", help="true outcome column")
    p.add_argument("--prediction", help="decision column (or --score with --threshold)")
    p.add_argument("--score", help="score column; score >= --threshold is a positive decision")
    p.add_argument("--threshold", type=float, help="threshold on the score's own scale")
    p.add_argument("--group", action="append", help="protected attribute column (repeatable)")
    p.add_argument(
        "--reference", action="append", help="reference group COLUMN=VALUE (default: the largest group)"
    )
    p.add_argument("--favourable", help="the favourable outcome value (needed unless outcomes are 0/1)")
    p.add_argument("--columns", help="comma-separated names for delimited files without a header row")
    p.add_argument("--name", help="stored as model adhoc-NAME (default: the file's name)")
    p.add_argument(
        "--allow-degenerate", action="store_true", help="run even if (almost) all rows are positive"
    )
    p.add_argument("--min-group-size", type=int, default=30, help="smaller groups get no verdict")
    p.add_argument("--tolerance", type=float, default=0.1, help="gap tolerated before a breach")
    p.add_argument("--model", help="use a registered model's attributes and policy instead (with --file)")
    p.add_argument("--file", action="append", help="with --model: Parquet or CSV file (repeatable)")
    p.add_argument(
        "--format", choices=["parquet", "csv"], help="with --model: file format (default: from the name)"
    )
    p.add_argument("--label-column", help="with --model: label column 0/1 (default: the model's)")
    p.add_argument("--date", type=_date, help="the window date to store the audit under (default: today)")
    p.add_argument("--out", help="report folder (default: $STEWARD_HOME/reports/fairness)")
    p = _command(
        fair, "assess", "bias assessment of training data (groups, base rates, proxies)",
        "steward fairness assess --model credit_risk --file train.parquet --version v1",
        _cmd_fairness_assess, registry=True,
    )  # fmt: skip
    p.add_argument("--model", required=True, help="registered model (protected attributes, policy)")
    p.add_argument("--file", action="append", required=True, help="Parquet or CSV file (repeatable)")
    p.add_argument("--format", choices=["parquet", "csv"], help="file format (default: from the name)")
    p.add_argument("--label-column", help="label column 0/1 (default: the model's label column)")
    p.add_argument("--version", required=True, help="dataset version stored in bias_assessment")
    p.set_defaults(files=None)

    models = sub.add_parser("models", help="the model registry").add_subparsers(dest="sub", required=True)
    _command(
        models, "list", "list registered models with their champion and latest version",
        "steward models list", _cmd_models_list,
    )  # fmt: skip
    p = _command(
        models, "show", "show a model's aliases, versions with their stages, and its model card",
        "steward models show credit_risk", _cmd_models_show,
    )  # fmt: skip
    p.add_argument("model", help="registered model name")
    p = _command(
        models, "history", "list every registry event of a model, oldest first (who, when, why, evidence)",
        "steward models history credit_risk", _cmd_models_history,
    )  # fmt: skip
    p.add_argument("model", help="registered model name")
    p = _command(
        models, "rollback", "put the previous champion back in production (recorded as an event)",
        "steward models rollback lead_scoring --reason 'scores drift after the 2.4.0 release'",
        _cmd_models_rollback,
    )  # fmt: skip
    p.add_argument("model", help="registered model name")
    p.add_argument("--reason", required=True, help="why (stored on the event)")
    p.add_argument("--actor", help="who acts (default: the logged-in user)")
    p = _command(
        models, "decommission", "retire a version: no aliases, no monitoring, its history kept",
        "steward models decommission credit_risk 1.8.2 --reason 'product withdrawn'",
        _cmd_models_decommission,
    )  # fmt: skip
    p.add_argument("model", help="registered model name")
    p.add_argument("version", help="the version to retire")
    p.add_argument("--reason", required=True, help="why (stored on the event)")
    p.add_argument("--actor", help="who acts (default: the logged-in user)")

    p = _command(
        sub, "airflow-ui", "run `airflow standalone` over this project (the demo's runs included)",
        "steward airflow-ui --port 8080", _cmd_airflow_ui, url=False,
    )  # fmt: skip
    p.add_argument("--port", type=int, default=8080, help="the api-server's port")
    p.add_argument(
        "--expose",
        action="store_true",
        help="listen on every interface (0.0.0.0) and require a login (user admin, generated password); "
        "without it: 127.0.0.1 only, no login",
    )
    return parser


def _user_errors() -> tuple[type[BaseException], ...]:
    """Exceptions a user's input can cause: one line and exit code 2, the traceback only with ``-v``."""
    from steward.monitoring import MonitoringError
    from steward.registry import RegistryError
    from steward.sources import SourceError
    from steward.warehouse import WarehouseError

    return (
        RegistryError,
        SourceError,
        MonitoringError,
        WarehouseError,
        FileNotFoundError,
        KeyError,
        ValueError,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``steward`` command.

    A user's mistake (file, format, column, value, date, unknown model or dataset, registry, SQL) ends
    in one line on stderr and exit code 2; anything else in one line and exit code 1. ``-v`` adds the
    traceback.
    """
    args = build_parser().parse_args(argv)
    _setup_logging(args.verbose)
    from steward.registry import RegistryError

    user_errors = _user_errors()  # imported before the command runs, never while handling its failure

    saved = os.environ.get("STEWARD_REGISTRY")
    if getattr(args, "registry", None):  # --registry: every registry lookup of this command uses it
        os.environ["STEWARD_REGISTRY"] = str(Path(args.registry).expanduser().resolve())
    from steward._tracking import tracking

    _RUN_IDS.clear()
    try:
        _check_date_options(args)
        with tracking() as tracker:
            try:
                code = int(args.func(args) or 0)
            except BaseException:
                _record_cli_lineage(args, tracker, failing=True)  # a failed command still read its inputs
                raise
            _record_cli_lineage(args, tracker)
        return code
    except KeyboardInterrupt:
        print("steward: interrupted", file=sys.stderr)
        return 130
    except user_errors as exc:
        if args.verbose:
            import traceback

            traceback.print_exc()
        message = _one_line(exc, keep_lines=isinstance(exc, RegistryError))
        print(f"steward: error: {message}", file=sys.stderr)
        return 2
    except Exception as exc:
        if args.verbose:
            import traceback

            traceback.print_exc()
        print(
            f"steward: internal error: {type(exc).__name__}: {_one_line(exc)} "
            "(rerun with -v for the traceback, and please report it)",
            file=sys.stderr,
        )
        return 1
    finally:
        if saved is None:
            os.environ.pop("STEWARD_REGISTRY", None)
        else:
            os.environ["STEWARD_REGISTRY"] = saved
