"""The champion/challenger HTML report: ROC curves of both, the tests, the gates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

import steward
from steward.registry import Model
from steward.reports import PALETTE, Figure, write_report
from steward.retraining._gates import Gate

if TYPE_CHECKING:
    from markupsafe import Markup

__all__ = ["comparison_report_path", "write_comparison_report"]


def comparison_report_path(report_dir: Path, model: str, night: dt.date) -> Path:
    """``<report_dir>/<night>/<model>.html`` (the DAG uses ``reports/retraining``)."""
    return report_dir / night.isoformat() / f"{model}.html"


def _roc(labels: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.metrics import roc_curve

    fpr, tpr, _ = roc_curve(labels, scores)
    return fpr, tpr


def _roc_svg(
    labels: np.ndarray, challenger: np.ndarray, champion: np.ndarray | None, comparison: dict[str, Any]
) -> Markup:
    fig = Figure(420, 380, label="ROC curves of challenger and champion")
    ax = fig.panel(
        58,
        14,
        346,
        316,
        xlim=(0, 1),
        ylim=(0, 1),
        xlabel="false positive rate",
        ylabel="true positive rate",
        legend_loc="lower right",
    )
    ax.xticks()
    ax.yticks()
    ax.line([0, 1], [0, 1], colour="#d0d7de", dash="dashed")
    curves = [(challenger, "challenger", comparison["auc_challenger"])]
    if champion is not None:
        curves.append((champion, "champion", comparison["auc_champion"]))
    for i, (scores, name, auc) in enumerate(curves):
        fpr, tpr = _roc(labels, scores)
        ax.line(list(fpr), list(tpr), colour=PALETTE[i], label=f"{name} AUC {auc:.3f}")
    return fig.svg()


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
        roc_svg=_roc_svg(labels, challenger, champion, comparison),
        version=steward.__version__,
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
