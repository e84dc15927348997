"""EdgeIndex: the embedded default, the Qdrant engine in-process (PyPI ``qdrant-edge-py``).

One shard on disk under ``<data_dir>/index/<collection>``, with a write-ahead log,
so an acknowledged upsert survives a crash. Points land in an appendable segment
that is searched exactly; once enough points are waiting, the segment optimiser
builds the HNSW graph in a background thread while searches go on. The ranking
itself is service.search.retrieval's, the same as on a Qdrant server.

One process owns a shard at a time (the WAL is locked); a second process gets a
clear INDEX_LOCKED error. Several processes should share a Qdrant server instead.
"""

from __future__ import annotations

import ctypes
import functools
import threading
from collections.abc import Collection, Sequence
from pathlib import Path
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
    ChunkVectors,
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


class EdgeIndex:
    """A SearchIndex on an in-process Qdrant Edge shard."""

    def __init__(self, path: str | Path, encoder: ChunkEncoder, *, collection: str | None = None,
                 hnsw_m: int = 32, hnsw_ef_construct: int = 200, hnsw_ef: int = 1024,
                 full_scan_threshold: int = 10_000, optimize_after: int = 20_000,
                 retrieval: RetrievalParams | None = None, background_optimize: bool = True,
                 layout: str = "fast") -> None:
        import qdrant_edge as qe

        self._qe = qe
        self.encoder = encoder
        self.collection = collection or f"chunks-{encoder.version}" + ("-compact" if layout == "compact" else "")
        self.path = Path(path) / self.collection
        self.hnsw_ef = hnsw_ef
        self.optimize_after = optimize_after
        self.background_optimize = background_optimize
        self._since_optimize = 0
        self._optimizer: threading.Thread | None = None
        self._write = threading.Lock()
        compact = layout == "compact"
        # int8 candidates are rescored against the float32 originals, from twice as many
        self._quantized = qe.QuantizationSearchParams(rescore=True, oversampling=2.0) if compact else None
        # compact: chunk vectors on disk with an int8 copy in memory for the graph search (the
        # originals rescore), line vectors in 8 bits, BM25 index and payloads on disk.
        dense_params: dict[str, Any] = {"on_disk": True, "quantization_config": qe.ScalarQuantizationConfig(
            type=qe.ScalarType.Int8, quantile=0.99, always_ram=True)} if compact else {}
        config = qe.EdgeConfig(
            vectors={
                DENSE: qe.EdgeVectorParams(size=encoder.dim, distance=qe.Distance.Cosine, **dense_params),
                # Line vectors only rescore candidates: no graph (m=0), half precision, on disk.
                LINES: qe.EdgeVectorParams(
                    size=encoder.dim, distance=qe.Distance.Cosine, on_disk=True,
                    multivector_config=qe.MultiVectorConfig(qe.MultiVectorComparator.MaxSim),
                    datatype=qe.VectorStorageDatatype.Turbo8 if compact else qe.VectorStorageDatatype.Float16,
                    hnsw_config=qe.HnswIndexConfig(m=0, ef_construct=hnsw_ef_construct,
                                                   full_scan_threshold=full_scan_threshold)),
            },
            sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(
                modifier=qe.Modifier.Idf, on_disk=compact,
                datatype=qe.VectorStorageDatatype.Float16 if compact else qe.VectorStorageDatatype.Float32)},
            hnsw_config=qe.HnswIndexConfig(m=hnsw_m, ef_construct=hnsw_ef_construct,
                                           full_scan_threshold=full_scan_threshold),
            optimizers=qe.EdgeOptimizersConfig(default_segment_number=2),
            on_disk_payload=compact,
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
        release_heap()  # what replaying the write-ahead log took
        self.retriever = Retriever(self, encoder, retrieval)

    def _create_payload_indexes(self) -> None:
        """Index the filter fields the shard does not index yet (all of them on a new shard)."""
        qe = self._qe
        have = set(self.shard.info().payload_schema)
        for name in KEYWORD_FIELDS:
            if name not in have:
                self.shard.update(qe.UpdateOperation.create_field_index(name, qe.PayloadSchemaType.Keyword))
        if "day" not in have:
            self.shard.update(qe.UpdateOperation.create_field_index(
                "day", qe.IntegerIndexParams(lookup=False, range=True)))

    # writes

    def upsert(self, chunks: list[Chunk]) -> None:
        """Encode and write chunks (replacing those with the same id), then optimise once enough wait."""
        if not chunks:
            return
        self.upsert_vectors(chunks, self.encoder.encode_chunks(chunks))
        self._maybe_optimize()

    def upsert_vectors(self, chunks: list[Chunk], vectors: list[ChunkVectors]) -> None:
        """Write chunks whose vectors are already computed (benchmarks, migrations)."""
        qe = self._qe
        points = [qe.Point(id=point_id(c.id),
                           vector={DENSE: v.dense.tolist(), LINES: v.lines.tolist(),
                                   SPARSE: qe.SparseVector(indices=v.sparse.indices, values=v.sparse.values)},
                           payload=payload_of(c))
                  for c, v in zip(chunks, vectors, strict=True)]
        with self._write:
            self.shard.update(qe.UpdateOperation.upsert_points(points))
            self._since_optimize += len(points)

    def delete_minute(self, minute_id: str) -> None:
        """Delete every chunk of the minute."""
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
        self.shard.flush()  # what the optimised segments hold no longer needs its write-ahead log
        release_heap()  # what building the segments took
        return changed

    def wait_optimized(self) -> None:
        """Block until a background optimisation, if one runs, has finished."""
        if self._optimizer is not None:
            self._optimizer.join()

    # reads

    def _filter(self, spec: FilterSpec, among: Collection[str] | None = None) -> Any:
        qe = self._qe
        if spec.empty and among is None:
            return None
        must: list[Any] = [] if among is None else [qe.HasIdCondition(point_ids=set(among))]
        for key, values in spec.any_of.items():
            must.append(qe.FieldCondition(key=key, match=qe.MatchAny(any=list(values))))
        for key, value in spec.equals.items():
            must.append(qe.FieldCondition(key=key, match=qe.MatchValue(value)))
        if spec.day_from or spec.day_to:
            must.append(qe.FieldCondition(key="day", range=qe.RangeFloat(gte=spec.day_from, lte=spec.day_to)))
        return qe.Filter(must=must)

    def search(self, query: SearchQuery, *, exact: bool = False) -> list[SearchHit]:
        """Rank through the shared Retriever; ``exact`` scans without the graph (benchmarks, recall)."""
        return self.retriever.search(query, exact=exact)

    # the retrieval engine's primitives

    def nearest(self, using: str, vector: np.ndarray | SparseVector, spec: FilterSpec, limit: int, *,
                among: Collection[str] | None = None, with_dense: bool = False,
                exact: bool = False) -> list[Candidate]:
        """Up to ``limit`` points nearest ``vector`` in field ``using`` under the filter (within ``among`` if given)."""
        qe = self._qe
        if isinstance(vector, SparseVector):
            q = qe.Query.Nearest(qe.SparseVector(indices=vector.indices, values=vector.values), using=using)
        else:
            q = qe.Query.Nearest(query_vector(vector, using), using=using)
        res = self.shard.query(qe.QueryRequest(
            limit=limit, query=q, filter=self._filter(spec, among), with_payload=False,
            with_vector=[DENSE] if with_dense else False,
            params=qe.SearchParams(hnsw_ef=self.hnsw_ef, exact=exact, quantization=self._quantized)))
        return [Candidate(str(p.id), float(p.score),
                          np.asarray(_named(p.vector, DENSE), np.float32) if with_dense else None)
                for p in res]

    def payloads(self, pids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Payloads of the given points by point id; missing points are left out."""
        if not pids:
            return {}
        return {str(r.id): r.payload or {} for r in self.shard.retrieve(list(pids), True, False)}

    def sparse_vectors(self, pids: Sequence[str]) -> dict[str, SparseVector]:
        """BM25 vectors of the given points by point id."""
        if not pids:
            return {}
        return {str(r.id): sparse_of(_named(r.vector, SPARSE)) for r in self.shard.retrieve(list(pids), False, [SPARSE])}

    def sample_sparse(self, limit: int) -> list[SparseVector]:
        """BM25 vectors of up to ``limit`` points; point ids are hashes, so id order is a fair sample."""
        qe = self._qe
        out: list[SparseVector] = []
        offset = None
        while len(out) < limit:
            records, offset = self.shard.scroll(qe.ScrollRequest(offset=offset, limit=min(1000, limit - len(out)),
                                                                 with_payload=False, with_vector=[SPARSE]))
            out += [sparse_of(_named(r.vector, SPARSE)) for r in records]
            if offset is None:
                break
        return out

    def count(self) -> int:
        """Number of chunks in the shard."""
        n: int = self.shard.count(self._qe.CountRequest(exact=True))
        return n

    def minute_ids(self) -> set[str]:
        """Every minute with at least one chunk in the shard."""
        return set(self.minute_versions())

    def minute_versions(self) -> dict[str, int]:
        """Every indexed minute with the oldest chunk version among its chunks."""
        qe = self._qe
        out: dict[str, int] = {}
        offset = None
        while True:
            records, offset = self.shard.scroll(qe.ScrollRequest(
                offset=offset, limit=1000, with_payload=["minute_id", "chunking"], with_vector=False))
            oldest(out, (stored_version(r.payload) for r in records if r.payload))
            if offset is None:
                return out

    def info(self) -> dict[str, int]:
        """Points, segments and vectors in the graph, for status pages and benchmarks."""
        i = self.shard.info()
        return {"points": i.points_count, "segments": i.segments_count, "indexed_vectors": i.indexed_vectors_count}

    def close(self) -> None:
        """Finish a running optimisation, flush and release the shard (and its lock)."""
        self.wait_optimized()
        self.shard.flush()
        self.shard.close()


@functools.cache
def _malloc_trim() -> Any:
    try:
        return ctypes.CDLL(None).malloc_trim  # the C library the process already runs on
    except (OSError, AttributeError):  # not glibc: nothing to give back this way
        return None


def release_heap() -> None:
    """Give the heap pages the engine has freed back to the system (glibc keeps them otherwise).

    Opening a shard replays its write-ahead log (the last ~100 MB of writes, whatever the
    index's size) and building segments holds whole vector sets for a while; glibc keeps
    the freed memory in its arenas, where it stayed resident: 776 MiB after opening a shard
    of 30,000 chunks, 779 MiB at 1,000,000. The 1M shard opens in 7.2–8.6 s with it, 7.2–7.5 s
    without; other threads' allocations wait while it runs.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _named(vector: Any, name: str) -> Any:
    if not isinstance(vector, dict) or name not in vector:
        raise Unavailable(ErrorCode.INDEX_UNAVAILABLE, f"Chỉ mục thiếu vectơ “{name}”; hãy chạy `minutes reindex`.")
    return vector[name]


