"""Off-peak and low-carbon windows: when Steward's jobs ran against the cheapest and cleanest hours allowed.

Each data-quality night, monitoring night and retraining run of the period is compared with every start
its model's retraining ``preferred_window`` allows: the job may be deferred ``deadline_hours`` from when it
started (the same declaration the retraining triggers obey). The hours come from an hourly profile
(``finance.hourly_profile``: carbon intensity and price per region and hour of day, UTC); the job runs
where its model trains (the measured cloud region of a training run, else ``training_region``). A job
is a finding when a window of the same length inside the allowed span saves at least
:data:`MIN_SAVING_SHARE` of its carbon or money; otherwise it is recorded with the reason it is not
(no profile for the region, no preferred window, no run times).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from steward.finance._marts import mart_params
from steward.finance._periods import Period

if TYPE_CHECKING:
    from steward.registry import Model, Registry
    from steward.warehouse import Warehouse

__all__ = [
    "MIN_SAVING_SHARE",
    "HourlyProfile",
    "JobWindow",
    "ProfileError",
    "best_window",
    "load_profile",
    "window_findings",
    "window_summary",
    "window_totals",
]

#: A better window is a finding when it saves at least this share of the job's carbon or money.
MIN_SAVING_SHARE = 0.05

_COLUMNS = ("region", "hour_utc", "gco2e_per_kwh", "price_per_hour")
_HOUR = dt.timedelta(hours=1)


class ProfileError(ValueError):
    """The hourly profile file is unusable; the message names the file, the line and the fix."""


@dataclass(frozen=True)
class HourlyProfile:
    """Carbon intensity (g CO2e/kWh) and price (per hour of the job's compute) per region and UTC hour."""

    path: str
    #: region (``aws:us-east-1``) -> 24 ``(gco2e_per_kwh, price_per_hour)`` pairs, hour 0 first.
    hours: dict[str, tuple[tuple[float, float], ...]]


def load_profile(path: Path) -> HourlyProfile:
    """Read and validate an hourly profile CSV: every region needs hours 0-23 once, numbers >= 0.

    Raises
    ------
    ProfileError
        A missing file or column, a bad number, a duplicate or missing hour.
    """
    if not path.is_file():
        raise ProfileError(
            f"hourly profile {path}: file not found: fix finance.hourly_profile in the registry"
        )
    seen: dict[str, dict[int, tuple[float, float]]] = {}
    with path.open(newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ProfileError(
                f"hourly profile {path}: columns {missing} are missing: the header is {_COLUMNS}"
            )
        for line, row in enumerate(reader, start=2):
            region = (row["region"] or "").strip()
            try:
                hour = int(row["hour_utc"])
                values = (float(row["gco2e_per_kwh"]), float(row["price_per_hour"]))
            except (TypeError, ValueError):
                raise ProfileError(
                    f"hourly profile {path}, line {line}: hour_utc must be an integer and gco2e_per_kwh, "
                    "price_per_hour numbers"
                ) from None
            if not 0 <= hour <= 23 or min(values) < 0 or not all(math.isfinite(v) for v in values):
                raise ProfileError(
                    f"hourly profile {path}, line {line}: hour_utc must be 0-23, the values finite and >= 0"
                )
            if hour in seen.setdefault(region, {}):
                raise ProfileError(f"hourly profile {path}, line {line}: {region} hour {hour} is given twice")
            seen[region][hour] = values
    for region, hours in seen.items():
        if len(hours) != 24:
            absent = sorted(set(range(24)) - set(hours))
            raise ProfileError(f"hourly profile {path}: region {region!r} lacks hours {absent}: give all 24")
    return HourlyProfile(
        path=str(path), hours={r: tuple(h[i] for i in range(24)) for r, h in sorted(seen.items())}
    )


def window_totals(
    hours: tuple[tuple[float, float], ...], start: dt.datetime, duration_s: float
) -> tuple[float, float]:
    """Return ``(mean intensity g/kWh, money)`` of a job over ``[start, start + duration_s)``.

    The intensity is time-weighted over the hours it spans; the money is each hour's price times the
    share of the hour the job used.

    Examples
    --------
    >>> flat = tuple((100.0, 2.0) for _ in range(24))
    >>> hours = flat[:1] + ((300.0, 4.0),) + flat[2:]
    >>> window_totals(hours, dt.datetime(2026, 11, 1, 0, 30, tzinfo=dt.UTC), 3600)
    (200.0, 3.0)
    """
    if duration_s <= 0:
        return float(hours[start.hour][0]), 0.0
    end = start + dt.timedelta(seconds=duration_s)
    at, grams_h, money = start, 0.0, 0.0
    while at < end:
        nxt = min(end, at.replace(minute=0, second=0, microsecond=0) + _HOUR)
        share = (nxt - at).total_seconds() / 3600
        intensity, price = hours[at.hour]
        grams_h += intensity * share
        money += price * share
        at = nxt
    return grams_h / (duration_s / 3600), money


def best_window(
    hours: tuple[tuple[float, float], ...],
    *,
    earliest: dt.datetime,
    latest_end: dt.datetime,
    duration_s: float,
    by: int,
) -> dt.datetime:
    """Return the start in ``[earliest, latest_end - duration]`` minimizing intensity (``by=0``) or money (1).

    The totals are piecewise linear in the start, bending where the start or the end crosses an hour,
    so the minimum is at one of those starts (or an end of the span); ties go to the earliest.
    """
    last = latest_end - dt.timedelta(seconds=duration_s)
    if last <= earliest:
        return earliest
    length = dt.timedelta(seconds=duration_s)
    candidates = {earliest, last}
    at = earliest.replace(minute=0, second=0, microsecond=0)
    while at <= last + length:
        for start in (at, at - length):
            if earliest <= start <= last:
                candidates.add(start)
        at += _HOUR
    return min(sorted(candidates), key=lambda s: window_totals(hours, s, duration_s)[by])


@dataclass(frozen=True)
class JobWindow:
    """One job of the period: when it ran, the best window it was allowed, and what moving saves."""

    job_kind: str  # data_quality | monitoring | retraining
    job: str  # dataset or model
    job_date: dt.date | None
    job_run_id: str
    region: str | None
    ran_start: dt.datetime | None
    duration_s: float | None
    allowed_end: dt.datetime | None
    energy_kwh: float | None
    ran_gco2e_per_kwh: float | None
    ran_cost: float | None
    low_carbon_start: dt.datetime | None
    low_carbon_gco2e_per_kwh: float | None
    co2e_saving_kg: float | None  # None: the job's energy is not known
    cheapest_start: dt.datetime | None
    cost_saving: float | None
    currency: str
    finding: bool
    reason: str

    def row(self) -> dict[str, Any]:
        """Return the ``finance_windows`` row (without the period stamp)."""
        return asdict(self)


def _models_of(registry: Registry, dataset: str) -> list[Model]:
    return [
        m
        for m in registry.models
        if dataset in {m.prediction_log, m.training_data, m.labels.dataset if m.labels else None}
        or (m.reference is not None and m.reference.dataset == dataset)
    ]


def _utc(value: object) -> dt.datetime | None:
    if not isinstance(value, dt.datetime):
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _window(
    job: dict[str, Any], currency: str, reason: str, *, finding: bool = False, **known: Any
) -> JobWindow:
    """Return the job's row: ``known`` fields set, the others None (no finding unless ``finding``)."""
    fields: dict[str, Any] = {
        "region": None,
        "ran_start": None,
        "duration_s": None,
        "allowed_end": None,
        "energy_kwh": None,
        "ran_gco2e_per_kwh": None,
        "ran_cost": None,
        "low_carbon_start": None,
        "low_carbon_gco2e_per_kwh": None,
        "co2e_saving_kg": None,
        "cheapest_start": None,
        "cost_saving": None,
    }
    fields.update(known)
    return JobWindow(
        job_kind=job["job_kind"],
        job=job["job"],
        job_date=job["job_date"],
        job_run_id=job["run_id"],
        currency=currency,
        finding=finding,
        reason=reason,
        **fields,
    )


def _judge(
    job: dict[str, Any],
    models: list[Model],
    profile: HourlyProfile | None,
    batch_power_kw: float | None,
    currency: str,
) -> JobWindow:
    measured = None
    if job["cloud_provider"] and job["cloud_region"]:
        measured = f"{str(job['cloud_provider']).lower()}:{job['cloud_region']}"
    windows = [(m.name, m.retraining.guards.preferred_window) for m in models]
    declared = [(name, w) for name, w in windows if w is not None]
    if not declared:
        names = ", ".join(m.name for m in models) or "no model"
        return _window(
            job, currency, f"no retraining.guards.preferred_window declared ({names}): no allowed window",
            region=measured,
        )  # fmt: skip
    # The strictest declaration wins: the shortest deferral a model reading the data accepts.
    owner, window = min(declared, key=lambda d: d[1].deadline_hours)
    region = measured or window.training_region
    if profile is None:
        return _window(
            job, currency, "no finance.hourly_profile in the registry: hours not known", region=region
        )
    ended = _utc(job["ended_at"])
    started = _utc(job["started_at"])
    duration = None if job["duration_s"] is None else float(job["duration_s"])
    if started is None and ended is not None and duration is not None:
        started = ended - dt.timedelta(seconds=duration)
    if duration is None and started is not None and ended is not None:
        duration = (ended - started).total_seconds()
    if started is None or duration is None:
        return _window(job, currency, "the run's start or length is not recorded", region=region)
    hours = profile.hours.get(region)
    if hours is None:
        return _window(
            job, currency, f"the hourly profile has no region {region!r}: add its 24 hours to {profile.path}",
            region=region, ran_start=started, duration_s=duration,
        )  # fmt: skip
    allowed_end = started + dt.timedelta(hours=window.deadline_hours)
    energy = job["energy_kwh"]
    if energy is None and batch_power_kw is not None and job["job_kind"] != "retraining":
        energy = batch_power_kw * duration / 3600
    ran_g, ran_cost = window_totals(hours, started, duration)
    green = best_window(hours, earliest=started, latest_end=allowed_end, duration_s=duration, by=0)
    cheap = best_window(hours, earliest=started, latest_end=allowed_end, duration_s=duration, by=1)
    green_g = window_totals(hours, green, duration)[0]
    cost_saving = ran_cost - window_totals(hours, cheap, duration)[1]
    co2e_saving = None if energy is None else float(energy) * (ran_g - green_g) / 1000
    carbon_share = (ran_g - green_g) / ran_g if ran_g > 0 else 0.0
    cost_share = cost_saving / ran_cost if ran_cost > 0 else 0.0
    finding = max(carbon_share, cost_share) >= MIN_SAVING_SHARE
    if finding:
        reason = (
            f"within {owner}'s {window.deadline_hours} h deferral: starting {green:%Y-%m-%d %H:%M} UTC cuts "
            f"intensity {ran_g:.0f} -> {green_g:.0f} g/kWh ({carbon_share:.0%}), starting "
            f"{cheap:%Y-%m-%d %H:%M} UTC saves {cost_share:.0%} of its price"
        )
        if energy is None:
            reason += "; no energy measured, so no kg CO2e (set finance.batch_power_kw)"
    else:
        reason = f"already within {MIN_SAVING_SHARE:.0%} of the best window {owner}'s preferred window allows"
    return _window(
        job, currency, reason,
        finding=finding, region=region, ran_start=started, duration_s=duration, allowed_end=allowed_end,
        energy_kwh=None if energy is None else float(energy), ran_gco2e_per_kwh=ran_g, ran_cost=ran_cost,
        low_carbon_start=green, low_carbon_gco2e_per_kwh=green_g, co2e_saving_kg=co2e_saving,
        cheapest_start=cheap, cost_saving=cost_saving,
    )  # fmt: skip


def window_findings(
    warehouse: Warehouse, registry: Registry, period: Period, profile: HourlyProfile | None
) -> list[JobWindow]:
    """Return one :class:`JobWindow` per data-quality night, monitoring night and retraining run.

    Without a ``profile`` every job is recorded without a finding (the hours are not known); the jobs
    still feed :func:`region_findings`.
    """
    from steward.warehouse import read_sql

    fin = registry.finance
    names = {m.name for m in registry.models}
    out = []
    for row in warehouse.fetch(read_sql("marts/job_runs.sql"), mart_params(period)):
        job = dict(row)
        if job["job_date"] is None:  # a retraining run without a decision: its start date decides
            start = _utc(job["started_at"])
            if start is None or not period.start <= start.date() < period.end:
                continue
            job["job_date"] = start.date()
        if job["job_kind"] == "data_quality":
            models = _models_of(registry, str(job["job"]))
        else:
            models = [registry.model(str(job["job"]))] if job["job"] in names else []
        out.append(_judge(job, models, profile, fin.batch_power_kw, fin.currency))
    return out


def window_summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return one line per job kind: runs, findings, and the kg CO2e and money the findings would save.

    ``co2e_saving_kg`` is None when no finding knows its energy; ``reason`` is the most frequent reason
    of the runs without a finding (what the data cannot say).

    Examples
    --------
    >>> row = {"job_kind": "monitoring", "co2e_saving_kg": None, "reason": "r"}
    >>> rows = [row | {"finding": True, "cost_saving": 1.5}, row | {"finding": False, "cost_saving": 0.0}]
    >>> window_summary(rows)[0]["findings"], window_summary(rows)[0]["cost_saving"]
    (1, 1.5)
    """
    out = []
    for kind in ("data_quality", "monitoring", "retraining"):
        mine = [r for r in rows if r["job_kind"] == kind]
        if not mine:
            continue
        found = [r for r in mine if r["finding"]]
        kg = [float(r["co2e_saving_kg"]) for r in found if r["co2e_saving_kg"] is not None]
        reasons = [str(r["reason"]) for r in mine if not r["finding"]]
        common = max(sorted(set(reasons)), key=reasons.count) if reasons else ""
        out.append(
            {
                "job_kind": kind,
                "runs": len(mine),
                "findings": len(found),
                "co2e_saving_kg": sum(kg) if kg else None,
                "cost_saving": sum(float(r["cost_saving"] or 0) for r in found),
                "reason": common,
            }
        )
    return out
