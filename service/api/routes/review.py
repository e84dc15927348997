"""Reviewing a stored minute: correct its fields, judge its findings, read the history."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from service.api.deps import attachment
from service.api.routes.minutes import ArchiveDep, ScopeDep, _drain_quietly
from service.archive.archive import Archive
from service.archive.base import MinuteSummary
from service.archive.reviews import MinuteStatus
from service.auth.audit import record_event
from service.exports import to_csv, to_xlsx
from service.review.review import (
    Correction,
    MinuteReview,
    RuleDismissals,
    VersionDiff,
    compare_versions,
    correct_fields,
    dismissals,
    judge_finding,
    labeled_cases,
    minute_review,
    returned_minutes,
    set_status,
)
from service.review.submissions import (
    REMINDER_COLUMNS,
    Submissions,
    known_units,
    reminder_rows,
    submissions,
    this_month,
)
from service.schema.period import MONTH, period_vi
from service.schema.report import FindingState
from service.schema.units import Scope

router = APIRouter(prefix="/v1", tags=["review"])


class FieldCorrection(BaseModel):
    """Sửa một trường: đường dẫn của trường, giá trị đúng, lý do; hoặc bỏ lần sửa trước (revert)."""

    model_config = ConfigDict(extra="forbid")

    field: str = Field(description="The field's path, as in the label format without `record.` "
                       "(e.g. `meeting.chair.name`, `attendance.present`, `meeting.date`).", max_length=100)
    value: str | int | bool | None = Field(None, description="The corrected value; null or empty: the minute "
                                           "has none.")
    reason: str | None = Field(None, description="Why (shown in the history).", max_length=2000)
    revert: bool = Field(False, description="Take the correction back: the reader's value stands again.")


class CorrectionRequest(BaseModel):
    """Các trường cần sửa của một biên bản, và lần soát xét mà người gửi đã thấy (base)."""

    model_config = ConfigDict(extra="forbid")

    corrections: list[FieldCorrection] = Field(min_length=1, max_length=50)
    base: int | None = Field(None, ge=0, strict=True, description="The review's `revision` the caller saw; a change made "
                             "meanwhile to the same field is refused with 409 instead of overwritten.")


class FindingJudgement(BaseModel):
    """Đánh giá một phát hiện: phải sửa, bác bỏ (kèm lý do) hoặc mở lại."""

    model_config = ConfigDict(extra="forbid")

    state: FindingState = Field(description="accepted: the minute must be fixed; dismissed: the finding is wrong "
                                "(a reason is required); open: not judged.")
    note: str | None = Field(None, description="The reason.", max_length=2000)
    base: int | None = Field(None, ge=0, strict=True, description="The review's `revision` the caller saw (see PATCH …/record).")


class ReviewResponse(BaseModel):
    """Biên bản sau soát xét: báo cáo tính lại, các trường đã sửa và lịch sử."""

    ok: bool = True
    data: MinuteReview


class DismissalsResponse(BaseModel):
    """Theo từng tiêu chí: số biên bản có phát hiện bị bác bỏ."""

    ok: bool = True
    data: list[RuleDismissals]


def author_of(request: Request) -> str:
    """The name recorded as a review's author: the signed-in user, or the key's user."""
    principal = getattr(request.state, "principal", None)
    user = principal.user if principal is not None else None
    return user.name if user is not None else "anonymous"


def _audit_detail(review: MinuteReview, **detail: Any) -> dict[str, Any]:
    return {**detail, "points": review.report.score.points, "grade": review.report.score.grade.value}


# One use case per review action, for the API and the minute's page alike: the change, its audit
# event, and the search index brought up to date.

async def correct_minute(request: Request, archive: Archive, scope: Scope | None, minute_id: str,
                         corrections: list[Correction], base: int | None) -> MinuteReview:
    """Correct fields of a minute, log it and bring the search index up to date."""
    review = await run_in_threadpool(partial(correct_fields, archive, minute_id, corrections,
                                             author=author_of(request), scope=scope, base=base))
    await record_event(request, "correct", minute_id=minute_id, detail=_audit_detail(
        review, fields=[c.field for c in corrections]))
    await run_in_threadpool(_drain_quietly, archive)
    return review


async def judge_minute_finding(request: Request, archive: Archive, scope: Scope | None, minute_id: str, rule: str,
                               state: FindingState, note: str | None, base: int | None) -> MinuteReview:
    """Accept, dismiss or reopen a finding, log it and bring the search index up to date."""
    review = await run_in_threadpool(partial(judge_finding, archive, minute_id, rule, state, note,
                                             author=author_of(request), scope=scope, base=base))
    await record_event(request, f"finding_{state.value}", minute_id=minute_id,
                       detail=_audit_detail(review, rule=rule, note=note))
    await run_in_threadpool(_drain_quietly, archive)
    return review


async def change_minute_status(request: Request, archive: Archive, scope: Scope | None, minute_id: str,
                               status: MinuteStatus, note: str | None, comments: dict[str, str],
                               base: int | None) -> MinuteReview:
    """Return, approve or reopen a minute and log it."""
    review = await run_in_threadpool(partial(set_status, archive, minute_id, status, note,
                                             author=author_of(request), comments=comments, scope=scope, base=base))
    await record_event(request, f"status_{status.value}", minute_id=minute_id,
                       detail={"note": note, "comments": sorted(comments)})
    return review


@router.get("/minutes/{minute_id}/review", response_model=ReviewResponse, response_model_by_alias=True)
def get_review(minute_id: str, archive: ArchiveDep, scope: ScopeDep) -> ReviewResponse:
    """Biên bản đã soát xét: báo cáo hiện hành, các trường đã sửa (kèm giá trị máy đọc) và toàn bộ lịch sử."""
    return ReviewResponse(data=minute_review(archive, minute_id, scope=scope))


@router.patch("/minutes/{minute_id}/record", response_model=ReviewResponse, response_model_by_alias=True)
async def patch_record(minute_id: str, body: CorrectionRequest, request: Request, archive: ArchiveDep,
                       scope: ScopeDep) -> ReviewResponse:
    """Sửa các trường máy đọc sai; phát hiện, điểm và xếp loại được tính lại theo giá trị đã sửa."""
    corrections = [Correction(field=c.field, value=c.value, reason=c.reason, revert=c.revert)
                   for c in body.corrections]
    return ReviewResponse(data=await correct_minute(request, archive, scope, minute_id, corrections, body.base))


@router.put("/minutes/{minute_id}/findings/{rule}", response_model=ReviewResponse, response_model_by_alias=True)
async def put_finding_state(minute_id: str, rule: str, body: FindingJudgement, request: Request,
                            archive: ArchiveDep, scope: ScopeDep) -> ReviewResponse:
    """Ghi nhận một phát hiện (phải sửa), bác bỏ nó (kèm lý do) hoặc mở lại."""
    return ReviewResponse(data=await judge_minute_finding(request, archive, scope, minute_id, rule, body.state,
                                                          body.note, body.base))


@router.get("/reviews/dismissals", response_model=DismissalsResponse)
def get_dismissals(archive: ArchiveDep, scope: ScopeDep) -> DismissalsResponse:
    """Số biên bản hiện hành có phát hiện bị bác bỏ, theo quy tắc: nơi máy đọc hay sai nhất."""
    return DismissalsResponse(data=dismissals(archive, scope=scope))


@router.get("/exports/corrections.zip", response_class=Response,
            responses={200: {"content": {"application/zip": {}}, "description": "ID.txt and ID.json per minute."}})
def export_corrections(archive: ArchiveDep, scope: ScopeDep) -> Response:
    """Các biên bản đã được sửa, thành ca có nhãn (định dạng nhãn của hợp đồng kiểm tra) để cải tiến máy đọc."""
    data = labeled_cases(archive, scope=scope)
    return Response(data, media_type="application/zip",
                    headers=attachment("bien-ban-da-sua.zip"))


class StatusChange(BaseModel):
    """Trả biên bản lại cho văn thư (kèm nhận xét), duyệt, hoặc đưa về chưa soát xét."""

    model_config = ConfigDict(extra="forbid")

    status: MinuteStatus = Field(description="returned: back to the clerk (a note is required); approved; "
                                 "submitted: taken back to not yet reviewed.")
    note: str | None = Field(None, description="The comment to the clerk.", max_length=2000)
    comments: dict[str, str] = Field(default_factory=dict, description="Comments on fields (their paths, e.g. "
                                     "`meeting.chair.name`) or findings (their rules, e.g. `ATT-UNEXCUSED`).",
                                     max_length=40)
    base: int | None = Field(None, ge=0, strict=True, description="The review's `revision` the caller saw (see PATCH …/record).")


class CompareResponse(BaseModel):
    """Khác biệt giữa hai phiên bản của một biên bản: văn bản, các trường, phát hiện, điểm."""

    ok: bool = True
    data: VersionDiff


class ReturnedResponse(BaseModel):
    """Các biên bản đang bị trả lại cho văn thư."""

    ok: bool = True
    data: list[MinuteSummary] = Field(description="Current minutes returned to their clerk, oldest meeting first.")


@router.put("/minutes/{minute_id}/status", response_model=ReviewResponse, response_model_by_alias=True)
async def put_status(minute_id: str, body: StatusChange, request: Request, archive: ArchiveDep,
                     scope: ScopeDep) -> ReviewResponse:
    """Trả biên bản lại cho văn thư (kèm nhận xét), duyệt, hoặc đưa về chưa soát xét."""
    return ReviewResponse(data=await change_minute_status(request, archive, scope, minute_id, body.status, body.note,
                                                          body.comments, body.base))


@router.get("/minutes/{minute_id}/compare", response_model=CompareResponse)
def get_compare(minute_id: str, archive: ArchiveDep, scope: ScopeDep,
                with_: Annotated[str | None, Query(alias="with", max_length=64,
                                                   description="The other version (default: the one this replaced).")
                                 ] = None) -> CompareResponse:
    """So sánh hai phiên bản của một biên bản: văn bản, các trường, phát hiện và điểm."""
    return CompareResponse(data=compare_versions(archive, minute_id, with_, scope=scope))


@router.get("/reviews/returned", response_model=ReturnedResponse)
def get_returned(archive: ArchiveDep, scope: ScopeDep) -> ReturnedResponse:
    """Biên bản đang bị trả lại, chờ văn thư gửi bản sửa."""
    ids = returned_minutes(archive, scope=scope)
    found = archive.store.summaries(ids, scope=scope)
    return ReturnedResponse(data=sorted(found.values(), key=lambda s: (s.date or "", s.id)))


class SubmissionsResponse(BaseModel):
    """Tình hình nộp biên bản của một tháng theo từng chi bộ, và danh sách cần nhắc."""

    ok: bool = True
    data: Submissions


def _submissions(request: Request, archive: Archive, scope: Scope | None, period: str | None) -> Submissions:
    from service.api.deps import get_accounts

    return submissions(archive, period or this_month(), known=known_units(get_accounts(request).store), scope=scope)


PeriodQuery = Annotated[str | None, Query(max_length=7, pattern=MONTH, description="The month, YYYY-MM "
                                          "(default: this month in Vietnam).")]


@router.get("/submissions", response_model=SubmissionsResponse)
def get_submissions(request: Request, archive: ArchiveDep, scope: ScopeDep, period: PeriodQuery = None
                    ) -> SubmissionsResponse:
    """Tình hình nộp biên bản của tháng: mỗi chi bộ đã nộp, bị trả lại, đã duyệt hay chưa nộp; chuyên đề của quý."""
    return SubmissionsResponse(data=_submissions(request, archive, scope, period))


@router.get("/exports/reminders.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "Chi bộ cần nhắc, UTF-8 với BOM."}})
def export_reminders_csv(request: Request, archive: ArchiveDep, scope: ScopeDep, period: PeriodQuery = None
                         ) -> Response:
    """Danh sách chi bộ cần nhắc (chưa nộp, bị trả lại, thiếu chuyên đề), dạng CSV."""
    result = _submissions(request, archive, scope, period)
    return Response(to_csv(REMINDER_COLUMNS, reminder_rows(result)), media_type="text/csv; charset=utf-8",
                    headers=attachment(f"nhac-nop-bien-ban-{result.period}.csv"))


@router.get("/exports/reminders.xlsx", response_class=Response, responses={200: {"content": {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}, "description": "Chi bộ cần nhắc."}})
def export_reminders_xlsx(request: Request, archive: ArchiveDep, scope: ScopeDep, period: PeriodQuery = None
                          ) -> Response:
    """Danh sách chi bộ cần nhắc, dạng Excel."""
    result = _submissions(request, archive, scope, period)
    data = to_xlsx([("Cần nhắc", REMINDER_COLUMNS, reminder_rows(result))],
                   [("Tháng", period_vi(result.period)), ("Quý", period_vi(result.quarter)),
                    ("Chi bộ", str(len(result.units))), ("Chưa nộp", str(result.counts["missing"])),
                    ("Bị trả lại", str(result.counts["returned"])),
                    ("Thiếu chuyên đề trong quý", str(result.counts["thematic_missing"]))])
    return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers=attachment(f"nhac-nop-bien-ban-{result.period}.xlsx"))
