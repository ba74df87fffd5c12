"""One-off runs never touch a nightly model's rows: they live under ``adhoc-<name>``.

The demo's credit_risk model is monitored for one night as the DAG does (fairness and drift); then
every one-off form runs for the same model name and the same date; the nightly rows are byte-identical.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from steward.cli import main
from steward.demo import DEMO_START, generate
from steward.monitoring import fairness_window, monitor_window
from steward.registry import load_registry
from steward.warehouse import connect

DAY = DEMO_START + dt.timedelta(days=3)
DATASETS = ["credit_risk_training", "credit_risk_predictions", "credit_risk_labels"]


def _nightly(url: str) -> str:
    with connect(url) as wh:
        tables = [
            r["table_name"]
            for r in wh.fetch(
                "select table_name from information_schema.columns where column_name = 'model' order by 1"
            )
        ]
        return json.dumps(
            {t: sorted(map(str, wh.fetch(f"select * from {t} where model = 'credit_risk'"))) for t in tables}
        )


def test_one_off_runs_leave_the_nightly_rows_byte_identical(
    steward_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    generate(steward_home, datasets=DATASETS, days=5)
    registry = load_registry()
    model = registry.model("credit_risk")
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    with connect(url) as wh:
        wh.migrate()
        for day in (DEMO_START, DEMO_START + dt.timedelta(days=1), DAY):  # the score reference needs 2 days
            fairness_window(model, day, registry=registry, warehouse=wh, run_id="nightly")
            monitor_window(model, day, registry=registry, warehouse=wh, run_id="nightly", write_report=False)
    before = _nightly(url)
    assert '"fairness_metrics": []' not in before and '"drift_metrics": []' not in before

    lake = steward_home / "lake"
    log = sorted((lake / "credit_risk_predictions" / f"date={DAY}").glob("*.parquet"))[0]
    training = sorted((lake / "credit_risk_training").rglob("*.parquet"))[0]
    date = ["--date", DAY.isoformat(), "--url", url]
    runs = [
        ["fairness", "audit", "--model", "credit_risk", "--file", str(log), *date],
        [
            *("fairness", "audit", str(log), "--name", "credit_risk", "--label", "predicted_label"),
            *("--score", "score", "--threshold", "0.15", "--group", "sex", "--allow-degenerate", *date),
        ],
        [
            "monitor",
            "files",
            "--model",
            "credit_risk",
            "--reference",
            str(training),
            "--current",
            str(log),
            *date,
        ],
        [
            "monitor",
            "files",
            str(training),
            str(log),
            "--name",
            "credit_risk",
            "--features",
            "income_usd",
            *date,
        ],
    ]
    for argv in runs:
        assert main(argv) in (0, 1), capsys.readouterr()
    assert _nightly(url) == before
    with connect(url) as wh:
        stored = {r["model"] for r in wh.fetch("select distinct model from fairness_metrics")}
        stored |= {r["model"] for r in wh.fetch("select distinct model from drift_metrics")}
        kinds = sorted(r["kind"] for r in wh.fetch("select kind from adhoc_runs"))
    assert stored == {"credit_risk", "adhoc-credit_risk"}
    assert kinds == ["drift_comparison", "fairness_audit"]
