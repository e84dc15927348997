"""`minutes search`: the search use case for the terminal, as text or JSON Lines."""

from __future__ import annotations

import json
import sys

from service.schema.units import unit_key
from service.search.base import SearchFilter, SearchMode
from service.search.encoding import day_number
from service.search.searcher import MinuteInfo, ResultHit, make_query, search_minutes
from service.search.snippet import Snippet, mark
from service.settings import Settings

_SECTION_VI = {"resolution": "nghị quyết", "criticism": "phê bình", "discussion": "thảo luận", "report": "báo cáo",
               "conclusion": "kết luận"}


def hit_line(hit: ResultHit) -> str:
    """One JSON Lines record for a hit."""
    return json.dumps({"minute_id": hit.minute_id, "file_name": hit.file_name, "chi_bo": hit.chi_bo,
                       "dang_bo": hit.dang_bo, "date": hit.date, "section": hit.section, "snippet": hit.snippet,
                       "highlights": hit.highlights, "span": hit.span, "score": hit.score}, ensure_ascii=False)


def run_search(text: str, settings: Settings, *, mode: SearchMode = "hybrid", dang_bo: str | None = None,
               chi_bo: str | None = None, date_from: str | None = None, date_to: str | None = None,
               meeting_type: str | None = None, section: str | None = None, limit: int = 10, offset: int = 0,
               json_out: bool = False) -> int:
    """Print the hits; return the exit code (0, with or without hits)."""
    from service.archive.archive import open_archive

    day_number(date_from)
    day_number(date_to)
    dkey, ckey = unit_key(dang_bo, "dang_bo"), unit_key(chi_bo, "chi_bo")
    flt = SearchFilter(dang_bo=[dkey] if dkey else None, chi_bo=[ckey] if ckey else None, date_from=date_from,
                       date_to=date_to, meeting_type=meeting_type, section=section)
    query = make_query(text, mode=mode, limit=limit, offset=offset, flt=flt)
    archive = open_archive(settings)
    try:
        def describe(minute_id: str) -> MinuteInfo | None:
            found = archive.store.get(minute_id)
            if found is None:
                return None
            s = found.summary
            return MinuteInfo(file_name=s.file_name, dang_bo=s.dang_bo, chi_bo=s.chi_bo, date=s.date)

        archive.indexer.drain()
        results = search_minutes(archive.index, query, describe=describe)
    finally:
        archive.close()
    out = sys.stdout
    for i, hit in enumerate(results.data, start=query.offset + 1):
        if json_out:
            out.write(hit_line(hit) + "\n")
        else:
            where = " · ".join(x for x in (hit.chi_bo, hit.dang_bo, hit.date) if x)
            out.write(f"{i:>3}. {hit.file_name or hit.minute_id[:12]} — {where} — "
                      f"{_SECTION_VI.get(hit.section, hit.section)} ({hit.score:.3f})\n")
            snip = Snippet(text=hit.snippet, start=0, highlights=list(hit.highlights))
            out.write(f"     {mark(snip, '[', ']')}\n")
    if not results.data and not json_out:
        sys.stderr.write("Không tìm thấy đoạn biên bản nào phù hợp.\n")
    out.flush()
    return 0
