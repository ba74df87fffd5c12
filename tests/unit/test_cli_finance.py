"""``steward finance review`` and ``steward finance tco``: the ROI table, the files, one-line errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from steward.cli import main
from steward.warehouse import connect
from tests.unit.finance import _data


@pytest.fixture
def setup(tmp_path: Path, duckdb_url: str) -> tuple[str, Path]:
    (tmp_path / "2026-11.yaml").write_text(_data.LEDGER_YAML)
    _data.write_outcomes(
        tmp_path / "lake", {dt.date(2026, 11, 2): (1000.0, 10), dt.date(2026, 11, 3): (900.0, 8)}
    )
    with connect(duckdb_url) as wh:
        wh.migrate()
        _data.load_costs(wh)
    file = tmp_path / "governance.yaml"
    file.write_text(yaml.safe_dump(_data.registry_doc(tmp_path / "lake", str(tmp_path / "{period}.yaml"))))
    return duckdb_url, file


def test_review_prints_the_roi_table_and_writes_the_files(
    setup: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, file = setup
    out = tmp_path / "review"
    argv = ["finance", "review", "--period", "2026-11", "--url", url, "--registry", str(file)]
    assert main([*argv, "--today", "2026-11-20", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert (
        "ROI review 2026-11 (provisional), USD: total 1,615.50 effective = cloud 115.00 + ledger 1,500.50"
        in text
    )
    lead = next(line for line in text.splitlines() if line.startswith("  lead_scoring"))
    # CAC 1900 / 18 = 105.6; benefit (100 - 105.56) * 18 = -100
    assert "1,245.50" in lead and "105.6" in lead and "-100" in lead and "negative_roi" in lead
    assert (out / "review.html").is_file() and (out / "finance_showback.parquet").is_file()


def test_tco_prints_the_mart(setup: tuple[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    url, file = setup
    assert main(["finance", "tco", "--period", "2026-11", "--url", url, "--registry", str(file)]) == 0
    text = capsys.readouterr().out
    assert "lending        (unit)         data_acquisition  ledger             300.00       300.00" in text


def test_bad_period_and_bad_ledger_are_one_line(
    setup: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, file = setup
    assert main(["finance", "review", "--period", "Nov", "--url", url, "--registry", str(file)]) == 2
    assert capsys.readouterr().err.strip() == (
        "steward: error: period 'Nov' is not a month (2026-11) or a quarter (2026-Q4): give one of those"
    )
    (tmp_path / "2026-11.yaml").write_text(
        "lines:\n  - {category: personnel, model: lead_scoring, amount: -3}\n"
    )
    assert main(["finance", "tco", "--period", "2026-11", "--url", url, "--registry", str(file)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"ledger {tmp_path / '2026-11.yaml'} line 2: amount -3 is negative" in err
