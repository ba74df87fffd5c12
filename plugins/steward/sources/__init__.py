"""Reading registered datasets (one partition at a time) and one-off files, with clear errors.

Modules
-------
``_landing``
    Has a partition landed, and if not, how long to wait for it (the registry's ``landing`` times).
``_read``
    Read one partition of a registered dataset, with errors that say what to do.
``_sniff``
    Recognize a data file by its content, not its name: Parquet, JSON lines or delimited text.
"""

from steward.sources._landing import LandingWait, landing_wait, partition_landed
from steward.sources._read import (
    Partition,
    SourceError,
    matching_files,
    partition_days,
    partition_files,
    read_partition,
)
from steward.sources._sniff import FileError, FileFormat, scan_files_sql, sniff_file

__all__ = [
    # registered datasets
    "Partition",
    "SourceError",
    "matching_files",
    "partition_days",
    "partition_files",
    "read_partition",
    # waiting for late partitions
    "LandingWait",
    "landing_wait",
    "partition_landed",
    # one-off files, recognized by content
    "FileError",
    "FileFormat",
    "scan_files_sql",
    "sniff_file",
]
