"""The FOCUS export of the demo's AWS and GCP billing passes the FinOps Foundation's focus-validator
2.2.1 (FOCUS 1.2, offline, in its own Python 3.12 venv) but for the rules listed as known validator
defects in include/focus/known_validator_defects.yaml (one rule the validator fails on any dataset)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from pydantic import TypeAdapter

from steward.costs import export_focus, ingest
from steward.costs._validator import judge_focus_result, load_known_defects, run_focus_validator
from steward.demo._billing import aws_lines, gcp_lines
from steward.registry._cost_sources import CostSource
from steward.warehouse import connect


@pytest.mark.integration
@pytest.mark.slow
def test_demo_export_passes_focus_validator(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    for offset in range(40):  # Oct 20 .. Nov 28: two billing periods
        day = dt.date(2026, 10, 20) + dt.timedelta(days=offset)
        for name, lines in (("billing_aws", aws_lines), ("billing_gcp", gcp_lines)):
            out = tmp_path / "lake" / name / f"date={day}" / "part.parquet"
            out.parent.mkdir(parents=True)
            pq.write_table(lines(rng, day), out)
    periods = [dt.date(2026, 10, 1), dt.date(2026, 11, 1)]
    with connect(f"duckdb:///{tmp_path / 'wh.duckdb'}") as wh:
        wh.migrate()
        for name, fmt, folder in (
            ("aws_demo", "aws_cur2", "billing_aws"),
            ("gcp_demo", "gcp_billing_export", "billing_gcp"),
        ):
            src = TypeAdapter(CostSource).validate_python(
                {
                    "name": name,
                    "kind": "local_files",
                    "format": fmt,
                    "path": str(tmp_path / "lake" / folder / "date={date}" / "*.parquet"),
                }
            )
            assert ingest(src, warehouse=wh, billing_periods=periods, run_id="validator").rows > 0
        export = export_focus(wh, tmp_path / "focus_demo.parquet")

    result = run_focus_validator(export)

    assert judge_focus_result(result, load_known_defects()).ok, result.output[-4000:]
    assert result.passed >= 130 and result.total == result.passed + result.failed + result.skipped
