"""One-off audits of files, without a registry: a fairness audit of scored data, a drift comparison.

Files are recognized by content (:func:`steward.sources.sniff_file`); inputs that cannot give a
meaningful answer are refused with one line (:class:`AuditInputError`); results are stored under
``adhoc-<name>`` (and in ``adhoc_runs``), never under a registered model's name.

Modules
-------
``_fairness``
    A fairness audit of scored files, without a registry: the columns are named on the command line.
``_inputs``
    The checks that make a one-off audit refuse to guess, shared by the fairness and drift audits.
``_run``
    Run a one-off audit end to end: read, check, compute, store under ``adhoc-<name>``, report.
"""

from steward.adhoc._fairness import FairnessAudit, PreparedFairnessAudit, prepare_fairness_audit
from steward.adhoc._inputs import AuditInputError, adhoc_name, binary_coding
from steward.adhoc._run import AdhocOutcome, compare_files, run_fairness_audit

__all__ = [
    # fairness audit of files
    "FairnessAudit",
    "PreparedFairnessAudit",
    "prepare_fairness_audit",
    "run_fairness_audit",
    # drift comparison of two files
    "compare_files",
    # shared
    "AdhocOutcome",
    "AuditInputError",
    "adhoc_name",
    "binary_coding",
]
