"""Expectation suites: JSON files in ``include/expectations/``, one per dataset."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from steward import paths

__all__ = ["SuiteError", "default_suite", "load_suite", "referenced_columns", "suite_for"]

_COLUMN_KWARGS = ("column", "column_A", "column_B")
_COLUMN_LIST_KWARGS = ("column_list", "column_set")


class SuiteError(ValueError):
    """An expectation suite file is missing or malformed."""


def load_suite(name: str, directory: Path | None = None) -> dict[str, Any]:
    """Load suite ``name`` from ``include/expectations/<name>.json``.

    Raises
    ------
    SuiteError
        The file is missing, is not JSON, or lacks ``expectations``; the message names the file.
    """
    file = (directory or paths.expectations_dir()) / f"{name}.json"
    if not file.is_file():
        raise SuiteError(f"suite {name!r}: file {file} not found: create it or fix 'suite' in the registry")
    try:
        suite = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SuiteError(f"suite {name!r}: {file} is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(suite, dict) or not isinstance(suite.get("expectations"), list):
        raise SuiteError(f"suite {name!r}: {file} must be an object with an 'expectations' list")
    for i, exp in enumerate(suite["expectations"]):
        if not isinstance(exp, dict) or "type" not in exp:
            raise SuiteError(f"suite {name!r}: {file}: expectations[{i}] needs a 'type'")
        severity = exp.get("severity")
        if severity is not None and severity not in ("critical", "warning", "info"):
            raise SuiteError(
                f"suite {name!r}: {file}: expectations[{i}].severity {severity!r}: "
                "use critical, warning or info"
            )
    suite.setdefault("name", name)
    return suite


def referenced_columns(suite: dict[str, Any]) -> list[str]:
    """Return the columns a suite's expectations refer to, in first-use order."""
    seen: dict[str, None] = {}
    for exp in suite["expectations"]:
        kwargs = exp.get("kwargs", {})
        for key in _COLUMN_KWARGS:
            if isinstance(kwargs.get(key), str):
                seen.setdefault(kwargs[key])
        if exp.get("type") in (
            "expect_table_columns_to_match_set",
            "expect_table_columns_to_match_ordered_list",
        ):
            continue  # those list the whole schema; a mismatch is their own finding
        for key in _COLUMN_LIST_KWARGS:
            for col in kwargs.get(key) or []:
                if isinstance(col, str):
                    seen.setdefault(col)
    return list(seen)


def default_suite(name: str, key_columns: list[str]) -> dict[str, Any]:
    """Return the suite of a dataset that has none: at least one row, no nulls in its key columns."""
    expectations: list[dict[str, Any]] = [
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}, "severity": "critical"}
    ]
    expectations += [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": c}, "severity": "critical"}
        for c in key_columns
    ]
    return {"name": f"{name} (default)", "expectations": expectations}


def suite_for(
    name: str, *, explicit: bool, key_columns: list[str], directory: Path | None = None
) -> dict[str, Any]:
    """Return a dataset's suite: its file when there is one (or it was named), else :func:`default_suite`."""
    file = (directory or paths.expectations_dir()) / f"{name}.json"
    if explicit or file.is_file():
        return load_suite(name, directory)
    return default_suite(name, key_columns)
