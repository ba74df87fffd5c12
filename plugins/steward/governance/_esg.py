"""The quarterly ESG extract: energy and emissions per business unit and model, ready for a corporate report.

Per business unit and model, for one quarter: energy (kWh) measured by codecarbon around training
(``carbon_training_runs``) and estimated from cloud usage (``carbon_allocated_daily``), their sum, the
measured share, location-based emissions (grid averages: both sources), the method and the
coefficients' version, and the change against the previous quarter. Market-based emissions are only
reported by the cloud providers, per account (``carbon_provider_monthly``): they appear on one
company-wide row, never guessed per model. Output: a CSV and a short HTML summary under
``<reports>/esg/<quarter>/``.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

import steward
from steward import paths
from steward.reports import write_report
from steward.warehouse import read_sql

if TYPE_CHECKING:
    from steward.registry import Registry
    from steward.warehouse import Warehouse

__all__ = ["EsgExtract", "EsgRow", "esg_extract", "parse_quarter", "previous_quarter", "quarter_of"]

COMPANY = "(company, provider-reported)"


def parse_quarter(text: str) -> tuple[dt.date, dt.date]:
    """Return the first and last day of a quarter written ``YYYYQn``.

    Examples
    --------
    >>> parse_quarter("2026Q4")
    (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31))
    """
    match = re.fullmatch(r"(\d{4})Q([1-4])", text.strip().upper())
    if not match:
        raise ValueError(f"quarter {text!r} must be written YYYYQn, e.g. 2026Q4")
    year, q = int(match.group(1)), int(match.group(2))
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def previous_quarter(text: str) -> str:
    """Return the quarter before ``YYYYQn``.

    Examples
    --------
    >>> previous_quarter("2027Q1")
    '2026Q4'
    """
    start, _ = parse_quarter(text)
    before = start - dt.timedelta(days=1)
    return f"{before.year}Q{(before.month - 1) // 3 + 1}"


def quarter_of(day: dt.date) -> str:
    """Return the quarter holding ``day``, e.g. ``2026Q4``."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class EsgRow:
    """One line of the extract (energy in kWh, emissions in kg CO2e)."""

    quarter: str
    business_unit: str
    model: str
    energy_kwh: float | None
    energy_measured_kwh: float | None
    energy_estimated_kwh: float | None
    measured_share: float | None
    location_based_co2e_kg: float | None
    market_based_co2e_kg: float | None
    method: str
    coefficients_version: str
    previous_energy_kwh: float | None
    previous_co2e_kg: float | None
    energy_change_pct: float | None
    co2e_change_pct: float | None


@dataclass(frozen=True)
class EsgExtract:
    """The extract's rows and where its files are."""

    quarter: str
    rows: tuple[EsgRow, ...]
    csv_path: Path
    html_path: Path


def _num(value: object) -> float:
    return float(str(value)) if value is not None else 0.0


def _change(now: float | None, before: float | None) -> float | None:
    if now is None or not before:
        return None
    return 100.0 * (now - before) / before


def _version(lo: object, hi: object) -> str:
    return str(lo) if lo == hi else f"{lo}..{hi}"


def _rows(
    quarter: str, registry: Registry, estimated: list[dict[str, object]], measured: list[dict[str, object]]
) -> list[EsgRow]:
    unit_of = {m.name: m.business_unit for m in registry.models}
    keys: dict[tuple[str, str], dict[str, dict[str, object]]] = {}
    for r in estimated:
        keys.setdefault((str(r["business_unit"]), str(r["model"])), {})[f"est_{r['period']}"] = r
    for r in measured:
        unit = unit_of.get(str(r["model"]), "unregistered")
        keys.setdefault((unit, str(r["model"])), {})[f"meas_{r['period']}"] = r
    out: list[EsgRow] = []
    for (unit, model), parts in sorted(keys.items()):
        est, meas = parts.get("est_current"), parts.get("meas_current")
        e_est = _num(est["energy_kwh"]) if est else None
        e_meas = _num(meas["energy_kwh"]) if meas else None
        energy = (e_est or 0.0) + (e_meas or 0.0) if (est or meas) else None
        co2 = (_num(est["co2e_kg"]) if est else 0.0) + (_num(meas["co2e_kg"]) if meas else 0.0)
        prev = [parts.get("est_previous"), parts.get("meas_previous")]
        prev_energy = sum(_num(p["energy_kwh"]) for p in prev if p) if any(prev) else None
        prev_co2 = sum(_num(p["co2e_kg"]) for p in prev if p) if any(prev) else None
        methods = ([f"measured (codecarbon {meas['codecarbon_version']})"] if meas else []) + (
            ["estimated from cloud usage"] if est else []
        )
        out.append(
            EsgRow(
                quarter=quarter,
                business_unit=unit,
                model=model,
                energy_kwh=energy,
                energy_measured_kwh=e_meas,
                energy_estimated_kwh=e_est,
                measured_share=(e_meas or 0.0) / energy if energy else None,
                location_based_co2e_kg=co2 if (est or meas) else None,
                market_based_co2e_kg=None,
                method=" + ".join(methods) or "no data this quarter",
                coefficients_version=_version(
                    est["coefficients_version_min"], est["coefficients_version_max"]
                )
                if est
                else "",
                previous_energy_kwh=prev_energy,
                previous_co2e_kg=prev_co2,
                energy_change_pct=_change(energy, prev_energy),
                co2e_change_pct=_change(co2 if (est or meas) else None, prev_co2),
            )
        )
    return out


def _float(value: object) -> float | None:
    return None if value is None else float(str(value))


def _company_row(quarter: str, provider: list[dict[str, object]]) -> EsgRow | None:
    by = {str(r["period"]): r for r in provider}
    now, before = by.get("current"), by.get("previous")
    if now is None:
        return None
    location = _float(now["location_based_co2e_kg"])
    previous = _float(before["location_based_co2e_kg"]) if before else None
    return EsgRow(
        quarter=quarter,
        business_unit=COMPANY,
        model="",
        energy_kwh=None,
        energy_measured_kwh=None,
        energy_estimated_kwh=None,
        measured_share=None,
        location_based_co2e_kg=location,
        market_based_co2e_kg=_float(now["market_based_co2e_kg"]),
        method="provider-reported (AWS sustainability / GCP Carbon Footprint)",
        coefficients_version=str(now["model_version"] or ""),
        previous_energy_kwh=None,
        previous_co2e_kg=previous,
        energy_change_pct=None,
        co2e_change_pct=_change(location, previous),
    )


def esg_extract(
    registry: Registry, quarter: str, *, warehouse: Warehouse, reports_dir: Path | None = None
) -> EsgExtract:
    """Build the quarter's extract and write ``esg_<quarter>.csv`` and ``index.html``.

    Parameters
    ----------
    registry
        Maps models to business units (training runs carry the model only).
    quarter
        ``YYYYQn``; the change is against the quarter before.
    warehouse
        Where the carbon tables are.
    reports_dir
        Default :func:`steward.paths.reports_dir`; files go to ``<reports_dir>/esg/<quarter>/``.
    """
    start, end = parse_quarter(quarter)
    prev_start, prev_end = parse_quarter(previous_quarter(quarter))
    params = {"start_day": start, "end_day": end, "prev_start": prev_start, "prev_end": prev_end}
    estimated = warehouse.fetch(read_sql("governance/select_esg_estimated.sql"), params)
    measured = warehouse.fetch(read_sql("governance/select_esg_measured.sql"), params)
    provider = warehouse.fetch(read_sql("governance/select_esg_provider.sql"), params)
    rows = _rows(quarter, registry, estimated, measured)
    company = _company_row(quarter, provider)
    if company is not None:
        rows.append(company)
    folder = (reports_dir or paths.reports_dir()) / "esg" / quarter
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = folder / f"esg_{quarter}.csv"
    names = [f.name for f in fields(EsgRow)]
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(asdict(r) for r in rows)
    per_model = [r for r in rows if r.business_unit != COMPANY]
    html_path = write_report(
        folder / "index.html",
        "esg_summary.html.j2",
        quarter=quarter,
        start=start,
        end=end,
        rows=rows,
        total_energy=sum(r.energy_kwh or 0.0 for r in per_model),
        total_co2=sum(r.location_based_co2e_kg or 0.0 for r in per_model),
        measured=sum(r.energy_measured_kwh or 0.0 for r in per_model),
        company=company,
        csv_name=csv_path.name,
        version=steward.__version__,
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
    )
    return EsgExtract(quarter, tuple(rows), csv_path, html_path)
