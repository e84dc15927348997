"""The search use case behind every door: validate, scope, search, and describe each hit.

A hit names its minute (id, original file name, units as written, date), its
section, a snippet with the matching words marked, where that snippet lies in
the minute's normalised text, and the score of the chosen mode (hybrid: the fused
score; dense: best line's cosine plus the chunk's; sparse: BM25).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace

from pydantic import BaseModel, ConfigDict, Field

from service.errors import ErrorCode, InputError
from service.search.base import SearchFilter, SearchIndex, SearchMode, SearchQuery
from service.search.snippet import make_snippet

MAX_QUERY_CHARS = 500
MAX_LIMIT = 100
MAX_OFFSET = 1000


@dataclass(frozen=True)
class MinuteInfo:
    """How a minute is shown: its original file name and units as the clerk wrote them."""

    file_name: str | None
    dang_bo: str | None
    chi_bo: str | None
    date: str | None


class ResultHit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    minute_id: str
    file_name: str | None = Field(description="The original file name of the minute.")
    dang_bo: str | None
    chi_bo: str | None
    date: str | None
    section: str = Field(description="Section kind: resolution, criticism, discussion, report, conclusion.")
    score: float = Field(description="Score in the chosen mode (hybrid: fused, DBSF; dense: best line's cosine plus "
                                           "the chunk's; sparse: BM25).")
    snippet: str
    highlights: list[tuple[int, int]] = Field(description="[start, end) of matching words in `snippet`.")
    span: tuple[int, int] = Field(description="[start, end) of `snippet` in the minute's normalised text.")
    chunk_id: str


class SearchResults(BaseModel):
    ok: bool = True
    query: str
    mode: SearchMode
    data: list[ResultHit]
    count: int = Field(description="Hits on this page.")
    limit: int
    offset: int
    next_offset: int | None = Field(description="Offset of the next page, or null when this page was the last.")


def make_query(text: str, *, mode: SearchMode = "hybrid", limit: int = 10, offset: int = 0,
               flt: SearchFilter | None = None) -> SearchQuery:
    """A validated query; bad input raises InputError with a Vietnamese message."""
    text = unicodedata.normalize("NFC", text or "").strip()
    if not text:
        raise InputError(ErrorCode.INVALID_QUERY, "Hãy nhập nội dung cần tìm.", status=422)
    if len(text) > MAX_QUERY_CHARS:
        raise InputError(ErrorCode.INVALID_QUERY,
                         f"Câu tìm kiếm quá dài ({len(text)} ký tự); tối đa {MAX_QUERY_CHARS} ký tự.", status=422)
    if mode not in ("hybrid", "dense", "sparse"):
        raise InputError(ErrorCode.INVALID_QUERY, "Chế độ tìm phải là hybrid, dense hoặc sparse.", status=422)
    if not 1 <= limit <= MAX_LIMIT or not 0 <= offset <= MAX_OFFSET:
        raise InputError(ErrorCode.INVALID_QUERY,
                         f"Số kết quả mỗi trang từ 1 đến {MAX_LIMIT}, vị trí bắt đầu từ 0 đến {MAX_OFFSET}.",
                         status=422)
    return SearchQuery(text=text, mode=mode, limit=limit, offset=offset, filter=flt or SearchFilter())


def scoped(flt: SearchFilter, dang_bo: list[str] | None, chi_bo: list[str] | None) -> SearchFilter | None:
    """``flt`` narrowed to the units a caller may see (keys; None = no limit); None when nothing is left."""
    def meet(asked: list[str] | None, allowed: list[str] | None) -> list[str] | None:
        if allowed is None:
            return asked
        return [a for a in asked if a in allowed] if asked is not None else list(allowed)

    d, c = meet(flt.dang_bo, dang_bo), meet(flt.chi_bo, chi_bo)
    if (d is not None and not d) or (c is not None and not c):
        return None
    return replace(flt, dang_bo=d, chi_bo=c)


def search_minutes(index: SearchIndex, query: SearchQuery, *,
                   describe: Callable[[str], MinuteInfo | None] | None = None,
                   allowed: tuple[list[str] | None, list[str] | None] = (None, None)) -> SearchResults:
    """Run ``query`` on ``index`` within the ``allowed`` (đảng bộ keys, chi bộ keys)."""
    flt = scoped(query.filter, *allowed)
    hits = index.search(replace(query, filter=flt)) if flt is not None else []
    infos: dict[str, MinuteInfo | None] = {}
    data = []
    for h in hits:
        if h.minute_id not in infos:
            infos[h.minute_id] = describe(h.minute_id) if describe else None
        info = infos[h.minute_id]
        snip = make_snippet(h.text, query.text)
        data.append(ResultHit(
            minute_id=h.minute_id, file_name=info.file_name if info else None,
            dang_bo=(info.dang_bo if info else None) or h.dang_bo, chi_bo=(info.chi_bo if info else None) or h.chi_bo,
            date=h.date or (info.date if info else None), section=h.section, score=round(h.score, 6),
            snippet=snip.text, highlights=snip.highlights,
            span=(h.span[0] + snip.start, h.span[0] + snip.start + len(snip.text)), chunk_id=h.chunk_id))
    full = len(hits) == query.limit and query.offset + query.limit <= MAX_OFFSET
    return SearchResults(query=query.text, mode=query.mode, data=data, count=len(data), limit=query.limit,
                         offset=query.offset, next_offset=query.offset + query.limit if full else None)
