"""search_archive: the one search use case behind the API, the CLI and the pages.

The index ranks passages; the archive decides what is shown. Every ranked hit is
read back through the caller's scope, and a hit of a minute that is deleted,
superseded by a corrected version or outside the scope is dropped before paging,
so every door shows the same hits in the same order, with the same total. The
index may lag the archive by a few seconds; it never shows more than the archive.

Filters on what the archive knows of a minute (a rule it breaks, its grade) are
resolved to minute ids first and handed to the index as a filter.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pydantic import BaseModel, ConfigDict, Field

from service.archive.base import MinuteFilter, MinutesStore, MinuteSummary
from service.errors import ErrorCode, InputError
from service.rules.ruleset import rule_ids
from service.schema.record import MeetingType, Resolution
from service.schema.report import Grade
from service.schema.units import Scope, unit_key
from service.search.base import SearchFilter, SearchIndex, SearchMode
from service.search.encoding import day_number
from service.search.query import QueryPlan, plan_query
from service.search.searcher import MAX_LIMIT, MAX_OFFSET, by_minute, make_query, scoped
from service.search.snippet import make_snippet

SECTIONS = ("resolution", "criticism", "discussion", "report", "conclusion")
GRADES = tuple(g.value for g in Grade)
WINDOW = 200  # ranked passages read per query, before visibility and grouping
MAX_RULE_IDS = 20_000  # minutes a rule or grade filter may name; beyond that the filter is refused


@dataclass(frozen=True)
class SearchRequest:
    """What a user asks of the archive search, as every door receives it (strings, unvalidated)."""

    text: str
    mode: SearchMode = "hybrid"
    dang_bo: str | None = None
    chi_bo: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    meeting_type: str | None = None
    section: str | None = None
    rule: str | None = None  # minutes that break this rule, e.g. RES-VOTE
    grade: str | None = None
    group: bool = False  # one hit per minute, its best passage
    limit: int = 10
    offset: int = 0


class TaskInfo(BaseModel):
    task: str
    assignee: str | None
    deadline: str | None


class VoteInfo(BaseModel):
    for_: int | None = Field(alias="for", serialization_alias="for")
    against: int | None
    abstain: int | None
    percent: float | None

    model_config = ConfigDict(populate_by_name=True)


class ResultHit(BaseModel):
    """One passage shown for a query: its minute, section, score and snippet."""

    model_config = ConfigDict(extra="forbid")

    minute_id: str
    file_name: str | None = Field(description="The original file name of the minute.")
    dang_bo: str | None
    chi_bo: str | None
    date: str | None
    meeting_type: str | None
    grade: str | None = Field(description="The minute's grade from its check: tot, kha, trung_binh, kem.")
    section: str = Field(description="Section kind: resolution, criticism, discussion, report, conclusion.")
    score: float = Field(description="Score in the chosen mode (hybrid: fused, DBSF; dense: best line's cosine plus "
                                     "the chunk's, sparse: BM25); in hybrid mode plus half the scores of the "
                                     "minute's next two passages; plus a share of the best score where the passage's "
                                     "minute has the period, meeting type or split vote the question names.")
    snippet: str
    highlights: list[tuple[int, int]] = Field(description="[start, end) of matching words in `snippet`.")
    span: tuple[int, int] = Field(description="[start, end) of `snippet` in the minute's normalised text.")
    chunk_id: str
    vote: VoteInfo | None = Field(default=None, description="A resolution hit: the vote on it.")
    tasks: list[TaskInfo] = Field(default_factory=list, description="A resolution hit: its tasks.")


class SearchResults(BaseModel):
    """One page of search hits, with how the query was read and how many hits there are in all."""

    ok: bool = True
    query: str
    mode: SearchMode
    language: str = Field(description="How the query was read: vi, vi-ascii (no diacritics) or en.")
    restored: str | None = Field(default=None, description="The query with its diacritics restored, when typed "
                                                           "without them.")
    data: list[ResultHit]
    count: int = Field(description="Hits on this page.")
    total: int = Field(description="Hits in all, after access and version checks.")
    total_capped: bool = Field(description="True when more passages matched than were ranked: total is a floor.")
    limit: int
    offset: int
    next_offset: int | None = Field(description="Offset of the next page, or null when this page was the last.")
    message: str | None = Field(default=None, description="Why the page is empty, in Vietnamese.")


def _invalid(message: str) -> InputError:
    return InputError(ErrorCode.INVALID_FILTER, message, status=422)


def _one_of(value: str | None, allowed: tuple[str, ...], what: str) -> str | None:
    if not value:
        return None
    if value not in allowed:
        raise _invalid(f"{what} “{value}” không có; chọn một trong: {', '.join(allowed)}.")
    return value


def _date(value: str | None) -> str | None:
    if not value:
        return None
    day_number(value)  # raises INVALID_FILTER with a Vietnamese message
    return value.strip()


def _rule(value: str | None) -> str | None:
    if not value:
        return None
    rule = value.strip().upper()
    if rule not in rule_ids():
        raise _invalid(f"Tiêu chí “{value}” không có trong bộ tiêu chí kiểm tra.")
    return rule


def _index_filter(req: SearchRequest) -> SearchFilter:
    dkey, ckey = unit_key(req.dang_bo, "dang_bo"), unit_key(req.chi_bo, "chi_bo")
    return SearchFilter(dang_bo=[dkey] if dkey else None, chi_bo=[ckey] if ckey else None,
                        date_from=_date(req.date_from), date_to=_date(req.date_to),
                        meeting_type=_one_of(req.meeting_type, tuple(t.value for t in MeetingType),
                                             "Loại buổi sinh hoạt"),
                        section=_one_of(req.section, SECTIONS, "Phần biên bản"))


def _minute_ids(store: MinutesStore, rule: str | None, grade: str | None, scope: Scope | None) -> list[str] | None:
    """Current minutes with the rule finding and grade asked for, or None when neither is asked."""
    if rule is None and grade is None:
        return None
    rows, total = store.list_minutes(MinuteFilter(rule=rule, grade=grade), scope=scope, limit=MAX_RULE_IDS)
    if total > MAX_RULE_IDS:
        raise _invalid(f"Bộ lọc theo tiêu chí hoặc xếp loại khớp {total} biên bản; hãy thu hẹp thêm theo "
                       "đơn vị hoặc thời gian.")
    return [r.id for r in rows]


def _details(resolutions: list[Resolution], span: tuple[int, int]) -> tuple[VoteInfo | None, list[TaskInfo]]:
    """The vote and tasks of the resolutions that a resolution hit's passage covers."""
    vote: VoteInfo | None = None
    tasks: list[TaskInfo] = []
    for r in resolutions:
        if r.span[1] <= span[0] or r.span[0] >= span[1]:
            continue
        tasks += [TaskInfo(task=t.task, assignee=t.assignee, deadline=t.deadline) for t in r.tasks]
        if r.vote is not None and vote is None:
            vote = VoteInfo(for_=r.vote.for_, against=r.vote.against, abstain=r.vote.abstain,
                            percent=r.vote.percent)
    return vote, tasks


def search_archive(store: MinutesStore, index: SearchIndex, req: SearchRequest, *, scope: Scope | None = None,
                   units: tuple[list[str] | None, list[str] | None] = (None, None)) -> SearchResults:
    """Search ``index`` and show what ``store`` lets a caller of ``scope`` see.

    ``units`` are the (đảng bộ keys, chi bộ keys) of ``scope`` as the index knows them; they
    narrow the index's own filter so that ranking happens among the caller's minutes. With
    ``req.group``, each minute shows its best passage only.
    """
    flt = _index_filter(req)
    grade = _one_of(req.grade.strip().lower() if req.grade else None, GRADES, "Xếp loại")
    ids = _minute_ids(store, _rule(req.rule), grade, scope)
    if ids is not None:
        flt = replace(flt, minute_id=ids)
    query = make_query(req.text, mode=req.mode, limit=req.limit, offset=req.offset, flt=flt)
    plan: QueryPlan = plan_query(query.text)
    narrowed = scoped(query.filter, *units)
    window = min(WINDOW + MAX_OFFSET, max(WINDOW, 4 * (query.offset + query.limit)))
    hits = []
    if narrowed is not None and ids != []:
        hits = index.search(replace(query, filter=narrowed, limit=window, offset=0))
    shown: dict[str, MinuteSummary] = {
        mid: s for mid, s in store.summaries([h.minute_id for h in hits], scope=scope).items() if s.current}
    visible = [h for h in hits if h.minute_id in shown]
    if req.group:
        visible = by_minute(visible)
    page = visible[query.offset:query.offset + query.limit]
    resolutions: dict[str, list[Resolution]] = {}  # read once per minute on the page
    for mid in {h.minute_id for h in page if h.section == "resolution"}:
        stored = store.get(mid, scope=scope)
        resolutions[mid] = stored.report.record.resolutions if stored else []
    data = []
    for h in page:
        s = shown[h.minute_id]
        snip = make_snippet(h.text, query.text, restored=plan.restored_words)
        vote, tasks = _details(resolutions.get(h.minute_id, []), h.span)
        data.append(ResultHit(
            minute_id=h.minute_id, file_name=s.file_name, dang_bo=s.dang_bo or h.dang_bo,
            chi_bo=s.chi_bo or h.chi_bo, date=s.date or h.date, meeting_type=s.meeting_type, grade=s.grade,
            section=h.section, score=round(h.score, 6), snippet=snip.text, highlights=snip.highlights,
            span=(h.span[0] + snip.start, h.span[0] + snip.start + len(snip.text)), chunk_id=h.chunk_id,
            vote=vote, tasks=tasks))
    total = len(visible)
    more = query.offset + query.limit < total
    message = None
    if not data:
        message = ("Không có kết quả ở trang này; tổng cộng có " f"{total} kết quả." if total else
                   "Không tìm thấy đoạn biên bản nào phù hợp.")
    return SearchResults(query=query.text, mode=query.mode, language=plan.language, restored=plan.restored,
                         data=data, count=len(data), total=total, total_capped=len(hits) >= window, limit=query.limit,
                         offset=query.offset,
                         next_offset=query.offset + query.limit if more and query.offset + query.limit <= MAX_OFFSET
                         else None, message=message)


__all__ = ["MAX_LIMIT", "MAX_OFFSET", "SECTIONS", "ResultHit", "SearchRequest", "SearchResults", "search_archive"]
