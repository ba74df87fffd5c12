"""The outcome of validating one partition: small, JSON-friendly, read by the report, the DAG and the CLI."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

__all__ = ["Status", "ValidationOutcome"]

Status = Literal["passed", "warning", "failed", "error"]


@dataclass
class ValidationOutcome:
    """The outcome of validating one partition: small, JSON-friendly, safe to pass through XCom."""

    dataset: str
    partition_date: str
    suite: str
    status: Status
    row_count: int = 0
    evaluated: int = 0
    failed: int = 0
    critical_failed: int = 0
    warning_failed: int = 0
    quarantined: bool = False
    message: str = ""
    failed_expectations: list[str] = field(default_factory=list)
    report_path: str | None = None
    duration_s: float = 0.0

    @property
    def ok(self) -> bool:
        """True when downstream jobs may use the partition (passed or warning)."""
        return self.status in ("passed", "warning")

    def to_dict(self) -> dict[str, object]:
        """Plain dict for XCom and logs."""
        return asdict(self)
