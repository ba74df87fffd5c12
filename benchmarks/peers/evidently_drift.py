"""Evidently's DataDriftPreset on a reference and a current Parquet file set (run in Evidently's own venv).

Usage: ``python evidently_drift.py SPEC.json`` where the JSON file holds ``reference`` and ``current``
(lists of Parquet files), ``numerical`` and ``categorical`` (column names). Both sets are read with
pyarrow into pandas (not timed), a 1,000-row report warms the interpreter up (not timed), then
``Report([DataDriftPreset()]).run(current, reference)`` is timed (with building its two Datasets).
Prints one JSON line: ``seconds`` (the run), ``read_seconds``, ``peak_rss_mib`` (this process),
``drifted_columns``, ``share`` and ``methods`` (the drift method Evidently chose per column type).

Only the standard library, pyarrow, pandas and evidently are imported: this script runs in
``.bench/evidently-venv`` (Evidently 0.7 needs pandas < 3), never in Steward's venv.
"""

from __future__ import annotations

import json
import re
import resource
import sys
import time
from pathlib import Path
from typing import Any


def _read(files: list[str], columns: list[str]) -> Any:
    import pyarrow as pa
    import pyarrow.parquet as pq

    return pa.concat_tables([pq.read_table(f, columns=columns) for f in files]).to_pandas()


def _summary(snapshot: Any) -> dict[str, Any]:
    """Drifted-column count and share from the snapshot's dict (best effort: the layout varies by version)."""
    out: dict[str, Any] = {}
    try:
        data = snapshot.dict()
    except Exception as exc:  # only the summary is lost, the timing stands
        return {"summary_error": repr(exc)}
    methods: dict[str, int] = {}
    for metric in data.get("metrics", []):
        name = str(metric.get("metric_id") or metric.get("metric_name") or "")
        value = metric.get("value")
        if name.startswith("DriftedColumnsCount") and isinstance(value, dict):
            out["drifted_columns"] = value.get("count")
            out["share"] = value.get("share")
        elif name.startswith("ValueDrift"):
            found = re.search(r"method=(.*?)(?:,\s*\w+=|\)$)", name)
            method = found.group(1) if found else "?"
            methods[method] = methods.get(method, 0) + 1
    out["methods"] = methods
    return out


def main() -> int:
    spec = json.loads(Path(sys.argv[1]).read_text())
    numerical, categorical = list(spec["numerical"]), list(spec["categorical"])
    columns = numerical + categorical

    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    started = time.perf_counter()
    reference = _read(spec["reference"], columns)
    current = _read(spec["current"], columns)
    read_seconds = time.perf_counter() - started

    definition = DataDefinition(numerical_columns=numerical, categorical_columns=categorical)
    # warm-up on 1,000 rows (imports, lazy setup), as our side is timed in a warm interpreter
    warm = reference.head(1000)
    Report([DataDriftPreset()]).run(
        Dataset.from_pandas(current.head(1000), data_definition=definition),
        Dataset.from_pandas(warm, data_definition=definition),
    )
    started = time.perf_counter()
    report = Report([DataDriftPreset()])
    snapshot = report.run(
        Dataset.from_pandas(current, data_definition=definition),
        Dataset.from_pandas(reference, data_definition=definition),
    )
    seconds = time.perf_counter() - started
    result = {
        "seconds": seconds,
        "read_seconds": read_seconds,
        "rows_reference": len(reference),
        "rows_current": len(current),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **_summary(snapshot),
    }
    print("RESULT " + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
