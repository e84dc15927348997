"""QdrantIndex: the index through qdrant-client, on a Qdrant server or cluster, or in local mode.

``url`` (``MINUTES_QDRANT_URL``, with ``MINUTES_QDRANT_API_KEY``) talks to a server
or cluster; ``location=":memory:"`` or ``path=...`` runs qdrant-client's local
mode, which is exact but slow past some ten thousand chunks (see
docs/search-plan.md) and serves here for tests and the congruence check against
the embedded engine. The collection, vectors and payload indexes are the same as
EdgeIndex's, and so is the ranking (service.search.retrieval).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from typing import Any

import numpy as np

from service.errors import ErrorCode, Unavailable
from service.search.base import Chunk, SearchHit, SearchQuery
from service.search.encoding import (
    DENSE,
    KEYWORD_FIELDS,
    LINES,
    SPARSE,
    ChunkEncoder,
    FilterSpec,
    oldest,
    payload_of,
    point_id,
    query_vector,
    sparse_of,
    stored_version,
)
from service.search.retrieval import Candidate, RetrievalParams, Retriever
from service.search.sparse import SparseVector

log = logging.getLogger(__name__)


class QdrantIndex:
    """A SearchIndex on one Qdrant collection reached through qdrant-client."""

    def __init__(self, encoder: ChunkEncoder, *, url: str | None = None, api_key: str | None = None,
                 location: str | None = None, path: str | None = None, collection: str | None = None,
                 hnsw_ef: int = 1024, retrieval: RetrievalParams | None = None, timeout: int = 30,
                 layout: str = "fast") -> None:
        from qdrant_client import QdrantClient, models

        self._m = models
        self.encoder = encoder
        self.compact = layout == "compact"
        self.collection = collection or f"chunks-{encoder.version}" + ("-compact" if self.compact else "")
        self.hnsw_ef = hnsw_ef
        self._local = not url  # local mode: exact search, payload indexes and search params do nothing
        self.retriever = Retriever(self, encoder, retrieval)
        try:
            if url:
                self.client = QdrantClient(url=url, api_key=api_key, timeout=timeout)
            elif path:
                self.client = QdrantClient(path=path)
            else:
                self.client = QdrantClient(location=location or ":memory:")
            if not self.client.collection_exists(self.collection):
                self._create()
            self._create_payload_indexes()
        except Unavailable:
            raise
        except Exception as e:  # connection refused, bad key, locked local storage
            raise Unavailable(ErrorCode.INDEX_UNAVAILABLE,
                              f"Không kết nối được chỉ mục Qdrant ({url or path or location}): {e}") from e

    def _create(self) -> None:
        m = self._m
        # compact (a server holding millions of chunks): chunk vectors on disk with an int8 copy in
        # memory for the graph search, the BM25 index and payloads on disk.
        quantized = m.ScalarQuantization(scalar=m.ScalarQuantizationConfig(
            type=m.ScalarType.INT8, quantile=0.99, always_ram=True)) if self.compact else None
        self.client.create_collection(
            self.collection,
            vectors_config={
                DENSE: m.VectorParams(size=self.encoder.dim, distance=m.Distance.COSINE, on_disk=self.compact,
                                      quantization_config=quantized),
                LINES: m.VectorParams(size=self.encoder.dim, distance=m.Distance.COSINE, on_disk=True,
                                      multivector_config=m.MultiVectorConfig(comparator=m.MultiVectorComparator.MAX_SIM),
                                      datatype=m.Datatype.FLOAT16, hnsw_config=m.HnswConfigDiff(m=0)),
            },
            sparse_vectors_config={SPARSE: m.SparseVectorParams(
                modifier=m.Modifier.IDF, index=m.SparseIndexParams(on_disk=True, datatype=m.Datatype.FLOAT16) if self.compact else None)},
            on_disk_payload=self.compact,
        )

    def _create_payload_indexes(self) -> None:
        """Index the filter fields the collection does not index yet (a server only; local mode has none).

        The server builds an index in the background (``wait=False``): a large collection opens at
        once and its filters work, more slowly, until the index is built. A server that refuses (a
        read-only key) is logged and the collection opens all the same.
        """
        if self._local:
            return
        m = self._m
        have = set(self.client.get_collection(self.collection).payload_schema or {})
        wanted: list[tuple[str, Any]] = [(name, m.PayloadSchemaType.KEYWORD) for name in KEYWORD_FIELDS]
        wanted.append(("day", m.IntegerIndexParams(type=m.IntegerIndexType.INTEGER, lookup=False, range=True)))
        for name, schema in wanted:
            if name in have:
                continue
            try:
                self.client.create_payload_index(self.collection, name, schema, wait=False)
            except Exception as e:  # the client raises its own types for a refused or failed request
                log.warning("payload index %s on %s not created: %s", name, self.collection, e)

    def upsert(self, chunks: list[Chunk]) -> None:
        """Encode and upsert chunks, replacing those with the same id; waits for the write."""
        if not chunks:
            return
        m = self._m
        points = [m.PointStruct(id=point_id(c.id),
                                vector={DENSE: v.dense.tolist(), LINES: v.lines.tolist(),
                                        SPARSE: m.SparseVector(indices=v.sparse.indices, values=v.sparse.values)},
                                payload=payload_of(c))
                  for c, v in zip(chunks, self.encoder.encode_chunks(chunks), strict=True)]
        self.client.upsert(self.collection, points=points, wait=True)

    def delete_minute(self, minute_id: str) -> None:
        """Delete every point of the minute; waits for the write."""
        m = self._m
        self.client.delete(self.collection, wait=True, points_selector=m.FilterSelector(filter=m.Filter(
            must=[m.FieldCondition(key="minute_id", match=m.MatchValue(value=minute_id))])))

    def _filter(self, spec: FilterSpec, among: Collection[str] | None = None) -> Any:
        m = self._m
        if spec.empty and among is None:
            return None
        must: list[Any] = [] if among is None else [m.HasIdCondition(has_id=list(among))]
        must += [m.FieldCondition(key=k, match=m.MatchAny(any=list(v))) for k, v in spec.any_of.items()]
        must += [m.FieldCondition(key=k, match=m.MatchValue(value=v)) for k, v in spec.equals.items()]
        if spec.day_from or spec.day_to:
            must.append(m.FieldCondition(key="day", range=m.Range(gte=spec.day_from, lte=spec.day_to)))
        return m.Filter(must=must)

    def search(self, query: SearchQuery, *, exact: bool = False) -> list[SearchHit]:
        """Rank through the shared Retriever; ``exact`` searches without the HNSW graph."""
        return self.retriever.search(query, exact=exact)

    # the retrieval engine's primitives

    def nearest(self, using: str, vector: np.ndarray | SparseVector, spec: FilterSpec, limit: int, *,
                among: Collection[str] | None = None, with_dense: bool = False,
                exact: bool = False) -> list[Candidate]:
        """The ``limit`` points nearest ``vector`` in the ``using`` field under the filter, best first."""
        m = self._m
        q: Any = (m.SparseVector(indices=vector.indices, values=vector.values) if isinstance(vector, SparseVector)
                  else query_vector(vector, using))
        res = self.client.query_points(
            self.collection, query=q, using=using, query_filter=self._filter(spec, among), limit=limit,
            with_payload=False, with_vectors=[DENSE] if with_dense else False,
            search_params=None if self._local else m.SearchParams(hnsw_ef=self.hnsw_ef, exact=exact))
        return [Candidate(str(p.id), float(p.score),
                          np.asarray(p.vector[DENSE], np.float32) if with_dense and isinstance(p.vector, dict)
                          else None)
                for p in res.points]

    def payloads(self, pids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Payloads of the given points by point id; missing points are left out."""
        if not pids:
            return {}
        return {str(r.id): r.payload or {}
                for r in self.client.retrieve(self.collection, list(pids), with_payload=True, with_vectors=False)}

    def sparse_vectors(self, pids: Sequence[str]) -> dict[str, SparseVector]:
        """BM25 vectors of the given points by point id."""
        if not pids:
            return {}
        records = self.client.retrieve(self.collection, list(pids), with_payload=False, with_vectors=[SPARSE])
        return {str(r.id): sparse_of(r.vector[SPARSE]) for r in records
                if isinstance(r.vector, dict) and SPARSE in r.vector}

    def sample_sparse(self, limit: int) -> list[SparseVector]:
        """BM25 vectors of up to ``limit`` points; point ids are hashes, so id order is a fair sample."""
        out: list[SparseVector] = []
        offset = None
        while len(out) < limit:
            records, offset = self.client.scroll(self.collection, limit=min(1000, limit - len(out)), offset=offset,
                                                 with_payload=False, with_vectors=[SPARSE])
            out += [sparse_of(r.vector[SPARSE]) for r in records if isinstance(r.vector, dict) and SPARSE in r.vector]
            if offset is None:
                break
        return out

    def count(self) -> int:
        """Exact number of points in the collection."""
        return int(self.client.count(self.collection, exact=True).count)

    def minute_ids(self) -> set[str]:
        """Every minute with at least one chunk in the collection."""
        return set(self.minute_versions())

    def minute_versions(self) -> dict[str, int]:
        """Every indexed minute with the oldest chunk version among its chunks."""
        out: dict[str, int] = {}
        offset = None
        while True:
            records, offset = self.client.scroll(self.collection, limit=1000, offset=offset,
                                                 with_payload=["minute_id", "chunking"], with_vectors=False)
            oldest(out, (stored_version(r.payload) for r in records if r.payload))
            if offset is None:
                return out

    def close(self) -> None:
        """Close the client."""
        self.client.close()


