"""`minutes search`: the search use case for the terminal, as text or JSON Lines."""

from __future__ import annotations

import json
import sys

from service.archive.search import ResultHit, SearchRequest, search_archive
from service.search.snippet import Snippet, mark
from service.settings import Settings

_SECTION_VI = {"resolution": "nghị quyết", "criticism": "phê bình", "discussion": "thảo luận", "report": "báo cáo",
               "conclusion": "kết luận"}


def hit_line(hit: ResultHit) -> str:
    """One JSON Lines record for a hit: the same fields as GET /v1/search."""
    return json.dumps(hit.model_dump(mode="json", by_alias=True), ensure_ascii=False)


def run_search(req: SearchRequest, settings: Settings, *, json_out: bool = False) -> int:
    """Print the hits; return the exit code (0, with or without hits)."""
    from service.archive.archive import open_archive

    archive = open_archive(settings)
    try:
        archive.indexer.drain()
        results = search_archive(archive.store, archive.index, req)
    finally:
        archive.close()
    out = sys.stdout
    if not json_out and results.restored:
        sys.stderr.write(f"Đã hiểu câu tìm là: “{results.restored}”.\n")
    for i, hit in enumerate(results.data, start=req.offset + 1):
        if json_out:
            out.write(hit_line(hit) + "\n")
        else:
            where = " · ".join(x for x in (hit.chi_bo, hit.dang_bo, hit.date) if x)
            out.write(f"{i:>3}. {hit.file_name or hit.minute_id[:12]} — {where} — "
                      f"{_SECTION_VI.get(hit.section, hit.section)} ({hit.score:.3f})\n")
            snip = Snippet(text=hit.snippet, start=0, highlights=list(hit.highlights))
            out.write(f"     {mark(snip, '[', ']')}\n")
    if not json_out:
        sys.stderr.write((results.message or f"{results.total}{'+' if results.total_capped else ''} kết quả.")
                         + "\n")
    out.flush()
    return 0
