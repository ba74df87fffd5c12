"""Steward: governance pipelines for production ML on Airflow 3.

The package is importable without Airflow. Only :mod:`steward.airflow` imports Airflow;
every other area (registry, warehouse, quality, demo, ...) is plain Python that the DAGs,
the CLI, the tests and the benchmarks call the same way.

Modules
-------
``_dates``
    The dates Steward accepts: one sane range, checked before anything is read or written.
``_runs``
    Run ids: one format for every run Steward starts itself (the CLI, library calls, fired retrainings).
``_tracking``
    What the running task read and wrote, noted at the plumbing level for lineage and access history.
``_yaml``
    YAML reading for Steward's own files (the registry, coefficients), with libyaml's C parser when present.
"""

from steward._dates import DATE_RANGE_ENV, DEFAULT_DATE_RANGE, check_date, check_dates, date_range
from steward._runs import new_run_id

__all__ = [
    # the dates Steward accepts
    "DATE_RANGE_ENV",
    "DEFAULT_DATE_RANGE",
    "check_date",
    "check_dates",
    "date_range",
    # run ids (<kind>__<key>)
    "new_run_id",
]

__version__ = "0.1.0"
