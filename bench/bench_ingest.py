"""Benchmark of `minutes ingest`: text minutes per second on this machine's cores.

usage: python -m bench.bench_ingest [--minutes 300] [--workers 2] [--write BENCHMARKS.md]

The input is the labelled corpus and the shared samples, scaled up to ``--minutes``
by renaming the chi bộ in each copy (so every copy is a new minute of its own unit,
with the length and layout of a real one). Each scenario runs the real command,
`minutes ingest FOLDER --workers N`, in a new process on an empty data directory, and
the clock covers everything until it exits: start-up, checking, storing, and, where
an index is configured, embedding and indexing until the archive and index agree.

Scenarios:
- archive only: the index cannot be opened, so files are checked and stored and their
  index jobs wait in the outbox (what a clerk's bulk upload costs before search);
- index, hashed words: the embedded default index (Qdrant engine in-process) with
  the model replaced by hashed words, to show the engine's own cost;
- index, e5 (the default): the embedded index with multilingual-e5-small, in the
  precision ``auto`` picks on this CPU (bfloat16 where it is native);
- index, e5 in float32: the same, the model forced to float32.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.report import load_average, replace_section

ROOT = Path(__file__).resolve().parent.parent


def _sources() -> list[str]:
    paths = sorted((ROOT / "corpora" / "written").glob("c*.txt")) + sorted((ROOT.parent / "shared" / "samples").glob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in paths]


def _rename_unit(text: str, chi_bo: str | None, k: int) -> str:
    """The k-th copy of a minute, its chi bộ renamed in every spelling the text uses."""
    if not chi_bo:
        return text + f"\n(Bản sao số {k})\n"
    name = re.escape(chi_bo.split(" ", 2)[-1]) if chi_bo.lower().startswith("chi bộ ") else re.escape(chi_bo)
    renamed = re.sub(name, lambda m: f"{m.group(0)} {k}", text, flags=re.IGNORECASE)
    return renamed if renamed != text else text + f"\n(Bản sao số {k})\n"


def make_inputs(folder: Path, n: int) -> tuple[int, float]:
    """Write ``n`` minutes into ``folder``; return how many and their mean length in characters."""
    from service.check import check_text

    sources = _sources()
    units = [check_text(t).record.meeting.chi_bo for t in sources]
    lengths = []
    for i in range(n):
        k, j = divmod(i, len(sources))
        text = sources[j] if k == 0 else _rename_unit(sources[j], units[j], k)
        (folder / f"{i:05d}.txt").write_text(text, encoding="utf-8")
        lengths.append(len(text))
    return n, statistics.mean(lengths)


def run_scenario(inputs: Path, workers: int, env_extra: dict[str, str]) -> tuple[float, str]:
    data = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    env = {**os.environ, "MINUTES_DATA_DIR": str(data), **env_extra}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "service.cli", "ingest", str(inputs), "--workers", str(workers),
                           "--no-progress"], cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    shutil.rmtree(data, ignore_errors=True)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"ingest failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return wall, _short(proc.stderr)


def _short(stderr: str) -> str:
    """"276 new, 24 corrections, 0 failed; 1320 chunks indexed" from the command's summary lines."""
    counts = re.search(r"(\d+) lưu mới, (\d+) thay thế bản cũ, (\d+) đã có trong kho, (\d+) lỗi", stderr)
    done = re.search(r"đã cập nhật \((\d+) đoạn\)", stderr)
    waiting = re.search(r"(\d+) việc chờ", stderr)
    head = (f"{counts[1]} new, {counts[2]} corrections, {counts[3]} already stored, {counts[4]} failed"
            if counts else "?")
    tail = f"{done[1]} chunks indexed" if done else f"index not updated, {waiting[1] if waiting else '?'} jobs queued"
    return f"{head}; {tail}"


def _auto_precision() -> str:
    import torch

    from service.search.embedder import resolve_precision

    return resolve_precision("auto", torch)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=int, default=300)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-model", action="store_true", help="leave out the e5 scenario")
    ap.add_argument("--write", type=Path)
    args = ap.parse_args()

    inputs = Path(tempfile.mkdtemp(prefix="bench-ingest-in-"))
    n, mean_chars = make_inputs(inputs, args.minutes)
    scenarios = [
        ("archive only (index not opened)", {"MINUTES_SEARCH__BACKEND": "edge",
                                             "MINUTES_SEARCH__MODEL_DIR": str(inputs / "no-model")}),
        ("archive + embedded index, hashed words", {"MINUTES_SEARCH__BACKEND": "edge",
                                                    "MINUTES_SEARCH__EMBEDDER": "hash"}),
    ]
    if not args.skip_model:
        scenarios.append(("archive + embedded index, multilingual-e5-small (default)",
                          {"MINUTES_SEARCH__BACKEND": "edge", "MINUTES_SEARCH__EMBEDDER": "e5"}))
        scenarios.append(("archive + embedded index, multilingual-e5-small in float32",
                          {"MINUTES_SEARCH__BACKEND": "edge", "MINUTES_SEARCH__EMBEDDER": "e5",
                           "MINUTES_SEARCH__PRECISION": "float32"}))
    rows = []
    for name, env in scenarios:
        load = load_average()
        wall, summary = run_scenario(inputs, args.workers, env)
        rows.append(f"| {name} | {wall:.1f} s | **{n / wall:.1f}** | {load} | {summary} |")
        print(rows[-1], flush=True)
    shutil.rmtree(inputs, ignore_errors=True)

    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    precision = _auto_precision()
    report = "\n".join([
        f"## Ingest (`minutes ingest`) — {time.strftime('%Y-%m-%d')}", "",
        f"Machine: {machine}. `python -m bench.bench_ingest --minutes {n} --workers {args.workers}`: "
        f"{n} text minutes (mean {mean_chars:,.0f} characters; the corpus and samples, scaled up by renaming "
        "the chi bộ), each scenario a new `minutes ingest` process on an empty data directory, timed from "
        "start to exit (start-up, checking, storing, and indexing until the index agrees with the archive). "
        "The load average is the machine's at the start of the run (other work shares these cores). "
        f"On this CPU the default precision (`search.precision=auto`) runs the model in {precision}.", "",
        "| scenario | wall | minutes/s | load avg | summary |", "|---|---|---|---|---|", *rows, "",
    ])
    print(report)
    if args.write:
        replace_section(args.write, "## Ingest (`minutes ingest`)", report)


if __name__ == "__main__":
    main()
