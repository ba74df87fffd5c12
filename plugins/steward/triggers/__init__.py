"""Retraining triggers: a model's policy turns the warehouse's evidence into one recorded decision a night.

Signals (drift out of control on M of N nights, realized or estimated performance below the floor,
fairness breaches, staleness, manual requests) are read by :func:`read_evidence` and judged by the
pure :func:`decide`; guards (cool-down, monthly cost and carbon budgets, a retraining already running)
skip, and a preferred window (off-peak hours, low carbon intensity) defers non-urgent retraining until
a deadline. :func:`record_decision` writes the ``retraining_decisions`` row. See docs/retraining.md.

Modules
-------
``_decide``
    From signals to one decision: fire, defer (until when), skip (which guard) or no action.
``_evidence``
    What a retraining decision rests on, read from the warehouse in one place, as its night knew it.
``_intensity``
    Carbon intensity of a region at a time: the pluggable source a preferred window consults.
``_record``
    Writing decisions and manual requests, and reading them back (``record_decisions``,
    ``request_retraining``, ``list_decisions``, ``fired_runs``).
``_signals``
    The signals of a retraining policy, each a pure function of the model, the night and the evidence.
"""

from steward.triggers._decide import (
    Action,
    Decision,
    decide,
    evaluate_all,
    evaluate_policies,
    retraining_run_id,
)
from steward.triggers._evidence import (
    Evidence,
    asof_label,
    decision_id,
    policy_fingerprint,
    read_evidence,
    read_evidence_many,
)
from steward.triggers._intensity import GridFactorIntensity, IntensitySource
from steward.triggers._record import (
    DECISIONS_TABLE,
    REQUESTS_TABLE,
    decision_row,
    fired_runs,
    format_decisions,
    list_decisions,
    record_decision,
    record_decisions,
    request_retraining,
)
from steward.triggers._signals import SIGNALS, SignalResult, evaluate_signals

__all__ = [
    # deciding
    "Action",
    "Decision",
    "decide",
    "evaluate_all",
    "evaluate_policies",
    "retraining_run_id",
    # evidence and signals
    "Evidence",
    "SIGNALS",
    "SignalResult",
    "asof_label",
    "decision_id",
    "evaluate_signals",
    "policy_fingerprint",
    "read_evidence",
    "read_evidence_many",
    # carbon intensity for preferred windows
    "GridFactorIntensity",
    "IntensitySource",
    # recording
    "DECISIONS_TABLE",
    "REQUESTS_TABLE",
    "decision_row",
    "fired_runs",
    "list_decisions",
    "format_decisions",
    "record_decision",
    "record_decisions",
    "request_retraining",
]
