"""SQL literals for the monitoring templates (rendered by :func:`steward.warehouse.render_sql`)."""

from __future__ import annotations

import math

__all__ = ["number"]


def number(value: float) -> str:
    """Format a finite float as an exact SQL literal (``repr`` round-trips doubles)."""
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"cannot write {value!r} as a SQL number")
    return repr(v)
