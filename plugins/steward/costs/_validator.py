"""Run the FinOps Foundation's ``focus-validator`` (in its own Python 3.12 venv) on a FOCUS export.

focus-validator 2.2.1 needs Python >= 3.12 and pins numpy < 2, so it cannot share Steward's venv.
:func:`ensure_validator` creates ``.bench/focus-validator-venv`` with pip (once) and
:func:`run_focus_validator` runs it offline (``--block-download``) with its bundled FOCUS 1.2 rules.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from steward import paths

__all__ = ["VALIDATOR_VERSION", "ValidatorResult", "ensure_validator", "run_focus_validator"]

#: The pinned focus-validator release.
VALIDATOR_VERSION = "2.2.1"
#: Its own pins: pyarrow >= 20 needs numpy 2, which focus-validator 2.2.1 refuses.
_PINS = (f"focus-validator=={VALIDATOR_VERSION}", "pyarrow<20")
_TOTALS_RE = re.compile(r"Total:\s*(\d+)\s*\|\s*Pass:\s*(\d+)\s*\|\s*Fail:\s*(\d+)\s*\|\s*Skipped:\s*(\d+)")
_FAIL_RE = re.compile(r"^\S*\s*(\S+): FAIL\s+\(violations=(\d+), msg=(.*)\)\s*$")


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
    output = proc.stdout + proc.stderr
    totals = _TOTALS_RE.search(output)
    if not totals:
        raise RuntimeError(f"focus-validator gave no result (exit {proc.returncode}):\n{output[-3000:]}")
    total, passed, failed, skipped = (int(g) for g in totals.groups())
    failures = [
        (m[1], int(m[2]), m[3]) for line in output.splitlines() if (m := _FAIL_RE.match(line.strip()))
    ]
    return ValidatorResult(total, passed, failed, skipped, failures, output)
