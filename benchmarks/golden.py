"""Golden comparison: the demo's warehouse before and after a change, table by table.

A refactoring must not change what Steward writes. This tool checks out two git refs as
worktrees under a temporary folder, runs ``steward demo --days N`` for each with that worktree's
code (``PYTHONPATH=<worktree>/plugins`` ahead of the editable install of this checkout), one after the
other in the same ``STEWARD_HOME`` path over copies of one demo lake (see :func:`run_side`), then
compares every table of the two DuckDB warehouses row by row.

Left out of the comparison, because they differ from run to run by design:

- columns named like run ids, timestamps and durations (:data:`IGNORED_COLUMN`), and columns
  whose type is a timestamp, a time or an interval;
- the two ``STEWARD_HOME`` folders, the two worktrees and Airflow's run ids (named by the time the
  scheduler created the run) inside text (replaced by placeholders);
- columns computed from when the demo's tasks ran and for how long (:data:`WALL_CLOCK_COLUMNS`).

Floats compare at a relative tolerance of 1e-9. The output is one line per table and a few example
rows of each difference; the exit code is 1 when any table differs, 2 on a usage error.

Usage (from the checkout, with its .venv)::

    .venv/bin/python -m benchmarks.golden --before fa4f81b --after HEAD --days 3
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Column names left out: run ids, timestamps and durations (and names derived from them).
IGNORED_COLUMN = re.compile(
    r"(^|_)(run_id|run_ids|dag_run_id|at|ts|time|timestamp|duration|duration_s|duration_ms|"
    r"seconds|elapsed_s|started|finished)$|_at_|^(created|updated|loaded|recorded|started|finished)",
    re.IGNORECASE,
)
#: Airflow's run ids inside text (``asset_triggered__2026-11-30T08:14:59.544102+00:00_KH3gM85x``):
#: the scheduler names a run by the time it created it, plus a random suffix.
AIRFLOW_RUN_ID = re.compile(
    r"\b(?:manual|scheduled|backfill|asset_triggered|dataset_triggered)__"
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:\+00:00)?(?:_[A-Za-z0-9]{8})?"
)
#: Columns computed from when the demo's tasks really ran and for how long, per table: a job's
#: measured energy (batch power x duration) and the intensity, price and best window of the hours
#: it ran in (finance_windows, "when could this job have run").
WALL_CLOCK_COLUMNS: dict[str, frozenset[str]] = {
    "finance_windows": frozenset(
        {
            "energy_kwh",
            "ran_gco2e_per_kwh",
            "ran_cost",
            "low_carbon_gco2e_per_kwh",
            "co2e_saving_kg",
            "cost_saving",
            "finding",
            "reason",
        }
    ),
}
#: Column types left out (DuckDB type names, upper case, by prefix).
IGNORED_TYPES = ("TIMESTAMP", "TIME", "INTERVAL")
#: Relative tolerance for floats.
REL_TOL = 1e-9
#: Settings of the caller's shell that must not reach the demo runs.
_CLEARED_ENV = (
    "STEWARD_PROJECT_DIR",
    "STEWARD_HOME",
    "STEWARD_REGISTRY",
    "STEWARD_EXPECTATIONS",
    "STEWARD_WAREHOUSE_URL",
    "AIRFLOW_CONN_STEWARD_WAREHOUSE",
    "AIRFLOW_HOME",
    "PYTHONPATH",
)


@dataclass(frozen=True)
class Side:
    """One side of the comparison: its warehouse file and the paths to hide inside text."""

    warehouse: Path
    paths: tuple[tuple[str, str], ...] = ()  # (path, placeholder), longest first


@dataclass
class TableDiff:
    """What differs in one table (empty lists and zero counts when the table is the same)."""

    table: str
    rows_before: int = 0
    rows_after: int = 0
    only_before: list[tuple[Any, ...]] = field(default_factory=list)
    only_after: list[tuple[Any, ...]] = field(default_factory=list)
    missing: str | None = None  # "before" or "after" when the table exists on one side only
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    compared: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        """Whether the table's compared content is the same on both sides."""
        return not (
            self.only_before or self.only_after or self.missing or self.columns_added or self.columns_removed
        )

    def summary(self, *, examples: int = 3) -> list[str]:
        """Return the lines that describe this table's difference (one line when the same)."""
        if self.missing:
            return [f"DIFF {self.table}: only {'after' if self.missing == 'before' else 'before'}"]
        head = f"{self.table}: {self.rows_before} rows before, {self.rows_after} after"
        if self.same:
            return [f"same {head} ({len(self.ignored)} columns ignored)"]
        lines = [f"DIFF {head}: {len(self.only_before)} rows only before, {len(self.only_after)} only after"]
        if self.columns_added or self.columns_removed:
            lines.append(f"    columns added {self.columns_added}, removed {self.columns_removed}")
        lines.append(f"    compared columns: {', '.join(self.compared)}")
        lines += [f"    - {_short(r)}" for r in self.only_before[:examples]]
        lines += [f"    + {_short(r)}" for r in self.only_after[:examples]]
        return lines


def _short(row: tuple[Any, ...], width: int = 300) -> str:
    text = repr(row)
    return text if len(text) <= width else text[: width - 1] + "…"


def ignored_column(name: str, type_name: str) -> bool:
    """Whether a column is left out of the comparison (a run id, a timestamp, a duration).

    FOCUS-style names in CamelCase count as their snake_case (``x_PipelineRunId``: ``x_pipeline_run_id``).
    """
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
    return bool(IGNORED_COLUMN.search(snake)) or type_name.upper().startswith(IGNORED_TYPES)


def _columns(con: Any, table: str) -> dict[str, str]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'main' and table_name = ? order by ordinal_position",
        [table],
    ).fetchall()
    return {name: str(type_name) for name, type_name in rows}


def _tables(con: Any) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_schema = 'main' and table_type = 'BASE TABLE' order by table_name"
    ).fetchall()
    return [r[0] for r in rows]


def _normalize(value: Any, paths: tuple[tuple[str, str], ...]) -> Any:
    if isinstance(value, str):
        for path, placeholder in paths:
            value = value.replace(path, placeholder)
        return AIRFLOW_RUN_ID.sub("$AIRFLOW_RUN_ID", value)
    if isinstance(value, list | tuple):
        return tuple(_normalize(v, paths) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _normalize(v, paths)) for k, v in value.items()))
    return value


def _sort_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    # floats rounded for ordering only (the tolerance is applied when rows are compared)
    return tuple(
        (0, "") if v is None else (1, f"{v:.6e}") if isinstance(v, float) else (2, repr(v)) for v in row
    )


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=0.0)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _diff_rows(
    before: list[tuple[Any, ...]], after: list[tuple[Any, ...]]
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Return (rows only before, rows only after): an exact multiset difference, then float tolerance."""
    cb, ca = Counter(before), Counter(after)
    only_b = sorted((cb - ca).elements(), key=_sort_key)
    only_a = sorted((ca - cb).elements(), key=_sort_key)
    unmatched: list[tuple[Any, ...]] = []
    for row in only_b:  # pair what differs only in the last digits of floats
        match = next((i for i, other in enumerate(only_a) if _close(row, other)), None)
        if match is None:
            unmatched.append(row)
        else:
            only_a.pop(match)
    return unmatched, only_a


def compare_warehouses(before: Side, after: Side) -> list[TableDiff]:
    """Compare every table of two DuckDB warehouse files; return one :class:`TableDiff` per table."""
    import duckdb

    with (
        duckdb.connect(str(before.warehouse), read_only=True) as cb,
        duckdb.connect(str(after.warehouse), read_only=True) as ca,
    ):
        tb, ta = _tables(cb), _tables(ca)
        diffs = [TableDiff(t, missing="after") for t in tb if t not in ta]
        diffs += [TableDiff(t, missing="before") for t in ta if t not in tb]
        for table in sorted(set(tb) & set(ta)):
            cols_b, cols_a = _columns(cb, table), _columns(ca, table)
            diff = TableDiff(
                table,
                columns_added=[c for c in cols_a if c not in cols_b],
                columns_removed=[c for c in cols_b if c not in cols_a],
            )
            shared = [c for c in cols_b if c in cols_a]
            wall_clock = WALL_CLOCK_COLUMNS.get(table, frozenset())
            diff.ignored = [
                c
                for c in shared
                if c in wall_clock or ignored_column(c, cols_b[c]) or ignored_column(c, cols_a[c])
            ]
            diff.compared = [c for c in shared if c not in diff.ignored]
            select = ", ".join(f'"{c}"' for c in diff.compared) or "1"
            rows_b = [
                _normalize(r, before.paths) for r in cb.execute(f'select {select} from "{table}"').fetchall()
            ]
            rows_a = [
                _normalize(r, after.paths) for r in ca.execute(f'select {select} from "{table}"').fetchall()
            ]
            diff.rows_before, diff.rows_after = len(rows_b), len(rows_a)
            diff.only_before, diff.only_after = _diff_rows(rows_b, rows_a)
            diffs.append(diff)
    return sorted(diffs, key=lambda d: d.table)


# ---------------------------------------------------------------- running the demo per ref
def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def _environment(worktree: Path, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED_ENV}
    env["PYTHONPATH"] = str(worktree / "plugins")
    env["STEWARD_HOME"] = str(home)
    return env


def _side_paths(home: Path, worktree: Path, repo: Path) -> tuple[tuple[str, str], ...]:
    paths = {str(home.resolve()): "$STEWARD_HOME", str(worktree.resolve()): "$PROJECT", str(repo): "$PROJECT"}
    return tuple(sorted(paths.items(), key=lambda p: -len(p[0])))


def run_side(
    name: str, ref: str, *, repo: Path, workdir: Path, days: int, rows_per_day: int, reuse: bool = False
) -> Side:
    """Check out ``ref`` as a worktree, run the demo with its code, return its warehouse.

    Every side runs in the same ``STEWARD_HOME`` path (``<workdir>/home``, moved to ``<name>-home``
    afterwards) over a copy of one lake (:func:`seed_lake`, file times kept): reference profiles,
    their ids and the control charts' seeded null distributions are fingerprints of the lake's paths
    and modification times, so two fresh lakes would differ without any change of code.
    With ``reuse``, a side already run for the same commit and days in ``workdir`` is not run again.
    """
    worktree, kept, home = workdir / name, workdir / f"{name}-home", workdir / "home"
    done_file = kept / "golden.done"
    stamp = f"{_git('rev-parse', ref, cwd=repo)} days={days} rows={rows_per_day}"
    if reuse and done_file.is_file() and done_file.read_text() == stamp:
        print(f"{name}: {ref} reused from {kept}", flush=True)
        return Side(kept / "warehouse.duckdb", _side_paths(home, worktree, repo))
    for folder in (home, kept):
        if folder.exists():
            shutil.rmtree(folder)
    if worktree.exists():
        _git("worktree", "remove", "--force", str(worktree), cwd=repo)
    _git("worktree", "add", "--detach", str(worktree), ref, cwd=repo)
    home.mkdir()
    env = _environment(worktree, home)
    seed_lake(workdir, env=env, cwd=worktree, rows_per_day=rows_per_day)
    shutil.copytree(workdir / "lake-seed", home / "lake", copy_function=shutil.copy2)
    where = subprocess.run(
        [sys.executable, "-c", "import steward; print(steward.__file__)"],
        env=env, cwd=worktree, check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    if not Path(where[0]).resolve().is_relative_to(worktree.resolve()):
        raise RuntimeError(
            f"{name} ({ref}): steward imports from {where[0]}, not from the worktree {worktree}"
        )
    log = home / "demo.out"
    print(
        f"{name}: {ref} ({_git('rev-parse', '--short', ref, cwd=repo)}) in {worktree}; log {log}", flush=True
    )
    demo = ["demo", "--days", str(days), "--rows-per-day", str(rows_per_day)]
    with log.open("w") as out:
        done = subprocess.run(
            [sys.executable, "-m", "steward", *demo],
            env=env, cwd=worktree, stdout=out, stderr=subprocess.STDOUT, check=False,
        )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"{name} ({ref}): steward demo exited {done.returncode}: see {log}")
    (home / done_file.name).write_text(stamp)  # the side's home becomes ``kept`` just below
    home.rename(kept)
    return Side(kept / "warehouse.duckdb", _side_paths(home, worktree, repo))


def seed_lake(workdir: Path, *, env: dict[str, str], cwd: Path, rows_per_day: int) -> Path:
    """Generate the demo lake once (``<workdir>/lake-seed``) with the first side's code; return it.

    Both sides then read copies of the same files, so a change to the demo generator itself is not
    what this comparison shows.
    """
    seed = workdir / "lake-seed"
    stamp = workdir / "lake-seed.rows"
    if stamp.is_file() and stamp.read_text() == str(rows_per_day):
        return seed
    home = workdir / "seed-home"
    shutil.rmtree(home, ignore_errors=True)
    shutil.rmtree(seed, ignore_errors=True)
    make = ["generate-demo", "--days", "14", "--rows-per-day", str(rows_per_day)]
    subprocess.run(
        [sys.executable, "-m", "steward", *make], env={**env, "STEWARD_HOME": str(home)}, cwd=cwd,
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    (home / "lake").rename(seed)
    shutil.rmtree(home)
    stamp.write_text(str(rows_per_day))
    return seed


def _default_before(repo: Path, base: str) -> str:
    return _git("merge-base", base, "HEAD", cwd=repo)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo for two refs and compare their warehouses; exit 1 on differences."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.golden",
        description="Run `steward demo` for two git refs and compare every warehouse table "
        "(run ids, timestamps, durations and local paths aside).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        epilog="example: .venv/bin/python -m benchmarks.golden --before fa4f81b --after HEAD --days 3",
    )
    parser.add_argument("--before", help="the ref before the change (default: merge-base of --base and HEAD)")
    parser.add_argument("--after", default="HEAD", help="the ref after the change")
    parser.add_argument("--base", default="main", help="the branch whose merge-base is the default --before")
    parser.add_argument("--days", type=int, default=3, help="demo nights to run on each side")
    parser.add_argument("--rows-per-day", type=int, default=2000, help="rows per day per dataset")
    parser.add_argument(
        "--workdir", type=Path, help="where worktrees and homes go (default: a new /tmp folder)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the worktrees (their homes are always kept)"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse a side already run in --workdir for the same commit and days",
    )
    parser.add_argument(
        "--only", choices=("before", "after"), help="run one side only (then compare with --reuse)"
    )
    parser.add_argument(
        "--compare", nargs=2, type=Path, metavar=("BEFORE_DB", "AFTER_DB"),
        help="compare two existing warehouse files instead of running the demo",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.compare:
        before, after = (Side(db, ((str(db.resolve().parent), "$STEWARD_HOME"),)) for db in args.compare)
    else:
        repo = Path(_git("rev-parse", "--show-toplevel", cwd=Path.cwd())).resolve()
        before_ref = args.before or _default_before(repo, args.base)
        workdir = args.workdir or Path(tempfile.mkdtemp(prefix="steward-golden-"))
        workdir.mkdir(parents=True, exist_ok=True)
        sides = {"before": before_ref, "after": args.after}
        if args.only:
            sides = {args.only: sides[args.only]}
        try:
            ran = [
                run_side(
                    n,
                    ref,
                    repo=repo,
                    workdir=workdir,
                    days=args.days,
                    rows_per_day=args.rows_per_day,
                    reuse=args.reuse,
                )
                for n, ref in sides.items()
            ]
        finally:
            if not args.keep:
                for n in sides:
                    if (workdir / n).exists():
                        _git("worktree", "remove", "--force", str(workdir / n), cwd=repo)
        if args.only:
            print(f"{args.only} ready in {workdir}: compare with --workdir {workdir} --reuse")
            return 0
        before, after = ran
    diffs = compare_warehouses(before, after)
    for d in diffs:
        print("\n".join(d.summary()))
    differing = [d.table for d in diffs if not d.same]
    print(
        f"{len(diffs)} tables, {len(differing)} differ" + (f": {', '.join(differing)}" if differing else "")
    )
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
