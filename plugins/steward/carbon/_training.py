"""Energy and emissions of training runs, measured by codecarbon's offline tracker.

codecarbon runs offline (no network call), quietly (``CODECARBON_LOG_LEVEL=error`` before its
import) and writes no file (``output_methods=[]``, no lock file); the location and PUE come from
the registry's ``costs.carbon.training``. One :class:`TrainingEmissions` per run, written to
``carbon_training_runs`` when a warehouse is given.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from steward.registry._carbon import CarbonConfig, TrainingLocation

if TYPE_CHECKING:
    from steward.warehouse import Warehouse

__all__ = [
    "TRAINING_TABLE",
    "TrainingEmissions",
    "TrainingRun",
    "track_training",
    "training_tracker",
    "write_training_run",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

#: The warehouse table of training runs.
TRAINING_TABLE = "carbon_training_runs"


@dataclass(frozen=True)
class TrainingEmissions:
    """What one training run consumed and emitted (one ``carbon_training_runs`` row).

    Energies are kWh with the PUE applied (codecarbon multiplies power by it); ``co2e_kg`` is
    ``energy_kwh`` × the grid intensity codecarbon used (``grid_gco2e_per_kwh``).
    ``gpu_utilization_pct`` is the mean NVML utilization, ``None`` without NVIDIA GPUs.
    """

    run_id: str
    model: str
    status: Literal["succeeded", "failed"]
    error_message: str | None
    started_at: dt.datetime
    ended_at: dt.datetime
    duration_s: float
    cpu_energy_kwh: float
    gpu_energy_kwh: float
    ram_energy_kwh: float
    energy_kwh: float
    co2e_kg: float
    cpu_power_w: float
    gpu_power_w: float
    ram_power_w: float
    grid_gco2e_per_kwh: float | None
    pue: float
    country_iso_code: str | None
    country_name: str | None
    region: str | None
    cloud_provider: str | None
    cloud_region: str | None
    hardware: str
    cpu_model: str | None
    cpu_count: int | None
    gpu_model: str | None
    gpu_count: int
    gpu_utilization_pct: float | None
    ram_total_gb: float | None
    tracking_mode: str | None
    codecarbon_version: str | None
    recorded_at: dt.datetime

    def to_row(self) -> dict[str, Any]:
        """Return the ``carbon_training_runs`` row."""
        return dataclasses.asdict(self)


class TrainingRun:
    """Handle yielded by :func:`training_tracker`; ``emissions`` is set when the block ends."""

    def __init__(self, model: str, run_id: str) -> None:
        self.model = model
        self.run_id = run_id
        self.emissions: TrainingEmissions | None = None


def _check_location(location: TrainingLocation) -> None:
    """Fail early on a country codecarbon cannot resolve offline (it would only log an error)."""
    from codecarbon.input import DataSource

    mix = DataSource().get_global_energy_mix_data()
    if location.country_iso_code not in mix:
        raise ValueError(
            f"costs.carbon.training.country_iso_code {location.country_iso_code!r} (include/governance.yaml) "
            "is not in codecarbon's bundled global_energy_mix.json: use a 3-letter ISO code such as "
            "'USA', 'DEU' or 'FRA'"
        )


def _tracker(location: TrainingLocation, *, run_name: str, measure_power_secs: float) -> Any:
    os.environ.setdefault("CODECARBON_LOG_LEVEL", "error")  # before codecarbon's first import
    # codecarbon logs its configuration at INFO before applying log_level: quiet its logger first
    logging.getLogger("codecarbon").setLevel(logging.ERROR)
    from codecarbon import OfflineEmissionsTracker

    _check_location(location)
    extra: dict[str, Any] = {}
    if location.region:
        extra["region"] = location.region
    if location.cloud_provider:
        extra["cloud_provider"] = location.cloud_provider
        extra["cloud_region"] = location.cloud_region
    return OfflineEmissionsTracker(
        project_name=run_name,
        country_iso_code=location.country_iso_code,
        pue=location.pue,
        output_methods=[],  # no emissions.csv, no API, no logger output
        log_level="error",
        allow_multiple_runs=True,  # no lock file in the temp folder, no signal handlers
        measure_power_secs=measure_power_secs,
        tracking_mode="machine",
        **extra,
    )


def _emissions(
    data: Any,
    *,
    model: str,
    run_id: str,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    error: BaseException | None,
) -> TrainingEmissions:
    energy = float(data.energy_consumed or 0.0)
    co2e = float(data.emissions or 0.0)
    gpu_count = int(data.gpu_count or 0)
    cpu = (
        f"{int(data.cpu_count)} x {data.cpu_model}"
        if data.cpu_count
        else str(data.cpu_model or "unknown CPU")
    )
    hardware = cpu + (f"; {data.gpu_model}" if gpu_count and data.gpu_model else "")
    return TrainingEmissions(
        run_id=run_id,
        model=model,
        status="failed" if error is not None else "succeeded",
        error_message=f"{type(error).__name__}: {error}" if error is not None else None,
        started_at=started_at,
        ended_at=ended_at,
        duration_s=float(data.duration),
        cpu_energy_kwh=float(data.cpu_energy or 0.0),
        gpu_energy_kwh=float(data.gpu_energy or 0.0),
        ram_energy_kwh=float(data.ram_energy or 0.0),
        energy_kwh=energy,
        co2e_kg=co2e,
        cpu_power_w=float(data.cpu_power or 0.0),
        gpu_power_w=float(data.gpu_power or 0.0),
        ram_power_w=float(data.ram_power or 0.0),
        grid_gco2e_per_kwh=co2e / energy * 1000.0 if energy > 0 else None,
        pue=float(data.pue),
        country_iso_code=data.country_iso_code or None,
        country_name=data.country_name or None,
        region=data.region or None,
        cloud_provider=data.cloud_provider or None,
        cloud_region=data.cloud_region or None,
        hardware=hardware,
        cpu_model=data.cpu_model or None,
        cpu_count=int(data.cpu_count) if data.cpu_count else None,
        gpu_model=data.gpu_model or None,
        gpu_count=gpu_count,
        gpu_utilization_pct=float(data.gpu_utilization_percent) if gpu_count else None,
        ram_total_gb=float(data.ram_total_size) if data.ram_total_size else None,
        tracking_mode=data.tracking_mode or None,
        codecarbon_version=data.codecarbon_version or None,
        recorded_at=dt.datetime.now(dt.UTC),
    )


@contextmanager
def training_tracker(
    *,
    model: str,
    run_id: str,
    config: CarbonConfig,
    warehouse: Warehouse | None = None,
    measure_power_secs: float = 5.0,
) -> Iterator[TrainingRun]:
    """Measure the block's energy and emissions with codecarbon (offline, quiet, no files).

    Parameters
    ----------
    model, run_id
        The registered model and the training run's id (stored on the row).
    config
        The registry's ``costs.carbon``: ``training.country_iso_code``, ``region``, ``pue``.
    warehouse
        When given, the run's row is written to ``carbon_training_runs`` (replacing the same
        ``run_id`` × ``model``), also when the block raises (``status = 'failed'``).
    measure_power_secs
        codecarbon's sampling interval.

    Yields
    ------
    TrainingRun
        Its ``emissions`` is set after the block.

    Raises
    ------
    ValueError
        The configured country is unknown to codecarbon.

    Examples
    --------
    >>> cfg = CarbonConfig()
    >>> with training_tracker(model="credit_risk", run_id="r1", config=cfg) as run:  # doctest: +SKIP
    ...     clf.fit(X, y)
    >>> run.emissions.co2e_kg  # doctest: +SKIP
    2.1e-06
    """
    tracker = _tracker(config.training, run_name=f"{model}:{run_id}", measure_power_secs=measure_power_secs)
    run = TrainingRun(model, run_id)
    tracker.start()  # detects the hardware first (about a second), then starts the clock
    started_at = dt.datetime.now(dt.UTC)
    error: BaseException | None = None
    try:
        yield run
    except BaseException as exc:
        error = exc
        raise
    finally:
        tracker.stop()
        ended_at = dt.datetime.now(dt.UTC)
        data = tracker.final_emissions_data
        run.emissions = _emissions(
            data, model=model, run_id=run_id, started_at=started_at, ended_at=ended_at, error=error
        )
        log.info(
            "training run %s of %s: %.6f kWh, %.6f kg CO2e (%s)",
            run_id,
            model,
            run.emissions.energy_kwh,
            run.emissions.co2e_kg,
            run.emissions.status,
        )
        if warehouse is not None:
            write_training_run(warehouse, run.emissions)


def track_training(
    fn: Callable[..., T],
    *args: Any,
    model: str,
    run_id: str,
    config: CarbonConfig,
    warehouse: Warehouse | None = None,
    **kwargs: Any,
) -> tuple[T, TrainingEmissions]:
    """Call ``fn(*args, **kwargs)`` inside :func:`training_tracker` and return its result and emissions.

    ``model``, ``run_id``, ``config`` and ``warehouse`` are this function's own keywords: pass
    ``fn`` keywords of those names through :func:`functools.partial`.

    Examples
    --------
    >>> fitted, emissions = track_training(  # doctest: +SKIP
    ...     clf.fit, X, y, model="credit_risk", run_id="2026-11-26", config=registry.costs.carbon
    ... )
    >>> emissions.energy_kwh, emissions.co2e_kg  # doctest: +SKIP
    (8.2e-06, 2.0e-06)
    """
    with training_tracker(model=model, run_id=run_id, config=config, warehouse=warehouse) as run:
        result = fn(*args, **kwargs)
    assert run.emissions is not None  # set when the block ends
    return result, run.emissions


def write_training_run(warehouse: Warehouse, emissions: TrainingEmissions) -> int:
    """Write (or replace) the run's row in ``carbon_training_runs``; return the rows written (1)."""
    import pyarrow as pa

    row = emissions.to_row()
    table = pa.Table.from_pylist([row], schema=_arrow_schema())
    return warehouse.replace_partition(
        TRAINING_TABLE, {"run_id": emissions.run_id, "model": emissions.model}, table
    )


def _arrow_schema() -> Any:
    import pyarrow as pa

    kinds = {
        "str": pa.string(),
        "str | None": pa.string(),
        "float": pa.float64(),
        "float | None": pa.float64(),
        "int": pa.int32(),
        "int | None": pa.int32(),
        "dt.datetime": pa.timestamp("us", tz="UTC"),
        "Literal['succeeded', 'failed']": pa.string(),
    }
    return pa.schema([(f.name, kinds[str(f.type)]) for f in dataclasses.fields(TrainingEmissions)])
