"""A search query as the index takes it: validated text, mode, page and filter, and access narrowing.

The use case that every door calls is service.archive.search.search_archive; this module
holds what it needs from the search layer alone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from service.errors import ErrorCode, InputError
from service.search.base import SearchFilter, SearchHit, SearchMode, SearchQuery

MAX_QUERY_CHARS = 500
MAX_LIMIT = 100
MAX_OFFSET = 1000


_WORDLIKE = re.compile(r"[^\W_]", re.UNICODE)


def make_query(text: str, *, mode: SearchMode = "hybrid", limit: int = 10, offset: int = 0,
               flt: SearchFilter | None = None) -> SearchQuery:
    """A validated query; bad input raises InputError with a Vietnamese message."""
    text = unicodedata.normalize("NFC", text or "").strip()
    if not text:
        raise InputError(ErrorCode.INVALID_QUERY, "Hãy nhập nội dung cần tìm.", status=422)
    if not _WORDLIKE.search(text):
        raise InputError(ErrorCode.INVALID_QUERY, "Câu tìm kiếm cần có ít nhất một chữ hoặc số (không chỉ "
                                                  "biểu tượng hay dấu câu).", status=422)
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


def by_minute(hits: list[SearchHit]) -> list[SearchHit]:
    """One hit per minute: its first (best) passage, in order."""
    seen: set[str] = set()
    out = []
    for h in hits:
        if h.minute_id not in seen:
            seen.add(h.minute_id)
            out.append(h)
    return out
