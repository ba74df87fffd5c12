"""Usage-based emission estimates from billed usage lines (Cloud Carbon Footprint methodology).

Pure functions on Arrow tables shaped like ``cost_line_daily`` (FOCUS 1.2 column names).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from steward.carbon._coefficients import Coefficients, ProviderCoefficients, UsageRule

__all__ = [
    "USAGE_COLUMNS",
    "UsageEstimate",
    "classify_usage",
    "estimate_usage_batches",
    "estimate_usage_emissions",
]

#: FOCUS columns carried from the input to every estimate row (missing ones become NULL).
_CARRIED: tuple[tuple[str, pa.DataType], ...] = (
    ("ChargePeriodStart", pa.timestamp("us", tz="UTC")),
    ("BillingPeriodStart", pa.timestamp("us", tz="UTC")),
    ("BillingAccountId", pa.string()),
    ("SubAccountId", pa.string()),
    ("ProviderName", pa.string()),
    ("ServiceName", pa.string()),
    ("ServiceCategory", pa.string()),
    ("RegionId", pa.string()),
    ("ResourceId", pa.string()),
    ("SkuId", pa.string()),
    ("ChargeDescription", pa.string()),
    ("x_UsageType", pa.string()),
    ("ConsumedQuantity", pa.float64()),
    ("ConsumedUnit", pa.string()),
    ("BilledCost", pa.float64()),
    ("EffectiveCost", pa.float64()),
    ("BillingCurrency", pa.string()),
    ("Tags", pa.string()),
    ("x_SourceName", pa.string()),
)
#: Columns whose text is searched by the usage rules, in this order, where present.
_TEXT_COLUMNS = ("ServiceName", "x_UsageType", "SkuId", "ChargeDescription", "x_Operation", "SkuPriceDetails")
_COMPUTED: tuple[tuple[str, pa.DataType], ...] = (
    ("x_ChargeDate", pa.date32()),
    ("x_UsageCategory", pa.string()),
    ("x_UsageRuleId", pa.string()),
    ("x_VcpuHours", pa.float64()),
    ("x_GpuHours", pa.float64()),
    ("x_GpuModel", pa.string()),
    ("x_MemoryGbHours", pa.float64()),
    ("x_StorageTbHours", pa.float64()),
    ("x_NetworkGb", pa.float64()),
    ("x_ItEnergyKwh", pa.float64()),
    ("x_Pue", pa.float64()),
    ("x_EnergyKwh", pa.float64()),
    ("x_GridGco2ePerKwh", pa.float64()),
    ("x_GridRegionKnown", pa.bool_()),
    ("x_Co2eKg", pa.float64()),
    ("x_CpuUtilization", pa.float64()),
    ("x_EstimateNote", pa.string()),
    ("x_CoefficientsVersion", pa.string()),
)
#: The schema of :func:`estimate_usage_emissions`' result (and of ``carbon_usage_daily`` less run columns).
USAGE_COLUMNS = pa.schema([*_CARRIED, *_COMPUTED])


@dataclass(frozen=True)
class UsageEstimate:
    """The estimate of one usage line; ``category`` is ``unestimated`` when no rule applies (see ``note``)."""

    category: str
    rule_id: str | None = None
    vcpu_hours: float = 0.0
    gpu_hours: float = 0.0
    gpu_model: str | None = None
    memory_gb_hours: float = 0.0
    storage_tb_hours: float = 0.0
    network_gb: float = 0.0
    it_energy_kwh: float | None = None
    note: str | None = None


def _unestimated(note: str) -> UsageEstimate:
    return UsageEstimate(category="unestimated", note=note)


def classify_usage(
    text: str,
    unit: str | None,
    quantity: float | None,
    *,
    day: dt.date,
    provider: ProviderCoefficients,
    coefficients: Coefficients,
    utilization: float,
) -> UsageEstimate:
    """Estimate the IT energy (before PUE) of one usage line.

    Parameters
    ----------
    text
        The line's usage text (service, usage type, SKU, description joined with ``" | "``).
    unit, quantity
        ``ConsumedUnit`` and ``ConsumedQuantity``.
    day
        The charge day (storage billed in GB-months converts with that month's hours).
    provider, coefficients
        The provider's constants and the whole set.
    utilization
        Average CPU/GPU utilization assumed (0..1).

    Returns
    -------
    UsageEstimate

    Examples
    --------
    >>> from steward.carbon import load_coefficients
    >>> c = load_coefficients()
    >>> e = classify_usage("AmazonEC2 | USE1-BoxUsage:m5.xlarge", "Hrs", 10.0, day=dt.date(2026, 11, 3),
    ...                    provider=c.providers["aws"], coefficients=c, utilization=0.5)
    >>> e.vcpu_hours, round(e.it_energy_kwh, 4)
    (40.0, 0.0848)
    """
    if quantity is None:
        return _unestimated("no consumed quantity")
    if quantity < 0:
        return _unestimated(f"negative consumed quantity {quantity}")
    unit_key = (unit or "").strip().lower()
    if unit_key not in coefficients.units:
        return _unestimated(f"unit {unit!r} is not in the coefficient file's units")
    dimension, factor = coefficients.units[unit_key]
    amount = quantity * factor
    rule = next((r for r in coefficients.rules if r.dimension == dimension and r.pattern.search(text)), None)
    if rule is None:
        return _unestimated(f"no usage rule matches {text!r} in {dimension}")
    return _apply(rule, text, amount, day=day, provider=provider, coefficients=coefficients, u=utilization)


def _apply(
    rule: UsageRule,
    text: str,
    amount: float,
    *,
    day: dt.date,
    provider: ProviderCoefficients,
    coefficients: Coefficients,
    u: float,
) -> UsageEstimate:
    if rule.category == "compute_instance":
        match = rule.pattern.search(text)
        name = match.group("instance").lower() if match else ""
        spec = coefficients.instance_types.get(name)
        if spec is None:
            return UsageEstimate(
                category="unestimated",
                rule_id=rule.id,
                note=f"instance type {name!r} is not in the coefficient file's instance_types",
            )
        vcpu_hours = amount * spec.vcpus
        gpu_hours = amount * spec.gpus
        kwh = vcpu_hours * provider.vcpu_watts(u) / 1000.0
        if spec.gpus:
            assert spec.gpu is not None  # checked when the file was loaded
            kwh += gpu_hours * coefficients.gpus[spec.gpu].watts(u) / 1000.0
        return UsageEstimate(
            category="compute",
            rule_id=rule.id,
            vcpu_hours=vcpu_hours,
            gpu_hours=gpu_hours,
            gpu_model=spec.gpu,
            it_energy_kwh=kwh,
        )
    if rule.category == "compute_vcpu":
        return UsageEstimate(
            category="compute",
            rule_id=rule.id,
            vcpu_hours=amount,
            it_energy_kwh=amount * provider.vcpu_watts(u) / 1000.0,
        )
    if rule.category == "gpu":
        gpu = coefficients.gpu_in(text)
        if gpu is None:
            return UsageEstimate(
                category="unestimated",
                rule_id=rule.id,
                note=f"no GPU model of the coefficient file in {text!r}",
            )
        return UsageEstimate(
            category="gpu",
            rule_id=rule.id,
            gpu_hours=amount,
            gpu_model=gpu.name,
            it_energy_kwh=amount * gpu.watts(u) / 1000.0,
        )
    if rule.category == "memory":
        return UsageEstimate(
            category="memory",
            rule_id=rule.id,
            memory_gb_hours=amount,
            it_energy_kwh=amount * coefficients.memory_kwh_per_gb_hour,
        )
    if rule.category == "storage":
        assert rule.medium is not None  # checked when the file was loaded
        hours_in_month = 24 * calendar.monthrange(day.year, day.month)[1]
        tb_hours = amount * hours_in_month / 1000.0
        wh = tb_hours * rule.replication * coefficients.storage_wh_per_tb_hour[rule.medium]
        return UsageEstimate(
            category="storage", rule_id=rule.id, storage_tb_hours=tb_hours, it_energy_kwh=wh / 1000.0
        )
    # network
    return UsageEstimate(
        category="network",
        rule_id=rule.id,
        network_gb=amount,
        it_energy_kwh=amount * coefficients.network_kwh_per_gb,
    )


def estimate_usage_emissions(
    lines: pa.Table,
    *,
    coefficients: Coefficients,
    utilization: float | None = None,
) -> pa.Table:
    """Estimate energy and emissions of billed usage lines, one output row per input line.

    Follows the Cloud Carbon Footprint methodology: compute as vCPU-hours × average watts between
    the provider's min and max at ``utilization``, GPUs likewise per model, storage per TB-hour
    (SSD/HDD, with replication), network per GB, memory per GB-hour; then × the provider's PUE
    × the region's grid factor. Usage the coefficients cannot map stays as an ``unestimated`` row
    with its cost and a note (energy and CO2e NULL).

    Parameters
    ----------
    lines
        FOCUS-shaped rows (``cost_line_daily``): at least ``ChargePeriodStart``, ``ProviderName``,
        ``RegionId``, ``ConsumedQuantity`` and ``ConsumedUnit``; the usage text is built from
        ``ServiceName``, ``x_UsageType``, ``SkuId``, ``ChargeDescription``, ``x_Operation``,
        ``SkuPriceDetails`` where present. ``PricingQuantity``/``PricingUnit`` stand in where the
        consumed ones are NULL.
    coefficients
        From :func:`~steward.carbon.load_coefficients`; its version is stored on every row.
    utilization
        Average utilization (0..1) for compute and GPUs; default the file's ``cpu_utilization``.

    Returns
    -------
    pyarrow.Table
        :data:`USAGE_COLUMNS`.

    Raises
    ------
    ValueError
        A required column is missing or ``utilization`` is outside 0..1.

    Examples
    --------
    >>> import datetime as dt, pyarrow as pa
    >>> from steward.carbon import load_coefficients
    >>> lines = pa.table({"ChargePeriodStart": [dt.datetime(2026, 11, 3, tzinfo=dt.UTC)],
    ...                   "ProviderName": ["AWS"], "RegionId": ["us-east-1"],
    ...                   "ServiceName": ["AmazonEC2"], "x_UsageType": ["USE1-BoxUsage:m5.xlarge"],
    ...                   "ConsumedQuantity": [10.0], "ConsumedUnit": ["Hrs"], "BilledCost": [1.92]})
    >>> out = estimate_usage_emissions(lines, coefficients=load_coefficients())
    >>> round(out["x_Co2eKg"][0].as_py(), 5)  # 40 vCPU-h × 2.12 W × 1.135 PUE × 0.379069 kg/kWh
    0.03648
    """
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
    # one classification per distinct provider x usage text columns x unit x day (linear in the quantity;
    # the day only matters through its month). The key is built from each column's dictionary codes, so
    # the usage text is joined for the distinct keys only, not for every line.
    texts = [
        carried[c] if c in carried else _arrow_column(lines, c, pa.string())
        for c in _TEXT_COLUMNS
        if c in lines.column_names
    ]
    days = pc.cast(carried["ChargePeriodStart"], pa.date32()) if n else pa.array([], pa.date32())
    index = _group_index([carried["ProviderName"], *texts, unit, days])
    first = _first_positions(index, int(index.max()) + 1 if n else 0)
    picks = pa.array(first, pa.int64())
    providers_py = carried["ProviderName"].take(picks).to_pylist()
    text_py = (
        pc.binary_join_element_wise(*[t.take(picks) for t in texts], " | ", null_handling="skip").to_pylist()
        if texts
        else [None] * len(first)
    )
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
    computed = _scale(per_unit, provider_of, index, qty, carried["RegionId"], coefficients=coefficients, u=u)
    computed["x_ChargeDate"] = days
    computed["x_CoefficientsVersion"] = pa.repeat(pa.scalar(coefficients.version, pa.string()), n)
    arrays = {name: carried[name] for name, _ in _CARRIED}
    arrays |= {name: computed[name] for name, _ in _COMPUTED}
    return pa.table(arrays, schema=USAGE_COLUMNS)


def estimate_usage_batches(
    batches: Iterable[pa.RecordBatch | pa.Table],
    *,
    coefficients: Coefficients,
    utilization: float | None = None,
    batch_rows: int = 262_144,
) -> Iterator[pa.RecordBatch]:
    """Estimate usage lines batch by batch: memory stays bounded by ``batch_rows``, not the line count.

    The same rows as :func:`estimate_usage_emissions` over the concatenated input, in input order
    (each line's estimate depends on that line and the coefficients only). Feed it a Parquet file's
    ``iter_batches()`` or a warehouse cursor's record batches and write each result batch as it comes.

    Parameters
    ----------
    batches
        FOCUS-shaped record batches or tables (see :func:`estimate_usage_emissions`).
    coefficients, utilization
        As for :func:`estimate_usage_emissions`.
    batch_rows
        The most lines estimated at once (larger input batches are sliced).

    Returns
    -------
    Iterator[pyarrow.RecordBatch]
        Batches with the schema :data:`USAGE_COLUMNS`.

    Raises
    ------
    ValueError
        ``utilization`` outside 0..1 or ``batch_rows`` below 1 (at once); a batch lacks a required
        column (when that batch is reached).

    Examples
    --------
    >>> import pyarrow.parquet as pq  # doctest: +SKIP
    >>> reader = pq.ParquetFile("usage.parquet").iter_batches()  # doctest: +SKIP
    >>> out = estimate_usage_batches(reader, coefficients=c)  # doctest: +SKIP
    >>> with pq.ParquetWriter("estimates.parquet", USAGE_COLUMNS) as w:  # doctest: +SKIP
    ...     for batch in out:
    ...         w.write_batch(batch)
    """
    u = coefficients.cpu_utilization if utilization is None else float(utilization)
    if not 0.0 <= u <= 1.0:
        raise ValueError(f"utilization must be between 0 and 1, got {u}")
    if batch_rows < 1:
        raise ValueError(f"batch_rows must be at least 1, got {batch_rows}")

    def stream() -> Iterator[pa.RecordBatch]:
        for batch in batches:
            table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
            for offset in range(0, table.num_rows, batch_rows):
                part = table.slice(offset, batch_rows)
                yield from estimate_usage_emissions(
                    part, coefficients=coefficients, utilization=u
                ).to_batches()

    return stream()


def _arrow_column(lines: pa.Table, name: str, type_: pa.DataType) -> pa.Array:
    if name not in lines.column_names:
        return pa.nulls(lines.num_rows, type_)
    chunked = lines.column(name)
    col = chunked.chunk(0) if chunked.num_chunks == 1 else chunked.combine_chunks()
    return col if col.type == type_ else col.cast(type_)


def _group_index(columns: list[pa.Array]) -> np.ndarray:
    """Return a dense group number per row for the distinct combinations of ``columns`` (NULL: a value)."""
    n = len(columns[0])
    combined = np.zeros(n, dtype=np.int64)
    for column in columns:
        encoded = pc.dictionary_encode(column)
        codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64) + 1
        # mix, then renumber densely so the next mix cannot overflow (codes stay below n + 1)
        mixed = pa.array(combined * (len(encoded.dictionary) + 1) + codes, pa.int64())
        combined = pc.dictionary_encode(mixed).indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return combined


def _pick(
    values: list[str | None],
    index: np.ndarray,
    overrides: dict[str, np.ndarray],
    *,
    extra: tuple[list[str | None], np.ndarray, np.ndarray] | None = None,
) -> pa.Array:
    """Return ``values[index]`` per row as strings, except where an override's mask (first wins) holds.

    ``extra`` is one more, lower-priority override whose text varies per row: ``(texts, text_index, mask)``.
    Everything is chosen as a number per row and taken from the small list of distinct strings at once.
    """
    n = len(index)
    choices: list[str | None] = [*overrides]
    choice = np.asarray(index, dtype=np.int64) + len(choices)
    if extra is not None:
        texts, text_index, mask = extra
        choice = np.where(mask, len(choices) + len(values) + np.asarray(text_index, dtype=np.int64), choice)
        candidates: list[str | None] = [*choices, *values, *texts]
    else:
        candidates = [*choices, *values]
    for pos, mask in reversed(list(enumerate(overrides.values()))):
        choice = np.where(mask, pos, choice)
    return pa.array(candidates, pa.string()).take(
        pa.array(choice if n else np.zeros(0, np.int64), pa.int64())
    )


def _first_positions(index: np.ndarray, size: int) -> list[int]:
    """Return, for each dictionary entry ``0..size-1``, the first row that holds it."""
    values, first = np.unique(index, return_index=True)
    out = np.zeros(size, dtype=np.int64)
    out[values] = first
    return [int(x) for x in out]


def _scale(
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
    category = _pick([e.category for e in per_unit], index, {"unestimated": bad_qty})
    pue = num([p.pue if p is not None else np.nan for p in provider_of])
    # grid factor per distinct provider x region
    provider_keys = [p.key if p is not None else "" for p in provider_of]
    pkey_code = (
        np.unique(np.asarray(provider_keys, dtype=object), return_inverse=True)[1] if n else np.zeros(0)
    )
    pair_index = (
        _group_index([pa.array(pkey_code[index], pa.int64()), region]) if n else np.zeros(0, dtype=np.int64)
    )
    pair_first = _first_positions(pair_index, int(pair_index.max()) + 1 if n else 0)
    pair_regions = region.take(pa.array(pair_first, pa.int64())).to_pylist()
    grid_of, known_of, note_of = [], [], []
    for pos, reg in zip(pair_first, pair_regions, strict=True):
        pkey = provider_keys[int(index[pos])]
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
    # the first matching condition wins: no quantity, negative quantity, unknown region, the usage's note
    notes = _pick(
        [e.note for e in per_unit],
        index,
        {"no consumed quantity": no_qty, "negative consumed quantity": negative},
        extra=(note_of, pair_index, estimated & ~known),
    )
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
