"""Training jobs whose data lives in another region: the data-transfer finding on retraining runs.

A retraining run reads its model's prediction log and labels (the training window). When a dataset's
registry ``region`` differs from where the run trained (codecarbon's measured cloud region, else the
model's ``preferred_window.training_region``), the run is flagged, with the period's inter-region
transfer cost from the data's region to the training region (:func:`data_transfer`) where the bill
names it (AWS usage types do; Google Cloud bills transfers by continent, which cannot name the pair).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from steward.finance._windows import JobWindow

if TYPE_CHECKING:
    from steward.registry import Registry

__all__ = ["AWS_REGION_CODES", "RegionFinding", "region_findings"]

#: AWS region -> the prefix its usage types carry (``USE1-EU-AWS-Out-Bytes``: us-east-1 to eu-west-1).
AWS_REGION_CODES = {
    "us-east-1": "USE1",
    "us-east-2": "USE2",
    "us-west-1": "USW1",
    "us-west-2": "USW2",
    "ca-central-1": "CAN1",
    "sa-east-1": "SAE1",
    "eu-west-1": "EU",
    "eu-west-2": "EUW2",
    "eu-west-3": "EUW3",
    "eu-central-1": "EUC1",
    "eu-north-1": "EUN1",
    "eu-south-1": "EUS1",
    "ap-northeast-1": "APN1",
    "ap-northeast-2": "APN2",
    "ap-southeast-1": "APS1",
    "ap-southeast-2": "APS2",
    "ap-south-1": "APS3",
}


@dataclass(frozen=True)
class RegionFinding:
    """One retraining run whose training data lives outside its training region."""

    model: str
    job_run_id: str
    job_date: dt.date | None
    training_region: str
    data_region: str
    datasets: list[str]
    transfer_cost: Decimal | None  # the period's inter-region transfer data region -> training region
    currency: str
    evidence: str

    def row(self) -> dict[str, Any]:
        """Return the ``finance_training_regions`` row (without the period stamp)."""
        out = asdict(self)
        out["datasets"] = json.dumps(self.datasets)
        return out


def _transfer_cost(transfers: list[dict[str, Any]], source: str, destination: str) -> Decimal | None:
    src_provider, _, src = source.partition(":")
    dst_provider, _, dst = destination.partition(":")
    code = AWS_REGION_CODES.get(dst)
    if src_provider != "aws" or dst_provider != "aws" or code is None:
        return None
    rows = [
        t["effective_cost"]
        for t in transfers
        if t["kind"] == "inter_region" and t["source_region"] == src and t["destination"] == code
    ]
    return sum(rows, Decimal(0)) if rows else None


def region_findings(
    registry: Registry, runs: list[JobWindow], transfers: list[dict[str, Any]]
) -> list[RegionFinding]:
    """Flag each retraining run of ``runs`` whose training datasets live in another region.

    ``runs`` are the period's jobs (:func:`window_findings`, whose ``region`` is where the run trained);
    ``transfers`` the period's data-transfer breakdown (:func:`data_transfer`).
    """
    cur = registry.finance.currency
    out = []
    for run in runs:
        if run.job_kind != "retraining" or run.job not in {m.name for m in registry.models}:
            continue
        model = registry.model(run.job)
        window = model.retraining.guards.preferred_window
        trained = run.region or (window.training_region if window else None)
        if trained is None:
            continue
        names = [model.prediction_log] + ([model.labels.dataset] if model.labels else [])
        by_region: dict[str, list[str]] = {}
        for name in dict.fromkeys(names):
            region = registry.dataset(name).region
            if region is not None and region != trained:
                by_region.setdefault(region, []).append(name)
        for region, datasets in sorted(by_region.items()):
            cost = _transfer_cost(transfers, region, trained)
            money = (
                f"{cost:,.2f} {cur} of inter-region transfer {region} -> {trained} in the period's bill"
                if cost is not None
                else f"the bill names no inter-region transfer {region} -> {trained} for the period"
            )
            out.append(
                RegionFinding(
                    model=model.name,
                    job_run_id=run.job_run_id,
                    job_date=run.job_date,
                    training_region=trained,
                    data_region=region,
                    datasets=datasets,
                    transfer_cost=cost,
                    currency=cur,
                    evidence=f"trained in {trained} on {', '.join(datasets)} stored in {region}; {money}",
                )
            )
    return out
