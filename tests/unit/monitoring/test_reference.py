"""Stored reference profiles: a changed files fingerprint replaces the model's active set, never adds one."""

from __future__ import annotations

import os
from pathlib import Path

from steward.monitoring import Relation, files_relation, scan_engine
from steward.monitoring._reference import load_or_build
from steward.warehouse import Warehouse
from tests.unit.monitoring.data_for_test import FEATURES, model, sample, write


def _active(warehouse: Warehouse) -> dict[str, set[str]]:
    rows = warehouse.fetch(
        "select reference_id, role, retired_at from monitoring_reference_profiles where model = 'test_model'"
    )
    out: dict[str, set[str]] = {"active": set(), "retired": set()}
    for r in rows:
        out["active" if r["retired_at"] is None else "retired"].add(str(r["reference_id"]))
    assert not out["active"] & out["retired"]  # a set is retired as a whole
    return out


def test_a_changed_fingerprint_retires_the_old_set(warehouse: Warehouse, tmp_path: Path) -> None:
    engine = scan_engine(memory_limit="512MB", threads=1)
    m = model()
    path = write(sample(1_000, seed=90), tmp_path / "ref.parquet")
    score_path = write(sample(1_000, seed=91), tmp_path / "scores.parquet")

    def build(p: Path, columns: list[str], role: str) -> str:
        rel = Relation(files_relation(engine, [str(p)], "parquet"), engine, (), (str(p),))
        return load_or_build(
            m,
            rel,
            columns,
            role_of={c: role for c in columns},
            warehouse=warehouse,
            run_id="r",
            source=p.name,
        ).reference_id

    try:
        first = build(path, FEATURES, "feature")
        score = build(score_path, ["score"], "score")
        assert _active(warehouse) == {"active": {first, score}, "retired": set()}

        original, stat = path.read_bytes(), path.stat()
        write(sample(1_200, seed=92), path)  # a new training snapshot at the same path
        second = build(path, FEATURES, "feature")
        assert second != first
        # one active feature set (the new one); the score reference is another kind and stays
        assert _active(warehouse) == {"active": {second, score}, "retired": {first}}
        assert build(path, FEATURES, "feature") == second  # a rerun changes nothing
        assert _active(warehouse) == {"active": {second, score}, "retired": {first}}

        path.write_bytes(original)  # the old snapshot restored: its stored set is active again
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert build(path, FEATURES, "feature") == first
        assert _active(warehouse) == {"active": {first, score}, "retired": {second}}
    finally:
        engine.close()
