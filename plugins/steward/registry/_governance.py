"""Registry keys of the governance records: retention per dataset, identifier columns, the archive.

Dataset keys (all optional): ``retention`` (:class:`RetentionPolicy`) beside the existing
``retention_days``, and ``identifier_columns`` (subject key -> column) for erasure requests. The
top-level ``governance`` section (:class:`GovernanceSettings`) says where retention archives
partitions.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from steward.registry._base import Strict

__all__ = ["GovernanceSettings", "RetentionHold", "RetentionPolicy"]


class RetentionHold(Strict):
    """A legal or business hold: the dataset's partitions from ``start`` to ``end`` (included) are kept."""

    start: dt.date
    end: dt.date
    reason: str = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> RetentionHold:
        if self.end < self.start:
            raise ValueError(f"the hold ends ({self.end}) before it starts ({self.start}): swap them")
        return self


class RetentionPolicy(Strict):
    """How long a dataset's data is kept past ``retention_days`` (raw partitions), and why.

    ``derived_days``: how long warehouse rows derived from the dataset (data-quality rows, and the
    monitoring rows of the models logging to it) are kept; default: as long as the raw partitions.
    ``action``: ``delete`` the partitions' files, or ``archive`` them (moved under the archive folder).
    """

    derived_days: int | None = Field(default=None, ge=1)
    legal_basis: str = "not stated"
    region: str = "not stated"
    action: Literal["delete", "archive"] = "delete"
    holds: list[RetentionHold] = Field(default_factory=list)


class GovernanceSettings(Strict):
    """Top-level ``governance`` section: where retention archives partitions (``archive_dir``)."""

    #: Default: ``<STEWARD_HOME>/archive``.
    archive_dir: str | None = None
