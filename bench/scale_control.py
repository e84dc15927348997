"""Is a synthetic archive hard for the graph because of how far its vectors spread, or how?

usage: python -m bench.scale_control [--n 200000] [--ef 32,64,128]

Three ways to make ``n`` chunk vectors from the real ones of the independent minutes, each
indexed alone (one dense vector a point, HNSW m 32, ef_construct 200, in memory) and searched
with the dev questions at a few ``hnsw_ef``; recall@10 against an exact scan of the same points:

- ``mix + isotropic``: the older bench_scale: 0.8 × one real vector + 0.45 × another, plus
  normal noise of 0.03 a dimension;
- ``isotropic``: a real vector plus isotropic normal noise as large as the step below;
- ``covariance``: a real vector plus a step drawn with the real vectors' covariance (bench_scale).

The two last move a vector by the same distance on average, so their difference is the shape
of the spread alone.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.bench_scale import SPREAD, _encoder, _step, effective_dims, spread
from bench.bench_search import _unit


def vectors(kind: str, real: np.ndarray, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` synthetic unit vectors made from ``real`` in the way ``kind`` names, and the real one each
    comes from."""
    a = rng.integers(0, len(real), n)
    if kind == "mix + isotropic":
        b = rng.integers(0, len(real), n)
        return _unit(0.8 * real[a] + 0.45 * real[b] + 0.03 * rng.normal(size=(n, real.shape[1]))), a
    spread_of = spread(real)
    size = SPREAD * float(np.sqrt(np.sum(spread_of[0] ** 2)))  # the expected length of a covariance step
    if kind == "isotropic":
        return _unit(real[a] + size / np.sqrt(real.shape[1]) * rng.normal(size=(n, real.shape[1]))), a
    return _unit(real[a] + SPREAD * _step(rng, n, spread_of)), a


def recall(points: np.ndarray, queries: np.ndarray, efs: list[int]) -> dict[int, float]:
    """Recall@10 of the graph search against an exact scan, per ``hnsw_ef``."""
    import qdrant_edge as qe

    with tempfile.TemporaryDirectory() as tmp:
        config = qe.EdgeConfig(vectors=qe.EdgeVectorParams(size=points.shape[1], distance=qe.Distance.Cosine),
                               hnsw_config=qe.HnswIndexConfig(m=32, ef_construct=200, full_scan_threshold=10_000),
                               optimizers=qe.EdgeOptimizersConfig(default_segment_number=1))
        shard = qe.EdgeShard.create(str(Path(tmp) / "s"), config)
        for i in range(0, len(points), 5000):
            shard.update(qe.UpdateOperation.upsert_points(
                [qe.Point(id=j, vector=points[j].tolist(), payload={}) for j in range(i, min(i + 5000, len(points)))]))
        shard.optimize()

        def top(q: np.ndarray, ef: int, exact: bool) -> set[Any]:
            res = shard.query(qe.QueryRequest(query=qe.Query.Nearest(q.tolist()), limit=10,
                                              params=qe.SearchParams(hnsw_ef=ef, exact=exact)))
            return {p.id for p in res}

        out = {}
        truth = [top(q, 0, True) for q in queries]
        for ef in efs:
            out[ef] = float(np.mean([len(t & top(q, ef, False)) / 10 for q, t in zip(queries, truth, strict=True)]))
        shard.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--ef", default="32,64,128")
    args = ap.parse_args()
    from bench.eval_questions import load_chunks, load_questions

    encoder = _encoder()
    real = np.stack([v.dense for v in encoder.encode_chunks(load_chunks())])
    queries = np.stack([encoder.embedder.embed_query(q.text) for q in load_questions("dev")][:40])
    efs = [int(e) for e in args.ef.split(",")]
    print("| vectors | effective dimensions | cosine to its source | " + " | ".join(f"recall@10, hnsw_ef {e}" for e in efs) + " |")
    print("|---|---|---|" + "---|" * len(efs))
    print(f"| real ({len(real)}) | {effective_dims(real):.0f} | | " + " | " * (len(efs) - 1) + " |")
    for kind in ("mix + isotropic", "isotropic", "covariance"):
        rng = np.random.default_rng(2024)
        t = time.perf_counter()
        points, source = vectors(kind, real, args.n, rng)
        cosine = float(np.mean(np.sum(points * real[source], axis=1)))
        got = recall(points, queries, efs)
        print(f"| {kind} | {effective_dims(points[:20000]):.0f} | {cosine:.3f} | "
              + " | ".join(f"{got[e]:.3f}" for e in efs) + f" |  <!-- {time.perf_counter() - t:.0f} s -->", flush=True)


if __name__ == "__main__":
    main()
