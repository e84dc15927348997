"""Retrieval quality on corpora/search with the real model: hybrid beats either side alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.eval_search import build, evaluate, load_chunks, load_queries


@pytest.mark.slow
def test_hybrid_beats_dense_and_sparse_on_the_search_corpus(tmp_path: Path) -> None:
    index = build("edge", "e5", tmp_path)
    try:
        chunks = load_chunks()
        for i in range(0, len(chunks), 256):
            index.upsert(chunks[i:i + 256])
        res = evaluate(index, load_queries())
    finally:
        index.close()
    hybrid, dense, sparse = (res[m] for m in ("hybrid", "dense", "sparse"))
    assert hybrid["ndcg@10"] > dense["ndcg@10"] and hybrid["ndcg@10"] > sparse["ndcg@10"], res
    assert hybrid["recall@10"] >= 0.85, res
    assert res["sparse"]["by_kind"]["ascii"]["ndcg@10"] >= 0.9, res
