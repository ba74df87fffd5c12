"""codecarbon around a real scikit-learn fit: offline, quiet, no files, checked against its bundled data."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import codecarbon
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from steward.carbon import track_training, training_tracker, write_training_run
from steward.registry._carbon import CarbonConfig, TrainingLocation

_DATA = Path(codecarbon.__file__).parent / "data" / "private_infra"
_KG_PER_LB = 0.45359237


def _virginia_kg_per_kwh() -> float:
    """EPA eGRID rate codecarbon ships for Virginia, read straight from its JSON (lbs/MWh -> kg/kWh)."""
    data = json.loads((_DATA / "2023" / "usa_emissions.json").read_text())
    assert data["_unit"]["emissions"] == "lbs/MWh"
    return data["virginia"]["emissions"] * _KG_PER_LB / 1000.0


def _germany_kg_per_kwh() -> float:
    """Germany's carbon intensity (g/kWh) from codecarbon's global_energy_mix.json."""
    return json.loads((_DATA / "global_energy_mix.json").read_text())["DEU"]["carbon_intensity"] / 1000.0


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty cwd with an empty HOME, to prove codecarbon writes nothing there."""
    home = tmp_path / "home"
    home.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    return tmp_path


@pytest.fixture(scope="module")
def data():
    return make_classification(n_samples=4000, n_features=30, random_state=0)


def _fit(X, y, repeats: int = 8, min_seconds: float = 0.6):
    """Fit at least ``repeats`` times and for at least ``min_seconds``, whatever the machine's speed."""
    import time

    model, started, done = None, time.monotonic(), 0
    while done < repeats or time.monotonic() - started < min_seconds:
        model = LogisticRegression(max_iter=400).fit(X, y)
        done += 1
    return model


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_real_fit_is_measured_offline_without_files(isolated: Path, data) -> None:
    X, y = data
    config = CarbonConfig(training=TrainingLocation(country_iso_code="USA", region="virginia", pue=1.0))
    model, e = track_training(_fit, X, y, model="credit_risk", run_id="run-1", config=config)

    assert model.score(X, y) > 0.5
    assert _files(isolated) == [], "no emissions.csv, .codecarbon.config or lock file in cwd or HOME"
    assert e.status == "succeeded"
    assert (e.model, e.run_id, e.country_iso_code, e.region) == ("credit_risk", "run-1", "USA", "virginia")
    assert e.started_at < e.ended_at
    assert e.duration_s == pytest.approx((e.ended_at - e.started_at).total_seconds(), abs=0.5)
    assert e.duration_s > 0.2
    # total energy is the sum of the parts
    assert e.energy_kwh == pytest.approx(e.cpu_energy_kwh + e.gpu_energy_kwh + e.ram_energy_kwh, rel=1e-12)
    assert e.energy_kwh > 0
    # energy = power x time: RAM power is constant per machine, and codecarbon integrates it over its
    # sampling intervals, which lie inside the run (under CPU contention they can cover only part of
    # it). The bounds catch unit slips (W vs kW, s vs h: factors of 1000 or 3600).
    ram_bound = e.ram_power_w * e.duration_s / 3_600_000
    assert 0.25 * ram_bound < e.ram_energy_kwh <= ram_bound * 1.001
    # emissions = energy x Virginia's eGRID rate, as shipped in codecarbon's data
    assert e.co2e_kg == pytest.approx(e.energy_kwh * _virginia_kg_per_kwh(), rel=1e-9)
    assert e.grid_gco2e_per_kwh == pytest.approx(_virginia_kg_per_kwh() * 1000, rel=1e-9)
    # no NVIDIA GPU on this machine: no GPU energy, utilization unknown (NULL), not 0
    if e.gpu_count == 0:
        assert e.gpu_energy_kwh == 0 and e.gpu_utilization_pct is None
    assert e.cpu_model and e.hardware.startswith(f"{e.cpu_count} x ")


def test_country_and_pue_come_from_the_registry(isolated: Path, data) -> None:
    X, y = data
    base = CarbonConfig(training=TrainingLocation(country_iso_code="DEU", pue=1.0))
    doubled = CarbonConfig(training=TrainingLocation(country_iso_code="DEU", pue=2.0))
    _, e1 = track_training(_fit, X, y, 2, model="m", run_id="a", config=base)
    _, e2 = track_training(_fit, X, y, 2, model="m", run_id="b", config=doubled)
    assert e1.country_name == "Germany" and e1.region is None
    assert e1.co2e_kg == pytest.approx(e1.energy_kwh * _germany_kg_per_kwh(), rel=1e-9)
    # PUE multiplies power: RAM power (fixed per machine) doubles exactly
    assert (e1.pue, e2.pue) == (1.0, 2.0)
    assert e2.ram_power_w == pytest.approx(2 * e1.ram_power_w, rel=1e-12)
    assert _files(isolated) == []


def test_failed_run_is_recorded_and_the_error_raised(warehouse, isolated: Path) -> None:
    config = CarbonConfig()

    def broken() -> None:
        raise RuntimeError("out of memory")

    with pytest.raises(RuntimeError, match="out of memory"):
        track_training(broken, model="lead_scoring", run_id="r-fail", config=config, warehouse=warehouse)
    rows = warehouse.fetch("select status, error_message, energy_kwh from carbon_training_runs")
    assert rows == [
        {
            "status": "failed",
            "error_message": "RuntimeError: out of memory",
            "energy_kwh": rows[0]["energy_kwh"],
        }
    ]


def test_run_row_round_trips_and_a_rerun_replaces_it(warehouse, isolated: Path, data) -> None:
    X, y = data
    config = CarbonConfig(training=TrainingLocation(country_iso_code="USA", region="virginia"))
    with training_tracker(model="credit_risk", run_id="r-7", config=config, warehouse=warehouse) as run:
        _fit(X, y, 2)
    assert run.emissions is not None
    write_training_run(warehouse, run.emissions)  # the same run written again: still one row
    rows = warehouse.fetch("select * from carbon_training_runs")
    assert len(rows) == 1
    row = rows[0]
    assert row["run_id"] == "r-7" and row["model"] == "credit_risk" and row["status"] == "succeeded"
    assert row["co2e_kg"] == pytest.approx(run.emissions.co2e_kg)
    assert row["energy_kwh"] == pytest.approx(run.emissions.energy_kwh)
    assert row["gpu_utilization_pct"] is None or run.emissions.gpu_count > 0
    started = row["started_at"]
    assert isinstance(started, dt.datetime)
    assert started.astimezone(dt.UTC) == run.emissions.started_at.replace(microsecond=started.microsecond)


def test_unknown_country_is_refused_with_the_registry_key(isolated: Path) -> None:
    config = CarbonConfig(training=TrainingLocation(country_iso_code="XXX"))
    with pytest.raises(ValueError, match=r"costs\.carbon\.training\.country_iso_code 'XXX'"):
        track_training(lambda: None, model="m", run_id="r", config=config)
