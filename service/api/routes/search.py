"""GET /v1/search: semantic and keyword search over the archive's sections."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from service.api.routes.minutes import ArchiveDep
from service.archive.chunks import INDEXED
from service.errors import ErrorCode, InputError
from service.schema.record import MeetingType
from service.schema.units import unit_key
from service.search.base import SearchFilter, SearchMode
from service.search.encoding import day_number
from service.search.searcher import MAX_LIMIT, MAX_OFFSET, MinuteInfo, SearchResults, make_query, search_minutes

router = APIRouter(prefix="/v1", tags=["search"])

_SECTIONS = [k.value for k in INDEXED]
_TYPES = [t.value for t in MeetingType]


def _allowed(request: Request) -> tuple[list[str] | None, list[str] | None]:
    principal = getattr(request.state, "principal", None)
    if principal is None or principal.user is None:
        return None, None  # set-up mode or open access: the access dependency already decided
    units: tuple[list[str] | None, list[str] | None] = principal.search_units()
    return units


def _date(value: str | None) -> str | None:
    if not value:
        return None
    day_number(value)  # raises INVALID_FILTER with a Vietnamese message
    return value


@router.get("/search", response_model=SearchResults)
async def search(
    request: Request,
    archive: ArchiveDep,
    q: Annotated[str, Query(description="Nội dung cần tìm, có dấu hoặc không dấu.")] = "",
    mode: Annotated[SearchMode, Query(description="hybrid (mặc định), dense (ngữ nghĩa) hoặc sparse (từ khóa).")
                    ] = "hybrid",
    dang_bo: Annotated[str | None, Query(description="Chỉ tìm trong đảng bộ này.")] = None,
    chi_bo: Annotated[str | None, Query(description="Chỉ tìm trong chi bộ này.")] = None,
    date_from: Annotated[str | None, Query(description="Từ ngày (YYYY, YYYY-MM hoặc YYYY-MM-DD).")] = None,
    date_to: Annotated[str | None, Query(description="Đến ngày (YYYY, YYYY-MM hoặc YYYY-MM-DD).")] = None,
    meeting_type: Annotated[str | None, Query(description=f"Loại buổi sinh hoạt: {', '.join(_TYPES)}.")] = None,
    section: Annotated[str | None, Query(description=f"Phần biên bản: {', '.join(_SECTIONS)}.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> SearchResults:
    """Tìm các đoạn biên bản (nghị quyết, phê bình, thảo luận, báo cáo, kết luận) theo nội dung."""
    if section and section not in _SECTIONS:
        raise InputError(ErrorCode.INVALID_FILTER, f"Phần biên bản “{section}” không có; chọn một trong: "
                         f"{', '.join(_SECTIONS)}.", status=422)
    if meeting_type and meeting_type not in _TYPES:
        raise InputError(ErrorCode.INVALID_FILTER, f"Loại buổi sinh hoạt “{meeting_type}” không có; chọn một trong: "
                         f"{', '.join(_TYPES)}.", status=422)
    dkey, ckey = unit_key(dang_bo, "dang_bo"), unit_key(chi_bo, "chi_bo")
    flt = SearchFilter(dang_bo=[dkey] if dkey else None, chi_bo=[ckey] if ckey else None,
                       date_from=_date(date_from), date_to=_date(date_to),
                       meeting_type=meeting_type or None, section=section or None)
    query = make_query(q, mode=mode, limit=limit, offset=offset, flt=flt)
    allowed = _allowed(request)
    scope = getattr(request.state, "scope", None)

    def describe(minute_id: str) -> MinuteInfo | None:
        found = archive.store.get(minute_id, scope=scope)
        if found is None:
            return None
        s = found.summary
        return MinuteInfo(file_name=s.file_name, dang_bo=s.dang_bo, chi_bo=s.chi_bo, date=s.date)

    return await run_in_threadpool(search_minutes, archive.index, query, describe=describe, allowed=allowed)
