"""Retrieval quality on corpora/search with the real model: hybrid beats either side alone and finds 9 in 10."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.eval_search import CORPUS, build, evaluate, load_chunks, load_queries


@pytest.mark.slow
def test_hybrid_beats_dense_and_sparse_on_the_search_corpus(tmp_path: Path) -> None:
    index = build("edge", "e5", tmp_path)
    try:
        chunks = load_chunks()
        for i in range(0, len(chunks), 256):
            index.upsert(chunks[i:i + 256])
        res = evaluate(index, load_queries())
        # Queries written after the ranking was designed, never used to choose its settings.
        held_out = evaluate(index, load_queries(CORPUS / "queries-heldout.jsonl"))
    finally:
        index.close()
    for r in (res, held_out):
        hybrid, dense, sparse = (r[m] for m in ("hybrid", "dense", "sparse"))
        assert hybrid["ndcg@10"] > dense["ndcg@10"] and hybrid["ndcg@10"] > sparse["ndcg@10"], r
        assert hybrid["recall@10"] > dense["recall@10"] and hybrid["recall@10"] > sparse["recall@10"], r
        assert r["sparse"]["by_kind"]["ascii"]["ndcg@10"] >= 0.9, r
    assert res["hybrid"]["recall@10"] >= 0.9, res
    assert held_out["hybrid"]["recall@10"] >= 0.8, held_out
