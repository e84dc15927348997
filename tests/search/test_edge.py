"""The embedded default: persistence, one owner at a time, and search before and after the HNSW build."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from service.errors import ErrorCode, Unavailable
from service.search.base import SearchFilter, SearchQuery
from service.search.edge_index import EdgeIndex
from service.search.encoding import ChunkEncoder, ChunkVectors
from service.search.sparse import SparseVector
from tests.search.conftest import CHUNKS, make_chunk


def test_chunks_survive_close_and_reopen(tmp_path: Path, encoder: ChunkEncoder) -> None:
    idx = EdgeIndex(tmp_path, encoder)
    idx.upsert(CHUNKS)
    idx.close()
    again = EdgeIndex(tmp_path, encoder)
    try:
        assert again.count() == len(CHUNKS)
        assert again.search(SearchQuery(text="nong thon moi", mode="sparse"))[0].chunk_id == "m1:0"
    finally:
        again.close()


def test_a_second_owner_gets_a_clear_error(tmp_path: Path, encoder: ChunkEncoder) -> None:
    idx = EdgeIndex(tmp_path, encoder)
    try:
        with pytest.raises(Unavailable) as err:
            EdgeIndex(tmp_path, encoder)
        assert err.value.code == ErrorCode.INDEX_LOCKED and err.value.status == 503
    finally:
        idx.close()


def test_collection_name_carries_the_model_and_sparse_versions(tmp_path: Path, encoder: ChunkEncoder) -> None:
    idx = EdgeIndex(tmp_path, encoder)
    try:
        assert idx.path.name == f"chunks-{encoder.version}" and "hash-v1" in idx.path.name
    finally:
        idx.close()


@pytest.mark.parametrize("layout", ["fast", "compact"])
def test_hnsw_search_agrees_with_exact_search_after_optimize(tmp_path: Path, encoder: ChunkEncoder,
                                                             layout: str) -> None:
    rng = np.random.default_rng(7)
    centers = rng.normal(size=(40, encoder.dim)).astype(np.float32)
    n = 3000
    vecs = centers[rng.integers(0, 40, n)] + 0.3 * rng.normal(size=(n, encoder.dim)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    chunks = [make_chunk(f"x{i}", 0, f"đoạn {i}", chi_bo=f"chi bộ {i % 5}") for i in range(n)]
    vectors = [ChunkVectors(dense=v, lines=v[None, :], sparse=SparseVector(indices=[i % 97], values=[1.0]))
               for i, v in enumerate(vecs)]
    idx = EdgeIndex(tmp_path, encoder, full_scan_threshold=100, background_optimize=False, layout=layout)
    try:
        idx.upsert_vectors(chunks, vectors)
        idx.optimize()
        assert idx.info()["indexed_vectors"] >= n
        queries = vecs[rng.integers(0, n, 20)] + 0.1 * rng.normal(size=(20, encoder.dim)).astype(np.float32)

        def top(q: np.ndarray, exact: bool, flt: SearchFilter) -> list[str]:
            encoder.embedder.embed_query = lambda _t, q=q: q / np.linalg.norm(q)  # type: ignore[method-assign]
            return [h.chunk_id for h in idx.search(SearchQuery(text="q", mode="dense", filter=flt), exact=exact)]

        for flt in (SearchFilter(), SearchFilter(chi_bo=["chi bộ 3"])):
            overlap = [len(set(top(q, False, flt)) & set(top(q, True, flt))) / 10 for q in queries]
            assert np.mean(overlap) >= 0.9, flt
    finally:
        encoder.embedder.__dict__.pop("embed_query", None)
        idx.close()


def test_searches_go_on_while_the_graph_is_built_in_the_background(tmp_path: Path, encoder: ChunkEncoder) -> None:
    idx = EdgeIndex(tmp_path, encoder, full_scan_threshold=10, optimize_after=1500)
    try:
        idx.upsert(CHUNKS)
        filler = [make_chunk(f"f{i}", 0, f"Báo cáo số {i} về công tác dân vận ở xóm {i % 17}.",
                             chi_bo=f"chi bộ {i % 9}") for i in range(2000)]
        for i in range(0, len(filler), 500):
            idx.upsert(filler[i:i + 500])  # the 1,500th chunk starts the optimiser thread
        assert idx._optimizer is not None
        while idx._optimizer.is_alive():
            hits = idx.search(SearchQuery(text="nong thon moi", mode="hybrid"))
            assert hits and hits[0].chunk_id == "m1:0"
        idx.wait_optimized()
        assert idx.count() == len(CHUNKS) + len(filler)
        assert idx.search(SearchQuery(text="nông thôn mới", mode="sparse"))[0].chunk_id == "m1:0"
    finally:
        idx.close()
