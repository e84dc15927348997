"""Benchmark of check_text(): latency, throughput, memory and cold start on one core.

Cold start is measured three ways, each in a new process, median of five: import and first
check in Python, `minutes --help`, and `minutes check FILE` from start to exit.

usage: python -m bench.bench_check [--rounds N] [--write BENCHMARKS.md]
Runs pinned to one CPU core (os.sched_setaffinity) over every minute in corpora/written/ and the
shared samples, after a warm-up pass.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.report import replace_section

ROOT = Path(__file__).resolve().parent.parent


def _texts() -> list[str]:
    paths = sorted((ROOT / "corpora" / "written").glob("c*.txt")) + sorted((ROOT.parent / "shared" / "samples").glob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in paths]


def _cold_start() -> float:
    code = ("import time; t=time.perf_counter(); from service.check import check_text; "
            "check_text(open('corpora/written/c001.txt', encoding='utf-8').read()); print(time.perf_counter()-t)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def _cli(*args: str, runs: int = 5) -> float:
    """Median wall time of `minutes ARGS` in a new process, start to exit."""
    exe = Path(sys.executable).with_name("minutes")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([str(exe), *args], cwd=ROOT, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--write", type=Path)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    cold = statistics.median(_cold_start() for _ in range(5))
    cli_help, cli_check = _cli("--help"), _cli("check", "corpora/written/c001.txt")

    from service.check import check_text

    texts = _texts()
    for t in texts:  # warm-up
        check_text(t)
    lat: list[float] = []
    t0 = time.perf_counter()
    for _ in range(args.rounds):
        for t in texts:
            s = time.perf_counter()
            check_text(t)
            lat.append((time.perf_counter() - s) * 1000)
    wall = time.perf_counter() - t0
    lat.sort()
    p50 = lat[len(lat) // 2]
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    chars = statistics.mean(len(t) for t in texts)
    rows = [
        f"- minutes: {len(texts)} (mean {chars:,.0f} characters), {args.rounds} rounds after one warm-up pass",
        f"- check_text() latency: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {lat[-1]:.1f} ms",
        f"- throughput on one core: {len(lat) / wall:.1f} minutes/s",
        f"- peak resident memory of the process: {peak_mb:.0f} MB",
        f"- cold start (import + first check, new process): {cold * 1000:.0f} ms",
        f"- `minutes --help`, start to exit: {cli_help * 1000:.0f} ms; `minutes check FILE`: {cli_check * 1000:.0f} ms",
    ]
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"
    report = "\n".join([f"## check_text() — {time.strftime('%Y-%m-%d')}", "", f"Machine: {machine}; pinned to one core.", "", *rows, ""])
    print(report)
    if args.write:
        replace_section(args.write, "## check_text()", report)



if __name__ == "__main__":
    main()
