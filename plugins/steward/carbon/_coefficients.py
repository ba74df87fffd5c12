"""The versioned Cloud Carbon Footprint coefficients (``include/carbon/ccf_coefficients_<version>.yaml``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from steward import paths
from steward._yaml import safe_load

__all__ = [
    "Coefficients",
    "CoefficientsError",
    "GpuSpec",
    "InstanceSpec",
    "ProviderCoefficients",
    "UsageRule",
    "coefficients_path",
    "load_coefficients",
]

UsageCategory = Literal["compute_instance", "compute_vcpu", "gpu", "memory", "storage", "network"]
Dimension = Literal["hours", "gb", "gb_month", "gb_hours"]
_CATEGORIES = {"compute_instance", "compute_vcpu", "gpu", "memory", "storage", "network"}
_DIMENSIONS = {"hours", "gb", "gb_month", "gb_hours"}


class CoefficientsError(ValueError):
    """The coefficient file is missing or malformed; the message names the file, the key and the fix."""


@dataclass(frozen=True)
class ProviderCoefficients:
    """One cloud's CCF constants: vCPU watts, PUE and grid factors (kg CO2e per kWh)."""

    key: str
    names: tuple[str, ...]
    min_watts_per_vcpu: float
    max_watts_per_vcpu: float
    pue: float
    grid_kg_per_kwh: dict[str, float]
    unknown_region_kg_per_kwh: float

    def grid(self, region: str | None) -> tuple[float, bool]:
        """Return ``(kg CO2e per kWh, known)`` for ``region``; unknown regions get CCF's average."""
        if region and region.lower() in self.grid_kg_per_kwh:
            return self.grid_kg_per_kwh[region.lower()], True
        return self.unknown_region_kg_per_kwh, False

    def vcpu_watts(self, utilization: float) -> float:
        """Average watts per vCPU at ``utilization`` (0..1): ``min + u × (max − min)``."""
        return self.min_watts_per_vcpu + utilization * (self.max_watts_per_vcpu - self.min_watts_per_vcpu)


@dataclass(frozen=True)
class GpuSpec:
    """Min/max watts of one GPU model, and the names it goes by in SKU descriptions."""

    name: str
    min_watts: float
    max_watts: float
    aliases: tuple[str, ...]

    def watts(self, utilization: float) -> float:
        """Average watts at ``utilization`` (0..1)."""
        return self.min_watts + utilization * (self.max_watts - self.min_watts)


@dataclass(frozen=True)
class InstanceSpec:
    """vCPUs, memory and GPUs of an instance type."""

    vcpus: int
    memory_gib: float
    gpus: int = 0
    gpu: str | None = None


@dataclass(frozen=True)
class UsageRule:
    """Maps billed usage whose text matches ``pattern`` (and whose unit is ``dimension``) to a category."""

    id: str
    pattern: re.Pattern[str]
    dimension: Dimension
    category: UsageCategory
    medium: Literal["ssd", "hdd"] | None = None
    replication: float = 1.0


@dataclass(frozen=True)
class Coefficients:
    """A full, versioned coefficient set. Get one with :func:`load_coefficients`."""

    version: str
    source: dict[str, Any]
    path: Path
    cpu_utilization: float
    memory_kwh_per_gb_hour: float
    network_kwh_per_gb: float
    storage_wh_per_tb_hour: dict[str, float]
    providers: dict[str, ProviderCoefficients]
    gpus: dict[str, GpuSpec]
    instance_types: dict[str, InstanceSpec]
    units: dict[str, tuple[Dimension, float]]
    rules: tuple[UsageRule, ...] = field(default=())

    def provider(self, name: str | None) -> ProviderCoefficients | None:
        """Return the provider whose key or FOCUS ``ProviderName`` is ``name`` (case-insensitive)."""
        if not name:
            return None
        wanted = name.strip().lower()
        for p in self.providers.values():
            if wanted == p.key or wanted in (n.lower() for n in p.names):
                return p
        return None

    def gpu_in(self, text: str) -> GpuSpec | None:
        """Return the GPU model whose alias occurs in ``text`` (longest alias first)."""
        lowered = text.lower()
        pairs = sorted(((a, g) for g in self.gpus.values() for a in g.aliases), key=lambda p: -len(p[0]))
        return next((g for a, g in pairs if a in lowered), None)


def coefficients_path(version: str) -> Path:
    """Return ``include/carbon/ccf_coefficients_<version>.yaml``."""
    return paths.include_dir() / "carbon" / f"ccf_coefficients_{version}.yaml"


def load_coefficients(version: str = "2026.11", *, path: Path | None = None) -> Coefficients:
    """Load and check a coefficient set.

    Parameters
    ----------
    version
        The version in the file name ``include/carbon/ccf_coefficients_<version>.yaml``
        (the registry's ``costs.carbon.coefficients``).
    path
        Read this file instead (tests, a team's own set).

    Returns
    -------
    Coefficients
        Grid factors converted to kg CO2e per kWh.

    Raises
    ------
    CoefficientsError
        The file is missing, its ``version`` differs from the name, or a key is missing or bad.

    Examples
    --------
    >>> c = load_coefficients("2026.11")
    >>> c.providers["aws"].pue
    1.135
    """
    file = Path(path) if path is not None else coefficients_path(version)
    return _load(file.resolve(), None if path is not None else version)


@lru_cache(maxsize=8)
def _load(file: Path, version: str | None) -> Coefficients:
    if not file.is_file():
        folder = file.parent
        known = sorted(p.name for p in folder.glob("ccf_coefficients_*.yaml")) if folder.is_dir() else []
        raise CoefficientsError(
            f"carbon coefficients file {file} does not exist"
            + (f" (available: {', '.join(known)})" if known else "")
            + ": set costs.carbon.coefficients in the registry to an available version"
        )
    try:
        raw = safe_load(file.read_text(encoding="utf-8"))
        return _parse(raw, file, version)
    except CoefficientsError:
        raise
    except (KeyError, TypeError, ValueError, re.error, yaml.YAMLError) as exc:
        raise CoefficientsError(
            f"carbon coefficients file {file}: {type(exc).__name__}: {exc}; fix the file "
            "(see the header of include/carbon/ccf_coefficients_2026.11.yaml for the layout)"
        ) from exc


def _num(d: dict[str, Any], key: str, where: str, *, minimum: float = 0.0) -> float:
    if key not in d:
        raise KeyError(f"{where}.{key} is missing")
    value = float(d[key])
    if not value >= minimum:
        raise ValueError(f"{where}.{key} = {value} must be >= {minimum}")
    return value


def _parse(raw: Any, file: Path, version: str | None) -> Coefficients:
    if not isinstance(raw, dict):
        raise CoefficientsError(f"carbon coefficients file {file} must hold a mapping")
    declared = str(raw["version"])
    if version is not None and declared != version:
        raise CoefficientsError(
            f"carbon coefficients file {file} declares version {declared!r} but is named for {version!r}: "
            "make the `version` key match the file name"
        )
    providers = {}
    for key, p in dict(raw["providers"]).items():
        where = f"providers.{key}"
        providers[key] = ProviderCoefficients(
            key=key,
            names=tuple(str(n) for n in p.get("names", [])),
            min_watts_per_vcpu=_num(p, "min_watts_per_vcpu", where),
            max_watts_per_vcpu=_num(p, "max_watts_per_vcpu", where),
            pue=_num(p, "pue", where, minimum=1.0),
            # t/kWh -> kg/kWh
            grid_kg_per_kwh={str(r).lower(): float(v) * 1000.0 for r, v in p["grid_tco2e_per_kwh"].items()},
            unknown_region_kg_per_kwh=_num(p, "unknown_region_tco2e_per_kwh", where) * 1000.0,
        )
    gpus = {
        name: GpuSpec(
            name=name,
            min_watts=_num(g, "min_watts", f"gpus.{name}"),
            max_watts=_num(g, "max_watts", f"gpus.{name}"),
            aliases=tuple(str(a).lower() for a in g.get("aliases", [name])),
        )
        for name, g in dict(raw["gpus"]).items()
    }
    instances = {}
    for name, spec in dict(raw["instance_types"]).items():
        gpu = spec.get("gpu")
        if gpu is not None and gpu not in gpus:
            raise KeyError(f"instance_types.{name}.gpu {gpu!r} is not one of gpus: {sorted(gpus)}")
        instances[str(name).lower()] = InstanceSpec(
            vcpus=int(spec["vcpus"]),
            memory_gib=float(spec.get("memory_gib", 0.0)),
            gpus=int(spec.get("gpus", 0)),
            gpu=gpu,
        )
    units: dict[str, tuple[Dimension, float]] = {}
    for unit, (dim, factor) in dict(raw["units"]).items():
        if dim not in _DIMENSIONS:
            raise ValueError(f"units.{unit}: dimension {dim!r} is not one of {sorted(_DIMENSIONS)}")
        units[str(unit).lower()] = (dim, float(factor))
    rules = []
    for i, r in enumerate(raw["usage_rules"]):
        where = f"usage_rules[{i}] ({r.get('id', '?')})"
        if r["category"] not in _CATEGORIES:
            raise ValueError(f"{where}: category {r['category']!r} is not one of {sorted(_CATEGORIES)}")
        if r["dimension"] not in _DIMENSIONS:
            raise ValueError(f"{where}: dimension {r['dimension']!r} is not one of {sorted(_DIMENSIONS)}")
        if r["category"] == "storage" and r.get("medium") not in ("ssd", "hdd"):
            raise ValueError(f"{where}: a storage rule needs medium ssd or hdd")
        pattern = re.compile(str(r["pattern"]), re.IGNORECASE)
        if r["category"] == "compute_instance" and "instance" not in pattern.groupindex:
            raise ValueError(f"{where}: a compute_instance pattern needs a named group (?P<instance>...)")
        rules.append(
            UsageRule(
                id=str(r["id"]),
                pattern=pattern,
                dimension=r["dimension"],
                category=r["category"],
                medium=r.get("medium"),
                replication=float(r.get("replication", 1.0)),
            )
        )
    utilization = _num(raw, "cpu_utilization", "")
    if utilization > 1.0:
        raise ValueError(f"cpu_utilization = {utilization} must be a fraction between 0 and 1")
    storage = {k: float(v) for k, v in dict(raw["storage_wh_per_tb_hour"]).items()}
    if set(storage) != {"ssd", "hdd"}:
        raise KeyError("storage_wh_per_tb_hour needs exactly the keys ssd and hdd")
    return Coefficients(
        version=declared,
        source=dict(raw["source"]),
        path=file,
        cpu_utilization=utilization,
        memory_kwh_per_gb_hour=_num(raw, "memory_kwh_per_gb_hour", ""),
        network_kwh_per_gb=_num(raw, "network_kwh_per_gb", ""),
        storage_wh_per_tb_hour=storage,
        providers=providers,
        gpus=gpus,
        instance_types=instances,
        units=units,
        rules=tuple(rules),
    )
