"""The embedded engine and qdrant-client local mode answer the same hybrid queries with the same hits."""

from __future__ import annotations

import hashlib
import random
from dataclasses import replace
from pathlib import Path

import numpy as np

from service.search.base import Chunk, SearchFilter, SearchHit, SearchQuery
from service.search.edge_index import EdgeIndex
from service.search.encoding import ChunkEncoder
from service.search.qdrant_index import QdrantIndex
from service.search.sparse import SparseEncoder
from tests.search.conftest import CHUNKS, make_chunk

_PHRASES = ["làm đường bê tông", "thu gom rác thải", "tham gia bảo hiểm y tế", "phòng sốt xuất huyết",
            "phê bình đồng chí vắng sinh hoạt không lý do", "chuyển đổi đất trồng lúa", "nông thôn mới",
            "kiên cố hóa kênh mương", "thu đảng phí", "phòng chống dịch tả lợn", "tuyển quân", "hiến máu"]


class RandomEmbedder:
    """A fixed random unit vector per text: no two texts tie, which a rank comparison needs."""

    dim, version = 32, "random-v1"

    def _one(self, text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
        v = np.random.default_rng(seed).normal(size=self.dim).astype(np.float32)
        return v / np.linalg.norm(v)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._one(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._one(text)

    def warm_up(self) -> None:
        return None


def _extra() -> list[Chunk]:
    """Chunks of distinct lengths, so no two BM25 scores tie either."""
    rng = random.Random(11)
    sizes: set[int] = set()
    out = []
    for i in range(60):
        words = rng.sample(_PHRASES, rng.randint(1, 4)) + ["ở xóm", str(i)]
        chunk = make_chunk(f"e{i}", 0, " ".join(words), chi_bo=f"chi bộ thôn {i % 4}",
                           date=f"202{i % 5}-0{1 + i % 9}-1{i % 10}", section=("resolution", "report", "criticism")[i % 3])
        while (n := _SEGMENTS.terms(chunk.embed_text)[1]) in sizes:
            words.append("và")
            chunk = replace(chunk, text=" ".join(words), embed_text=chunk.embed_text + " và")
        sizes.add(n)
        out.append(chunk)
    return out


_SEGMENTS = SparseEncoder()
EXTRA = _extra()
QUERIES = ["đường bê tông", "bao hiem y te", "phê bình vắng sinh hoạt", "sốt xuất huyết và rác thải",
           "nông thôn mới", "chuyển đổi đất trồng lúa"]
FILTERS = [SearchFilter(), SearchFilter(chi_bo=["chi bộ thôn 1", "chi bộ thôn 2"]),
           SearchFilter(date_from="2022-01-01", section="criticism")]


# The embedded engine keeps line vectors in half precision and local mode in single precision, so dense
# scores may differ in the third decimal; hits closer than that may come in either order.
SCORE_TOL = 2e-3


def assert_same_hits(a: list[SearchHit], b: list[SearchHit], ctx: object) -> None:
    """Same scores rank by rank; the same ids, except that hits with (nearly) equal scores may come in any order."""
    assert len(a) == len(b), ctx
    for x, y in zip(a, b, strict=True):
        assert abs(x.score - y.score) <= SCORE_TOL * max(1.0, abs(y.score)), ctx
    groups: list[tuple[set[str], set[str]]] = []
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if i and abs(x.score - a[i - 1].score) <= SCORE_TOL * max(1.0, abs(x.score)):
            groups[-1][0].add(x.chunk_id)
            groups[-1][1].add(y.chunk_id)
        else:
            groups.append(({x.chunk_id}, {y.chunk_id}))
    for ga, gb in groups[:-1]:  # the last group may be cut short by the limit
        assert ga == gb, ctx
    assert len(groups) > 1 or len(a) <= 1, ctx


def test_hybrid_hits_and_ranks_agree(tmp_path: Path) -> None:
    encoder = ChunkEncoder(RandomEmbedder())
    edge = EdgeIndex(tmp_path, encoder)
    local = QdrantIndex(encoder, location=":memory:")
    try:
        for idx in (edge, local):
            idx.upsert(CHUNKS + EXTRA)
        for q in QUERIES:
            for flt in FILTERS:
                for mode in ("hybrid", "dense", "sparse"):
                    query = SearchQuery(text=q, mode=mode, limit=10, filter=flt)  # type: ignore[arg-type]
                    assert_same_hits(edge.search(query, exact=True), local.search(query), (q, flt, mode))
    finally:
        edge.close()
        local.close()
