"""Identifiers that reach SQL: validated here, quoted by the warehouse."""

from __future__ import annotations

import re

__all__ = ["COLUMN_RE", "NAME_RE", "check_column", "check_name"]

#: Names of datasets, models, suites, business units: lowercase snake case.
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
#: Column names found in real files: letters, digits, underscores (no quotes, no separators).
COLUMN_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def check_name(value: str, what: str = "name") -> str:
    """Return ``value`` if it is a safe snake-case name, else raise ``ValueError`` saying how to fix it."""
    if not isinstance(value, str) or not NAME_RE.match(value):
        raise ValueError(
            f"{what} {value!r} is not a valid identifier: use lowercase letters, digits and "
            "underscores, starting with a letter, at most 63 characters"
        )
    return value


def check_column(value: str, what: str = "column") -> str:
    """Return ``value`` if it is a safe column name, else raise ``ValueError`` saying how to fix it."""
    if not isinstance(value, str) or not COLUMN_RE.match(value):
        raise ValueError(
            f"{what} {value!r} is not a valid column name: use letters, digits and underscores, "
            "starting with a letter or underscore, at most 63 characters"
        )
    return value
