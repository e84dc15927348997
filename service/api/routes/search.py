"""GET /v1/search: semantic and keyword search over the archive's sections."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from service.api.routes.minutes import ArchiveDep
from service.archive.search import GRADES, SECTIONS, SearchRequest, SearchResults, search_archive
from service.rules.ruleset import rule_ids
from service.schema.record import MeetingType
from service.schema.units import Scope
from service.search.base import SearchMode
from service.search.searcher import MAX_LIMIT, MAX_OFFSET

router = APIRouter(prefix="/v1", tags=["search"])

_TYPES = [t.value for t in MeetingType]
# What the date filters read (search.encoding.day_number): a year, a month or a day, years 1900–2200.
_DAY = r"^(?:19\d\d|2[01]\d\d|2200)(?:-(?:0?[1-9]|1[0-2])(?:-(?:0?[1-9]|[12]\d|3[01]))?)?$"


def _access(request: Request) -> tuple[Scope | None, tuple[list[str] | None, list[str] | None]]:
    """The caller's Scope and their units as the index knows them (None: set-up mode or open access)."""
    scope: Scope | None = getattr(request.state, "scope", None)
    principal = getattr(request.state, "principal", None)
    if principal is None or principal.user is None:
        return scope, (None, None)  # the access dependency already decided
    units: tuple[list[str] | None, list[str] | None] = principal.search_units()
    return scope, units


@router.get("/search", response_model=SearchResults, response_model_by_alias=True)
async def search(
    request: Request,
    archive: ArchiveDep,
    q: Annotated[str, Query(description="Nội dung cần tìm: tiếng Việt có dấu hoặc không dấu, hoặc tiếng Anh.")] = "",
    mode: Annotated[SearchMode, Query(description="hybrid (mặc định), dense (ngữ nghĩa) hoặc sparse (từ khóa).")
                    ] = "hybrid",
    dang_bo: Annotated[str | None, Query(description="Chỉ tìm trong đảng bộ này.")] = None,
    chi_bo: Annotated[str | None, Query(description="Chỉ tìm trong chi bộ này.")] = None,
    date_from: Annotated[str | None, Query(description="Từ ngày (YYYY, YYYY-MM hoặc YYYY-MM-DD).",
                                           json_schema_extra={"pattern": _DAY})] = None,
    date_to: Annotated[str | None, Query(description="Đến ngày (YYYY, YYYY-MM hoặc YYYY-MM-DD).",
                                         json_schema_extra={"pattern": _DAY})] = None,
    meeting_type: Annotated[str | None, Query(description=f"Loại buổi sinh hoạt: {', '.join(_TYPES)}.",
                                              json_schema_extra={"enum": ["", *_TYPES]})] = None,
    section: Annotated[str | None, Query(description=f"Phần biên bản: {', '.join(SECTIONS)}.",
                                         json_schema_extra={"enum": ["", *SECTIONS]})] = None,
    rule: Annotated[str | None, Query(description="Chỉ những biên bản vi phạm tiêu chí này, ví dụ RES-VOTE.",
                                      json_schema_extra={"enum": ["", *sorted(rule_ids())]})] = None,
    grade: Annotated[str | None, Query(description=f"Chỉ những biên bản xếp loại: {', '.join(GRADES)}.",
                                       json_schema_extra={"enum": ["", *GRADES]})] = None,
    group: Annotated[bool, Query(description="Mỗi biên bản một kết quả (đoạn khớp nhất).")] = False,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> SearchResults:
    """Tìm các đoạn biên bản (nghị quyết, phê bình, thảo luận, báo cáo, kết luận) theo nội dung."""
    req = SearchRequest(text=q, mode=mode, dang_bo=dang_bo, chi_bo=chi_bo, date_from=date_from, date_to=date_to,
                        meeting_type=meeting_type, section=section, rule=rule, grade=grade, group=group,
                        limit=limit, offset=offset)
    scope, units = _access(request)
    return await run_in_threadpool(search_archive, archive.store, archive.index, req, scope=scope,
                                   units=units)
