"""Search for the pages, through the same use case as GET /v1/search (service.search.searcher).

The caller's units narrow the index filter; every hit is also read back from the
archive through the caller's scope, and a hit the archive does not show them (or
no longer holds) is dropped: the index may lag the archive.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from service.archive.archive import Archive
from service.auth.principal import Principal
from service.schema.units import unit_key
from service.search.base import SearchFilter, SearchMode
from service.search.searcher import MinuteInfo, make_query, search_minutes

PER_PAGE = 10


class Hit(BaseModel):
    minute_id: str
    file_name: str | None
    dang_bo: str | None
    chi_bo: str | None
    date: str | None
    section: str
    span: tuple[int, int]
    snippet: str
    pieces: list[tuple[str, bool]]
    score: float


class SearchResult(BaseModel):
    q: str
    mode: str
    page: int
    per_page: int
    has_more: bool
    data: list[Hit]


def pieces(snippet: str, highlights: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """The snippet cut at its highlights: (text, marked)."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for a, b in sorted(highlights):
        if a < pos or b > len(snippet):
            continue
        if a > pos:
            out.append((snippet[pos:a], False))
        out.append((snippet[a:b], True))
        pos = b
    if pos < len(snippet):
        out.append((snippet[pos:], False))
    return out


def run_search(archive: Archive, principal: Principal, q: str, *, dang_bo: str | None, chi_bo: str | None,
               date_from: date | None, date_to: date | None, meeting_type: str | None, section: str | None,
               mode: str = "hybrid", page: int = 1, per_page: int = PER_PAGE) -> SearchResult:
    dkey, ckey = unit_key(dang_bo, "dang_bo"), unit_key(chi_bo, "chi_bo")
    flt = SearchFilter(dang_bo=[dkey] if dkey else None, chi_bo=[ckey] if ckey else None,
                       date_from=date_from.isoformat() if date_from else None,
                       date_to=date_to.isoformat() if date_to else None, meeting_type=meeting_type, section=section)
    mode_: SearchMode = mode if mode in ("hybrid", "dense", "sparse") else "hybrid"  # type: ignore[assignment]
    query = make_query(q, mode=mode_, limit=per_page, offset=(page - 1) * per_page, flt=flt)
    scope = principal.scope
    shown: set[str] = set()

    def describe(minute_id: str) -> MinuteInfo | None:
        stored = archive.store.get(minute_id, scope=scope)
        if stored is None or not stored.summary.current:
            return None
        shown.add(minute_id)
        s = stored.summary
        return MinuteInfo(file_name=s.file_name, dang_bo=s.dang_bo, chi_bo=s.chi_bo, date=s.date)

    found = search_minutes(archive.index, query, describe=describe, allowed=principal.search_units())
    hits = [Hit(minute_id=h.minute_id, file_name=h.file_name, dang_bo=h.dang_bo, chi_bo=h.chi_bo, date=h.date,
                section=h.section, span=h.span, snippet=h.snippet, pieces=pieces(h.snippet, h.highlights),
                score=h.score) for h in found.data if h.minute_id in shown]
    return SearchResult(q=query.text, mode=mode_, page=page, per_page=per_page,
                        has_more=found.next_offset is not None, data=hits)
