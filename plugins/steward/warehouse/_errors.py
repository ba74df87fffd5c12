"""The warehouse's errors, apart from the adapters so that migrations and adapters can share them."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["Unavailable", "WarehouseError"]


class WarehouseError(RuntimeError):
    """A warehouse operation failed; the message names the table, the partition, the backend and the fix.

    Attributes
    ----------
    table, key, url
        What was being written (``None`` when not a partition write) and the redacted warehouse URL.
    """

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        table: str | None = None,
        key: Mapping[str, object] | None = None,
    ) -> None:
        self.table = table
        self.key = dict(key) if key is not None else None
        self.url = url
        super().__init__(message)


class Unavailable(Exception):
    """An adapter could not open the warehouse (locked file, server down); carries its own fix."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.fix = fix
