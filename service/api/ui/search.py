"""Search for the pages: the same use case as GET /v1/search (service.archive.search).

What the page adds is presentation: page numbers, and each snippet cut into marked and
unmarked pieces for the template.
"""

from __future__ import annotations

from pydantic import BaseModel

from service.archive.archive import Archive
from service.archive.search import ResultHit, SearchRequest, search_archive
from service.auth.principal import Principal
from service.search.base import SearchMode

PER_PAGE = 10


class Hit(ResultHit):
    """A search hit with its snippet cut into marked and unmarked pieces."""

    pieces: list[tuple[str, bool]]


class SearchResult(BaseModel):
    """One page of search results, as the search page shows them."""

    q: str
    mode: str
    language: str
    restored: str | None
    page: int
    per_page: int
    total: int
    total_capped: bool
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
               date_from: str | None, date_to: str | None, meeting_type: str | None, section: str | None,
               rule: str | None = None, grade: str | None = None, group: bool = False,
               mode: str = "hybrid", page: int = 1, per_page: int = PER_PAGE) -> SearchResult:
    """One page of hits for ``q`` in the caller's scope; an unknown ``mode`` falls back to hybrid."""
    mode_: SearchMode = mode if mode in ("hybrid", "dense", "sparse") else "hybrid"  # type: ignore[assignment]
    req = SearchRequest(text=q, mode=mode_, dang_bo=dang_bo, chi_bo=chi_bo, date_from=date_from, date_to=date_to,
                        meeting_type=meeting_type, section=section, rule=rule, grade=grade, group=group,
                        limit=per_page, offset=(page - 1) * per_page)
    found = search_archive(archive.store, archive.index, req, scope=principal.scope,
                           units=principal.search_units())
    hits = [Hit(**h.model_dump(), pieces=pieces(h.snippet, h.highlights)) for h in found.data]
    return SearchResult(q=found.query, mode=mode_, language=found.language, restored=found.restored, page=page,
                        per_page=per_page, total=found.total, total_capped=found.total_capped,
                        has_more=found.next_offset is not None, data=hits)
