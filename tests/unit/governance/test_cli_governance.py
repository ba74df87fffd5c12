"""``steward export run`` and ``steward pii scan``: the outcome in one line, exit 1 when refused or flagged,
exit 2 with one line for a name that is not declared."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from steward.cli import main
from tests.unit.governance.test_exports import _registry


def _registry_file(tmp_path: Path) -> Path:
    registry = _registry(tmp_path)
    path = tmp_path / "governance.yaml"
    path.write_text(yaml.safe_dump(registry.model_dump(mode="json", exclude_defaults=True)), encoding="utf-8")
    return path


def test_export_run_prints_the_refusal_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reg, url = _registry_file(tmp_path), f"duckdb:///{tmp_path / 'wh.duckdb'}"
    code = main(
        ["export", "run", "loans_to_bureau", "--date", "2026-11-04", "--url", url, "--registry", str(reg)]
    )
    assert code == 1
    assert capsys.readouterr().out.startswith("REFUSED     loans_to_bureau 2026-11-04: k = 3 < min_k 6")
    assert main(["export", "run", "nope", "--date", "2026-11-04", "--url", url, "--registry", str(reg)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "export 'nope' is not declared under privacy.exports" in err


def test_pii_scan_of_data_without_personal_data_prints_nothing_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reg, url = _registry_file(tmp_path), f"duckdb:///{tmp_path / 'wh.duckdb'}"
    assert (
        main(["pii", "scan", "--date", str(dt.date(2026, 11, 4)), "--url", url, "--registry", str(reg)]) == 0
    )
    assert capsys.readouterr().out == ""  # ages, zip codes, outcomes and names match no recognizer


def test_decision_record_and_incident_resolve(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    args = ["--initiative", "credit_v2", "--stage", "pilot", "--status", "approved", "--sponsor", "CRO"]
    at = ["--at", "2026-11-10T09:00"]
    assert main(["decision", "record", *args, *at, "--rationale", "ok", "--url", url]) == 0
    assert capsys.readouterr().out.startswith("recorded decision ")
    assert main(["decision", "record", *args, "--rationale", " ", "--url", url]) == 2
    assert "give a rationale" in capsys.readouterr().err
    assert main(["incident", "resolve", "nope", "--note", "x", "--url", url]) == 2
    assert "incident 'nope' does not exist" in capsys.readouterr().err
