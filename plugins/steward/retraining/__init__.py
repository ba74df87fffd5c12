"""Retraining: assemble a training set, train a challenger, compare it with the champion, gate, promote.

The statistics are pure functions (:func:`delong_test`, :func:`mcnemar_test`,
:func:`bootstrap_auc_difference`); gates turn them into verdicts with reasons in words.

Modules
-------
``_dataset``
    Assemble a challenger's training set from declared windows: log joined with labels, quarantine excluded.
``_gates``
    Promotion gates: performance (paired tests against the champion) and fairness (the existing gate).
``_report``
    The champion/challenger HTML report: ROC curves of both, the tests, the gates.
``_run``
    The retraining flow: train -> evaluate -> gate -> promote, or wait for a person; every end recorded.
``_stats``
    Champion vs challenger statistics: paired DeLong test, McNemar, bootstrap interval of the AUC gap.
``_train``
    Train a challenger with the model's trainer, measured by codecarbon, and store it as a version.
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
