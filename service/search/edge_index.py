"""EdgeIndex: the embedded default, the Qdrant engine in-process (PyPI ``qdrant-edge-py``).

One shard on disk under ``<data_dir>/index/<collection>``, with a write-ahead log,
so an acknowledged upsert survives a crash. Points land in an appendable segment
that is searched exactly; once enough points are waiting, the segment optimiser
builds the HNSW graph in a background thread while searches go on. Hybrid search
is one Qdrant query: a dense and a sparse prefetch (same filter) fused by RRF.

One process owns a shard at a time (the WAL is locked); a second process gets a
clear INDEX_LOCKED error. Several processes should share a Qdrant server instead.
"""

from __future__ import annotations

import threading
from pathlib import Path
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


class EdgeIndex:
    """A SearchIndex on an in-process Qdrant Edge shard."""

    def __init__(self, path: str | Path, encoder: ChunkEncoder, *, collection: str | None = None,
                 hnsw_m: int = 32, hnsw_ef_construct: int = 200, hnsw_ef: int = 512,
                 full_scan_threshold: int = 10_000, optimize_after: int = 20_000, prefetch: int = 50,
                 rrf_k: int = 60, ascii_dense_weight: float = 0.0, background_optimize: bool = True) -> None:
        import qdrant_edge as qe

        self._qe = qe
        self.encoder = encoder
        self.collection = collection or f"chunks-{encoder.version}"
        self.path = Path(path) / self.collection
        self.hnsw_ef = hnsw_ef
        self.prefetch = prefetch
        self.rrf_k = rrf_k
        self.ascii_dense_weight = ascii_dense_weight
        self.optimize_after = optimize_after
        self.background_optimize = background_optimize
        self._since_optimize = 0
        self._optimizer: threading.Thread | None = None
        self._write = threading.Lock()
        config = qe.EdgeConfig(
            vectors={DENSE: qe.EdgeVectorParams(size=encoder.dim, distance=qe.Distance.Cosine)},
            sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
            hnsw_config=qe.HnswIndexConfig(m=hnsw_m, ef_construct=hnsw_ef_construct,
                                           full_scan_threshold=full_scan_threshold),
            optimizers=qe.EdgeOptimizersConfig(default_segment_number=2),
        )
        try:
            if (self.path / "edge_config.json").exists():
                self.shard = qe.EdgeShard.load(str(self.path), config)
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self.shard = qe.EdgeShard.create(str(self.path), config)
                self._create_payload_indexes()
        except Exception as e:  # the engine reports every failure as one runtime error type
            if "WouldBlock" in str(e) or "lock" in str(e).lower():
                raise Unavailable(ErrorCode.INDEX_LOCKED,
                                  f"Chỉ mục {self.path} đang được một tiến trình khác dùng (ví dụ `minutes serve`); "
                                  "hãy tìm qua API /v1/search hoặc dừng tiến trình đó.") from e
            raise Unavailable(ErrorCode.INDEX_UNAVAILABLE, f"Không mở được chỉ mục {self.path}: {e}") from e

    def _create_payload_indexes(self) -> None:
        qe = self._qe
        for name in KEYWORD_FIELDS:
            self.shard.update(qe.UpdateOperation.create_field_index(name, qe.PayloadSchemaType.Keyword))
        self.shard.update(qe.UpdateOperation.create_field_index(
            "day", qe.IntegerIndexParams(lookup=False, range=True)))

    # writes

    def upsert(self, chunks: list[Chunk]) -> None:
        if not chunks:
            return
        qe = self._qe
        dense, sparse = self.encoder.encode_chunks(chunks)
        points = [qe.Point(id=point_id(c.id),
                           vector={DENSE: dense[i].tolist(),
                                   SPARSE: qe.SparseVector(indices=sparse[i].indices, values=sparse[i].values)},
                           payload=payload_of(c))
                  for i, c in enumerate(chunks)]
        with self._write:
            self.shard.update(qe.UpdateOperation.upsert_points(points))
            self._since_optimize += len(points)
        self._maybe_optimize()

    def upsert_vectors(self, chunks: list[Chunk], dense: Any, sparse: list[Any]) -> None:
        """Write chunks whose vectors are already computed (benchmarks, migrations)."""
        qe = self._qe
        points = [qe.Point(id=point_id(c.id),
                           vector={DENSE: [float(x) for x in dense[i]],
                                   SPARSE: qe.SparseVector(indices=sparse[i].indices, values=sparse[i].values)},
                           payload=payload_of(c))
                  for i, c in enumerate(chunks)]
        with self._write:
            self.shard.update(qe.UpdateOperation.upsert_points(points))
            self._since_optimize += len(points)

    def delete_minute(self, minute_id: str) -> None:
        qe = self._qe
        flt = qe.Filter(must=[qe.FieldCondition(key="minute_id", match=qe.MatchValue(minute_id))])
        with self._write:
            self.shard.update(qe.UpdateOperation.delete_points_by_filter(flt))

    def _maybe_optimize(self) -> None:
        if self._since_optimize < self.optimize_after:
            return
        if not self.background_optimize:
            self.optimize()
            return
        if self._optimizer is not None and self._optimizer.is_alive():
            return
        self._optimizer = threading.Thread(target=self.optimize, name="index-optimize", daemon=True)
        self._optimizer.start()

    def optimize(self) -> bool:
        """Merge segments and build the HNSW graph now (blocking); True if anything changed."""
        self._since_optimize = 0
        changed: bool = self.shard.optimize()
        return changed

    def wait_optimized(self) -> None:
        if self._optimizer is not None:
            self._optimizer.join()

    # reads

    def _filter(self, spec: FilterSpec) -> Any:
        qe = self._qe
        if spec.empty:
            return None
        must: list[Any] = []
        for key, values in spec.any_of.items():
            must.append(qe.FieldCondition(key=key, match=qe.MatchAny(any=list(values))))
        for key, value in spec.equals.items():
            must.append(qe.FieldCondition(key=key, match=qe.MatchValue(value)))
        if spec.day_from or spec.day_to:
            must.append(qe.FieldCondition(key="day", range=qe.RangeFloat(gte=spec.day_from, lte=spec.day_to)))
        return qe.Filter(must=must)

    def search(self, query: SearchQuery, *, exact: bool = False) -> list[SearchHit]:
        qe = self._qe
        dense, sparse = self.encoder.encode_query(
            query.text, effective_mode(query.text, query.mode, self.ascii_dense_weight))
        flt = self._filter(filter_spec(query.filter))
        params = qe.SearchParams(hnsw_ef=self.hnsw_ef, exact=exact)
        stages = []
        if dense is not None:
            stages.append(qe.Query.Nearest([float(x) for x in dense], using=DENSE))
        if sparse is not None:
            stages.append(qe.Query.Nearest(qe.SparseVector(indices=sparse.indices, values=sparse.values),
                                           using=SPARSE))
        if not stages:
            return []
        want = query.offset + query.limit
        if len(stages) == 1:
            req = qe.QueryRequest(limit=query.limit, offset=query.offset, query=stages[0], filter=flt,
                                  params=params, with_payload=True)
        else:
            depth = max(self.prefetch, want)
            req = qe.QueryRequest(
                limit=query.limit, offset=query.offset, with_payload=True,
                query=qe.Fusion.Rrf(k=self.rrf_k, weights=[dense_weight(query.text, self.ascii_dense_weight), 1.0]),
                prefetches=[qe.Prefetch(limit=depth, query=s, filter=flt, params=params) for s in stages])
        return [hit_of(p.payload or {}, p.score) for p in self.shard.query(req)]

    def count(self) -> int:
        n: int = self.shard.count(self._qe.CountRequest(exact=True))
        return n

    def minute_ids(self) -> set[str]:
        qe = self._qe
        ids: set[str] = set()
        offset = None
        while True:
            records, offset = self.shard.scroll(qe.ScrollRequest(offset=offset, limit=1000,
                                                                 with_payload=["minute_id"], with_vector=False))
            ids.update(r.payload["minute_id"] for r in records if r.payload)
            if offset is None:
                return ids

    def info(self) -> dict[str, int]:
        i = self.shard.info()
        return {"points": i.points_count, "segments": i.segments_count, "indexed_vectors": i.indexed_vectors_count}

    def close(self) -> None:
        self.wait_optimized()
        self.shard.flush()
        self.shard.close()
