"""``make bench``: measure Steward and write the medians and peak memory to docs/benchmarks.md.

Each case runs in a fresh subprocess (so peak RSS is that case's own, read from
``getrusage(RUSAGE_CHILDREN)``), ``--repeat`` times; the table shows the median wall time and
the largest peak RSS. Run ``python benchmarks/run.py --help`` for options.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import cases  # noqa: E402

#: Areas with their own benchmark module (``benchmarks/<area>.py`` with ``plan(quick)`` and case
#: functions named ``<area>.<function>`` in the plan); the foundation's cases live in cases.py.
AREAS = (
    "monitoring",
    "fairness",
    "costs",
    "cost_allocation",
    "carbon",
    "alerting",
    "finance",
    "triggers",
    "quality",
)


def _plan(quick: bool, only: set[str] | None) -> list[dict]:
    import importlib

    plan = [] if only and "foundation" not in only else list(cases.plan(quick=quick))
    for area in AREAS:
        if only and area not in only:
            continue
        plan.extend(importlib.import_module(f"benchmarks.{area}").plan(quick=quick))
    return plan


def _run_case(name: str, args: dict, env: dict[str, str]) -> tuple[float, float, dict]:
    module, _, fn = name.rpartition(".")
    module = module or "cases"
    code = (
        f"import json,sys; sys.path.insert(0, {str(ROOT)!r}); from benchmarks import {module} as m; "
        f"print('RESULT ' + json.dumps(m.{fn}(**json.loads(sys.argv[1]))))"
    )
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code, json.dumps(args)], capture_output=True, text=True, env=env, check=False
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"case {name} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    result = json.loads(next(line for line in proc.stdout.splitlines() if line.startswith("RESULT "))[7:])
    return wall, float(result.get("peak_rss_mib", 0.0)), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="small sizes, one repeat (smoke test)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument(
        "--only", action="append", help=f"run only these areas (repeatable): foundation, {', '.join(AREAS)}"
    )
    opts = parser.parse_args()
    repeat = 1 if opts.quick else opts.repeat
    home = Path(tempfile.mkdtemp(prefix="steward-bench-"))
    env = {**os.environ, "STEWARD_HOME": str(home), "XDG_RUNTIME_DIR": str(home), "PYTHONUNBUFFERED": "1"}
    rows = []
    for case in _plan(opts.quick, set(opts.only) if opts.only else None):
        walls, peaks, result = [], [], {}
        for _ in range(case.get("repeat", repeat)):
            # a fresh interpreter per repetition: the case reports its own timed section and peak RSS
            wall, _peak, result = _run_case(case["fn"], case["args"], env)
            walls.append(result.get("seconds", wall))
            peaks.append(result.get("peak_rss_mib", 0.0))
        rows.append(
            {
                **case,
                "median_s": statistics.median(walls),
                "peak_mib": max(peaks),
                "result": result,
                "runs": len(walls),
            }
        )
        print(
            f"{case['title']:<70} median {statistics.median(walls):8.2f} s  "
            f"peak {max(peaks):7.0f} MiB  {result.get('note', '')}"
        )
    _write(opts.out, rows, repeat)
    print(f"wrote {opts.out}")
    return 0


def _area(case: dict) -> str:
    module = case["fn"].rpartition(".")[0]
    return module if module else "foundation"


def _write(out: Path, rows: list[dict], repeat: int) -> None:
    """Rewrite each measured area's block of ``out`` (``<!-- bench:<area>:begin/end -->``); keep the rest."""
    text = out.read_text() if out.exists() else "# Benchmarks\n"
    for area in dict.fromkeys(_area(r) for r in rows):
        begin, end = f"<!-- bench:{area}:begin -->", f"<!-- bench:{area}:end -->"
        runs = sorted({int(r.get("runs", repeat)) for r in rows if _area(r) == area})
        median = f"median of {runs[0]}" if len(runs) == 1 else f"median of {runs[0]}-{runs[-1]} runs per case"
        lines = [
            begin,
            f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, `python benchmarks/run.py --only {area}` "
            f"({median}; peak RSS of the case's process).",
            "",
            "| case | median s | peak RSS MiB | notes |",
            "|---|---:|---:|---|",
        ]
        for r in rows:
            if _area(r) == area:
                note = str(r["result"].get("note", "")).replace("|", "/")
                lines.append(f"| {r['title']} | {r['median_s']:.2f} | {r['peak_mib']:.0f} | {note} |")
        lines.append(end)
        block = "\n".join(lines)
        if begin in text and end in text:
            head, rest = text.split(begin, 1)
            text = head + block + rest.split(end, 1)[1]
        else:
            text = text.rstrip("\n") + f"\n\n## {area}\n\n" + block + "\n"
    out.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
