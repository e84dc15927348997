"""Search benchmark of the embedded default (Qdrant Edge) at 10k, 100k and 200k chunks.

usage: python -m bench.bench_search [--sizes 10000,100000,200000] [--queries 100] [--ef 512,1024]
                                   [--write BENCHMARKS.md]

The archive is scaled up synthetically from the real chunks of corpora/search:
each synthetic chunk mixes the e5 chunk vectors of two real chunks (0.8/0.45, plus
a little noise) and their BM25 vectors, takes the line vectors of the first (plus
noise) and one line of the second, and gets a random unit among 400 chi bộ in
20 đảng bộ and a random date in 2015–2025. Queries are the test set's queries,
embedded by the real model for every search: latencies include the query
embedding and the BM25 encoding. "Recall@10 vs exact" compares the HNSW search
with an exact scan of the same index, for the same queries and filters.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.report import forget_queries, load_average, replace_section

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "data" / "cache" / "e5-lines.npz"


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _du_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


def placed(like: Any, number: int, unit: int, day: int) -> Any:
    """A chunk with the text of ``like``, as minute ``s<number>`` of chi bộ ``unit`` (of 400, in 20 đảng bộ),
    dated ``day`` days after 2015-01-01."""
    from service.search.base import Chunk

    d = np.datetime64("2015-01-01") + np.timedelta64(day, "D")
    mid = f"s{number}"
    return Chunk(id=f"{mid}:0", minute_id=mid, text=like.text, embed_text=like.embed_text,
                 dang_bo=f"đảng bộ xã {unit // 20}", chi_bo=f"chi bộ {unit}", date=str(d), period=str(d)[:7],
                 meeting_type="thuong_ky" if unit % 7 else "chuyen_de", section=like.section, span=like.span)


def synthetic(base_chunks: list[Any], base: list[Any], n: int, start: int,
              rng: np.random.Generator) -> tuple[list[Any], list[Any]]:
    """``n`` synthetic chunks numbered from ``start``, with their vectors."""
    from service.search.encoding import ChunkVectors
    from service.search.sparse import SparseVector

    base_dense = np.stack([v.dense for v in base])
    a = rng.integers(0, len(base_chunks), n)
    b = rng.integers(0, len(base_chunks), n)
    dense = 0.8 * base_dense[a] + 0.45 * base_dense[b] + 0.03 * rng.normal(size=(n, base_dense.shape[1]))
    dense = _unit(dense)
    chunks, vectors = [], []
    units = rng.integers(0, 400, n)
    days = rng.integers(0, 11 * 365, n)
    for i in range(n):
        chunks.append(placed(base_chunks[a[i]], start + i, int(units[i]), int(days[i])))
        va, vb = base[a[i]], base[b[i]]
        acc = dict(zip(va.sparse.indices, va.sparse.values, strict=True))
        for k, v in zip(vb.sparse.indices, vb.sparse.values, strict=True):
            acc[k] = acc.get(k, 0.0) + 0.5 * v
        keys = sorted(acc)
        lines = np.concatenate([va.lines + 0.03 * rng.normal(size=va.lines.shape), vb.lines[:1]])
        vectors.append(ChunkVectors(dense=dense[i], lines=_unit(lines),
                                    sparse=SparseVector(indices=keys, values=[acc[k] for k in keys])))
    return chunks, vectors


def grow(index: Any, make: Any, base: list[Any], base_vectors: list[Any], have: int, n: int,
         rng: np.random.Generator) -> int:
    """Upsert chunks made by ``make`` (``synthetic`` or alike) until ``index`` holds ``n``; the new count."""
    while have < n:
        step = min(5000, n - have)
        chunks, vectors = make(base, base_vectors, step, have, rng)
        index.upsert_vectors(chunks, vectors)
        have += step
    return have


def _pct(xs: list[float], p: float) -> float:
    return float(np.percentile(np.array(xs), p))


def measure(index: Any, queries: list[str], rng: np.random.Generator) -> dict[str, Any]:
    """Latency of hybrid (with and without a filter) and dense search, and recall@10 of HNSW vs exact."""
    from service.search.base import SearchFilter, SearchQuery

    out: dict[str, Any] = {}
    filters = [SearchFilter(dang_bo=[f"đảng bộ xã {int(rng.integers(0, 20))}"], date_from="2019-01-01",
                            date_to="2022-12-31") for _ in queries]
    for name, mode, use_filter in (("hybrid", "hybrid", False), ("hybrid+filter", "hybrid", True),
                                   ("dense", "dense", False), ("dense+filter", "dense", True)):
        lat, recall = [], []
        for q, f in zip(queries, filters, strict=True):
            sq = SearchQuery(text=q, mode=mode, limit=10, filter=f if use_filter else SearchFilter())  # type: ignore[arg-type]
            forget_queries(index)
            t = time.perf_counter()
            approx = index.search(sq)
            lat.append((time.perf_counter() - t) * 1000)
            exact = index.search(sq, exact=True)
            truth = {h.chunk_id for h in exact}
            recall.append(len(truth & {h.chunk_id for h in approx}) / len(truth) if truth else 1.0)
        out[name] = {"p50": _pct(lat, 50), "p95": _pct(lat, 95), "recall": statistics.mean(recall)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,200000")
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--ef", default="512", help="HNSW search beam widths to measure at each size, e.g. 512,1024")
    ap.add_argument("--write", type=Path)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    from bench.eval_search import CachedEmbedder, load_chunks, load_queries
    from service.search.edge_index import EdgeIndex
    from service.search.embedder import E5Embedder
    from service.search.encoding import ChunkEncoder
    from service.search.model_files import DEFAULT_DIR

    rng = np.random.default_rng(2024)
    base = load_chunks()
    embedder = CachedEmbedder(E5Embedder(DEFAULT_DIR), CACHE)
    encoder = ChunkEncoder(embedder)
    base_vectors = encoder.encode_chunks(base)
    queries = [q.text for q in load_queries()][: args.queries]
    embedder.warm_up()
    rss0 = _rss_mb()
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        index = EdgeIndex(Path(tmp), encoder, background_optimize=False, optimize_after=10**9)
        have = 0
        for n in sizes:
            t = time.perf_counter()
            have = grow(index, synthetic, base, base_vectors, have, n, rng)
            upsert_s = time.perf_counter() - t
            t = time.perf_counter()
            index.optimize()
            build_s = time.perf_counter() - t
            for ef in [int(x) for x in args.ef.split(",")]:
                index.hnsw_ef = ef
                res = measure(index, queries, rng)
                info = index.info()
                rows.append(
                    f"| {n:,} | {ef} | {upsert_s:.0f} | {build_s:.0f} | "
                    + " | ".join(f"{res[k]['p50']:.0f} / {res[k]['p95']:.0f}" for k in
                                 ("hybrid", "hybrid+filter", "dense", "dense+filter"))
                    + f" | {res['dense']['recall']:.3f} / {res['dense+filter']['recall']:.3f}"
                    + f" | {res['hybrid']['recall']:.3f} / {res['hybrid+filter']['recall']:.3f}"
                    + f" | {_rss_mb() - rss0:.0f} | {_du_mb(index.path):.0f} | {info['segments']} |")
                print(rows[-1], flush=True)
        index.close()
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = "\n".join([
        f"## Search at scale (embedded Qdrant Edge) — {time.strftime('%Y-%m-%d')}", "",
        f"Machine: {machine}; load average {load_average()} at the start. `python -m bench.bench_search`. "
        f"Synthetic chunks mixed from the real e5 and BM25 vectors of corpora/search; {len(queries)} test-set "
        "queries, each embedded by the real model inside the timed search. Filter: one đảng bộ of 20 and "
        "2019–2022 (about 2 % of the chunks). Latency p50 / p95 in ms; recall@10 of the HNSW search against an "
        "exact scan, without / with the filter. Memory: growth of the process's resident memory over the model "
        f"alone (model + torch: {rss0:.0f} MB; peak of the whole process {peak:.0f} MB); disk: the shard.", "",
        "| chunks | ef | upsert s | HNSW build s | hybrid | hybrid+filter | dense | dense+filter | recall dense | "
        "recall hybrid | +RSS MB | disk MB | segments |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|", *rows, ""])
    print(report)
    if args.write:
        replace_section(args.write, "## Search at scale (embedded Qdrant Edge)", report)


if __name__ == "__main__":
    main()
