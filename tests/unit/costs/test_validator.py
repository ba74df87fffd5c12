"""check-focus's verdict: it passes only when every failed rule is a listed focus-validator defect.

The validator itself runs in its own Python 3.12 venv (tests/unit/costs/test_focus_validator.py, an
integration test); here its console output is hand-written in the format ``_validator`` parses.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from steward import cli
from steward.costs import _validator
from steward.costs._validator import (
    VALIDATOR_VERSION,
    KnownDefect,
    ValidatorResult,
    judge_focus_result,
    load_known_defects,
    parse_validator_output,
)


def _output(failures: list[tuple[str, int]], *, counted: int | None = None, passed: int = 140) -> str:
    failed = len(failures) if counted is None else counted
    # the validator marks lines with a symbol; the parser accepts them with or without
    marks = ("\u274c ", "")
    lines = [
        f"  {marks[i % 2]}{rule}: FAIL (violations={n}, msg=rule {rule} violated)"
        for i, (rule, n) in enumerate(failures)
    ]
    lines.append("  BilledCost-C-001-M: PASS")
    lines.append(f"Total: {passed + failed + 3} | Pass: {passed} | Fail: {failed} | Skipped: 3")
    return "\n".join(lines)


DEFECTS = [KnownDefect("InvoiceId-C-005-C", VALIDATOR_VERSION, "unsatisfiable in model 1.2.0.1")]


def test_output_is_parsed_into_counts_and_failures() -> None:
    result = parse_validator_output(_output([("InvoiceId-C-005-C", 40), ("BilledCost-C-002-C", 2)]))

    assert (result.total, result.passed, result.failed, result.skipped) == (145, 140, 2, 3)
    assert [(r, n) for r, n, _ in result.failures] == [("InvoiceId-C-005-C", 40), ("BilledCost-C-002-C", 2)]


def test_output_without_totals_is_an_error_with_the_exit_code() -> None:
    with pytest.raises(RuntimeError, match=r"gave no result \(exit 3\)"):
        parse_validator_output("Traceback: boom", returncode=3)


def test_only_known_defects_failing_passes() -> None:
    check = judge_focus_result(parse_validator_output(_output([("InvoiceId-C-005-C", 40)])), DEFECTS)

    assert check.ok
    assert [(f[0], d.reason) for f, d in check.known] == [
        ("InvoiceId-C-005-C", "unsatisfiable in model 1.2.0.1")
    ]
    assert check.unexpected == []


def test_any_other_failure_fails() -> None:
    result = parse_validator_output(_output([("InvoiceId-C-005-C", 40), ("BilledCost-C-002-C", 2)]))

    check = judge_focus_result(result, DEFECTS)

    assert not check.ok
    assert [f[0] for f, _ in check.known] == ["InvoiceId-C-005-C"]
    assert [f[0] for f in check.unexpected] == ["BilledCost-C-002-C"]


def test_a_defect_listed_for_another_validator_version_is_not_known() -> None:
    result = parse_validator_output(_output([("InvoiceId-C-005-C", 40)]))

    check = judge_focus_result(result, DEFECTS, validator_version="2.3.0")

    assert not check.ok and [f[0] for f in check.unexpected] == ["InvoiceId-C-005-C"]


def test_failures_counted_but_not_named_fail() -> None:
    result = parse_validator_output(_output([("InvoiceId-C-005-C", 40)], counted=2))

    check = judge_focus_result(result, DEFECTS)

    assert check.unparsed == 1 and not check.ok


def test_no_failures_passes() -> None:
    check = judge_focus_result(parse_validator_output(_output([])), DEFECTS)

    assert check.ok and check.known == [] and check.unexpected == []


def test_the_shipped_file_lists_the_invoice_id_defect_with_a_reason() -> None:
    defects = load_known_defects()

    assert {(d.rule, d.validator_version) for d in defects} == {("InvoiceId-C-005-C", VALIDATOR_VERSION)}
    assert all("1.2.0.1" in d.reason for d in defects)


@pytest.mark.parametrize(
    "text",
    [
        "defects: nope\n",
        "- rule: x\n",
        "defects:\n  - rule: InvoiceId-C-005-C\n    validator_version: '2.2.1'\n",
    ],
)
def test_a_malformed_defects_file_is_a_clear_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "known.yaml"
    path.write_text(text)

    with pytest.raises(ValueError, match=r"known\.yaml: "):
        load_known_defects(path)


@pytest.mark.parametrize(
    ("failures", "code", "shown"),
    [
        ([("InvoiceId-C-005-C", 40)], 0, "KNOWN InvoiceId-C-005-C (40 rows): focus-validator 2.2.1's model"),
        (
            [("InvoiceId-C-005-C", 40), ("ChargeCategory-C-001-M", 1)],
            1,
            "FAIL ChargeCategory-C-001-M (1 rows)",
        ),
    ],
)
def test_check_focus_command_exit_code(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    failures: list[tuple[str, int]],
    code: int,
    shown: str,
) -> None:
    result: ValidatorResult = parse_validator_output(_output(failures))
    monkeypatch.setattr(_validator, "run_focus_validator", lambda path: result)
    monkeypatch.setattr("steward.costs.export_focus", lambda wh, path: path)

    rc = cli.main(["costs", "check-focus", "--url", f"duckdb:///{tmp_path / 'wh.duckdb'}"])

    assert rc == code
    assert shown in capsys.readouterr().out
