"""Data quality: GX suites run on each nightly partition, results recorded, bad batches quarantined.

Modules
-------
``_gx``
    Great Expectations Core, imported lazily and quietly: ``run_suite`` and ``validate_batch`` validate rows
    against a suite and flatten the results into ``ExpectationOutcome``.
``_outcome``
    The outcome of validating one partition: small, JSON-friendly, read by the report, the DAG and the CLI.
``_report``
    HTML reports for data quality: one page per dataset partition and an overview grid.
``_suites``
    Expectation suites: JSON files in ``include/expectations/``, one per dataset.
``_validate``
    Validate one dataset partition, record the results, quarantine bad batches.
"""

from steward.quality._gx import ExpectationOutcome, prepare_gx, run_suite, validate_batch
from steward.quality._outcome import Status, ValidationOutcome
from steward.quality._report import dataset_report_path, night_summary, write_overview
from steward.quality._suites import SuiteError, default_suite, load_suite, referenced_columns, suite_for
from steward.quality._validate import validate_partition

__all__ = [
    # validation
    "Status",
    "ValidationOutcome",
    "validate_partition",
    # suites and GX
    "ExpectationOutcome",
    "SuiteError",
    "default_suite",
    "load_suite",
    "suite_for",
    "referenced_columns",
    "prepare_gx",
    "run_suite",
    "validate_batch",
    # reports
    "dataset_report_path",
    "night_summary",
    "write_overview",
]
