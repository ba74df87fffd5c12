"""The review queue follows the prediction log's sensitivity: restricted logs never store example row ids
(confidential ones keep them: ids are pseudonymous keys, not values)."""

from __future__ import annotations

import json
from pathlib import Path

from steward.monitoring import Relation, files_relation, monitor_relation, scan_engine
from steward.warehouse import connect
from tests.unit.monitoring.data_for_test import DAY, model, sample, write


def _review_examples(tmp_path: Path, sensitivity: str, *, report: bool = False) -> list[list[str]]:
    engine = scan_engine(memory_limit="512MB", threads=1)
    ref_path = write(sample(3_000, seed=80), tmp_path / "ref.parquet")
    cur_path = write(sample(2_000, seed=81), tmp_path / "cur.parquet")
    try:
        with connect(f"duckdb:///{tmp_path / f'wh_{sensitivity}.duckdb'}") as wh:
            wh.migrate()
            out = monitor_relation(
                model(review={"min_rows": 20, "min_share": 0.01, "share_factor": 1.0, "examples": 3}),
                DAY,
                window=Relation(
                    files_relation(engine, [str(cur_path)], "parquet", window=DAY), engine, (DAY,), ()
                ),
                reference=Relation(files_relation(engine, [str(ref_path)], "parquet"), engine, (), ()),
                reference_source="ref.parquet",
                warehouse=wh,
                run_id="r1",
                write_report=report,
                reports_dir=tmp_path / "reports",
                sensitivity=sensitivity,
            )
            if report:
                html = Path(str(out.report_path)).read_text(encoding="utf-8")
                assert "r81-" not in html and "&lt;masked: restricted&gt;" in html
            rows = wh.fetch("select example_ids_json from review_queue order by segment_feature")
    finally:
        engine.close()
    return [json.loads(str(r["example_ids_json"])) for r in rows]


def test_restricted_logs_keep_the_count_of_examples_but_no_ids(tmp_path: Path) -> None:
    shown = _review_examples(tmp_path, "internal")
    masked = _review_examples(tmp_path, "restricted", report=True)  # the HTML report shows no id either
    assert shown and any(shown)  # the internal log has real example ids, e.g. "r81-17"
    assert all(i.startswith("r81-") for ids in shown for i in ids)
    assert [len(ids) for ids in masked] == [len(ids) for ids in shown]
    assert {i for ids in masked for i in ids} == {"<masked: restricted>"}
    assert _review_examples(tmp_path, "confidential") == shown
