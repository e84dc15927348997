"""The compact index at 10k, 100k and 1M chunks: disk and memory per chunk, latency, recall against exact.

usage: python -m bench.bench_scale [--sizes 10000,100000,1000000] [--layout compact|fast] [--queries 40]
                                   [--dir DIR [--keep]] [--write BENCHMARKS.md]
       python -m bench.bench_scale --read DIR [--warm] [--cap-mb MIB] [--limit N]   (an index kept by --keep)

Chunks are made like the real ones of the independent minutes (corpora/dev and the top of
corpora/: 3.7 line vectors and about 230 BM25 terms a chunk): each synthetic chunk takes the
text, BM25 terms (values within 5 %) and vectors of one real chunk, its chunk and line vectors
moved by a random step drawn with the real vectors' own covariance (``SPREAD`` of it), and it
gets one of 400 chi bộ in 20 đảng bộ and a date in 2015–2025. A step of isotropic noise would
spread the vectors over all 384 dimensions, while real ones use few (the report gives both
sides' effective dimensions), and nearest-neighbour graphs are far harder to search in many
dimensions than in few. The index grows to each size, is optimised and closed; then a fresh
process opens it, as a server would after a restart, and runs the blind questions of
corpora/questions (each embedded by the real model inside the timed search): hybrid, and
hybrid within one đảng bộ and 2019–2022 (about 2 % of the chunks). Resident memory is that
process's growth over the model alone, measured after the timed searches, whole and in its
two parts: anonymous memory (what the process holds) and pages of the index's files mapped
in (page cache the kernel may drop and read again); recall@10 compares the ranked chunk ids
with an exact scan of the same index.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import functools
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.bench_search import _du_mb, _unit, grow, placed
from bench.report import forget_queries, load_average, replace_section

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "data" / "cache" / "e5-questions.npz"


def _encoder(query_runtime: str = "auto") -> Any:
    from bench.eval_search import CachedEmbedder
    from service.search.embedder import E5Embedder
    from service.search.encoding import ChunkEncoder
    from service.search.model_files import DEFAULT_DIR

    return ChunkEncoder(CachedEmbedder(E5Embedder(DEFAULT_DIR, query_runtime=query_runtime), CACHE))


SPREAD = 0.6  # of the real vectors' spread, per step: a step's cosine to its source ≈ a real chunk's to its
# nearest chunk of another minute (0.98), the real vectors' mean cosine to their centroid kept (0.97)


def spread(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scales and directions of the spread of the rows of ``x``: normal draws times the scales, then
    the directions, have the covariance of ``x``."""
    _, s, vt = np.linalg.svd(x - x.mean(axis=0), full_matrices=False)
    return s / np.sqrt(len(x)), vt


def _step(rng: np.random.Generator, n: int, spread_of: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    scales, directions = spread_of
    return np.asarray((rng.normal(size=(n, len(scales))) * scales) @ directions)


def effective_dims(x: np.ndarray) -> float:
    """The participation ratio of the variance of ``x``'s rows: how many dimensions they really use."""
    var = np.linalg.svd(x - x.mean(axis=0), compute_uv=False) ** 2
    share = var / var.sum()
    return float(1.0 / np.sum(share ** 2))


Spreads = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def spreads_of(base_vectors: list[Any]) -> Spreads:
    """The spreads of the real chunk vectors and of their line vectors."""
    return (spread(np.stack([v.dense for v in base_vectors])),
            spread(np.concatenate([v.lines for v in base_vectors])))


def like_real(base: list[Any], base_vectors: list[Any], n: int, start: int,
              rng: np.random.Generator, *, spreads: Spreads) -> tuple[list[Any], list[Any]]:
    """``n`` synthetic chunks numbered from ``start``, shaped like the real chunks they come from;
    ``spreads``: ``spreads_of(base_vectors)``."""
    from service.search.encoding import ChunkVectors
    from service.search.sparse import SparseVector

    dense_spread, line_spread = spreads
    dense0 = np.stack([v.dense for v in base_vectors])
    a = rng.integers(0, len(base), n)
    dense = _unit(dense0[a] + SPREAD * _step(rng, n, dense_spread))
    units = rng.integers(0, 400, n)
    days = rng.integers(0, 11 * 365, n)
    chunks, vectors = [], []
    for i in range(n):
        va = base_vectors[a[i]]
        chunks.append(placed(base[a[i]], start + i, int(units[i]), int(days[i])))
        noise = 1.0 + 0.05 * rng.normal(size=len(va.sparse.values))
        lines = _unit(va.lines + SPREAD * _step(rng, len(va.lines), line_spread))
        vectors.append(ChunkVectors(dense=dense[i], lines=lines,
                                    sparse=SparseVector(indices=list(va.sparse.indices),
                                                        values=[float(x) for x in np.abs(va.sparse.values * noise)])))
    return chunks, vectors


def _rss_parts() -> tuple[float, float, float]:
    """Resident memory of this process in MiB: all of it, anonymous, and mapped file pages."""
    got: dict[str, float] = {}
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                got[key] = int(value.split()[0]) / 1024
    nan = float("nan")
    return got.get("VmRSS", nan), got.get("RssAnon", nan), got.get("RssFile", 0.0) + got.get("RssShmem", 0.0)


def _own_group(controller: str) -> str:
    """This process's cgroup path for ``controller`` (cgroup v1), or its unified path (v2, ``controller`` "")."""
    for line in Path("/proc/self/cgroup").read_text(encoding="ascii").splitlines():
        _, names, path = line.split(":", 2)
        if (controller and controller in names.split(",")) or (not controller and not names):
            return path.lstrip("/")
    raise OSError(f"no cgroup for {controller or 'the unified hierarchy'}")


def cap_memory(mb: float) -> Path:
    """Move this process into a new memory cgroup, under its own, limited to ``mb`` with no swap: what
    it allocates and the file pages it reads from now on count against the limit (the kernel evicts
    file pages beyond it), what it held before does not. Leaves it again at exit. Needs root and the
    cgroup v1 memory controller, or cgroup v2 with memory enabled for the process's group's children. A
    process the kernel kills for memory leaves its group behind."""
    root = Path("/sys/fs/cgroup/memory")
    v1 = root.is_dir()
    home = (root / _own_group("memory")) if v1 else (Path("/sys/fs/cgroup") / _own_group(""))
    group = home / f"minutes-bench-{os.getpid()}"
    limit = str(int(mb * 1024 * 1024))
    group.mkdir()
    try:
        if v1:
            (group / "memory.limit_in_bytes").write_text(limit)
            if (group / "memory.memsw.limit_in_bytes").exists():
                (group / "memory.memsw.limit_in_bytes").write_text(limit)
        else:
            (group / "memory.max").write_text(limit)
            (group / "memory.swap.max").write_text("0")
        (group / "cgroup.procs").write_text(str(os.getpid()))
    except OSError:
        group.rmdir()
        raise

    def leave() -> None:
        (home / "cgroup.procs").write_text(str(os.getpid()))
        group.rmdir()

    atexit.register(leave)
    return group


def memory_events(group: Path) -> dict[str, int]:
    """Peak usage (MiB) and the times the limit was hit in the memory cgroup ``group``."""
    def read(name: str) -> str:
        f = group / name
        return f.read_text(encoding="ascii").strip() if f.exists() else ""

    peak = read("memory.max_usage_in_bytes") or read("memory.peak") or "0"
    events = dict(line.split() for line in read("memory.events").splitlines())
    hits = int(read("memory.failcnt") or events.get("max", "0"))
    return {"peak_mib": int(peak) >> 20, "limit_hits": hits, "oom_kills": int(events.get("oom_kill", "0"))}


def evict(path: Path) -> None:
    """Drop the pages of the files under ``path`` from the page cache."""
    for f in path.rglob("*"):
        if f.is_file():
            fd = os.open(f, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def read_side(path: Path, layout: str, queries: list[str], query_runtime: str = "auto",
              cap_mb: float | None = None, warm: list[str] | None = None, limit: int = 10) -> dict[str, Any]:
    """Open the index as a fresh process would and measure it (runs in a child process). With ``cap_mb``,
    everything from opening the index on runs within that much memory (``cap_memory``), the index's
    files first dropped from the page cache; ``warm`` questions (not the timed ones) are searched
    once, untimed, before the timed ones, as a server would have answered others before."""
    from service.search.base import SearchFilter, SearchQuery
    from service.search.edge_index import EdgeIndex
    from service.search.query import plan_query

    encoder = _encoder(query_runtime)
    encoder.warm_up()
    for q in queries[:3]:  # the query side's models and tables, loaded before the baseline
        encoder.encode_query(plan_query(q), "hybrid")
    rss0, anon0, file0 = _rss_parts()
    group = None
    if cap_mb is not None:
        evict(path)  # pages cached before would not count against the cap
        group = cap_memory(cap_mb)
    t = time.perf_counter()
    index = EdgeIndex(path, encoder, layout=layout, background_optimize=False, optimize_after=10**12)
    open_s = time.perf_counter() - t
    rss_open = _rss_parts()[0] - rss0
    rng = np.random.default_rng(11)
    flts = [SearchFilter(dang_bo=[f"đảng bộ xã {int(rng.integers(0, 20))}"], date_from="2019-01-01",
                         date_to="2022-12-31") for _ in queries]
    out: dict[str, Any] = {"open_s": open_s, "rss_open_mb": rss_open, "cap_mb": cap_mb, "warm": len(warm or [])}
    for i, q in enumerate(warm or []):
        for flt in (SearchFilter(), flts[i % len(flts)]):
            index.search(SearchQuery(text=q, mode="hybrid", limit=10, filter=flt))
    ranked: dict[str, list[list[str]]] = {}
    for name, use in (("hybrid", False), ("hybrid+filter", True)):
        lat, ids = [], []
        for q, f in zip(queries, flts, strict=True):
            sq = SearchQuery(text=q, mode="hybrid", limit=limit, filter=f if use else SearchFilter())
            forget_queries(index)
            t = time.perf_counter()
            hits = index.search(sq)
            lat.append((time.perf_counter() - t) * 1000)
            ids.append([h.chunk_id for h in hits][:10])
        ranked[name] = ids
        out[name] = {"p50": float(np.percentile(lat, 50)), "p95": float(np.percentile(lat, 95))}
    rss, anon, mapped = _rss_parts()
    out["rss_mb"], out["rss_anon_mb"], out["rss_file_mb"] = rss - rss0, anon - anon0, mapped - file0
    if group is not None:
        out["cgroup"] = memory_events(group)
    for name, use in (("hybrid", False), ("hybrid+filter", True)):
        recall = []
        for q, f, approx in zip(queries, flts, ranked[name], strict=True):
            sq = SearchQuery(text=q, mode="hybrid", limit=10, filter=f if use else SearchFilter())
            truth = {h.chunk_id for h in index.search(sq, exact=True)}
            recall.append(len(truth & set(approx)) / len(truth) if truth else 1.0)
        out[name]["recall"] = statistics.mean(recall)
    index.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--layout", default="compact", choices=["compact", "fast"])
    ap.add_argument("--queries", type=int, default=40)
    ap.add_argument("--query-runtime", default="auto", choices=["auto", "onnx", "torch"],
                    help="what embeds the questions (search.query_runtime)")
    ap.add_argument("--dir", type=Path, help="build the index here (default: a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="leave the index in --dir (to read it again with --read)")
    ap.add_argument("--read", type=Path, help="only read the index kept in this folder (a fresh process)")
    ap.add_argument("--limit", type=int, default=10, help="with --read: passages asked for by each timed search "
                                                        "(the service asks for 200; recall is over the first 10)")
    ap.add_argument("--cap-mb", type=float, help="with --read: open and search the index within this many MiB "
                    "(a memory cgroup; root), after dropping its files from the page cache")
    ap.add_argument("--warm", action="store_true", help="with --read: search the held-out and fresh questions "
                    "once, untimed, before the timed dev questions")
    ap.add_argument("--write", type=Path, help="replace this section of a BENCHMARKS.md")
    args = ap.parse_args()

    from bench.eval_questions import load_chunks, load_questions

    queries = [q.text for q in load_questions("dev")][: args.queries]
    if (args.cap_mb or args.warm) and not args.read:
        ap.error("--cap-mb and --warm need --read")
    if args.read:
        warm = [q.text for q in load_questions("heldout") + load_questions("fresh")] if args.warm else None
        print(json.dumps(read_side(args.read, args.layout, queries, args.query_runtime, args.cap_mb, warm,
                                   limit=args.limit)))
        return
    from service.search.edge_index import EdgeIndex

    base = load_chunks()
    encoder = _encoder()
    base_vectors = encoder.encode_chunks(base)
    rng = np.random.default_rng(2024)
    make = functools.partial(like_real, spreads=spreads_of(base_vectors))
    probe, probe_vectors = make(base, base_vectors, 20_000, 0, np.random.default_rng(7))
    dims = (f"effective dimensions (participation ratio) of the chunk vectors: real {effective_dims(np.stack([v.dense for v in base_vectors])):.0f}, "
            f"synthetic {effective_dims(np.stack([v.dense for v in probe_vectors])):.0f}; of the line vectors: real "
            f"{effective_dims(np.concatenate([v.lines for v in base_vectors])):.0f}, synthetic "
            f"{effective_dims(np.concatenate([v.lines for v in probe_vectors])):.0f}")
    print(dims, flush=True)
    del probe, probe_vectors
    rows: list[str] = []
    if args.keep and not args.dir:
        ap.error("--keep needs --dir")
    with (contextlib.nullcontext(str(args.dir)) if args.keep else tempfile.TemporaryDirectory(dir=args.dir)) as tmp:
        have, upsert_s, build_s = 0, 0.0, 0.0
        for n in [int(s) for s in args.sizes.split(",")]:
            index = EdgeIndex(Path(tmp), encoder, layout=args.layout, background_optimize=False,
                              optimize_after=10**12)
            t = time.perf_counter()
            have = grow(index, make, base, base_vectors, have, n, rng)
            upsert_s += time.perf_counter() - t
            t = time.perf_counter()
            index.optimize()
            build_s += time.perf_counter() - t
            path = index.path
            index.close()
            disk = _du_mb(path)
            child = subprocess.run([sys.executable, "-m", "bench.bench_scale", "--read", tmp, "--layout", args.layout,
                                    "--queries", str(args.queries), "--query-runtime", args.query_runtime],
                                   capture_output=True, text=True, check=True, cwd=ROOT)
            r = json.loads(child.stdout.strip().splitlines()[-1])
            rows.append(f"| {n:,} | {upsert_s:.0f} | {build_s:.0f} | {r['open_s']:.1f} | {disk:,.0f} | "
                        f"{disk * 1e6 / n / 1024:.1f} | {r['rss_open_mb']:,.0f} | {r['rss_mb']:,.0f} | "
                        f"{r['rss_mb'] * 1024 / n:.2f} | {r['rss_anon_mb'] * 1024 / n:.2f} | "
                        f"{r['rss_file_mb'] * 1024 / n:.2f} | "
                        f"{r['hybrid']['p50']:.0f} / {r['hybrid']['p95']:.0f} | "
                        f"{r['hybrid+filter']['p50']:.0f} / {r['hybrid+filter']['p95']:.0f} | "
                        f"{r['hybrid']['recall']:.3f} / {r['hybrid+filter']['recall']:.3f} |")
            print(rows[-1], flush=True)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    report = "\n".join([
        f"## Search at a million chunks ({args.layout} layout) — {time.strftime('%Y-%m-%d')}", "",
        f"Machine: {machine}; load average {load_average()} at the end. `python -m bench.bench_scale "
        f"--layout {args.layout}`. Chunks shaped like the real ones of the independent minutes; {len(queries)} "
        f"blind questions, embedded inside the timed search; {dims}; filter: one đảng bộ of 20 and 2019–2022. Upsert and "
        "build are cumulative; open: a fresh process opening the index; +RSS: that process's resident growth over "
        "the model on opening the index and after the timed searches, per chunk whole, anonymous and mapped from the "
        "index's files; recall@10 against an exact scan, without / with the filter.", "",
        "| chunks | upsert s | build s | open s | disk MB | disk KiB/chunk | +RSS at open MiB | +RSS MiB | RSS KiB/chunk "
        "| anon KiB/chunk | file KiB/chunk | hybrid p50 / p95 ms | filtered p50 / p95 ms | recall@10 |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|", *rows, ""])
    print(report)
    if args.write:
        replace_section(args.write, f"## Search at a million chunks ({args.layout} layout)", report)


if __name__ == "__main__":
    main()
