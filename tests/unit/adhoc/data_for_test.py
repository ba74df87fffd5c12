"""Deterministic public-style files for the one-off audits: an adult-income-like table in several shapes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

COLUMNS = ["age", "sex", "race", "risk_decile", "income"]


def adult(n: int = 3000, seed: int = 0) -> dict[str, np.ndarray]:
    """Rows like UCI Adult with a risk decile 1..10 that favours men by about one decile."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["Male", "Female"], n, p=[0.6, 0.4])
    race = rng.choice(["White", "Black", "Asian"], n, p=[0.7, 0.2, 0.1])
    age = rng.integers(18, 80, n)
    decile = np.clip((rng.normal(5, 2.5, n) + (sex == "Male") * 1.0).round(), 1, 10).astype(int)
    income = np.where(rng.random(n) < decile / 12, ">50K", "<=50K")
    return {"age": age, "sex": sex, "race": race, "risk_decile": decile, "income": income}


def write_adult_data(path: Path, rows: dict[str, np.ndarray]) -> Path:
    """Write as UCI's ``adult.data``: comma plus space, no header row."""
    n = len(rows["age"])
    lines = [", ".join(str(rows[c][i]) for c in COLUMNS) for i in range(n)]
    path.write_text("\n".join(lines) + "\n")
    return path


def write_delimited(
    path: Path, rows: dict[str, object], *, delimiter: str = ",", header: bool = True
) -> Path:
    """Write columns as delimited text (any delimiter, with or without a header)."""
    names = list(rows)
    n = len(rows[names[0]])  # type: ignore[arg-type]
    lines = [delimiter.join(names)] if header else []
    lines += [delimiter.join(str(rows[c][i]) for c in names) for i in range(n)]  # type: ignore[index]
    path.write_text("\n".join(lines) + "\n")
    return path
