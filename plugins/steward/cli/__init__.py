"""``steward``: the command line. Runs the same package functions as the DAG tasks.

Every command works without a scheduler, for one dataset/model and one day, so a data
engineer can debug or script exactly what the nightly DAG does. ``steward <command> --help``
explains each command.
"""

from steward.cli._common import _record_cli_lineage, run_id_for
from steward.cli._main import build_parser, main

__all__ = ["_record_cli_lineage", "build_parser", "main", "run_id_for"]
