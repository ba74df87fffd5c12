"""What one model's night concluded: built by the monitoring stages, read by the report, CLI and DAG."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from steward.monitoring._charts import Episode
from steward.monitoring._judge import ColumnDrift
from steward.monitoring._performance import PerformanceWindow
from steward.monitoring._review import ReviewSegment

__all__ = ["MonitoringOutcome", "Status"]

#: A night's status: ``ok`` (no breach row), ``drift``, ``breach``, or ``skipped`` (quarantined).
Status = Literal["ok", "drift", "breach", "skipped"]


@dataclass
class MonitoringOutcome:
    """What one model's night concluded, for logs, asset events, the CLI and the report."""

    model: str
    window: dt.date
    status: Status = "ok"  # ok exactly when there is no breach row
    rows: int = 0
    drift: list[ColumnDrift] = field(default_factory=list)
    drift_share: float = 0.0
    dataset_drift: bool = False
    prediction_drift: bool = False
    performance: list[PerformanceWindow] = field(default_factory=list)
    performance_breach: bool = False
    review: list[ReviewSegment] = field(default_factory=list)
    breaches: list[dict[str, Any]] = field(default_factory=list)
    chart_alerts: list[str] = field(default_factory=list)
    chart_episodes: list[Episode] = field(default_factory=list)
    reference_id: str | None = None
    report_path: str | None = None
    message: str = ""
    duration_s: float = 0.0

    @property
    def drifted_features(self) -> list[str]:
        """Names of the features (not the score) that drifted."""
        return [d.feature for d in self.drift if d.drifted and d.role == "feature"]

    def summary(self) -> str:
        """One readable line for logs and the CLI."""
        if self.status == "skipped":
            return f"{self.model} {self.window}: skipped ({self.message})"
        parts = [f"{self.model} {self.window}: {self.status}", f"{self.rows:,} rows"]
        features = [d for d in self.drift if d.role == "feature"]
        parts.append(
            f"{len(self.drifted_features)}/{len(features)} features drifted"
            + (f" ({', '.join(self.drifted_features)})" if self.drifted_features else "")
        )
        if self.prediction_drift:
            parts.append("prediction drift")
        if self.performance_breach:
            parts.append("performance breach")
        if self.chart_alerts:
            parts.append(f"{len(self.chart_alerts)} control-chart alerts")
        if self.review:
            parts.append(f"{len(self.review)} review segments")
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (XCom, CLI)."""
        return {
            "model": self.model,
            "window": self.window.isoformat(),
            "status": self.status,
            "rows": self.rows,
            "drifted_features": self.drifted_features,
            "drift_share": self.drift_share,
            "dataset_drift": self.dataset_drift,
            "prediction_drift": self.prediction_drift,
            "performance_breach": self.performance_breach,
            "chart_alerts": self.chart_alerts,
            "review_segments": len(self.review),
            "report_path": self.report_path,
            "message": self.message,
        }
