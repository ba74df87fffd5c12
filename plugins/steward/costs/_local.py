"""Local billing files: FOCUS CSV/Parquet exports, and CUR- or GCP-export-shaped Parquet (the demo lake)."""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from steward import paths
from steward.costs._engine import CostSourceError, NormalizeEngine
from steward.registry._cost_sources import LocalFilesSource

__all__ = ["find_files", "load_local_files"]

#: ``date=2026-11-03``, ``date=2026-11``, ``BILLING_PERIOD=2026-11`` path segments pick the billing month.
_MONTH_RE = re.compile(r"(?:^|/)(?:date|billing_period|BILLING_PERIOD)=(\d{4})-(\d{2})(?:-\d{2})?(?:/|$)")


def find_files(pattern: str, *, billing_periods: Sequence[date] | None = None) -> list[Path]:
    """Return the ``.parquet`` / ``.csv`` files matching ``pattern``, limited to ``billing_periods``.

    Parameters
    ----------
    pattern
        A glob (``**`` allowed); ``~`` and ``$VARS`` are expanded, ``{date}`` matches any date, and a
        relative pattern is taken under ``STEWARD_HOME``.
    billing_periods
        When given, files under a ``date=YYYY-MM[-DD]`` or ``BILLING_PERIOD=YYYY-MM`` folder are kept only
        for these months; files without such a folder are always kept.

    Returns
    -------
    list of Path
        Sorted.

    Examples
    --------
    >>> find_files("/nonexistent/*.parquet")
    []
    """
    expanded = os.path.expanduser(os.path.expandvars(pattern.replace("{date}", "*")))
    if not os.path.isabs(expanded):
        expanded = str(paths.steward_home() / expanded)
    months = {(p.year, p.month) for p in billing_periods} if billing_periods is not None else None
    found = []
    for name in sorted(glob.glob(expanded, recursive=True)):
        path = Path(name)
        if not path.is_file() or path.suffix.lower() not in (".parquet", ".csv"):
            continue
        match = _MONTH_RE.search(path.as_posix())
        if months is not None and match and (int(match[1]), int(match[2])) not in months:
            continue
        found.append(path)
    return found


def load_local_files(
    source: LocalFilesSource, engine: NormalizeEngine, *, billing_periods: Sequence[date]
) -> bool:
    """Load the source's files for ``billing_periods`` into ``engine``; return False when none exist.

    Raises
    ------
    CostSourceError
        A file is malformed or lacks a required column (raised by the engine, naming the file).
    """
    files = find_files(source.path, billing_periods=billing_periods)
    if not files:
        return False
    suffixes = {f.suffix.lower() for f in files}
    if len(suffixes) > 1:
        raise CostSourceError(
            f"cost source {source.name!r}: {source.path} matches both CSV and Parquet files; "
            "Fix: narrow the path to one kind"
        )
    engine.load_files(files, source.format, defaults=source.defaults)
    return True
