"""``steward``: the command line. Runs the same package functions as the DAG tasks.

Every command works without a scheduler, for one dataset/model and one day, so a data
engineer can debug or script exactly what the nightly DAG does. ``steward <command> --help``
explains each command.

Modules
-------
``_common``
    What every command shares: option types, run ids, the warehouse of ``--url``, lineage, output.
``_costs``
    Commands of cloud costs, carbon and finance.
``_demo``
    Commands that start the demo company and Airflow.
``_main``
    ``steward``: the command line. Runs the same package functions as the DAG tasks.
``_models``
    Commands of retraining decisions and the model registry.
``_monitoring``
    Commands of data quality, model monitoring and fairness.
``_records``
    Commands over the registry, the warehouse and the governance records.
"""

from steward.cli._common import _record_cli_lineage, run_id_for
from steward.cli._main import build_parser, main

__all__ = ["_record_cli_lineage", "build_parser", "main", "run_id_for"]
