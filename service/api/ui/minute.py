"""The minute page and its review forms: correct fields, judge findings, return or approve, compare versions.

Both call the review use cases the API calls, then return to the minute page
(303, so a reload sends nothing twice); a refused value shows on the page itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import Enum
from functools import partial
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from service.api.errors import error_response
from service.api.routes.minutes import ArchiveDep, ScopeDep
from service.api.routes.review import change_minute_status, correct_minute, judge_minute_finding
from service.api.ui.marks import Mark, blocks_of
from service.api.ui.render import principal_of, render, wants_json
from service.archive.archive import Archive
from service.archive.reviews import MinuteStatus
from service.auth.principal import Permission
from service.errors import ErrorCode, InputError, MinutesError
from service.review.review import Correction, compare_versions
from service.schema.corrections import FIELDS
from service.schema.report import FindingState
from service.schema.units import Scope

router = APIRouter(include_in_schema=False)
E = TypeVar("E", bound=Enum)

@router.get("/bien-ban/{minute_id}")
def minute_page(minute_id: str, request: Request, archive: ArchiveDep, scope: ScopeDep,
                hl: Annotated[str | None, Query(pattern=r"^\d{1,7}-\d{1,7}$")] = None) -> Response:
    """A minute: its text with sections and facts marked, findings linked to their spans, the grade.

    ``hl=START-END`` marks one more span (a search hit) with the anchor ``#hit``.
    """
    return minute_view(request, archive, scope, minute_id, hl=hl,
                       message="Đã lưu." if request.query_params.get("luu") == "1" else None)


def minute_view(request: Request, archive: Archive, scope: Scope | None, minute_id: str, *, hl: str | None = None,
                message: str | None = None, error: MinutesError | None = None) -> Response:
    """The minute page, with the review (corrected fields, judged findings, history) and its forms."""
    from service.review.review import minute_review
    from service.schema.corrections import FIELDS, TYPE_VI, read_value

    stored = archive.get(minute_id, scope=scope)
    review = minute_review(archive, minute_id, scope=scope, stored=stored)
    extra = []
    if hl:
        a, b = (int(x) for x in hl.split("-"))
        extra.append(Mark(a, b, "search-hit", "Kết quả tìm kiếm", anchor="hit"))
    versions = archive.history(minute_id, scope=scope)
    data = {"summary": stored.summary.model_dump(), "report": stored.report.model_dump(mode="json", by_alias=True),
            "versions": [v.model_dump() for v in versions], "text": stored.text,
            "review": review.model_dump(mode="json", exclude={"report"})}
    principal = principal_of(request)
    earlier = archive.store.statuses([stored.summary.replaces])[stored.summary.replaces] if stored.summary.replaces \
        else None
    return render(request, "minute.html", data=data, s=stored.summary, report=stored.report,
                  answers_return=earlier is not None and earlier[0].value == "returned",
                  blocks=blocks_of(stored.report, stored.text, extra=extra), versions=versions, review=review,
                  corrected={c.field: c for c in review.corrected}, fields=FIELDS, meeting_types=TYPE_VI,
                  values={p: read_value(stored.report.record, p) for p in FIELDS},
                  can_correct=principal is not None and principal.can(Permission.CORRECT),
                  can_review=principal is not None and principal.can(Permission.REVIEW),
                  message=message, error=error, status=error.status if error else 200)


FIELD_PREFIX = "f:"  # form inputs named f:meeting.chair.name, … ; r:PATH ticks "take back my correction"
REVERT_PREFIX = "r:"


def _base(form: Any) -> int | None:
    """The revision the form was drawn at (see MinuteReview.revision)."""
    value = str(form.get("base") or "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None


async def _refused(request: Request, archive: Archive, scope: Scope | None, minute_id: str,
                   error: MinutesError) -> Response:
    """A refused form: the page again with the reason, or the error shape for a JSON caller."""
    if wants_json(request):
        return error_response(error)
    return await run_in_threadpool(partial(minute_view, request, archive, scope, minute_id, error=error))


def _back(minute_id: str, anchor: str) -> Response:
    return RedirectResponse(f"/bien-ban/{minute_id}?luu=1#{anchor}", status_code=303)


async def _review_form(request: Request, archive: Archive, scope: Scope | None, minute_id: str, anchor: str,
                       act: Callable[[Any], Awaitable[object]]) -> Response:
    """One review form: the minute must be visible first; a refusal is shown on the minute's page."""
    form = await request.form()
    await run_in_threadpool(partial(archive.get, minute_id, scope=scope))  # not found before any other answer
    try:
        await act(form)
    except MinutesError as e:
        if e.status == 404:
            raise
        return await _refused(request, archive, scope, minute_id, e)
    return _back(minute_id, anchor)


def _choice(form: Any, name: str, kind: type[E], message: str) -> E:
    try:
        return kind(str(form.get(name) or ""))
    except ValueError as e:
        raise InputError(ErrorCode.INVALID_REVIEW, message) from e


def _note(form: Any) -> str | None:
    return str(form.get("note") or "") or None


@router.post("/bien-ban/{minute_id}/sua")
async def correct(minute_id: str, request: Request, archive: ArchiveDep, scope: ScopeDep) -> Response:
    """Save the fields the correction form changed or took back; back to the minute page."""
    async def act(form: Any) -> object:
        reason = str(form.get("reason") or "") or None
        corrections: list[Correction] = []
        for path in FIELDS:
            if form.get(REVERT_PREFIX + path):
                corrections.append(Correction(path, revert=True, reason=reason))
            elif FIELD_PREFIX + path in form and str(form.get(FIELD_PREFIX + path) or "") != str(
                    form.get("was:" + path) or ""):
                corrections.append(Correction(path, str(form.get(FIELD_PREFIX + path) or ""), reason))
        if not corrections:
            raise InputError(ErrorCode.INVALID_CORRECTION, "Chưa có trường nào được đổi.")
        return await correct_minute(request, archive, scope, minute_id, corrections, _base(form))

    return await _review_form(request, archive, scope, minute_id, "thong-tin", act)


@router.post("/bien-ban/{minute_id}/phat-hien/{rule}")
async def judge(minute_id: str, rule: str, request: Request, archive: ArchiveDep, scope: ScopeDep) -> Response:
    """Accept, dismiss or reopen the finding of ``rule``, with a note; back to the minute page."""
    async def act(form: Any) -> object:
        state = _choice(form, "state", FindingState, "Hãy chọn: phải sửa, bác bỏ hoặc mở lại.")
        return await judge_minute_finding(request, archive, scope, minute_id, rule, state, _note(form), _base(form))

    return await _review_form(request, archive, scope, minute_id, "findings", act)


@router.post("/bien-ban/{minute_id}/trang-thai")
async def change_status(minute_id: str, request: Request, archive: ArchiveDep, scope: ScopeDep) -> Response:
    """Set the minute's status (return it to its clerk, approve it), with a note; back to the minute page."""
    async def act(form: Any) -> object:
        status = _choice(form, "status", MinuteStatus, "Hãy chọn: trả lại hoặc duyệt.")
        return await change_minute_status(request, archive, scope, minute_id, status, _note(form), {}, _base(form))

    return await _review_form(request, archive, scope, minute_id, "trang-thai", act)


@router.get("/bien-ban/{minute_id}/so-sanh")
def compare_page(minute_id: str, request: Request, archive: ArchiveDep, scope: ScopeDep,
                 with_: Annotated[str | None, Query(alias="with", max_length=64)] = None) -> Response:
    """Two versions of a minute side by side: what changed in the text, the fields and the findings."""
    diff = compare_versions(archive, minute_id, with_, scope=scope)
    return render(request, "compare.html", data=diff, diff=diff, minute_id=minute_id)
