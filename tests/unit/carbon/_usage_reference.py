"""The whole-table usage estimate as it was before issue 15 (verbatim), the reference for the rewrite.

``steward.carbon.estimate_usage_emissions`` now keys its classification on dictionary codes and picks
notes by number, and ``estimate_usage_batches`` streams it; both must give these rows exactly.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from steward.carbon._coefficients import Coefficients, ProviderCoefficients
from steward.carbon._usage import (
    _CARRIED,
    _COMPUTED,
    _TEXT_COLUMNS,
    USAGE_COLUMNS,
    UsageEstimate,
    _arrow_column,
    _first_positions,
    _unestimated,
    classify_usage,
)

__all__ = ["reference_estimate"]


def reference_estimate(
    lines: pa.Table,
    *,
    coefficients: Coefficients,
    utilization: float | None = None,
) -> pa.Table:
    """The estimate before the streaming rewrite (issue 15), kept verbatim as the reference."""
    required = ("ChargePeriodStart", "ProviderName", "RegionId", "ConsumedQuantity", "ConsumedUnit")
    missing = [c for c in required if c not in lines.column_names]
    if missing:
        raise ValueError(
            f"usage lines lack column(s) {missing}: pass rows shaped like cost_line_daily "
            f"(FOCUS 1.2 names); they have {lines.column_names}"
        )
    u = coefficients.cpu_utilization if utilization is None else float(utilization)
    if not 0.0 <= u <= 1.0:
        raise ValueError(f"utilization must be between 0 and 1, got {u}")
    n = lines.num_rows
    carried = {name: _arrow_column(lines, name, type_) for name, type_ in _CARRIED}
    # quantities: consumed, else pricing
    qty = carried["ConsumedQuantity"]
    unit = carried["ConsumedUnit"]
    if "PricingQuantity" in lines.column_names:
        use_pricing = pc.and_(
            pc.is_null(qty), pc.is_valid(_arrow_column(lines, "PricingQuantity", pa.float64()))
        )
        qty = pc.if_else(use_pricing, _arrow_column(lines, "PricingQuantity", pa.float64()), qty)
        unit = pc.if_else(use_pricing, _arrow_column(lines, "PricingUnit", pa.string()), unit)
    # one classification per distinct provider x usage text x unit x month (linear in the quantity)
    texts = [_arrow_column(lines, c, pa.string()) for c in _TEXT_COLUMNS if c in lines.column_names]
    text = (
        pc.binary_join_element_wise(*texts, " | ", null_handling="skip")
        if texts
        else pa.nulls(n, pa.string())
    )
    days = pc.cast(carried["ChargePeriodStart"], pa.date32()) if n else pa.array([], pa.date32())
    month = pc.strftime(carried["ChargePeriodStart"], format="%Y-%m") if n else pa.array([], pa.string())
    key = pc.binary_join_element_wise(
        pc.fill_null(carried["ProviderName"], ""),
        pc.fill_null(text, ""),
        pc.fill_null(unit, ""),
        pc.fill_null(month, ""),
        "\x1f",
        null_handling="replace",
    )
    encoded = (
        pc.dictionary_encode(key).combine_chunks()
        if isinstance(key, pa.ChunkedArray)
        else pc.dictionary_encode(key)
    )
    index = encoded.indices.to_numpy(zero_copy_only=False)
    first = _first_positions(index, len(encoded.dictionary))
    picks = pa.array(first, pa.int64())
    providers_py = carried["ProviderName"].take(picks).to_pylist()
    text_py = text.take(picks).to_pylist()
    unit_py = unit.take(picks).to_pylist()
    day_py = days.take(picks).to_pylist()
    per_unit: list[UsageEstimate] = []
    provider_of: list[ProviderCoefficients | None] = []
    for pos in range(len(first)):
        provider = coefficients.provider(providers_py[pos])
        day = day_py[pos]
        if day is None:
            est = _unestimated("no ChargePeriodStart")
        elif provider is None:
            est = _unestimated(
                f"provider {providers_py[pos]!r} has no coefficients "
                f"(known: {', '.join(sorted(coefficients.providers))})"
            )
        else:
            est = classify_usage(
                text_py[pos] or "",
                unit_py[pos],
                1.0,
                day=day,
                provider=provider,
                coefficients=coefficients,
                utilization=u,
            )
        per_unit.append(est)
        provider_of.append(provider)
    computed = _reference_scale(
        per_unit, provider_of, index, qty, carried["RegionId"], coefficients=coefficients, u=u
    )
    computed["x_ChargeDate"] = days
    computed["x_CoefficientsVersion"] = pa.repeat(pa.scalar(coefficients.version, pa.string()), n)
    arrays = {name: carried[name] for name, _ in _CARRIED}
    arrays |= {name: computed[name] for name, _ in _COMPUTED}
    return pa.table(arrays, schema=USAGE_COLUMNS)


def _reference_scale(
    per_unit: list[UsageEstimate],
    provider_of: list[ProviderCoefficients | None],
    index: np.ndarray,
    qty: pa.Array,
    region: pa.Array,
    *,
    coefficients: Coefficients,
    u: float,
) -> dict[str, pa.Array]:
    """Multiply the per-unit estimates by each row's quantity; add PUE, grid factor and notes."""
    n = len(index)
    rows = pa.array(index, pa.int64())
    q = pc.fill_null(qty, np.nan).to_numpy(zero_copy_only=False).astype(np.float64)

    def num(values: list[float]) -> np.ndarray:
        return np.asarray(values, dtype=np.float64)[index] if n else np.zeros(0)

    def text(values: list[str | None]) -> pa.Array:
        return pa.array(values, pa.string()).take(rows)

    it_unit = num([np.nan if e.it_energy_kwh is None else e.it_energy_kwh for e in per_unit])
    no_qty, negative = np.isnan(q), q < 0
    bad_qty = no_qty | negative
    estimated = ~np.isnan(it_unit) & ~bad_qty
    qz = np.where(bad_qty, 0.0, q)
    category = pc.if_else(pa.array(bad_qty), "unestimated", text([e.category for e in per_unit]))
    notes = text([e.note for e in per_unit])
    notes = pc.if_else(pa.array(negative), "negative consumed quantity", notes)
    notes = pc.if_else(pa.array(no_qty), "no consumed quantity", notes)
    pue = num([p.pue if p is not None else np.nan for p in provider_of])
    # grid factor per distinct provider x region
    provider_key = text([p.key if p is not None else "" for p in provider_of])
    pairs = pc.dictionary_encode(pc.binary_join_element_wise(provider_key, pc.fill_null(region, ""), "\x1f"))
    pair_index = pairs.indices.to_numpy(zero_copy_only=False) if n else np.zeros(0, dtype=np.int64)
    grid_of, known_of, note_of = [], [], []
    for entry in pairs.dictionary.to_pylist():
        pkey, _, reg = entry.partition("\x1f")
        prov = coefficients.providers.get(pkey)
        factor, is_known = prov.grid(reg or None) if prov is not None else (np.nan, False)
        grid_of.append(factor)
        known_of.append(is_known)
        note_of.append(
            None
            if is_known
            else f"region {reg or None!r} has no grid factor: the {pkey} unknown-region average is used"
        )
    grid = np.asarray(grid_of, dtype=np.float64)[pair_index] if n else np.zeros(0)
    known = np.asarray(known_of, dtype=bool)[pair_index] if n else np.zeros(0, dtype=bool)
    region_note = pa.array(note_of, pa.string()).take(pa.array(pair_index, pa.int64()))
    notes = pc.if_else(pa.array(estimated & ~known), region_note, notes)
    it = np.where(estimated, it_unit * qz, np.nan)
    energy = it * pue
    co2e = energy * grid

    def arr(values: np.ndarray) -> pa.Array:
        return pa.array(values, pa.float64(), mask=np.isnan(values))

    def scaled(attr: str) -> pa.Array:
        return pa.array(num([getattr(e, attr) for e in per_unit]) * qz, pa.float64())

    compute = pc.is_in(category, pa.array(["compute", "gpu"])).to_numpy(zero_copy_only=False)
    return {
        "x_UsageCategory": category,
        "x_UsageRuleId": text([e.rule_id for e in per_unit]),
        "x_VcpuHours": scaled("vcpu_hours"),
        "x_GpuHours": scaled("gpu_hours"),
        "x_GpuModel": text([e.gpu_model for e in per_unit]),
        "x_MemoryGbHours": scaled("memory_gb_hours"),
        "x_StorageTbHours": scaled("storage_tb_hours"),
        "x_NetworkGb": scaled("network_gb"),
        "x_ItEnergyKwh": arr(it),
        "x_Pue": arr(np.where(estimated, pue, np.nan)),
        "x_EnergyKwh": arr(energy),
        "x_GridGco2ePerKwh": arr(np.where(estimated, grid * 1000.0, np.nan)),
        "x_GridRegionKnown": pa.array(known, pa.bool_(), mask=~estimated),
        "x_Co2eKg": arr(co2e),
        "x_CpuUtilization": pa.array(np.full(n, u), pa.float64(), mask=~compute),
        "x_EstimateNote": notes,
    }
