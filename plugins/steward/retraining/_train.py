"""Train a challenger with the model's trainer, measured by codecarbon, and store it as a version."""

from __future__ import annotations

import hashlib
import importlib
import logging
import pickle
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from steward import paths
from steward.carbon import training_tracker
from steward.registry import Model, Registry
from steward.retraining._dataset import RetrainingError

__all__ = [
    "Trained",
    "challenger_version",
    "features_frame",
    "load_artifact",
    "load_trainer",
    "predict_scores",
    "train_with_tracking",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Trained:
    """A fitted challenger and what training it cost."""

    fitted: Any
    params: dict[str, Any]
    energy_kwh: float | None
    emissions_kg: float | None
    gpu_utilization: float | None


def load_trainer(model: Model) -> tuple[str, Callable[..., Any]]:
    """Import ``retraining.trainer`` (``package.module:function``); a clear error when it cannot be."""
    path = model.retraining.trainer
    where = f"model {model.name!r} (include/governance.yaml)"
    if path is None:
        raise RetrainingError(
            f"{where}: no retraining.trainer declared; set it to a callable 'package.module:function' "
            "(e.g. steward.demo.trainers:train_lead_scoring)"
        )
    module_name, _, attr = path.partition(":")
    try:
        fn = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise RetrainingError(
            f"{where}: retraining.trainer {path!r} cannot be imported ({type(exc).__name__}: {exc}); "
            "check the module path and the function name"
        ) from exc
    if not callable(fn):
        raise RetrainingError(f"{where}: retraining.trainer {path!r} is not callable")
    return path, fn


def features_frame(model: Model, table: pa.Table) -> pd.DataFrame:
    """Return the model's registered features of ``table`` as a DataFrame (the trainer's input)."""
    return table.select(list(model.features)).to_pandas()


def predict_scores(fitted: Any, model: Model, table: pa.Table, *, what: str) -> npt.NDArray[np.float64]:
    """Scores (probability of class 1) of ``fitted`` on ``table``'s features."""
    if not hasattr(fitted, "predict_proba"):
        raise RetrainingError(
            f"model {model.name!r}: the {what} has no predict_proba (got {type(fitted).__name__})"
        )
    proba = np.asarray(fitted.predict_proba(features_frame(model, table)), dtype=float)
    return proba[:, 1] if proba.ndim == 2 else proba


def _params(fitted: Any) -> dict[str, Any]:
    getter = getattr(fitted, "get_params", None)
    if getter is None:
        return {"class": type(fitted).__name__}
    out: dict[str, Any] = {"class": type(fitted).__name__}
    for key, value in getter(deep=True).items():
        if isinstance(value, (str, int, float, bool)) or value is None:
            out[key] = value
    return out


def train_with_tracking(
    model: Model, registry: Registry, train: pa.Table, *, run_id: str
) -> tuple[str, Trained]:
    """Call the model's trainer on the training rows inside codecarbon's offline tracker.

    The mean GPU utilization is codecarbon's NVML reading (``gpu_utilization_pct``): ``None`` on a
    machine without an NVIDIA GPU.
    """
    trainer_path, trainer = load_trainer(model)
    X = features_frame(model, train)
    y = np.asarray(train.column("label").to_numpy(zero_copy_only=False), dtype=int)
    if len(set(y.tolist())) < 2:
        raise RetrainingError(
            f"model {model.name!r}: the training rows have one class only ({len(y)} rows): "
            "widen retraining.training_window_days"
        )
    try:
        with training_tracker(
            model=model.name, run_id=run_id, config=registry.costs.carbon, measure_power_secs=1.0
        ) as tracked:
            fitted = trainer(X, y)
    except RetrainingError:
        raise
    except Exception as exc:
        raise RetrainingError(
            f"model {model.name!r}: trainer {trainer_path!r} raised {type(exc).__name__}: {exc}"
        ) from exc
    em = tracked.emissions
    assert em is not None
    return trainer_path, Trained(fitted, _params(fitted), em.energy_kwh, em.co2e_kg, em.gpu_utilization_pct)


def challenger_version(model: str, night: Any, run_id: str) -> str:
    """Deterministic version of a retraining run's challenger: ``<night>-<8 hex of model+run_id>``."""
    digest = hashlib.sha256(f"{model}\x1f{run_id}".encode()).hexdigest()[:8]
    return f"{night.isoformat()}-{digest}"


def code_version() -> str | None:
    """Return the git commit of the project checkout, when there is one."""
    try:
        out = subprocess.run(  # noqa: S603 - fixed arguments, no user input
            ["git", "-C", str(paths.project_dir()), "rev-parse", "HEAD"],  # noqa: S607 - git on PATH
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def dump_artifact(fitted: Any, folder: Path) -> Path:
    """Pickle the fitted challenger into ``folder``."""
    path = folder / "model.pkl"
    with open(path, "wb") as fh:
        pickle.dump(fitted, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def load_artifact(store: Any, uri: str) -> Any:
    """Fetch and unpickle a stored model (artifacts are written by this flow: a trusted store)."""
    with tempfile.TemporaryDirectory(prefix="steward-artifact-") as tmp:
        local = store.get(uri, Path(tmp))
        with open(local, "rb") as fh:
            return pickle.load(fh)  # noqa: S301 - our own artifact store
