"""Every mistake a user can make ends in one line and exit code 2, never a traceback, and changes nothing.

Each case feeds one bad input through the real CLI against a warehouse that already holds results
(an earlier audit); the warehouse's every table is compared before and after.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from steward.cli import main

GOOD = {
    "sex": ["F", "M"] * 50,
    "race": ["a", "b", "c", "d"] * 25,
    "score": [round(0.01 * i, 2) for i in range(100)],
    "pred": [i % 2 for i in range(100)],
    "label": [(i // 2) % 2 for i in range(100)],
}


def _csv(path: Path, rows: dict[str, list[object]], *, header: bool = True) -> Path:
    names = list(rows)
    lines = [",".join(names)] if header else []
    lines += [",".join(str(rows[c][i]) for c in names) for i in range(len(rows[names[0]]))]
    path.write_text("\n".join(lines) + "\n")
    return path


def _with(**changes: list[object]) -> dict[str, list[object]]:
    return {**GOOD, **changes}


def _renamed(old: str, new: str) -> dict[str, list[object]]:
    return {new if k == old else k: v for k, v in GOOD.items()}


AUDIT = ["fairness", "audit"]
ARGS = ["--label", "label", "--prediction", "pred", "--group", "sex"]

# (id, builder of the argv given a scratch folder, expected first-line fragment)
Case = tuple[str, Callable[[Path], list[str]], str]


def _file(name: str, content: bytes | str) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        p = d / name
        p.write_bytes(content if isinstance(content, bytes) else content.encode())
        return p

    return make


def _truncated_parquet(d: Path) -> Path:
    p = d / "full.parquet"
    pq.write_table(pa.table({"x": np.arange(1000)}), p)
    cut = d / "cut.parquet"
    cut.write_bytes(p.read_bytes()[:300])
    return cut


def _audit_of(
    make: Callable[[Path], Path], *extra: str, args: list[str] | None = None
) -> Callable[[Path], list[str]]:
    return lambda d: [*AUDIT, str(make(d)), *(ARGS if args is None else args), *extra]


def _good(d: Path) -> Path:
    return _csv(d / "good.csv", GOOD)


CASES: list[Case] = [
    ("missing file", lambda d: [*AUDIT, str(d / "nope.csv"), *ARGS], "no such file; check the path"),
    ("empty file", _audit_of(_file("empty.csv", b"")), "the file is empty (0 bytes)"),
    (
        "header only",
        _audit_of(_file("head.csv", "sex,pred,label\n")),
        "has a header row (sex, pred, label) but no data",
    ),
    ("truncated parquet", _audit_of(_truncated_parquet), "a Parquet file that is truncated"),
    ("a folder", lambda d: [*AUDIT, str(d), *ARGS], "is a folder, not a file"),
    ("binary junk", _audit_of(_file("junk.bin", bytes(range(256)) * 4)), "binary content"),
    (
        "bad json line",
        _audit_of(_file("x.jsonl", '{"a": 1,,}\n')),
        "starts like JSON but is not a JSON object",
    ),
    (
        "renamed label",
        _audit_of(lambda d: _csv(d / "r.csv", _renamed("label", "lbl"))),
        "no column 'label' (--label); did you mean 'lbl'?",
    ),
    (
        "renamed group",
        _audit_of(lambda d: _csv(d / "r.csv", _renamed("sex", "gender"))),
        "no column 'sex' (--group)",
    ),
    (
        "non-binary label",
        _audit_of(lambda d: _csv(d / "n.csv", _with(label=[i % 3 for i in range(100)]))),
        "has 3 values",
    ),
    (
        "yes/no label",
        _audit_of(lambda d: _csv(d / "y.csv", _with(label=["yes", "no"] * 50))),
        "say which one is the favourable outcome",
    ),
    (
        "favourable not seen",
        _audit_of(_good, "--favourable", "approved"),
        "--favourable 'approved' is not a value",
    ),
    (
        "prediction 2",
        _audit_of(lambda d: _csv(d / "p.csv", _with(pred=[i % 3 for i in range(100)]))),
        "--prediction column 'pred' has 3 values",
    ),
    (
        "text in score",
        _audit_of(
            lambda d: _csv(d / "t.csv", _with(score=["high" if i == 5 else 0.5 for i in range(100)])),
            args=["--label", "label", "--score", "score", "--threshold", "0.5", "--group", "sex"],
        ),
        "1 values are not finite numbers (e.g. 'high')",
    ),
    (
        "inf in score",
        _audit_of(
            lambda d: _csv(d / "i.csv", _with(score=["inf" if i == 5 else i / 100 for i in range(100)])),
            args=["--label", "label", "--score", "score", "--threshold", "0.5", "--group", "sex"],
        ),
        "values are not finite numbers (e.g. 'inf')",
    ),
    (
        "NaN in score",
        _audit_of(
            lambda d: _csv(d / "nan.csv", _with(score=["nan" if i == 5 else i / 100 for i in range(100)])),
            args=["--label", "label", "--score", "score", "--threshold", "0.5", "--group", "sex"],
        ),
        "values are not finite numbers",
    ),
    (
        "missing scores",
        _audit_of(
            lambda d: _csv(d / "m.csv", _with(score=["" if i < 3 else i / 100 for i in range(100)])),
            args=["--label", "label", "--score", "score", "--threshold", "0.5", "--group", "sex"],
        ),
        "3 rows have no score",
    ),
    (
        "one row",
        _audit_of(lambda d: _csv(d / "one.csv", {k: v[:1] for k, v in GOOD.items()})),
        "has a single group",
    ),
    (
        "all-null group",
        _audit_of(lambda d: _csv(d / "g.csv", _with(sex=[""] * 100))),
        "protected attribute 'sex' is empty",
    ),
    (
        "single group",
        _audit_of(lambda d: _csv(d / "s.csv", _with(sex=["F"] * 100))),
        "has a single group ('F', 100 rows)",
    ),
    (
        "degenerate threshold",
        _audit_of(
            _good, args=["--label", "label", "--score", "score", "--threshold", "-1", "--group", "sex"]
        ),
        "makes 100.0% of rows positive",
    ),
    (
        "unknown reference group",
        _audit_of(_good, "--reference", "sex=X"),
        "--reference sex='X': no such group",
    ),
    ("reference without =", _audit_of(_good, "--reference", "sex"), "write COLUMN=VALUE"),
    (
        "score without threshold",
        _audit_of(_good, args=["--label", "label", "--score", "score", "--group", "sex"]),
        "needs --threshold T",
    ),
    (
        "prediction and score",
        _audit_of(_good, "--score", "score", "--threshold", "0.5"),
        "give either --prediction COLUMN or --score",
    ),
    ("no group", _audit_of(_good, args=["--label", "label", "--prediction", "pred"]), "needs --group"),
    (
        "quotes and SQL in a value",
        _audit_of(_good, "--favourable", "1'; drop table fairness_metrics; --"),
        "is not a value of --label column",
    ),
    (
        "quotes in a column name",
        _audit_of(_good, args=["--label", "label", "--prediction", "pred", "--group", 'se"x']),
        "no column 'se\"x' (--group)",
    ),
    (
        "columns count mismatch",
        _audit_of(lambda d: _csv(d / "h.csv", GOOD, header=False), "--columns", "a,b"),
        "--columns names 2 columns but the file has 5",
    ),
    (
        "unknown model",
        lambda d: [*AUDIT, "--model", "nosuch", "--file", str(_good(d))],
        "model 'nosuch' is not registered",
    ),
    ("no file at all", lambda d: [*AUDIT, *ARGS], "pass the file to audit"),
    (
        "monitor: missing reference",
        lambda d: ["monitor", "files", str(d / "nope.parquet"), str(_good(d))],
        "reference file",
    ),
    (
        "monitor: nothing shared",
        lambda d: [
            "monitor",
            "files",
            str(_csv(d / "a.csv", {"x": [1, 2]})),
            str(_csv(d / "b.csv", {"y": [1, 2]})),
        ],
        "share no column to compare",
    ),
    (
        "monitor: absent feature",
        lambda d: ["monitor", "files", str(_good(d)), str(_good(d)), "--features", "nope"],
        "no column 'nope' (--features)",
    ),
    (
        "monitor: corrupt current",
        lambda d: ["monitor", "files", str(_good(d)), str(_truncated_parquet(d))],
        "truncated",
    ),
    (
        "query: wrong column",
        lambda d: ["warehouse", "query", "select no_such_column from adhoc_runs"],
        "no_such_column",
    ),
    (
        "dq: unknown dataset",
        lambda d: ["dq", "validate", "--date", "2026-11-01", "--dataset", "nosuch"],
        "dataset 'nosuch' is not registered",
    ),
    (
        "registry: invalid file",
        lambda d: ["registry", "check", "--registry", str(_file("r.yaml", "datasets: [\n")(d))],
        "r.yaml",
    ),
]


@pytest.fixture(scope="module")
def warehouse_with_results(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    home = tmp_path_factory.mktemp("home")
    mp = pytest.MonkeyPatch()
    mp.setenv("STEWARD_HOME", str(home))
    url = f"duckdb:///{home / 'wh.duckdb'}"
    assert main(
        [*AUDIT, str(_csv(home / "seed.csv", GOOD)), *ARGS, "--url", url, "--date", "2026-11-20"]
    ) in (0, 1)
    mp.setenv("STEWARD_WAREHOUSE_URL", url)
    yield url, home
    mp.undo()


def _snapshot(url: str) -> str:
    import duckdb

    con = duckdb.connect(url.removeprefix("duckdb:///"), read_only=True)  # one connection, every table
    try:
        tables = [
            t
            for (t,) in con.execute("select table_name from information_schema.tables order by 1").fetchall()
        ]
        return json.dumps(
            {t: sorted(map(str, con.execute(f'select * from "{t}"').fetchall())) for t in tables}
        )
    finally:
        con.close()


def test_there_are_at_least_thirty_distinct_bad_inputs() -> None:
    assert len({c[0] for c in CASES}) == len(CASES) >= 30


@pytest.mark.parametrize(("case", "argv", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_a_bad_input_is_one_line_exit_2_and_changes_nothing(
    warehouse_with_results: tuple[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    case: str,
    argv: Callable[[Path], list[str]],
    fragment: str,
) -> None:
    url, _ = warehouse_with_results
    before = _snapshot(url)
    args = argv(tmp_path)
    if args[0] != "registry" and args[0] != "dq":
        args = [*args, "--url", url]
    rc = main(args)
    out, err = capsys.readouterr()
    assert rc == 2, (case, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 or args[0] == "registry", err
    assert lines[0].startswith("steward: error: ") and fragment in err, err
    assert "Traceback" not in out + err
    assert _snapshot(url) == before


def test_with_v_the_traceback_is_shown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["-v", *AUDIT, str(tmp_path / "nope.csv"), *ARGS, "--url", "duckdb:///:memory:"])
    assert rc == 2 and "Traceback" in capsys.readouterr().err
