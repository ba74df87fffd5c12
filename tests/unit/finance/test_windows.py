"""Off-peak / low-carbon window findings and the training-region flag, against hand-computed fixtures.

The profile (aws:us-east-1) is 400 g/kWh and 2.00 USD per hour at every hour except 03:00-04:00 UTC
(100 g/kWh) and 05:00-06:00 UTC (1.00 USD): every expected number below follows from those two hours.
"""

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from steward.finance import (
    HourlyProfile,
    ProfileError,
    best_window,
    load_profile,
    parse_period,
    region_findings,
    window_findings,
    window_summary,
    window_totals,
)
from steward.registry import Registry
from steward.warehouse import Warehouse
from tests.unit.finance import _data

UTC = dt.UTC
NOV = parse_period("2026-11")
REGION = "aws:us-east-1"


def _hours() -> tuple[tuple[float, float], ...]:
    return tuple((100.0 if h == 3 else 400.0, 1.0 if h == 5 else 2.0) for h in range(24))


def _write_profile(path: Path, regions: tuple[str, ...] = (REGION,)) -> Path:
    lines = ["region,hour_utc,gco2e_per_kwh,price_per_hour"]
    for region in regions:
        lines += [f"{region},{h},{g},{p}" for h, (g, p) in enumerate(_hours())]
    path.write_text("\n".join(lines) + "\n")
    return path


def t(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=UTC)


# --- the profile file --------------------------------------------------------------------------------


def test_load_profile(tmp_path: Path) -> None:
    profile = load_profile(_write_profile(tmp_path / "p.csv", (REGION, "aws:eu-north-1")))
    assert sorted(profile.hours) == ["aws:eu-north-1", REGION]
    assert profile.hours[REGION][3] == (100.0, 2.0) and profile.hours[REGION][5] == (400.0, 1.0)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.replace(f"{REGION},7,400.0", f"{REGION},7,lots"), "line 9: hour_utc must be an integer"),
        (lambda s: s.replace(f"{REGION},7,", f"{REGION},6,"), "line 9: aws:us-east-1 hour 6 is given twice"),
        (lambda s: s.replace(f"{REGION},7,400.0", f"{REGION},7,-1"), "line 9: hour_utc must be 0-23"),
        (lambda s: s.replace("price_per_hour", "price"), "columns ['price_per_hour'] are missing"),
        (lambda s: "\n".join(s.splitlines()[:-1]), "region 'aws:us-east-1' lacks hours [23]"),
    ],
)
def test_bad_profile_is_one_clear_error(tmp_path: Path, edit: Any, message: str) -> None:
    path = _write_profile(tmp_path / "p.csv")
    path.write_text(edit(path.read_text()))
    with pytest.raises(ProfileError, match=r"hourly profile .*p\.csv") as err:
        load_profile(path)
    assert message in str(err.value)


def test_missing_profile_names_the_registry_key(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match=r"file not found: fix finance\.hourly_profile"):
        load_profile(tmp_path / "nope.csv")


# --- the arithmetic, against a minute-by-minute numpy reference --------------------------------------


def _minutes(hours: tuple[tuple[float, float], ...], start: dt.datetime, n: int, column: int) -> np.ndarray:
    """The profile's value for each minute from ``start`` (an independent, brute-force reading)."""
    return np.array([hours[(start + dt.timedelta(minutes=i)).hour][column] for i in range(n)])


def test_window_totals_match_minute_sums() -> None:
    start, minutes = t(2, 2, 20), 170  # 02:20-05:10: 40 min at 400, 60 at 100, 60 at 400, 10 at 400
    intensity, money = window_totals(_hours(), start, minutes * 60)
    assert intensity == pytest.approx(_minutes(_hours(), start, minutes, 0).mean())
    assert intensity == pytest.approx((40 * 400 + 60 * 100 + 70 * 400) / 170)
    assert money == pytest.approx(_minutes(_hours(), start, minutes, 1).sum() / 60)
    assert money == pytest.approx((160 * 2 + 10 * 1) / 60)


@pytest.mark.parametrize("by", [0, 1])
@pytest.mark.parametrize(("start_minute", "length", "span_h"), [(75, 50, 30), (610, 130, 20), (0, 45, 3)])
def test_best_window_is_the_brute_force_minimum(by: int, start_minute: int, length: int, span_h: int) -> None:
    rng = np.random.default_rng(start_minute + length)
    hours = tuple(
        (float(g), float(p)) for g, p in zip(rng.uniform(50, 500, 24), rng.uniform(1, 3, 24), strict=True)
    )
    earliest = t(2, 0) + dt.timedelta(minutes=start_minute)
    latest_end = earliest + dt.timedelta(hours=span_h)
    best = best_window(hours, earliest=earliest, latest_end=latest_end, duration_s=length * 60, by=by)
    span = _minutes(hours, earliest, span_h * 60, by)
    sums = np.convolve(span, np.ones(length), mode="valid")  # every whole-minute start in the span
    assert earliest <= best <= latest_end - dt.timedelta(minutes=length)
    assert window_totals(hours, best, length * 60)[by] == pytest.approx(
        sums.min() / (length if by == 0 else 60)
    )


# --- findings from the warehouse ---------------------------------------------------------------------


def _runs(wh: Warehouse) -> None:
    # monitoring of lead_scoring, window 11-02: 01:00-01:30 on 11-03 (computed_at is the end)
    # monitoring of credit_risk, window 11-02: no preferred window declared for credit_risk
    for model, end in (("lead_scoring", t(3, 1, 30)), ("credit_risk", t(3, 2, 0))):
        wh.replace_partition(
            "monitoring_runs",
            {"model": model, "window_date": dt.date(2026, 11, 2)},
            [{"status": "ok", "duration_s": 1800.0, "run_id": "night-02", "computed_at": end}],
        )
    # data quality of the raw leads (no model reads them) and of the lead_scoring log, 03:00-03:30
    for dataset, end in (("leads", t(3, 0, 30)), ("lead_scoring_predictions", t(3, 3, 30))):
        wh.replace_partition(
            "dq_runs",
            {"dataset": dataset, "partition_date": dt.date(2026, 11, 2)},
            [
                {
                    "suite": dataset,
                    "status": "passed",
                    "duration_s": 1800.0,
                    "run_id": "night-02",
                    "validated_at": end,
                }
            ],
        )
    # October's night is outside the period
    wh.replace_partition(
        "dq_runs",
        {"dataset": "lead_scoring_predictions", "partition_date": dt.date(2026, 10, 31)},
        [
            {
                "suite": "x",
                "status": "passed",
                "duration_s": 60.0,
                "run_id": "night-oct",
                "validated_at": t(1, 3),
            }
        ],
    )
    # retraining of lead_scoring fired on night 11-05, trained 03:15-04:15 on 11-06 with 3 kWh (codecarbon);
    # a second run trained in eu-north-1, which the profile does not cover
    wh.replace_partition(
        "retraining_decisions",
        {"decision_id": "d1"},
        [
            {
                "model": "lead_scoring",
                "night": dt.date(2026, 11, 5),
                "evaluated_at": t(6, 2),
                "run_id": "trigger",
                "action": "fire",
                "policy": "drift",
                "signals_json": "{}",
                "evidence_json": "{}",
                "reason": "drift",
            }
        ],
    )
    for run, start, region in (("rt-1", t(6, 3, 15), None), ("rt-2", t(20, 3, 0), "eu-north-1")):
        wh.replace_partition(
            "retraining_runs",
            {"run_id": run, "model": "lead_scoring"},
            [
                {
                    "decision_id": "d1" if run == "rt-1" else None,
                    "started_at": start - dt.timedelta(minutes=5),
                    "finished_at": start + dt.timedelta(hours=2),
                    "status": "promoted",
                    "reason": "",
                    "comparison_json": "{}",
                    "gates_json": "[]",
                }
            ],
        )
        wh.replace_partition(
            "carbon_training_runs",
            {"run_id": run, "model": "lead_scoring"},
            [
                {
                    "status": "succeeded",
                    "started_at": start,
                    "ended_at": start + dt.timedelta(hours=1),
                    "duration_s": 3600.0,
                    "energy_kwh": 3.0,
                    "cloud_provider": "aws" if region else None,
                    "cloud_region": region,
                    "recorded_at": start + dt.timedelta(hours=1),
                }
            ],
        )


def _registry(tmp_path: Path, **finance: Any) -> Registry:
    doc = _data.registry_doc(tmp_path / "lake", None, **finance)
    regions = {"lead_scoring_predictions": "aws:eu-west-1", "lead_scoring_labels": "aws:us-east-1"}
    for d in doc["datasets"]:
        if d["name"] in regions:
            d["region"] = regions[d["name"]]
    from steward.registry import parse_registry

    return parse_registry(doc, source="governance.yaml (test)")


def test_window_findings_by_hand(tmp_path: Path, warehouse: Warehouse) -> None:
    _runs(warehouse)
    reg = _registry(tmp_path, batch_power_kw=2.0)
    profile = load_profile(_write_profile(tmp_path / "p.csv"))
    jobs = {(j.job_kind, j.job, j.job_run_id): j for j in window_findings(warehouse, reg, NOV, profile)}
    assert sorted(jobs) == [
        ("data_quality", "lead_scoring_predictions", "night-02"),
        ("data_quality", "leads", "night-02"),
        ("monitoring", "credit_risk", "night-02"),
        ("monitoring", "lead_scoring", "night-02"),
        ("retraining", "lead_scoring", "rt-1"),
        ("retraining", "lead_scoring", "rt-2"),
    ]
    # monitoring 01:00-01:30 at 400 g/kWh and 2.00/h: 1 kWh (2 kW x 0.5 h) -> 0.4 kg, 1.00 USD. Within
    # lead_scoring's 36 h it could start at 03:00 (100 g/kWh: 0.1 kg) or 05:00 (1.00/h: 0.50 USD).
    mon = jobs[("monitoring", "lead_scoring", "night-02")]
    assert mon.finding and mon.region == REGION
    assert (mon.ran_start, mon.allowed_end) == (t(3, 1), t(4, 13))
    assert (mon.ran_gco2e_per_kwh, mon.low_carbon_gco2e_per_kwh) == (pytest.approx(400), pytest.approx(100))
    assert (mon.low_carbon_start, mon.cheapest_start) == (t(3, 3), t(3, 5))
    assert mon.energy_kwh == pytest.approx(1.0)
    assert mon.co2e_saving_kg == pytest.approx(0.3)
    assert (mon.ran_cost, mon.cost_saving) == (pytest.approx(1.0), pytest.approx(0.5))
    # data quality of the log ran 03:00-03:30: already the cleanest hour (saving 0 kg), but 05:00 halves
    # its price (1.00 -> 0.50): a finding on money alone
    dq = jobs[("data_quality", "lead_scoring_predictions", "night-02")]
    assert dq.finding and dq.co2e_saving_kg == pytest.approx(0.0) and dq.cost_saving == pytest.approx(0.5)
    # retraining 03:15-04:15: 45 min at 100 and 15 at 400 = 175 g/kWh; the next day's 03:00-04:00 is 100:
    # 3 kWh x 75 g = 0.225 kg. Price 2.00 -> 1.00 by starting at 05:00 the same day.
    rt = jobs[("retraining", "lead_scoring", "rt-1")]
    assert rt.job_date == dt.date(2026, 11, 5)
    assert rt.ran_gco2e_per_kwh == pytest.approx(175)
    assert (rt.low_carbon_start, rt.cheapest_start) == (t(7, 3), t(6, 5))
    assert rt.co2e_saving_kg == pytest.approx(0.225) and rt.cost_saving == pytest.approx(1.0)
    # honest "no finding" rows, each with what the data cannot say
    assert not jobs[("data_quality", "leads", "night-02")].finding
    assert (
        "no retraining.guards.preferred_window declared (no model)"
        in jobs[("data_quality", "leads", "night-02")].reason
    )
    assert "(credit_risk)" in jobs[("monitoring", "credit_risk", "night-02")].reason
    other = jobs[("retraining", "lead_scoring", "rt-2")]
    assert not other.finding and other.region == "aws:eu-north-1"
    assert "the hourly profile has no region 'aws:eu-north-1'" in other.reason
    summary = {s["job_kind"]: s for s in window_summary([j.row() for j in jobs.values()])}
    assert (summary["monitoring"]["runs"], summary["monitoring"]["findings"]) == (2, 1)
    assert summary["retraining"]["co2e_saving_kg"] == pytest.approx(0.225)
    assert summary["data_quality"]["cost_saving"] == pytest.approx(0.5)


def test_without_batch_power_no_kg_for_nightly_jobs(tmp_path: Path, warehouse: Warehouse) -> None:
    _runs(warehouse)
    profile = HourlyProfile(path="p.csv", hours={REGION: _hours()})
    jobs = window_findings(warehouse, _registry(tmp_path), NOV, profile)
    mon = next(j for j in jobs if j.job_kind == "monitoring" and j.job == "lead_scoring")
    assert mon.finding and mon.co2e_saving_kg is None and "set finance.batch_power_kw" in mon.reason
    rt = next(j for j in jobs if j.job_run_id == "rt-1")
    assert rt.co2e_saving_kg == pytest.approx(0.225)  # measured energy needs no batch power


def test_region_flag_with_transfer_cost(tmp_path: Path, warehouse: Warehouse) -> None:
    _runs(warehouse)
    reg = _registry(tmp_path)
    jobs = window_findings(warehouse, reg, NOV, None)  # no profile: the jobs still carry their region
    assert all(not j.finding for j in jobs)
    (retraining,) = [s for s in window_summary([j.row() for j in jobs]) if s["job_kind"] == "retraining"]
    assert (retraining["findings"], retraining["co2e_saving_kg"], retraining["cost_saving"]) == (0, None, 0)
    assert retraining["reason"] == "no finance.hourly_profile in the registry: hours not known"
    transfers = [
        {
            "kind": "inter_region",
            "source_region": "eu-west-1",
            "destination": "USE1",
            "effective_cost": Decimal("12.5"),
        },
        {
            "kind": "inter_region",
            "source_region": "eu-west-1",
            "destination": "USW2",
            "effective_cost": Decimal("7"),
        },
        {
            "kind": "internet",
            "source_region": "eu-west-1",
            "destination": "internet",
            "effective_cost": Decimal("3"),
        },
    ]
    flags = {f.job_run_id: f for f in region_findings(reg, jobs, transfers)}
    # rt-1 trained in us-east-1 (training_region) on the log stored in eu-west-1; labels are local
    one = flags["rt-1"]
    assert (one.training_region, one.data_region, one.datasets) == (
        REGION,
        "aws:eu-west-1",
        ["lead_scoring_predictions"],
    )
    assert one.transfer_cost == Decimal("12.5")
    assert "12.50 USD of inter-region transfer aws:eu-west-1 -> aws:us-east-1" in one.evidence
    # rt-2 trained in eu-north-1 (measured): both datasets are elsewhere; the bill names no such pair
    two = [f for f in region_findings(reg, jobs, []) if f.job_run_id == "rt-2"]
    assert [(f.data_region, f.transfer_cost) for f in two] == [("aws:eu-west-1", None), (REGION, None)]
    assert "the bill names no inter-region transfer" in two[0].evidence


def test_review_writes_both_findings(tmp_path: Path, warehouse: Warehouse) -> None:
    from steward.finance import format_roi, review

    _runs(warehouse)
    reg = _registry(tmp_path, batch_power_kw=2.0, hourly_profile=str(_write_profile(tmp_path / "p.csv")))
    r = review(warehouse, reg, NOV, run_id="r1", today=dt.date(2026, 12, 10), out_dir=tmp_path / "out")
    stored = warehouse.fetch(
        "select job_kind, job, finding, co2e_saving_kg from finance_windows where period = '2026-11' "
        "order by job_kind, job, job_run_id"
    )
    assert [(s["job_kind"], s["job"], bool(s["finding"])) for s in stored] == [
        ("data_quality", "lead_scoring_predictions", True),
        ("data_quality", "leads", False),
        ("monitoring", "credit_risk", False),
        ("monitoring", "lead_scoring", True),
        ("retraining", "lead_scoring", True),
        ("retraining", "lead_scoring", False),
    ]
    regions = warehouse.fetch(
        "select model, job_run_id, data_region from finance_training_regions order by job_run_id"
    )
    assert [(x["job_run_id"], x["data_region"]) for x in regions] == [
        ("rt-1", "aws:eu-west-1"),
        ("rt-2", "aws:eu-west-1"),
        ("rt-2", REGION),
    ]
    text = "\n".join(format_roi(r))
    assert (
        "retraining windows: 1 of 2 runs could move to cheaper or lower-carbon hours: 0.225 kg CO2e" in text
    )
    assert "training data in another region: lead_scoring run rt-1" in text
    url = "https://airflow.example/steward/finance/2026-11/review.html"  # a task passes the UI link
    assert format_roi(r, report=url)[-1] == f"  review: {url}"
    assert format_roi(r)[-1] == f"  review: {r.report_path}"
    html = (tmp_path / "out" / "review.html").read_text()
    assert "Optimization: off-peak and low-carbon windows" in html and "aws:eu-west-1" in html
    # a rerun replaces the period's rows
    review(warehouse, reg, NOV, run_id="r2", today=dt.date(2026, 12, 10))
    again = warehouse.fetch("select count(*) as n, min(run_id) as r from finance_windows")
    assert (again[0]["n"], again[0]["r"]) == (6, "r2")


def test_demo_registry_gives_both_findings(duckdb_url: str) -> None:
    """The demo's own registry and profile: a lead_scoring retraining at 17:00 UTC (the dearest hour) can move
    within its 36 h to 06:00 (cleanest) or 05:00 (cheapest), and its labels live in eu-west-1."""
    from steward import paths
    from steward.registry import load_registry
    from steward.warehouse import connect

    reg = load_registry()
    assert reg.finance.hourly_profile is not None
    profile = load_profile(paths.project_dir() / reg.finance.hourly_profile)
    with connect(duckdb_url) as wh:
        wh.migrate()
        wh.replace_partition(
            "retraining_runs",
            {"run_id": "demo-rt", "model": "lead_scoring"},
            [
                {
                    "started_at": t(12, 17),
                    "finished_at": t(12, 17, 2),
                    "status": "promoted",
                    "reason": "",
                    "comparison_json": "{}",
                    "gates_json": "[]",
                }
            ],
        )
        (job,) = window_findings(wh, reg, NOV, profile)
    hours = profile.hours[REGION]
    assert job.finding and job.low_carbon_start == t(13, 6) and job.cheapest_start == t(13, 5)
    assert job.ran_gco2e_per_kwh == pytest.approx(
        hours[17][0]
    ) and job.low_carbon_gco2e_per_kwh == pytest.approx(hours[6][0])
    assert job.cost_saving == pytest.approx((hours[17][1] - hours[5][1]) * 2 / 60)
    (flag,) = region_findings(reg, [job], [])
    assert (flag.training_region, flag.data_region, flag.datasets) == (
        REGION,
        "aws:eu-west-1",
        ["lead_scoring_labels"],
    )


def test_cli_review_with_a_bad_profile_is_one_line_and_writes_nothing(
    tmp_path: Path, duckdb_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import yaml

    from steward.cli import main
    from steward.warehouse import connect

    profile = _write_profile(tmp_path / "profile.csv")
    profile.write_text(profile.read_text().replace(f"{REGION},7,", f"{REGION},6,"))
    (tmp_path / "2026-11.yaml").write_text(_data.LEDGER_YAML)  # loaded by a review: not this one
    doc = _data.registry_doc(tmp_path / "lake", str(tmp_path / "{period}.yaml"), hourly_profile=str(profile))
    (tmp_path / "governance.yaml").write_text(yaml.safe_dump(doc))
    argv = ["finance", "review", "--period", "2026-11", "--url", duckdb_url]
    assert main([*argv, "--registry", str(tmp_path / "governance.yaml"), "--today", "2026-12-10"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"hourly profile {profile}, line 9: aws:us-east-1 hour 6 is given twice" in err
    with connect(duckdb_url) as wh:
        for table in ("finance_reviews", "finance_ledger_lines", "finance_windows"):
            assert wh.fetch(f"select count(*) as n from {table}")[0]["n"] == 0
