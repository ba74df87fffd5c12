"""The champion/challenger HTML report: ROC curves of both, the tests, the gates."""

from __future__ import annotations

import base64
import datetime as dt
import io
from pathlib import Path
from typing import Any

import numpy as np

import steward
from steward.registry import Model
from steward.reports import write_report
from steward.retraining._gates import Gate

__all__ = ["comparison_report_path", "write_comparison_report"]


def comparison_report_path(report_dir: Path, model: str, night: dt.date) -> Path:
    """``<report_dir>/<night>/<model>.html`` (the DAG uses ``reports/retraining``)."""
    return report_dir / night.isoformat() / f"{model}.html"


def _roc(labels: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.metrics import roc_curve

    fpr, tpr, _ = roc_curve(labels, scores)
    return fpr, tpr


def _roc_png(
    labels: np.ndarray, challenger: np.ndarray, champion: np.ndarray | None, comparison: dict[str, Any]
) -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4.6, 4.2))
    ax = fig.add_subplot()
    ax.plot(*_roc(labels, challenger), label=f"challenger AUC {comparison['auc_challenger']:.3f}")
    if champion is not None:
        ax.plot(*_roc(labels, champion), label=f"champion AUC {comparison['auc_champion']:.3f}")
    ax.plot([0, 1], [0, 1], color="#d0d7de", linestyle="--")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.legend(loc="lower right", fontsize=8)
    fig.subplots_adjust(left=0.15, bottom=0.13, right=0.97, top=0.97)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def write_comparison_report(
    report_dir: Path,
    model: Model,
    night: dt.date,
    run_id: str,
    comparison: dict[str, Any],
    gates: list[Gate],
    labels: np.ndarray,
    challenger: np.ndarray,
    champion: np.ndarray | None,
) -> Path:
    """Write the run's report and return its path."""
    return write_report(
        comparison_report_path(report_dir, model.name, night),
        "retraining_comparison.html.j2",
        model=model,
        night=night.isoformat(),
        run_id=run_id,
        comparison=comparison,
        gates=[g.as_dict() for g in gates],
        roc_png=_roc_png(labels, challenger, champion, comparison),
        version=steward.__version__,
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
