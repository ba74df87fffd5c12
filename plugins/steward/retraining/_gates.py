"""Promotion gates: performance (paired tests against the champion) and fairness (the existing gate)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from steward.fairness import fairness_gate as _fairness_gate
from steward.registry import Model
from steward.retraining._stats import DeLongResult

__all__ = ["Gate", "fairness_gate", "gate_rejects", "performance_gate"]


@dataclass(frozen=True)
class Gate:
    """One gate's verdict and the reasons in words (stored in ``retraining_runs.gates_json``).

    ``passed`` is True only for a clean pass. ``outcome`` is ``passed``, ``failed`` or
    ``not_demonstrated`` (the fairness gate of a high-risk model: no breach, but fairness not shown
    within tolerance). ``caveat`` is set when the gate did not pass but does not reject: the run then
    goes to the person who approves it, who is told the caveat.
    """

    name: str
    passed: bool
    reasons: list[str] = field(default_factory=list)
    outcome: str = ""
    caveat: str = ""

    @property
    def verdict(self) -> str:
        """``passed``, ``failed`` or ``not_demonstrated``."""
        return self.outcome or ("passed" if self.passed else "failed")

    @property
    def rejects(self) -> bool:
        """Whether this verdict rejects the candidate (a failure without a caveat for the approver)."""
        return not self.passed and not self.caveat

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        out: dict[str, Any] = {"name": self.name, "passed": self.passed, "outcome": self.verdict}
        out["reasons"] = list(self.reasons)
        if self.caveat:
            out["caveat"] = self.caveat
        return out


def gate_rejects(gate: Mapping[str, Any]) -> bool:
    """Whether a stored gate (``Gate.as_dict``) rejects the candidate (rows before caveats: not passed)."""
    return not gate["passed"] and not gate.get("caveat")


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
    """Judge the challenger's holdout predictions by ``steward.fairness``'s gate (stricter on high risk).

    A high-risk challenger whose fairness is not demonstrated (no breach) gets outcome
    ``not_demonstrated``; with ``fairness.high_risk_undemonstrated: ask_approver`` the gate carries
    the caveat and does not reject, with ``reject`` it rejects.
    """
    result = _fairness_gate(model, holdout, run_id=run_id)
    outcome = {"pass": "passed", "not_demonstrated": "not_demonstrated"}.get(result.outcome, "failed")
    return Gate("fairness", result.passed, list(result.reasons), outcome=outcome, caveat=result.caveat)
