"""Retrieval quality on corpora/search: nDCG@10 and recall@10 per mode, per query kind.

usage: python -m bench.eval_search [--backend edge|qdrant-local] [--embedder e5|hash] [--write BENCHMARKS.md]

Every minute of corpora/search/minutes goes through the real pipeline: check
(normalise, find sections), the archive's chunking, the embedder and the sparse
encoder, into a fresh index; each query of queries.jsonl then runs in hybrid,
dense and sparse mode. Judgements are per minute (see corpora/search/README.md):
nDCG@10 uses both grades; recall@10 counts the minutes graded 2 (those that
answer the query) found in the top 10, over min(10, how many there are).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bench.report import forget_queries, replace_section

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpora" / "search"
MODES = ("hybrid", "dense", "sparse")


@dataclass(frozen=True)
class Query:
    qid: str
    text: str
    kind: str
    judged: dict[str, int]


def load_queries(path: Path = CORPUS / "queries.jsonl") -> list[Query]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            q = json.loads(line)
            out.append(Query(q["qid"], q["query"], q["kind"], {k.removesuffix(".txt"): v for k, v in q["relevant"].items()}))
    return out


def load_chunks(minutes_dir: Path = CORPUS / "minutes", *, limit: int | None = None) -> list[Any]:
    """Chunks of every minute, with the file stem as minute id."""
    from service.archive.chunks import make_chunks
    from service.check import check_text

    chunks = []
    for p in sorted(minutes_dir.glob("m*.txt"))[:limit]:
        report = check_text(p.read_text(encoding="utf-8"), source=p.name, include_text=True)
        chunks.extend(make_chunks(p.stem, report, report.text.content or ""))
    return chunks


def evaluate(index: Any, queries: list[Query], *, modes: tuple[str, ...] = MODES, depth: int = 50
             ) -> dict[str, dict[str, Any]]:
    """Per mode: mean nDCG@10 and recall@10, overall and per query kind, and search latency."""
    from service.search.base import SearchQuery
    from service.search.evaluation import minute_ranking, ndcg_at, recall_at

    result: dict[str, dict[str, Any]] = {}
    for mode in modes:
        per_kind: dict[str, list[tuple[float, float]]] = {}
        lat = []
        for q in queries:
            forget_queries(index)
            t = time.perf_counter()
            hits = index.search(SearchQuery(text=q.text, mode=mode, limit=depth))  # type: ignore[arg-type]
            lat.append((time.perf_counter() - t) * 1000)
            ranking = minute_ranking(h.minute_id for h in hits)
            per_kind.setdefault(q.kind, []).append((ndcg_at(ranking, q.judged),
                                                      recall_at(ranking, q.judged, min_grade=2)))
        every = [x for v in per_kind.values() for x in v]
        result[mode] = {
            "ndcg@10": statistics.mean(x[0] for x in every), "recall@10": statistics.mean(x[1] for x in every),
            "by_kind": {k: {"ndcg@10": statistics.mean(x[0] for x in v), "recall@10": statistics.mean(x[1] for x in v),
                            "n": len(v)} for k, v in sorted(per_kind.items())},
            "p50_ms": statistics.median(lat),
        }
    return result


class CachedEmbedder:
    """Wraps an embedder and keeps passage vectors on disk, keyed by text, to re-run evaluations fast."""

    def __init__(self, inner: Any, path: Path) -> None:
        import numpy as np

        self.inner, self.path = inner, path
        self.dim, self.version = inner.dim, inner.version
        self._np = np
        self._store: dict[str, Any] = {}
        if path.exists():
            data = np.load(path)
            self._store = dict(zip(data["keys"].tolist(), data["vecs"], strict=True))

    @staticmethod
    def _key(text: str) -> str:
        import hashlib

        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def embed_passages(self, texts: list[str]) -> Any:
        missing = [t for t in dict.fromkeys(texts) if self._key(t) not in self._store]
        if missing:
            for t, v in zip(missing, self.inner.embed_passages(missing), strict=True):
                self._store[self._key(t)] = v
            self.path.parent.mkdir(parents=True, exist_ok=True)
            keys = list(self._store)
            self._np.savez(self.path, keys=self._np.array(keys), vecs=self._np.stack([self._store[k] for k in keys]))
        return self._np.stack([self._store[self._key(t)] for t in texts])

    def forget_queries(self) -> None:
        forget = getattr(self.inner, "forget_queries", None)
        if forget is not None:
            forget()

    def embed_query(self, text: str) -> Any:
        return self.inner.embed_query(text)

    def warm_up(self) -> None:
        self.inner.warm_up()


def build(backend: str, embedder_kind: str, path: Path, *, cache: Path | None = None, **search: Any) -> Any:
    from service.search.factory import build_embedder, build_index
    from service.settings import Settings

    settings = Settings(data_dir=path, search={"backend": backend, "embedder": embedder_kind, **search})
    embedder = build_embedder(settings)
    if cache is not None:
        embedder = CachedEmbedder(embedder, cache)
    return build_index(settings, embedder=embedder)


def report_md(res: dict[str, dict[str, Any]], *, n_minutes: int, n_chunks: int, n_queries: int, backend: str,
              embedder: str, index_s: float, cached: bool = False, queries: str = "queries.jsonl") -> str:
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    kinds = list(next(iter(res.values()))["by_kind"])
    head = "| mode | nDCG@10 | recall@10 | " + " | ".join(f"nDCG@10 {k}" for k in kinds) + " | p50 ms |"
    rows = [head, "|" + "---|" * (4 + len(kinds))]
    for mode, r in res.items():
        cells = " | ".join(f"{r['by_kind'][k]['ndcg@10']:.3f}" for k in kinds)
        rows.append(f"| {mode} | {r['ndcg@10']:.3f} | {r['recall@10']:.3f} | {cells} | {r['p50_ms']:.1f} |")
    return "\n".join([
        f"## {section_title(queries)} — {time.strftime('%Y-%m-%d')}", "",
        f"Machine: {machine}. Backend `{backend}`, embedder `{embedder}`; {n_minutes} minutes → {n_chunks} chunks "
        f"(indexed in {index_s:.0f} s{', passage vectors from the cache' if cached else ''}), {n_queries} queries "
        f"({', '.join(f'{k}' for k in kinds)}) from `{queries}`. "
        f"`python -m bench.eval_search{'' if queries == 'queries.jsonl' else ' --queries corpora/search/' + queries}`.",
        "", *rows, ""])


def section_title(queries: str) -> str:
    return "Search quality on corpora/search" + ("" if queries == "queries.jsonl" else f" ({queries})")



def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", default="edge", choices=["edge", "qdrant-local"])
    ap.add_argument("--embedder", default="e5", choices=["e5", "hash"])
    ap.add_argument("--json", type=Path, help="also write the full result as JSON")
    ap.add_argument("--cache", type=Path, help="keep passage vectors in this .npz between runs")
    ap.add_argument("--candidates", type=int)
    ap.add_argument("--feedback-docs", type=int, help="0 turns pseudo-relevance feedback off")
    ap.add_argument("--queries", type=Path, default=CORPUS / "queries.jsonl")
    ap.add_argument("--ascii-dense-weight", type=float)
    ap.add_argument("--write", type=Path, help="replace this section of a BENCHMARKS.md")
    args = ap.parse_args()
    queries = load_queries(args.queries)
    chunks = load_chunks()
    with tempfile.TemporaryDirectory() as tmp:
        extra = {k: v for k, v in (("candidates", args.candidates), ("feedback_docs", args.feedback_docs),
                                   ("ascii_dense_weight", args.ascii_dense_weight)) if v is not None}
        index = build(args.backend, args.embedder, Path(tmp), cache=args.cache, **extra)
        t = time.perf_counter()
        for i in range(0, len(chunks), 256):
            index.upsert(chunks[i:i + 256])
        index_s = time.perf_counter() - t
        res = evaluate(index, queries)
        params = index.retriever.params
        if params.feedback_docs:
            index.retriever.params = replace(params, feedback_docs=0)
            res["hybrid without feedback"] = evaluate(index, queries, modes=("hybrid",))["hybrid"]
            index.retriever.params = params
        index.close()
    md = report_md(res, n_minutes=len({c.minute_id for c in chunks}), n_chunks=len(chunks), n_queries=len(queries),
                   backend=args.backend, embedder=args.embedder, index_s=index_s, cached=args.cache is not None,
                   queries=args.queries.name)
    print(md)
    if args.json:
        args.json.write_text(json.dumps(res, indent=1), encoding="utf-8")
    if args.write:
        replace_section(args.write, f"## {section_title(args.queries.name)} —", md)


if __name__ == "__main__":
    main()
