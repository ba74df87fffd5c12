"""The demo lake's manifest: parameters, partitions with row counts, injected problems."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from steward.demo import _company as co
from steward.demo._problems import InjectedProblem

__all__ = ["MANIFEST_NAME", "DemoManifest", "Partition"]

MANIFEST_NAME = "_manifest.json"


@dataclass(frozen=True)
class Partition:
    """One written partition: its key (a date, or a snapshot version), file and size."""

    key: str
    path: str
    rows: int
    bytes: int

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {"key": self.key, "path": self.path, "rows": self.rows, "bytes": self.bytes}


@dataclass(frozen=True)
class DemoManifest:
    """What :func:`~steward.demo.generate` wrote, as recorded in ``<lake>/_manifest.json``.

    Attributes
    ----------
    lake
        The lake folder (``<home>/lake``).
    parameters
        ``start``, ``days``, ``rows_per_day``, ``seed``, ``chunk_rows`` and ``datasets``, as given.
    partitions
        Per dataset, its partitions in order (paths relative to ``lake``).
    injected_problems
        The problems planted in this window.
    reused
        True when the files already matched the parameters and nothing was written.
    """

    lake: Path
    parameters: Mapping[str, Any]
    partitions: Mapping[str, tuple[Partition, ...]] = field(repr=False)
    injected_problems: tuple[InjectedProblem, ...] = field(repr=False)
    reused: bool = field(default=False, compare=False)

    def __str__(self) -> str:
        p = self.parameters
        count = sum(len(parts) for parts in self.partitions.values())
        return (
            f"{self.lake}: {len(self.partitions)} datasets, {count} partitions, {p['start']} + "
            f"{p['days']} days, {p['rows_per_day']:,} rows/day, seed {p['seed']}"
            + (" (already there)" if self.reused else "")
        )

    @property
    def start(self) -> dt.date:
        """First day of the window."""
        return dt.date.fromisoformat(self.parameters["start"])

    @property
    def days(self) -> list[dt.date]:
        """Every day of the window."""
        return [self.start + dt.timedelta(days=i) for i in range(self.parameters["days"])]

    @property
    def datasets(self) -> list[str]:
        """Names of the datasets written."""
        return list(self.partitions)

    def path(self, dataset: str, key: dt.date | str | None = None) -> Path:
        """Return the file of ``dataset``'s partition ``key`` (a date; omit it for a snapshot).

        Raises
        ------
        KeyError
            The dataset was not generated or has no such partition; the message lists what exists.
        """
        parts = self.partitions.get(dataset)
        if parts is None:
            raise KeyError(f"dataset {dataset!r} was not generated; generated: {self.datasets}")
        wanted = key.isoformat() if isinstance(key, dt.date) else key
        for p in parts:
            if wanted is None or p.key == wanted:
                return self.lake / p.path
        raise KeyError(
            f"dataset {dataset!r} has no partition {wanted!r}; partitions: {[p.key for p in parts]}"
        )

    def rows(self, dataset: str) -> int:
        """Total rows written for ``dataset``."""
        return sum(p.rows for p in self.partitions[dataset])

    def to_json(self) -> str:
        """Serialise (paths relative to the lake, so identical parameters give identical text)."""
        doc = {
            "company": co.COMPANY,
            "format_version": co.FORMAT_VERSION,
            "parameters": dict(self.parameters),
            "datasets": {
                name: {
                    "kind": co.spec(name).kind,
                    "cadence": co.spec(name).cadence,
                    "rows": sum(p.rows for p in parts),
                    "partitions": [p.to_dict() for p in parts],
                }
                for name, parts in self.partitions.items()
            },
            "injected_problems": [p.to_dict() for p in self.injected_problems],
        }
        return json.dumps(doc, indent=2) + "\n"

    def write(self) -> Path:
        """Write ``<lake>/_manifest.json`` atomically and return its path."""
        target = self.lake / MANIFEST_NAME
        tmp = target.with_suffix(".json.tmp")
        tmp.write_text(self.to_json(), encoding="utf-8")
        os.replace(tmp, target)
        return target

    @classmethod
    def read(cls, lake: Path) -> DemoManifest | None:
        """Read ``<lake>/_manifest.json``; None if it is missing, unreadable or of another format."""
        try:
            doc = json.loads((lake / MANIFEST_NAME).read_text(encoding="utf-8"))
            if doc.get("format_version") != co.FORMAT_VERSION:
                return None
            partitions = {
                name: tuple(Partition(**p) for p in info["partitions"])
                for name, info in doc["datasets"].items()
            }
            problems = tuple(
                InjectedProblem(
                    **{
                        **p,
                        "day": dt.date.fromisoformat(p["day"]),
                        "last_day": dt.date.fromisoformat(p["last_day"]),
                    }
                )
                for p in doc["injected_problems"]
            )
            return cls(lake, doc["parameters"], partitions, problems)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def files_intact(self) -> bool:
        """Whether every partition file exists with its recorded size."""
        for parts in self.partitions.values():
            for p in parts:
                file = self.lake / p.path
                if not file.is_file() or file.stat().st_size != p.bytes:
                    return False
        return True
