"""What every Qdrant-backed index shares: point ids, payloads, date keys and the chunk encoder."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from service.errors import ErrorCode, InputError
from service.search.base import Chunk, SearchFilter, SearchHit
from service.search.embedder import Embedder
from service.search.query import QueryPlan, plan_query
from service.search.sparse import SPARSE_VERSION, SparseEncoder, SparseVector

DENSE = "dense"
LINES = "lines"
SPARSE = "bm25"
LAYOUT_VERSION = "lines1"  # a chunk vector plus one vector per line (Qdrant multivector, max-sim)
MIN_LINE_CHARS = 25  # shorter lines (headings, "- Nhất trí.") are embedded only as part of the chunk vector
MAX_LINES = 48
FACETS = "facets"  # what a question may ask of a whole minute: "vote=split" (service.archive.chunks)
FIELD_FACETS = ("meeting_type",)  # facets kept as payload fields of their own
BROAD_FACETS = frozenset({("meeting_type", "thuong_ky")})  # what most minutes have: boosted, never a narrowing
KEYWORD_FIELDS = ("minute_id", "dang_bo", "chi_bo", "meeting_type", "section", FACETS)
_NAMESPACE = uuid.UUID("6f1d2a52-9a4e-4b3c-8f61-3c1c8f0b6a11")


def point_id(chunk_id: str) -> str:
    """The Qdrant point id of a chunk: a UUID derived from the chunk id, so upserts overwrite."""
    return str(uuid.uuid5(_NAMESPACE, chunk_id))


def day_number(iso: str | None, *, end: bool = False) -> int | None:
    """``YYYY[-MM[-DD]]`` → yyyymmdd; a partial date opens (or, with ``end``, closes) its period."""
    if not iso:
        return None
    parts = iso.strip().split("-")
    try:
        y = int(parts[0])
        m = int(parts[1]) if len(parts) > 1 else (12 if end else 1)
        d = int(parts[2]) if len(parts) > 2 else (31 if end else 1)
    except ValueError as e:
        raise InputError(ErrorCode.INVALID_FILTER, f"Ngày “{iso}” không hợp lệ; dùng dạng YYYY-MM-DD.") from e
    if len(parts) > 3 or not (1 <= m <= 12 and 1 <= d <= 31 and 1900 <= y <= 2200):
        raise InputError(ErrorCode.INVALID_FILTER, f"Ngày “{iso}” không hợp lệ; dùng dạng YYYY-MM-DD.")
    return y * 10_000 + m * 100 + d


def payload_of(c: Chunk) -> dict[str, Any]:
    """The Qdrant payload stored with a chunk: its fields, text, day key and chunking version."""
    return {"chunk_id": c.id, "minute_id": c.minute_id, "text": c.text, "dang_bo": c.dang_bo, "chi_bo": c.chi_bo,
            "date": c.date, "day": day_number(c.date), "period": c.period, "meeting_type": c.meeting_type,
            "section": c.section, "span": [c.span[0], c.span[1]], "facets": list(c.facets),
            "chunking": c.version}


def oldest(versions: dict[str, int], chunks: Iterable[tuple[str, int]]) -> None:
    """Fold (minute id, chunk version) pairs into minute id → the oldest chunk version seen."""
    for mid, v in chunks:
        versions[mid] = min(versions.get(mid, v), v)


def stored_version(payload: dict[str, Any]) -> tuple[str, int]:
    """The minute id and chunk version of a stored payload (1 where none is recorded)."""
    return payload["minute_id"], int(payload.get("chunking") or 1)


def hit_of(payload: dict[str, Any], score: float) -> SearchHit:
    """A SearchHit from a stored payload and its score."""
    span = payload.get("span") or [0, 0]
    return SearchHit(chunk_id=payload["chunk_id"], minute_id=payload["minute_id"], score=float(score),
                     section=payload["section"], span=(int(span[0]), int(span[1])), chi_bo=payload.get("chi_bo"),
                     dang_bo=payload.get("dang_bo"), date=payload.get("date"), text=payload.get("text") or "")


def query_vector(vector: np.ndarray, using: str) -> list[float] | list[list[float]]:
    """A dense query for the named vector: a multivector field (lines) is queried with a multivector of one."""
    flat = [float(x) for x in vector]
    return [flat] if using == LINES else flat


def sparse_of(v: Any) -> SparseVector:
    """A sparse vector as either Qdrant API returns it."""
    return SparseVector(indices=list(v.indices), values=[float(x) for x in v.values])


@dataclass(frozen=True)
class FilterSpec:
    """A SearchFilter in the terms of the payload: keyword sets, exact values and a day range."""

    any_of: dict[str, list[str]]
    equals: dict[str, str]
    day_from: int | None
    day_to: int | None

    @property
    def empty(self) -> bool:
        """Whether the spec filters nothing."""
        return not (self.any_of or self.equals or self.day_from or self.day_to)


def filter_spec(f: SearchFilter) -> FilterSpec:
    """The payload terms of a SearchFilter; a partial ``date_to`` runs to the end of its period."""
    any_of = {k: v for k, v in (("dang_bo", f.dang_bo), ("chi_bo", f.chi_bo), ("minute_id", f.minute_id))
              if v is not None}
    equals = {k: v for k, v in (("meeting_type", f.meeting_type), ("section", f.section)) if v}
    return FilterSpec(any_of=any_of, equals=equals, day_from=day_number(f.date_from),
                      day_to=day_number(f.date_to, end=True))


def add(base: SparseVector | None, extra: SparseVector, weight: float) -> SparseVector:
    """``base`` plus ``weight`` × the terms of ``extra`` that ``base`` lacks (a query term keeps its own weight)."""
    out = dict(zip(base.indices, base.values, strict=True)) if base is not None else {}
    for t, v in zip(extra.indices, extra.values, strict=True):
        out.setdefault(t, weight * v)
    keys = sorted(out)
    return SparseVector(indices=keys, values=[out[k] for k in keys])


def chunk_lines(embed_text: str) -> tuple[str, list[str]]:
    """A chunk's context line and the body lines that get a vector of their own.

    ``embed_text`` is the context line (unit, period, heading) followed by the body
    (service.archive.chunks). A body with no line of ``MIN_LINE_CHARS`` is one line.
    """
    head, _, body = embed_text.partition("\n")
    lines = [ln.strip() for ln in body.splitlines() if len(ln.strip()) >= MIN_LINE_CHARS]
    if not lines:
        lines = [body.strip() or head]
    return head, lines[:MAX_LINES]


@dataclass(frozen=True)
class ChunkVectors:
    """What the index stores for one chunk.

    ``lines`` holds one unit vector per body line; a query scores a chunk by its best
    line (max-sim), which keeps a single sentence about the topic from being drowned
    by the routine wording around it. ``dense`` is the normalised sum of the line
    vectors and the context line's: the whole chunk with its unit, period and heading.
    """

    dense: np.ndarray
    lines: np.ndarray
    sparse: SparseVector


class ChunkEncoder:
    """Dense and sparse vectors for chunks and queries; its version names the collection."""

    def __init__(self, embedder: Embedder, sparse: SparseEncoder | None = None) -> None:
        self.embedder = embedder
        self.sparse = sparse or SparseEncoder()

    @property
    def version(self) -> str:
        """The embedder, sparse and layout versions joined; it names the collection."""
        return f"{self.embedder.version}-{SPARSE_VERSION}-{LAYOUT_VERSION}"

    @property
    def dim(self) -> int:
        """Dimension of the dense vectors."""
        return self.embedder.dim

    def encode_chunks(self, chunks: list[Chunk]) -> list[ChunkVectors]:
        """The chunk and line vectors and the BM25 vector of each chunk, in order."""
        parts = [chunk_lines(c.embed_text) for c in chunks]
        # Routine lines recur across minutes: each distinct text is embedded once per call.
        texts = list(dict.fromkeys(t for head, lines in parts for t in (head, *lines)))
        at = {t: i for i, t in enumerate(texts)}
        vecs = self.embedder.embed_passages(texts) if texts else np.zeros((0, self.dim), np.float32)
        out = []
        for c, (head, lines) in zip(chunks, parts, strict=True):
            per_line = vecs[[at[t] for t in lines]]
            whole = per_line.sum(axis=0) + vecs[at[head]]
            whole = whole / (float(np.linalg.norm(whole)) or 1.0)
            out.append(ChunkVectors(dense=whole.astype(np.float32), lines=per_line,
                                    sparse=self.sparse.encode_document(c.embed_text)))
        return out

    def encode_query(self, plan: QueryPlan, mode: str) -> tuple[np.ndarray | None, SparseVector | None]:
        """The query's dense vector (the mean of its views) and BM25 vector (its words, then the expansion's)."""
        dense = None
        if mode == "dense" or (mode == "hybrid" and plan.dense_weight > 0.0):
            views = [self.embedder.embed_query(t) for t in plan.dense_texts if t.strip()]
            if views:
                mean = np.sum(views, axis=0)
                dense = (mean / (float(np.linalg.norm(mean)) or 1.0)).astype(np.float32)
        sparse = None
        if mode in ("hybrid", "sparse"):
            sparse = self.sparse.encode_query(plan.sparse_text) if plan.sparse_text.strip() else None
            if plan.expansion.strip():
                extra = self.sparse.encode_query(plan.expansion)
                sparse = add(sparse, extra, plan.expansion_weight)
            if sparse is not None and not sparse.indices:
                sparse = None
        return dense, sparse

    def warm_up(self) -> None:
        """Load the embedder, the word segmenter and the query planner's word lists."""
        self.embedder.warm_up()
        self.sparse.terms("khởi động")
        plan_query("khoi dong")  # the word list, counts, lexicon and thesaurus, off the first query's path
