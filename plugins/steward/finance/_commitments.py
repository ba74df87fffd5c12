"""Commitment findings: what a savings plan or committed use discount would have saved on the steady floor.

For each provider x service x region with on-demand usage, the floor is the smallest daily on-demand
EffectiveCost over the days the bill covers (``include/sql/marts/commitment_usage.sql``). A commitment of
that floor per day at discount ``d`` would have cost ``floor x (1 - d)`` instead of ``floor``: the saving is
``floor x days x d``, and a commitment pays off only above the break-even utilization ``1 - d`` (at a lower
utilization the unused part costs more than the discount saves). Discounts come from a versioned, cited
file (``include/finance/commitment_discounts_<version>.yaml``). Daily data cannot see hourly dips: an hourly
commitment (AWS Savings Plans) covers at most this floor.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from steward import paths
from steward.finance._marts import mart_params
from steward.finance._periods import Period

if TYPE_CHECKING:
    from steward.warehouse import Warehouse

__all__ = [
    "DEFAULT_DISCOUNTS",
    "CommitmentFinding",
    "CommitmentOffer",
    "DiscountTable",
    "commitment_findings",
    "load_discounts",
]

#: The discount file used when the registry names none (``finance.commitment_discounts``).
DEFAULT_DISCOUNTS = "include/finance/commitment_discounts_2026.11.yaml"


@dataclass(frozen=True)
class CommitmentOffer:
    """One provider's commitment offer: the services it covers and its discount, with the source."""

    id: str
    provider: str
    services: tuple[str, ...]
    discount_pct: float
    description: str
    source: str


@dataclass(frozen=True)
class DiscountTable:
    """A versioned set of offers."""

    version: str
    offers: tuple[CommitmentOffer, ...]
    path: str

    def offer_for(self, provider: str, service: str) -> CommitmentOffer | None:
        """Return the offer covering ``service`` of ``provider`` (``None``: no commitment offer known)."""
        for o in self.offers:
            if o.provider == provider and service in o.services:
                return o
        return None


def load_discounts(path: str | Path | None = None) -> DiscountTable:
    """Load and check a discount file (relative paths: the project checkout).

    Raises
    ------
    ValueError
        A missing file, a missing key, a discount outside (0, 100) or an id given twice; the message names
        the file and the offer.
    """
    file = Path(path or DEFAULT_DISCOUNTS)
    file = file if file.is_absolute() else paths.project_dir() / file
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(
            f"commitment discounts {file} do not exist: fix finance.commitment_discounts"
        ) from None
    if not isinstance(raw, dict) or "version" not in raw or not isinstance(raw.get("offers"), list):
        raise ValueError(f"commitment discounts {file}: expected 'version' and an 'offers' list")
    offers: list[CommitmentOffer] = []
    for i, item in enumerate(raw["offers"]):
        where = f"commitment discounts {file} offers[{i}]"
        try:
            offer = CommitmentOffer(
                id=str(item["id"]),
                provider=str(item["provider"]),
                services=tuple(str(s) for s in item["services"]),
                discount_pct=float(item["discount_pct"]),
                description=str(item.get("description", "")),
                source=str(item["source"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(
                f"{where}: missing or bad key {exc}: give id, provider, services, discount_pct, source"
            ) from None
        if not 0 < offer.discount_pct < 100:
            raise ValueError(
                f"{where} ({offer.id}): discount_pct {offer.discount_pct} is not between 0 and 100"
            )
        if any(o.id == offer.id for o in offers):
            raise ValueError(f"{where}: id {offer.id!r} is given twice")
        offers.append(offer)
    return DiscountTable(version=str(raw["version"]), offers=tuple(offers), path=str(file))


@dataclass(frozen=True)
class CommitmentFinding:
    """What committing to one service's steady daily floor would have saved over the period."""

    provider: str
    service: str
    region: str | None
    currency: str
    offer_id: str
    discount_pct: float
    billing_days: int
    usage_days: int
    on_demand_cost: Decimal
    commitment_daily_cost: Decimal
    covered_cost: Decimal
    coverage: float
    estimated_saving: Decimal
    break_even_utilization: float
    source: str
    discounts_version: str

    def row(self) -> dict[str, Any]:
        """Return the finding as a ``finance_commitments`` row."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def commitment_findings(
    warehouse: Warehouse, period: Period, table: DiscountTable
) -> list[CommitmentFinding]:
    """Return one finding per provider x service x region with a steady on-demand floor and a known offer."""
    from steward.warehouse import read_sql

    rows = warehouse.fetch(read_sql("marts/commitment_usage.sql"), mart_params(period))
    out: list[CommitmentFinding] = []
    for r in rows:
        offer = table.offer_for(str(r["provider"]), str(r["service"]))
        floor = Decimal(str(r["floor_daily_cost"]))
        if offer is None or floor <= 0:
            continue
        days = int(r["billing_days"])  # type: ignore[call-overload]
        on_demand = Decimal(str(r["on_demand_cost"]))
        covered = floor * days
        discount = Decimal(str(offer.discount_pct)) / 100
        out.append(
            CommitmentFinding(
                provider=str(r["provider"]),
                service=str(r["service"]),
                region=None if r["region"] is None else str(r["region"]),
                currency=str(r["currency"]),
                offer_id=offer.id,
                discount_pct=offer.discount_pct,
                billing_days=days,
                usage_days=int(r["usage_days"]),  # type: ignore[call-overload]
                on_demand_cost=on_demand,
                commitment_daily_cost=floor,
                covered_cost=covered,
                coverage=float(covered / on_demand) if on_demand else 0.0,
                estimated_saving=covered * discount,
                break_even_utilization=1 - offer.discount_pct / 100,
                source=offer.source,
                discounts_version=table.version,
            )
        )
    return sorted(out, key=lambda f: -f.estimated_saving)
