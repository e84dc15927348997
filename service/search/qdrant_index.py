"""QdrantIndex: the index through qdrant-client, on a Qdrant server or cluster, or in local mode.

``url`` (``MINUTES_QDRANT_URL``, with ``MINUTES_QDRANT_API_KEY``) talks to a server
or cluster; ``location=":memory:"`` or ``path=...`` runs qdrant-client's local
mode, which is exact but slow past some ten thousand chunks (see
docs/search-plan.md) and serves here for tests and the congruence check against
the embedded engine. The collection, vectors, payload indexes and queries are the
same as EdgeIndex's: dense cosine + sparse BM25 with the IDF modifier, fused by RRF.
"""

from __future__ import annotations

from typing import Any

from service.errors import ErrorCode, Unavailable
from service.search.base import Chunk, SearchHit, SearchQuery
from service.search.encoding import (
    DENSE,
    KEYWORD_FIELDS,
    SPARSE,
    ChunkEncoder,
    FilterSpec,
    dense_weight,
    effective_mode,
    filter_spec,
    hit_of,
    payload_of,
    point_id,
)


class QdrantIndex:
    """A SearchIndex on one Qdrant collection reached through qdrant-client."""

    def __init__(self, encoder: ChunkEncoder, *, url: str | None = None, api_key: str | None = None,
                 location: str | None = None, path: str | None = None, collection: str | None = None,
                 hnsw_ef: int = 512, prefetch: int = 50, rrf_k: int = 60, ascii_dense_weight: float = 0.0,
                 timeout: int = 30) -> None:
        from qdrant_client import QdrantClient, models

        self._m = models
        self.encoder = encoder
        self.collection = collection or f"chunks-{encoder.version}"
        self.hnsw_ef = hnsw_ef
        self.prefetch = prefetch
        self.rrf_k = rrf_k
        self._local = not url  # local mode: exact search, payload indexes and search params do nothing
        self.ascii_dense_weight = ascii_dense_weight
        try:
            if url:
                self.client = QdrantClient(url=url, api_key=api_key, timeout=timeout)
            elif path:
                self.client = QdrantClient(path=path)
            else:
                self.client = QdrantClient(location=location or ":memory:")
            if not self.client.collection_exists(self.collection):
                self._create()
        except Unavailable:
            raise
        except Exception as e:  # connection refused, bad key, locked local storage
            raise Unavailable(ErrorCode.INDEX_UNAVAILABLE,
                              f"Không kết nối được chỉ mục Qdrant ({url or path or location}): {e}") from e

    def _create(self) -> None:
        m = self._m
        self.client.create_collection(
            self.collection,
            vectors_config={DENSE: m.VectorParams(size=self.encoder.dim, distance=m.Distance.COSINE)},
            sparse_vectors_config={SPARSE: m.SparseVectorParams(modifier=m.Modifier.IDF)},
        )
        if self._local:
            return
        for name in KEYWORD_FIELDS:
            self.client.create_payload_index(self.collection, name, m.PayloadSchemaType.KEYWORD)
        self.client.create_payload_index(self.collection, "day",
                                         m.IntegerIndexParams(type=m.IntegerIndexType.INTEGER, lookup=False,
                                                              range=True))

    def upsert(self, chunks: list[Chunk]) -> None:
        if not chunks:
            return
        m = self._m
        dense, sparse = self.encoder.encode_chunks(chunks)
        points = [m.PointStruct(id=point_id(c.id),
                                vector={DENSE: dense[i].tolist(),
                                        SPARSE: m.SparseVector(indices=sparse[i].indices, values=sparse[i].values)},
                                payload=payload_of(c))
                  for i, c in enumerate(chunks)]
        self.client.upsert(self.collection, points=points, wait=True)

    def delete_minute(self, minute_id: str) -> None:
        m = self._m
        self.client.delete(self.collection, wait=True, points_selector=m.FilterSelector(filter=m.Filter(
            must=[m.FieldCondition(key="minute_id", match=m.MatchValue(value=minute_id))])))

    def _filter(self, spec: FilterSpec) -> Any:
        m = self._m
        if spec.empty:
            return None
        must: list[Any] = [m.FieldCondition(key=k, match=m.MatchAny(any=list(v))) for k, v in spec.any_of.items()]
        must += [m.FieldCondition(key=k, match=m.MatchValue(value=v)) for k, v in spec.equals.items()]
        if spec.day_from or spec.day_to:
            must.append(m.FieldCondition(key="day", range=m.Range(gte=spec.day_from, lte=spec.day_to)))
        return m.Filter(must=must)

    def search(self, query: SearchQuery, *, exact: bool = False) -> list[SearchHit]:
        m = self._m
        dense, sparse = self.encoder.encode_query(
            query.text, effective_mode(query.text, query.mode, self.ascii_dense_weight))
        flt = self._filter(filter_spec(query.filter))
        params = None if self._local else m.SearchParams(hnsw_ef=self.hnsw_ef, exact=exact)
        stages: list[tuple[Any, str]] = []
        if dense is not None:
            stages.append(([float(x) for x in dense], DENSE))
        if sparse is not None:
            stages.append((m.SparseVector(indices=sparse.indices, values=sparse.values), SPARSE))
        if not stages:
            return []
        if len(stages) == 1:
            vec, using = stages[0]
            res = self.client.query_points(self.collection, query=vec, using=using, query_filter=flt,
                                           limit=query.limit, offset=query.offset, search_params=params,
                                           with_payload=True)
        else:
            depth = max(self.prefetch, query.offset + query.limit)
            res = self.client.query_points(
                self.collection, limit=query.limit, offset=query.offset,
                query=m.RrfQuery(rrf=m.Rrf(k=self.rrf_k, weights=[dense_weight(query.text, self.ascii_dense_weight), 1.0])),
                with_payload=True,
                prefetch=[m.Prefetch(query=vec, using=using, filter=flt, limit=depth, params=params)
                          for vec, using in stages])
        return [hit_of(p.payload or {}, p.score) for p in res.points]

    def count(self) -> int:
        return int(self.client.count(self.collection, exact=True).count)

    def minute_ids(self) -> set[str]:
        ids: set[str] = set()
        offset = None
        while True:
            records, offset = self.client.scroll(self.collection, limit=1000, offset=offset,
                                                 with_payload=["minute_id"], with_vectors=False)
            ids.update(r.payload["minute_id"] for r in records if r.payload)
            if offset is None:
                return ids

    def close(self) -> None:
        self.client.close()
