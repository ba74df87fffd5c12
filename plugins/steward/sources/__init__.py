"""Reading registered datasets: one partition at a time, with clear errors."""

from steward.sources._read import Partition, SourceError, partition_files, read_partition

__all__ = ["Partition", "SourceError", "partition_files", "read_partition"]
