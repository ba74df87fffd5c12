"""Performance decay: a metric below its absolute floor or decayed too far from its baseline."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = ["Breach", "decay_breach"]


@dataclass(frozen=True)
class Breach:
    """Evidence of a performance breach.

    Attributes
    ----------
    kind : {"absolute", "relative"}
        ``"absolute"``: past the floor (``min_value``); ``"relative"``: decayed more than
        ``max_relative_decay`` from ``baseline``. When both hold, ``"absolute"`` is reported and the
        message mentions the relative change.
    metric : str
        The metric's name, as given.
    value : float
        The current value.
    threshold : float
        The limit it crossed: the floor, or ``baseline * (1 - max_relative_decay)`` (``1 +`` when
        lower is better).
    baseline : float or None
        The baseline it is compared with.
    message : str
        For people, e.g. ``"auc 0.69 is below the floor 0.72 (baseline 0.83, -17%)"``.
    """

    kind: Literal["absolute", "relative"]
    metric: str
    value: float
    threshold: float
    baseline: float | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form of the evidence."""
        return asdict(self)


_TOLERANCE = 1e-12  # a value exactly at the relative limit is not a breach despite rounding


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def decay_breach(
    current: float | None,
    *,
    baseline: float | None,
    min_value: float | None,
    max_relative_decay: float,
    higher_is_better: bool = True,
    metric: str = "metric",
) -> Breach | None:
    """Whether a metric has decayed past its absolute limit or too far from its baseline.

    Parameters
    ----------
    current : float or None
        The metric now; ``None`` (not computable, e.g. no labels yet) is never a breach.
    baseline : float or None
        The reference value (e.g. the holdout AUC); ``None`` or 0 disables the relative check.
    min_value : float or None
        The absolute limit: a floor when ``higher_is_better`` (AUC), a ceiling otherwise (log loss).
        ``None`` disables the absolute check.
    max_relative_decay : float
        Allowed relative change in the bad direction, e.g. 0.1 for 10% (``>= 0``).
    higher_is_better : bool, default True
        Direction of the metric.
    metric : str, default "metric"
        Name used in the message.

    Returns
    -------
    Breach or None
        ``None`` when the metric is within both limits. Reaching a limit exactly is not a breach.

    Examples
    --------
    >>> decay_breach(0.69, baseline=0.83, min_value=0.72, max_relative_decay=0.1, metric="AUC").message
    'AUC 0.69 is below the floor 0.72 (baseline 0.83, -17%)'
    >>> decay_breach(0.74, baseline=0.83, min_value=0.7, max_relative_decay=0.1, metric="AUC").message
    'AUC 0.74 is 11% worse than its baseline 0.83 (allowed 10%, limit 0.747)'
    >>> decay_breach(0.80, baseline=0.83, min_value=0.72, max_relative_decay=0.1) is None
    True
    """
    if not (math.isfinite(max_relative_decay) and max_relative_decay >= 0):
        raise ValueError(
            f"max_relative_decay must be a finite share >= 0 (0.1 for 10%), got {max_relative_decay}"
        )
    if current is None:
        return None
    for name, v in (("current", current), ("baseline", baseline), ("min_value", min_value)):
        if v is not None and not math.isfinite(v):
            raise ValueError(f"{metric}: {name} must be finite or None, got {v}")
    sign = 1.0 if higher_is_better else -1.0
    relative: float | None = None  # signed change, negative = worse
    if baseline is not None and baseline != 0:
        relative = sign * (current - baseline) / abs(baseline)
    if min_value is not None and sign * (current - min_value) < 0:
        side = "below the floor" if higher_is_better else "above the ceiling"
        context = ""
        if baseline is not None:
            change = f", {(current - baseline) / abs(baseline):+.0%}" if baseline != 0 else ""
            context = f" (baseline {_fmt(baseline)}{change})"
        message = f"{metric} {_fmt(current)} is {side} {_fmt(min_value)}{context}"
        return Breach("absolute", metric, current, min_value, baseline, message)
    if relative is not None and baseline is not None and -relative > max_relative_decay + _TOLERANCE:
        limit = baseline - sign * max_relative_decay * abs(baseline)
        message = (
            f"{metric} {_fmt(current)} is {-relative:.0%} worse than its baseline {_fmt(baseline)} "
            f"(allowed {max_relative_decay:.0%}, limit {_fmt(limit)})"
        )
        return Breach("relative", metric, current, limit, baseline, message)
    return None
