"""build_index(settings): the SearchIndex the settings choose.

- ``MINUTES_QDRANT_URL`` set → QdrantIndex on that server or cluster (API key from
  ``MINUTES_QDRANT_API_KEY``);
- otherwise ``search.backend``: ``edge`` (default, in-process Qdrant engine under
  ``<data_dir>/index``), ``qdrant-local`` (qdrant-client local mode) or ``memory``.

Nothing heavy happens here: the model loads on first use (or ``warm_up``).
"""

from __future__ import annotations

from pathlib import Path

from service.search.base import SearchIndex
from service.search.embedder import E5Embedder, Embedder, HashEmbedder
from service.search.encoding import ChunkEncoder
from service.search.retrieval import RetrievalParams
from service.settings import Settings


def build_embedder(settings: Settings) -> Embedder:
    """The hash embedder or E5 from the configured model directory, as the settings choose."""
    s = settings.search
    if s.embedder == "hash":
        return HashEmbedder()
    from service.search.model_files import DEFAULT_DIR

    return E5Embedder(s.model_dir or DEFAULT_DIR, threads=s.threads, precision=s.precision,
                      query_runtime=s.query_runtime)


def retrieval_params(settings: Settings) -> RetrievalParams:
    """The RetrievalParams set in the search settings."""
    s = settings.search
    return RetrievalParams(candidates=s.candidates, feedback_docs=s.feedback_docs, feedback_terms=s.feedback_terms,
                           feedback_weight=s.feedback_weight, ascii_dense_weight=s.ascii_dense_weight,
                           min_restored=s.min_restored, expansion_weight=s.expansion_weight,
                           period_boost=s.period_boost, facet_boost=s.facet_boost, restored_dense_weight=s.restored_dense_weight,
                           dense_weight=s.dense_weight)


def build_index(settings: Settings, *, embedder: Embedder | None = None) -> SearchIndex:
    """The index for these settings; pass ``embedder`` to share one model between indexes."""
    s = settings.search
    if s.backend == "memory" and not settings.qdrant_url:
        from service.search.memory import MemoryIndex

        return MemoryIndex(Path(settings.data_dir) / "index" / "memory.json")
    encoder = ChunkEncoder(embedder or build_embedder(settings))
    if settings.qdrant_url:
        from service.search.qdrant_index import QdrantIndex

        return QdrantIndex(encoder, url=settings.qdrant_url, api_key=settings.qdrant_api_key, hnsw_ef=s.hnsw_ef,
                           retrieval=retrieval_params(settings), layout=s.layout)
    if s.backend == "qdrant-local":
        from service.search.qdrant_index import QdrantIndex

        path = Path(settings.data_dir) / "index" / "qdrant-local"
        path.mkdir(parents=True, exist_ok=True)
        return QdrantIndex(encoder, path=str(path), hnsw_ef=s.hnsw_ef, retrieval=retrieval_params(settings))
    from service.search.edge_index import EdgeIndex

    return EdgeIndex(Path(settings.data_dir) / "index", encoder, hnsw_m=s.hnsw_m,
                     hnsw_ef_construct=s.hnsw_ef_construct, hnsw_ef=s.hnsw_ef, retrieval=retrieval_params(settings),
                     optimize_after=s.optimize_after, layout=s.layout)
