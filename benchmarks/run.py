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

MARK_BEGIN = "<!-- bench:foundation:begin -->"
MARK_END = "<!-- bench:foundation:end -->"


def _run_case(name: str, args: dict, env: dict[str, str]) -> tuple[float, float, dict]:
    code = (
        f"import json,sys; sys.path.insert(0, {str(ROOT)!r}); from benchmarks import cases; "
        f"print('RESULT ' + json.dumps(cases.{name}(**json.loads(sys.argv[1]))))"
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
    opts = parser.parse_args()
    repeat = 1 if opts.quick else opts.repeat
    home = Path(tempfile.mkdtemp(prefix="steward-bench-"))
    env = {**os.environ, "STEWARD_HOME": str(home), "XDG_RUNTIME_DIR": str(home), "PYTHONUNBUFFERED": "1"}
    rows = []
    for case in cases.plan(quick=opts.quick):
        walls, peaks, result = [], [], {}
        for _ in range(case.get("repeat", repeat)):
            # a fresh interpreter per repetition: the case reports its own timed section and peak RSS
            wall, _peak, result = _run_case(case["fn"], case["args"], env)
            walls.append(result.get("seconds", wall))
            peaks.append(result.get("peak_rss_mib", 0.0))
        rows.append({**case, "median_s": statistics.median(walls), "peak_mib": max(peaks), "result": result})
        print(
            f"{case['title']:<70} median {statistics.median(walls):8.2f} s  "
            f"peak {max(peaks):7.0f} MiB  {result.get('note', '')}"
        )
    _write(opts.out, rows, repeat)
    print(f"wrote {opts.out}")
    return 0


def _write(out: Path, rows: list[dict], repeat: int) -> None:
    lines = [
        MARK_BEGIN,
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, `python benchmarks/run.py` "
        f"(median of {repeat}; peak RSS of the case's process).",
        "",
        "| case | median s | peak RSS MiB | notes |",
        "|---|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['title']} | {r['median_s']:.2f} | {r['peak_mib']:.0f} | {r['result'].get('note', '')} |"
        )
    lines.append(MARK_END)
    block = "\n".join(lines)
    text = out.read_text() if out.exists() else "# Benchmarks\n\n" + MARK_BEGIN + "\n" + MARK_END + "\n"
    if MARK_BEGIN in text and MARK_END in text:
        head, rest = text.split(MARK_BEGIN, 1)
        tail = rest.split(MARK_END, 1)[1]
        text = head + block + tail
    else:
        text += "\n" + block + "\n"
    out.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
