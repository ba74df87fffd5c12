"""Data-transfer cost by source and destination, read from the provider's usage types and descriptions.

AWS usage types name both ends: ``USE1-USW2-AWS-Out-Bytes`` is us-east-1 to us-west-2 (inter-region),
``USE1-DataTransfer-Out-Bytes`` to the internet, ``USE1-DataTransfer-Regional-Bytes`` between zones of
one region. Google Cloud writes it in the description: ``Network Inter Region Data Transfer Out from
Americas to EMEA``, ``Network Internet Data Transfer Out from Americas to Americas``. Lines that say
neither are ``other``. Inter-region traffic is the finding: it usually means a job reads data that lives
in another region.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from steward.finance._marts import mart_params
from steward.finance._periods import Period

if TYPE_CHECKING:
    from steward.warehouse import Warehouse

__all__ = ["classify_transfer", "data_transfer"]

_AWS_INTER = re.compile(r"^([A-Z]{2,4}\d?)-([A-Z]{2,4}\d?)-AWS-(?:In|Out)-Bytes", re.I)
_AWS_INTERNET = re.compile(r"^([A-Z]{2,4}\d?)-DataTransfer-(?:Out|In)-Bytes", re.I)
_AWS_ZONE = re.compile(r"^([A-Z]{2,4}\d?)-DataTransfer-Regional-Bytes", re.I)
_GCP = re.compile(r"(inter region|internet|inter zone|intra zone).*?from (.+?) to (.+?)$", re.I)


def classify_transfer(usage_type: str | None, description: str | None, region: str | None) -> tuple[str, str]:
    """Return ``(kind, destination)``: kind ``inter_region``, ``internet``, ``inter_zone`` or ``other``.

    Examples
    --------
    >>> classify_transfer("USE1-USW2-AWS-Out-Bytes", None, "us-east-1")
    ('inter_region', 'USW2')
    >>> classify_transfer(None, "Network Internet Data Transfer Out from Americas to EMEA", "us-central1")
    ('internet', 'EMEA')
    """
    usage = usage_type or ""
    if m := _AWS_INTER.match(usage):
        return "inter_region", m.group(2).upper()
    if _AWS_INTERNET.match(usage):
        return "internet", "internet"
    if _AWS_ZONE.match(usage):
        return "inter_zone", region or "-"
    for text in (description or "", usage):
        if m := _GCP.search(text):
            kind = {"inter region": "inter_region", "internet": "internet"}.get(
                m.group(1).lower(), "inter_zone"
            )
            return kind, m.group(3).strip()
    return "other", "-"


def data_transfer(warehouse: Warehouse, period: Period) -> list[dict[str, Any]]:
    """Return data-transfer cost per provider x source x kind x destination x currency, largest first."""
    from steward.warehouse import read_sql

    sums: dict[tuple[str, str, str, str, str], Decimal] = defaultdict(Decimal)
    for r in warehouse.fetch(read_sql("marts/data_transfer.sql"), mart_params(period)):
        region = None if r["region"] is None else str(r["region"])
        kind, destination = classify_transfer(
            None if r["usage_type"] is None else str(r["usage_type"]),
            None if r["charge_description"] is None else str(r["charge_description"]),
            region,
        )
        key = (str(r["provider"]), region or "-", kind, destination, str(r["currency"]))
        sums[key] += Decimal(str(r["effective_cost"]))
    rows = [
        {"provider": p, "source_region": s, "kind": k, "destination": d, "currency": c, "effective_cost": v}
        for (p, s, k, d, c), v in sums.items()
    ]
    return sorted(rows, key=lambda r: (-r["effective_cost"], r["provider"], r["source_region"]))
