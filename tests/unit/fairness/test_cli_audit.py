"""`steward fairness audit|assess` over a whole file, with the demo registry's credit_risk model."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from steward.cli import main
from tests.unit.fairness.data_for_test import log

REGISTRY = str(Path(__file__).parents[3] / "include" / "governance.yaml")


def _decision_log(path: Path, *, gap: float) -> Path:
    # credit_risk: predicted_label 1 = decline, so a higher score for 18-25 disadvantages them
    table = log(5000, gap=gap).rename_columns(
        ["sex", "age_band", "score", "predicted_label", "defaulted", "income_usd", "region"]
    )
    pq.write_table(table, path)
    return path


def test_audit_of_a_whole_file_writes_tables_and_report(
    steward_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = _decision_log(tmp_path / "decisions.parquet", gap=-0.3)
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    args = ["fairness", "audit", "--model", "credit_risk", "--file", str(file), "--registry", REGISTRY]
    rc = main([*args, "--url", url, "--date", "2026-11-20"])
    out = capsys.readouterr().out
    assert rc == 1 and "BREACH" in out and "age_band='18-25'" in out
    report = steward_home / "reports" / "fairness" / "2026-11-20" / "adhoc-credit_risk.html"
    assert report.is_file() and f"report: {report}" in out
    rc = main(["fairness", "assess", "--model", "credit_risk", "--file", str(file), "--registry", REGISTRY,
               "--url", url, "--version", "v9"])  # fmt: skip
    assert rc == 0 and "rows in bias_assessment" in capsys.readouterr().out


def test_audit_of_a_file_without_predictions_is_a_clear_error(
    steward_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "training.parquet"
    pq.write_table(log(100).select(["sex", "age_band", "label"]), file)
    rc = main(["fairness", "audit", "--model", "credit_risk", "--file", str(file), "--registry", REGISTRY,
               "--url", f"duckdb:///{tmp_path / 'wh.duckdb'}"])  # fmt: skip
    assert rc == 2
    assert "lacks columns ['predicted_label']" in capsys.readouterr().err
