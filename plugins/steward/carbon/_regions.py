"""What the same workload would emit in another region: the candidate-region comparison."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from steward.carbon._coefficients import Coefficients
from steward.registry._carbon import CandidateRegion

__all__ = ["REGION_COMPARISON_COLUMNS", "compare_regions"]

REGION_COMPARISON_COLUMNS = pa.schema(
    [
        ("charge_date", pa.date32()),
        ("provider", pa.string()),
        ("region", pa.string()),
        ("candidate_provider", pa.string()),
        ("candidate_region", pa.string()),
        ("it_energy_kwh", pa.float64()),
        ("co2e_kg", pa.float64()),
        ("candidate_pue", pa.float64()),
        ("candidate_grid_gco2e_per_kwh", pa.float64()),
        ("candidate_co2e_kg", pa.float64()),
        ("delta_co2e_kg", pa.float64()),
        ("coefficients_version", pa.string()),
    ]
)


def compare_regions(
    usage: pa.Table,
    *,
    candidates: Sequence[CandidateRegion],
    coefficients: Coefficients,
) -> pa.Table:
    """Compare each day's estimated emissions per region with what they would be in each candidate.

    The workload is the IT energy (before PUE) of the estimated usage rows of ``usage`` (the
    output of :func:`~steward.carbon.estimate_usage_emissions`), summed per day, provider and
    region; in a candidate it is multiplied by the candidate provider's PUE and the candidate
    region's grid factor. Unestimated rows are left out (they have no energy).

    Parameters
    ----------
    usage
        Usage estimates (``x_ChargeDate``, ``ProviderName``, ``RegionId``, ``x_ItEnergyKwh``, ``x_Co2eKg``).
    candidates
        The registry's ``costs.carbon.candidate_regions``.
    coefficients
        The coefficient set the estimates used.

    Returns
    -------
    pyarrow.Table
        :data:`REGION_COMPARISON_COLUMNS`: one row per day x provider x region x candidate;
        ``delta_co2e_kg`` is candidate minus actual (negative: the candidate emits less).

    Raises
    ------
    ValueError
        A candidate names a provider or region the coefficient file has no grid factor for.

    Examples
    --------
    >>> from steward.registry._carbon import CandidateRegion
    >>> cmp = compare_regions(usage, candidates=[CandidateRegion(provider="aws", region="eu-north-1")],
    ...                       coefficients=load_coefficients())  # doctest: +SKIP
    """
    checked = []
    for cand in candidates:
        prov = coefficients.providers.get(cand.provider)
        if prov is None or cand.region.lower() not in prov.grid_kg_per_kwh:
            known = sorted(prov.grid_kg_per_kwh) if prov else sorted(coefficients.providers)
            raise ValueError(
                f"costs.carbon.candidate_regions: {cand.provider}/{cand.region} has no grid factor in "
                f"{coefficients.path.name}; choose one of {', '.join(known[:12])}..."
            )
        checked.append((cand, prov.pue, prov.grid_kg_per_kwh[cand.region.lower()]))
    sums: dict[tuple[Any, str, str | None], list[float]] = {}
    cols = usage.select(["x_ChargeDate", "ProviderName", "RegionId", "x_ItEnergyKwh", "x_Co2eKg"]).to_pylist()
    for row in cols:
        if row["x_ItEnergyKwh"] is None or row["x_Co2eKg"] is None:
            continue
        prov = coefficients.provider(row["ProviderName"])
        key = (row["x_ChargeDate"], prov.key if prov else str(row["ProviderName"]), row["RegionId"])
        acc = sums.setdefault(key, [0.0, 0.0])
        acc[0] += float(row["x_ItEnergyKwh"])
        acc[1] += float(row["x_Co2eKg"])
    out: list[dict[str, Any]] = []
    for (day, provider, region), (energy, co2e) in sorted(sums.items(), key=lambda kv: str(kv[0])):
        for cand, pue, grid in checked:
            candidate = energy * pue * grid
            out.append(
                {
                    "charge_date": day,
                    "provider": provider,
                    "region": region,
                    "candidate_provider": cand.provider,
                    "candidate_region": cand.region,
                    "it_energy_kwh": energy,
                    "co2e_kg": co2e,
                    "candidate_pue": pue,
                    "candidate_grid_gco2e_per_kwh": grid * 1000.0,
                    "candidate_co2e_kg": candidate,
                    "delta_co2e_kg": candidate - co2e,
                    "coefficients_version": coefficients.version,
                }
            )
    return pa.Table.from_pylist(out, schema=REGION_COMPARISON_COLUMNS)
