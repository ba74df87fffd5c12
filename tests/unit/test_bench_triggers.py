"""The trigger benchmark's case runs at a tiny size and reports what it decided."""

from __future__ import annotations

from benchmarks import triggers


def test_the_case_decides_every_model() -> None:
    result = triggers.evaluate_night(models=3, nights=12)
    assert isinstance(result["seconds"], float) and result["seconds"] > 0
    note = str(result["note"])
    assert note.startswith("3 models x 12 nights (1,080 chart points)")  # 3 x 12 x 10 features x 3 charts
    counts = [int(part.rsplit(" ", 1)[1]) for part in note.split("a model; ")[1].split(", ")]
    assert sum(counts) == 3
