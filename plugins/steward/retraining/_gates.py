"""Promotion gates: performance (paired tests against the champion) and fairness (the existing gate)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from steward.fairness import fairness_gate as _fairness_gate
from steward.registry import Model
from steward.retraining._stats import DeLongResult

__all__ = ["Gate", "fairness_gate", "performance_gate"]


@dataclass(frozen=True)
class Gate:
    """One gate's verdict: ``passed`` and the reasons in words (stored in ``retraining_runs.gates_json``)."""

    name: str
    passed: bool
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"name": self.name, "passed": self.passed, "reasons": list(self.reasons)}


def performance_gate(delong: DeLongResult | None, *, min_auc_gain: float, alpha: float) -> Gate:
    """Pass when the challenger (``a``) is not significantly worse AND better by the declared margin.

    ``delong`` compares challenger (``auc_a``) with champion (``auc_b``) on the same holdout; ``None``
    means there is no champion yet (first version): nothing to compare, the gate passes on the
    challenger's own holdout AUC having been measured.

    Examples
    --------
    >>> from steward.retraining._stats import DeLongResult
    >>> performance_gate(DeLongResult(0.80, 0.78, 1.1, 0.27, 3e-4), min_auc_gain=0.01, alpha=0.05).passed
    True
    """
    if delong is None:
        first = "no champion to compare with: first version, judged on its own gates"
        return Gate("performance", True, [first])
    gain = delong.auc_a - delong.auc_b
    reasons = []
    worse = gain < 0 and delong.p < alpha
    if worse:
        reasons.append(
            f"challenger AUC {delong.auc_a:.4f} is significantly worse than the champion's "
            f"{delong.auc_b:.4f} "
            f"(DeLong z {delong.z:.2f}, p {delong.p:.3g} < alpha {alpha:g})"
        )
    if gain < min_auc_gain:
        reasons.append(f"AUC gain {gain:+.4f} is below the declared margin min_auc_gain {min_auc_gain:+.4f}")
    if reasons:
        return Gate("performance", False, reasons)
    return Gate(
        "performance",
        True,
        [
            f"challenger AUC {delong.auc_a:.4f} vs champion {delong.auc_b:.4f}: gain {gain:+.4f} >= margin "
            f"{min_auc_gain:+.4f}, not significantly worse (DeLong p {delong.p:.3g}, alpha {alpha:g})"
        ],
    )


def fairness_gate(model: Model, holdout: pa.Table, *, run_id: str) -> Gate:
    """Judge the challenger's holdout predictions by ``steward.fairness``'s gate (stricter on high risk)."""
    result = _fairness_gate(model, holdout, run_id=run_id)
    return Gate("fairness", result.passed, list(result.reasons))
