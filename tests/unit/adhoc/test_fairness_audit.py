"""`steward fairness audit FILE ...` without a registry: numbers against Fairlearn, refusals, name space."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fairlearn.metrics import MetricFrame, selection_rate, true_positive_rate

from steward.cli import main
from steward.warehouse import connect
from tests.unit.adhoc.data_for_test import COLUMNS, adult, write_adult_data, write_delimited

DAY = "2026-11-20"


def _audit(*args: str, url: str) -> list[str]:
    return ["fairness", "audit", *args, "--url", url, "--date", DAY]


def test_a_headerless_adult_file_with_a_decile_threshold_matches_fairlearn(
    steward_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = adult()
    path = write_adult_data(tmp_path / "adult.data", rows)
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    args = ["--columns", ",".join(COLUMNS), "--label", "income", "--favourable", ">50K"]
    args += ["--score", "risk_decile", "--threshold", "5", "--group", "sex", "--reference", "sex=Male"]
    rc = main(_audit(str(path), *args, url=url))
    out = capsys.readouterr().out
    assert rc == 1, out  # the deciles favour men by more than the tolerance
    assert "pass --columns to name them" not in out  # --columns named them
    assert "calibration within group skipped" in out and "ranges 1 .. 10" in out

    y_true = (rows["income"] == ">50K").astype(int)
    y_pred = (rows["risk_decile"] >= 5).astype(int)  # on the score's own scale
    frame = MetricFrame(
        metrics={"selection_rate": selection_rate, "tpr": true_positive_rate},
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=rows["sex"],
    )
    with connect(url) as wh:
        got = {
            (r["group_value"], r["metric"]): r["value"]
            for r in wh.fetch(
                "select group_value, metric, value from fairness_metrics "
                "where model = 'adhoc-adult' and attribute = 'sex' and window_date = :d",
                {"d": DAY},
            )
        }
        runs = wh.fetch("select * from adhoc_runs")
    for group in ("Male", "Female"):
        rate = frame.by_group["selection_rate"][group]
        assert got[(group, "selection_rate")] == pytest.approx(rate, abs=1e-12)
        assert got[(group, "true_positive_rate")] == pytest.approx(frame.by_group["tpr"][group], abs=1e-12)
    spd = frame.by_group["selection_rate"]["Female"] - frame.by_group["selection_rate"]["Male"]
    assert got[("Female", "statistical_parity_difference")] == pytest.approx(spd, abs=1e-12)
    assert len(runs) == 1 and runs[0]["stored_as"] == "adhoc-adult" and runs[0]["kind"] == "fairness_audit"
    assert "not a probability" in runs[0]["warnings_json"]
    assert json.loads(runs[0]["options_json"])["decision"] == "risk_decile >= 5"
    report = steward_home / "reports" / "fairness" / DAY / "adhoc-adult.html"
    assert "not a probability" in report.read_text()


def test_without_columns_the_headerless_file_says_how_it_named_them(
    steward_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_adult_data(tmp_path / "adult.data", adult(200))
    args = [str(path), "--label", "income", "--prediction", "x", "--group", "sex"]
    rc = main(_audit(*args, url="duckdb:///:memory:"))
    captured = capsys.readouterr()
    assert rc == 2
    assert "no header row: columns named column0 .. column4 (pass --columns to name them)" in captured.out
    assert "no column 'income' (--label)" in captured.err and "column0, column1" in captured.err


@pytest.mark.parametrize(
    ("name", "delimiter", "header"),
    [("semi.txt", ";", True), ("tabs.tsv", "\t", True), ("pipes.csv", "|", False)],
)
def test_files_are_recognized_by_content(
    steward_home: Path, tmp_path: Path, name: str, delimiter: str, header: bool
) -> None:
    rows = adult(400, seed=3)
    rows = {**rows, "income": (rows["income"] == ">50K").astype(int)}
    path = write_delimited(tmp_path / name, rows, delimiter=delimiter, header=header)
    extra = [] if header else ["--columns", ",".join(COLUMNS)]
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    args = [str(path), *extra, "--label", "income", "--score", "risk_decile", "--threshold", "6"]
    assert main(_audit(*args, "--group", "race", "--name", "t", url=url)) in (0, 1)
    with connect(url) as wh:
        got = {
            r["group_value"]: (r["n"], r["predicted_favourable"], r["label_favourable"])
            for r in wh.fetch(
                "select group_value, n, predicted_favourable, label_favourable from fairness_group_counts "
                "where model = 'adhoc-t' and attribute = 'race'"
            )
        }
    for race in ("White", "Black", "Asian"):
        mine = rows["race"] == race
        expected = (
            int(mine.sum()),
            int((rows["risk_decile"][mine] >= 6).sum()),
            int(rows["income"][mine].sum()),
        )
        assert got[race] == expected, race


def test_parquet_and_json_lines_without_extensions_give_the_same_counts(
    steward_home: Path, tmp_path: Path
) -> None:
    rows = adult(500, seed=4)
    table = pa.table({**rows, "income": (rows["income"] == ">50K").astype(np.int64)})
    pq.write_table(table, tmp_path / "scored")
    (tmp_path / "scored_json").write_text("\n".join(json.dumps(r) for r in table.to_pylist()))
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    for file, name in ((tmp_path / "scored", "pq"), (tmp_path / "scored_json", "js")):
        args = [
            str(file),
            "--label",
            "income",
            "--score",
            "risk_decile",
            "--threshold",
            "6",
            "--group",
            "sex",
        ]
        assert main(_audit(*args, "--name", name, url=url)) in (0, 1)
    with connect(url) as wh:
        counts = {
            r["model"]: (r["n"], r["predicted_favourable"], r["label_favourable"])
            for r in wh.fetch(
                "select model, n, predicted_favourable, label_favourable from fairness_group_counts "
                "where attribute = 'sex' and group_value = 'Female'"
            )
        }
    female = rows["sex"] == "Female"
    income = table["income"].to_numpy()
    expected = (int(female.sum()), int((rows["risk_decile"][female] >= 6).sum()), int(income[female].sum()))
    assert counts["adhoc-pq"] == expected and counts["adhoc-js"] == expected


@pytest.mark.parametrize(
    ("label_values", "extra", "message"),
    [
        (["yes", "no"], [], "has values 'no' (3), 'yes' (3): say which one is the favourable outcome"),
        ([0, 1, 2], [], "has 3 values ('0' (2), '1' (2), '2' (2)): a fairness audit needs exactly two"),
        (["yes", "no"], ["--favourable", "si"], "--favourable 'si' is not a value of --label column 'label'"),
        ([0, 1], ["--favourable", "yes"], "--favourable 'yes' is not a value of --label column 'label'"),
    ],
)
def test_outcomes_are_never_guessed(
    steward_home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    label_values: list[object],
    extra: list[str],
    message: str,
) -> None:
    n = 6
    labels = [label_values[i % len(label_values)] for i in range(n)]
    rows = {"g": ["a", "b"] * (n // 2), "p": [0, 1, 1, 0, 1, 0], "label": labels}
    path = write_delimited(tmp_path / "x.csv", rows)
    args = [str(path), "--label", "label", "--prediction", "p", "--group", "g", *extra]
    rc = main(_audit(*args, url="duckdb:///:memory:"))
    err = capsys.readouterr().err
    assert rc == 2 and message in err, err
