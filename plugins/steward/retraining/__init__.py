"""Retraining: assemble a training set, train a challenger, compare it with the champion, gate, promote.

The statistics are pure functions (:func:`delong_test`, :func:`mcnemar_test`,
:func:`bootstrap_auc_difference`); gates turn them into verdicts with reasons in words.
"""

from steward.retraining._dataset import RetrainingError, TrainingSet, assemble_training_set, training_windows
from steward.retraining._gates import Gate, fairness_gate, gate_rejects, performance_gate
from steward.retraining._report import comparison_report_path
from steward.retraining._run import (
    ACTOR,
    RUNS_TABLE,
    Evaluation,
    conclude,
    evaluate_challenger,
    needs_approval,
    read_run,
    record_approval,
    retrain,
    train_challenger,
)
from steward.retraining._stats import (
    BootstrapInterval,
    DeLongResult,
    McNemarResult,
    bootstrap_auc_difference,
    delong_test,
    mcnemar_test,
)

__all__ = [
    # training set
    "RetrainingError",
    "TrainingSet",
    "assemble_training_set",
    "training_windows",
    # statistics
    "BootstrapInterval",
    "DeLongResult",
    "McNemarResult",
    "bootstrap_auc_difference",
    "delong_test",
    "mcnemar_test",
    # the flow
    "ACTOR",
    "RUNS_TABLE",
    "Evaluation",
    "comparison_report_path",
    "conclude",
    "evaluate_challenger",
    "needs_approval",
    "read_run",
    "record_approval",
    "retrain",
    "train_challenger",
    # gates
    "Gate",
    "fairness_gate",
    "gate_rejects",
    "performance_gate",
]
