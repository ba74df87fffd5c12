"""``steward retraining request | decide | decisions`` on a real DuckDB warehouse."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from steward.cli import main
from steward.warehouse import connect


def test_request_decide_and_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"duckdb:///{tmp_path}/wh.duckdb"
    assert main(["retraining", "request", "lead_scoring", "--reason", "new landing pages", "--by", "ana",
                 "--url", url]) == 0  # fmt: skip
    assert "retraining of lead_scoring requested (rq-" in capsys.readouterr().out
    with connect(url) as wh:  # 12 labelled days, as many as lead_scoring's data guard needs (9 + 3)
        at = dt.datetime(2026, 11, 5, tzinfo=dt.UTC)
        wh.replace_partition("model_performance", {"model": "lead_scoring"}, [
            {"model": "lead_scoring", "window_date": at.date() - dt.timedelta(d), "metric": "positive_rate",
             "realized_value": 0.3, "realized_status": "ok", "estimated_status": "undefined", "n": 10,
             "n_labelled": 10, "label_coverage": 1.0, "breach": False, "run_id": "m", "computed_at": at}
            for d in range(12)
        ])  # fmt: skip
    argv = ["retraining", "decide", "--date", "2026-11-05", "--now", "2026-11-06T04:00", "--url", url]
    assert main([*argv, "--dry-run"]) == 0  # the request was filed today, after that clock: not counted
    assert (
        "lead_scoring: no_action" in (out := capsys.readouterr().out) and "manual: no pending request" in out
    )
    with connect(url) as wh:  # as if ana had asked on the night's afternoon
        wh.execute(
            "update retraining_requests set requested_at = :at",
            {"at": dt.datetime(2026, 11, 5, 15, tzinfo=dt.UTC)},
        )
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "2026-11-05 lead_scoring: fire" in out and "manual: 1 request(s) (ana: new landing pages)" in out
    assert "2026-11-05 credit_risk: no_action" in out
    assert main(argv) == 0  # a rerun rewrites the same rows
    capsys.readouterr()
    with connect(url) as wh:
        rows = wh.fetch("select model, action, run_id from retraining_decisions order by model")
    assert rows == [
        {"model": "credit_risk", "action": "no_action", "run_id": "cli_decide"},
        {"model": "lead_scoring", "action": "fire", "run_id": "cli_decide"},
    ]
    assert main(["retraining", "decisions", "--model", "lead_scoring", "--width", "40", "--url", url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["night", "model", "action", "reason"]
    assert (
        lines[1].startswith("2026-11-05  lead_scoring   fire ") and lines[1].endswith("…") and len(lines) == 2
    )


def test_dry_run_records_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"duckdb:///{tmp_path}/wh.duckdb"
    assert (
        main(["retraining", "decide", "credit_risk", "--date", "2026-11-05", "--dry-run", "--url", url]) == 0
    )
    assert "credit_risk: no_action" in capsys.readouterr().out
    assert main(["retraining", "decisions", "--url", url]) == 0
    assert "no retraining decision recorded yet" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["retraining", "request", "nosuch", "--reason", "x"],
            "model 'nosuch' is not registered; registered:",
        ),
        (["retraining", "request", "lead_scoring", "--reason", " "], "give a reason (--reason)"),
        (["retraining", "decide", "nosuch", "--date", "2026-11-05"], "model 'nosuch' is not registered"),
    ],
)
def test_bad_input_is_one_line(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, "--url", f"duckdb:///{tmp_path}/wh.duckdb"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("steward: error: ") and message in err and len(err.strip().splitlines()) == 1, err


def test_a_bad_clock_is_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["retraining", "decide", "--date", "2026-11-05", "--now", "tonight"])
    assert info.value.code == 2
    assert "argument --now: expected a time YYYY-MM-DDTHH:MM (UTC), got 'tonight'" in capsys.readouterr().err
