"""A user's own model: a registry pointing at their Parquet files, results in Postgres or DuckDB, bad input.

Also the CLI's one-off comparison of a reference file and a current file with no date partitions.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from steward.cli import main
from steward.monitoring import monitor_window
from steward.registry import load_registry
from steward.warehouse import connect
from tests.unit.monitoring.data_for_test import FEATURES, sample, write

D1, D2, D3, D4 = (dt.date(2026, 11, 20) + dt.timedelta(days=i) for i in range(4))


def _labels(table: pa.Table, share: float, seed: int) -> pa.Table:
    rng = np.random.default_rng(seed)
    score = table.column("score").to_numpy()
    keep = rng.random(len(score)) < share
    label = (rng.random(len(score)) < score).astype(np.int64)
    return pa.table({"id": table.column("id").filter(pa.array(keep)), "label": label[keep]})


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    root = tmp_path / "lake"
    write(sample(5_000, seed=1), root / "reference" / "part-0.parquet")
    d1 = sample(1_000, seed=2)
    write(d1, root / "preds" / f"date={D1}" / "part-0.parquet")
    write(
        sample(1_000, seed=3, null_share=1.0, new_category_share=0.2),
        root / "preds" / f"date={D2}" / "part-0.parquet",
    )
    write(sample(800, seed=4).drop_columns(["tenure"]), root / "preds" / f"date={D3}" / "part-0.parquet")
    write(sample(1, seed=5), root / "preds" / f"date={D4}" / "part-0.parquet")
    # labels arrive by day: 70% of D1's rows land on D3, nothing else yet
    write(_labels(d1, 0.7, seed=6), root / "labels" / f"date={D3}" / "part-0.parquet")
    registry = tmp_path / "governance.yaml"
    registry.write_text(
        textwrap.dedent(
            f"""
            version: 1
            datasets:
              - name: my_reference
                cadence: snapshot
                owner: me@example.com
                source: {{path: "{root}/reference/*.parquet"}}
              - name: my_predictions
                owner: me@example.com
                source: {{path: "{root}/preds/date={{date}}/*.parquet"}}
              - name: my_labels
                owner: me@example.com
                source: {{path: "{root}/labels/date={{date}}/*.parquet"}}
            models:
              - name: my_model
                owner: me@example.com
                business_unit: lending
                risk_tier: limited
                prediction_log: my_predictions
                labels: {{dataset: my_labels, join_key: id, label_column: label}}
                columns: {{id: id, timestamp: scored_at, score: score, prediction: predicted_label}}
                features: {FEATURES}
                reference: {{dataset: my_reference}}
                thresholds: {{decision: 0.3, min_auc: 0.6}}
                monitoring: {{min_rows: 50}}
            """
        )
    )
    return registry


def _run(registry_path: Path, url: str, day: dt.date):
    registry = load_registry(registry_path, check_suites=False)
    with connect(url) as wh:
        wh.migrate()
        out = monitor_window(
            registry.model("my_model"), day, registry=registry, warehouse=wh, run_id=f"r{day}"
        )
        rows = {
            r["feature"]: r
            for r in wh.fetch("select * from drift_metrics where window_date = :d", {"d": day})
        }
        perf = wh.fetch("select * from model_performance where metric = 'auc' order by window_date")
    return out, rows, perf


@pytest.mark.postgres
def test_own_files_with_results_in_postgres(lake: Path, pg_url: str) -> None:
    out, rows, _ = _run(lake, pg_url, D1)
    assert out.status in {"ok", "drift"} and out.rows == 1_000
    assert set(rows) == {*FEATURES, "score"}
    assert all(rows[f]["status"] == "ok" for f in ("amount", "age", "tenure", "channel", "is_member"))
    assert rows["score"]["role"] == "score" and rows["score"]["status"] == "ok"  # the reference has scores
    assert not any(r["drifted"] for r in rows.values())  # same distribution as the reference


def test_bad_windows_are_recorded_and_explained(lake: Path, tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    _, rows, _ = _run(lake, url, D2)
    assert rows["amount"]["status"] == "all_null" and "all 1000 values are null" in rows["amount"]["message"]
    assert rows["channel"]["new_category_alert"] and '"partner"' in rows["channel"]["new_categories_json"]
    assert rows["age"]["status"] == "ok"

    out, rows, _ = _run(lake, url, D3)
    assert rows["tenure"]["status"] == "missing_column"
    assert "my_predictions" in rows["tenure"]["message"] and "renamed or dropped" in rows["tenure"]["message"]
    assert rows["age"]["status"] == "ok"  # the other columns are still judged
    assert any(b["subject"] == "tenure" for b in out.breaches)

    _, rows, perf = _run(lake, url, D4)
    assert {r["status"] for r in rows.values()} == {"too_few_rows"}
    by_day = {p["window_date"]: p for p in perf}
    assert by_day[D1]["label_coverage"] == pytest.approx(0.7, abs=0.05)  # labels arrived on D3
    assert by_day[D4]["realized_status"] == "no_labels" and by_day[D4]["n"] == 1


def test_missing_partition_names_the_dataset_and_the_fix(lake: Path, tmp_path: Path) -> None:
    from steward.sources import SourceError

    with pytest.raises(SourceError, match=r"my_predictions.*source\.path"):
        _run(lake, f"duckdb:///{tmp_path / 'wh.duckdb'}", D4 + dt.timedelta(days=5))


def test_cli_compares_two_files_without_partitions(
    lake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STEWARD_REGISTRY", str(lake))
    ref = write(sample(3_000, seed=7), tmp_path / "files" / "train.parquet")
    cur = write(sample(2_000, seed=8, shift=0.6), tmp_path / "files" / "scored.parquet")
    url = f"duckdb:///{tmp_path / 'cli.duckdb'}"
    code = main(
        [
            "monitor",
            "files",
            "--model",
            "my_model",
            "--reference",
            str(ref),
            "--current",
            str(cur),
            "--date",
            "2026-12-01",
            "--url",
            url,
        ]
    )
    out = capsys.readouterr().out
    assert code in (0, 1), out
    assert "adhoc-my_model 2026-12-01" in out and "amount" in out and "report:" in out
    with connect(url) as wh:
        rows = {r["feature"]: r for r in wh.fetch("select feature, drifted from drift_metrics")}
    assert rows["amount"]["drifted"] is True and rows["age"]["drifted"] is False
