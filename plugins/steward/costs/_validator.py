"""Run the FinOps Foundation's ``focus-validator`` (in its own Python 3.12 venv) on a FOCUS export.

focus-validator 2.2.1 needs Python >= 3.12 and pins numpy < 2, so it cannot share Steward's venv.
:func:`ensure_validator` creates ``.bench/focus-validator-venv`` with pip (once) and
:func:`run_focus_validator` runs it offline (``--block-download``) with its bundled FOCUS 1.2 rules.
:func:`judge_focus_result` compares the failed rules with ``include/focus/known_validator_defects.yaml``
(rules the validator fails on any conforming data): the check passes when every failure is listed there.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

from steward import paths

__all__ = [
    "VALIDATOR_VERSION",
    "FocusCheck",
    "KnownDefect",
    "ValidatorResult",
    "ensure_validator",
    "judge_focus_result",
    "known_defects_path",
    "load_known_defects",
    "parse_validator_output",
    "run_focus_validator",
]

#: The pinned focus-validator release.
VALIDATOR_VERSION = "2.2.1"
#: Its own pins: pyarrow >= 20 needs numpy 2, which focus-validator 2.2.1 refuses.
_PINS = (f"focus-validator=={VALIDATOR_VERSION}", "pyarrow<20")
_TOTALS_RE = re.compile(r"Total:\s*(\d+)\s*\|\s*Pass:\s*(\d+)\s*\|\s*Fail:\s*(\d+)\s*\|\s*Skipped:\s*(\d+)")
#: A failed rule's line, with or without a leading status mark ("❌ InvoiceId-C-005-C: FAIL (...)").
_FAIL_RE = re.compile(r"^(?:\S*\s+)?(\S+): FAIL\s+\(violations=(\d+), msg=(.*)\)\s*$")


@dataclass(frozen=True)
class ValidatorResult:
    """The outcome of one focus-validator run.

    Attributes
    ----------
    total, passed, failed, skipped
        Rule counts as the validator reports them.
    failures
        ``(rule id, violations, message)`` of every failed rule.
    output
        The validator's console output.
    """

    total: int
    passed: int
    failed: int
    skipped: int
    failures: list[tuple[str, int, str]]
    output: str

    @property
    def ok(self) -> bool:
        """Whether no rule failed."""
        return self.failed == 0


def _python312() -> str:
    """Return a Python >= 3.12 interpreter: ``STEWARD_PYTHON312``, pyenv's 3.12.x, or ``python3.12``."""
    env = os.environ.get("STEWARD_PYTHON312")
    if env:
        return env
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for candidate in sorted(root.glob("3.12*"), reverse=True):
        if (candidate / "bin" / "python").exists():
            return str(candidate / "bin" / "python")
    found = shutil.which("python3.12")
    if found:
        return found
    raise FileNotFoundError(
        "focus-validator needs Python >= 3.12: install it (pyenv install 3.12) or set STEWARD_PYTHON312"
    )


def ensure_validator(venv: Path | None = None) -> Path:
    """Create the validator's venv if needed; return its ``focus-validator`` executable.

    Parameters
    ----------
    venv
        Default ``<project>/.bench/focus-validator-venv``.

    Examples
    --------
    >>> ensure_validator()  # doctest: +SKIP
    PosixPath('/work/main/.bench/focus-validator-venv/bin/focus-validator')
    """
    venv = venv or paths.project_dir() / ".bench" / "focus-validator-venv"
    exe = venv / "bin" / "focus-validator"
    marker = venv / f".steward-focus-validator-{VALIDATOR_VERSION}"
    if exe.exists() and marker.exists():
        return exe
    if not (venv / "bin" / "python").exists():
        subprocess.run([_python312(), "-m", "venv", str(venv)], check=True)  # noqa: S603
    subprocess.run(  # noqa: S603
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *_PINS], check=True
    )
    marker.touch()
    return exe


def run_focus_validator(
    data_file: Path, *, venv: Path | None = None, timeout_s: float = 600
) -> ValidatorResult:
    """Validate ``data_file`` (Parquet or CSV) against FOCUS 1.2 with focus-validator, offline.

    The validator reads its currency list through a path relative to its package folder, so it runs
    with that folder as the working directory.

    Parameters
    ----------
    data_file
        A FOCUS export, e.g. from :func:`steward.costs.export_focus`.
    venv
        The validator's venv (see :func:`ensure_validator`).
    timeout_s
        Wall-clock limit.

    Returns
    -------
    ValidatorResult
        Rule counts and failures.

    Examples
    --------
    >>> run_focus_validator(Path("focus.parquet")).ok  # doctest: +SKIP
    True
    """
    exe = ensure_validator(venv)
    package_dirs = sorted((exe.parent.parent / "lib").glob("python3*/site-packages"))
    proc = subprocess.run(  # noqa: S603
        [
            str(exe),
            "--data-file",
            str(Path(data_file).resolve()),
            "--validate-version",
            "1.2",
            "--block-download",
            "--output-type",
            "console",
        ],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        cwd=package_dirs[0] if package_dirs else None,
        check=False,
    )
    return parse_validator_output(proc.stdout + proc.stderr, returncode=proc.returncode)


def parse_validator_output(output: str, *, returncode: int = 0) -> ValidatorResult:
    """Read the rule counts and failed rules from focus-validator's console output.

    Raises
    ------
    RuntimeError
        The output has no ``Total: .. | Pass: .. | Fail: .. | Skipped: ..`` line (the validator did
        not run to the end); the message carries the exit code and the output's tail.
    """
    totals = _TOTALS_RE.search(output)
    if not totals:
        raise RuntimeError(f"focus-validator gave no result (exit {returncode}):\n{output[-3000:]}")
    total, passed, failed, skipped = (int(g) for g in totals.groups())
    failures = [
        (m[1], int(m[2]), m[3]) for line in output.splitlines() if (m := _FAIL_RE.match(line.strip()))
    ]
    return ValidatorResult(total, passed, failed, skipped, failures, output)


# ---------------------------------------------------------------- known validator defects


@dataclass(frozen=True)
class KnownDefect:
    """A rule a focus-validator version fails on conforming data, and why."""

    rule: str
    validator_version: str
    reason: str


@dataclass(frozen=True)
class FocusCheck:
    """The verdict on one validator run against the known defects.

    Attributes
    ----------
    known
        Failed rules listed as known defects of the validator version that ran, with their entry.
    unexpected
        ``(rule id, violations, message)`` of every other failed rule.
    unparsed
        Failures the validator counted but whose rule line could not be read (each is unexpected).
    """

    known: list[tuple[tuple[str, int, str], KnownDefect]]
    unexpected: list[tuple[str, int, str]]
    unparsed: int

    @property
    def ok(self) -> bool:
        """Whether every failure is a known validator defect."""
        return not self.unexpected and self.unparsed == 0


def known_defects_path() -> Path:
    """Return ``include/focus/known_validator_defects.yaml``."""
    return paths.include_dir() / "focus" / "known_validator_defects.yaml"


def load_known_defects(path: Path | None = None) -> list[KnownDefect]:
    """Read the known focus-validator defects (default :func:`known_defects_path`).

    Raises
    ------
    ValueError
        The file is not a mapping with a ``defects`` list of entries that each have a non-empty
        ``rule``, ``validator_version`` and ``reason``; the message names the file and the entry.
    """
    path = path or known_defects_path()
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = doc.get("defects") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise ValueError(
            f"{path}: expected a mapping with a 'defects' list; see the file's header for the format"
        )
    out = []
    for i, entry in enumerate(entries):
        fields = ("rule", "validator_version", "reason")
        if not isinstance(entry, dict) or not all(str(entry.get(f) or "").strip() for f in fields):
            raise ValueError(
                f"{path}: defects[{i}] needs a non-empty rule, validator_version and reason "
                "(a defect is listed only with the evidence why no conforming dataset passes it)"
            )
        out.append(
            KnownDefect(str(entry["rule"]), str(entry["validator_version"]), str(entry["reason"]).strip())
        )
    return out


def judge_focus_result(
    result: ValidatorResult,
    defects: list[KnownDefect],
    *,
    validator_version: str = VALIDATOR_VERSION,
) -> FocusCheck:
    """Split the failed rules of ``result`` into known validator defects and unexpected failures.

    A failure is known only when its rule id is listed for the same ``validator_version``: a new
    validator release has to earn its own entries. Failures the validator counted but that could not be
    read from its output are never known.

    Examples
    --------
    >>> check = judge_focus_result(run_focus_validator(path), load_known_defects())  # doctest: +SKIP
    >>> check.ok  # doctest: +SKIP
    True
    """
    listed = {d.rule: d for d in defects if d.validator_version == validator_version}
    known = [(f, listed[f[0]]) for f in result.failures if f[0] in listed]
    unexpected = [f for f in result.failures if f[0] not in listed]
    return FocusCheck(known, unexpected, max(result.failed - len(result.failures), 0))
