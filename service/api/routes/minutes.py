"""/v1/minutes: upload minutes into the archive, list, read and delete them."""

from __future__ import annotations

import threading
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from service.api.conversions import in_turn
from service.api.deps import MAX_LIST_OFFSET, attachment
from service.api.state import shared
from service.archive.archive import Archive, default_index, open_archive
from service.archive.base import MinuteFilter, MinuteSummary
from service.archive.ingest import FileResult
from service.archive.unit_names import Uploader
from service.auth.audit import audit_event, record_event, upload_detail
from service.errors import ErrorCode, InputError, MinutesError
from service.schema.names import file_name_of
from service.schema.period import YEAR_OR_MONTH
from service.schema.record import MeetingType, Record
from service.schema.report import CheckReport, Grade
from service.schema.units import Scope
from service.settings import Settings

router = APIRouter(prefix="/v1", tags=["minutes"])

MAX_FILES_PER_REQUEST = 100


def get_archive(request: Request) -> Archive:
    """The app's archive, opened on first use on the app's shared search index."""

    def open_() -> Archive:
        settings: Settings = request.app.state.settings
        index = getattr(request.app.state, "index", None)
        if index is None:
            index = request.app.state.index = default_index(settings)
        archive = open_archive(settings, index=index)
        # Finish index jobs a crash or a new index layout left behind, without holding up requests.
        threading.Thread(target=_drain_quietly, args=(archive,), name="index-catch-up", daemon=True).start()
        return archive

    return shared(request, "archive", open_)


def get_scope(request: Request) -> Scope | None:
    """The units the caller may see; None (everything) until access control sets one."""
    return getattr(request.state, "scope", None)


ArchiveDep = Annotated[Archive, Depends(get_archive)]
ScopeDep = Annotated[Scope | None, Depends(get_scope)]


def uploader_for(request: Request, archive: Archive, chosen: str | None = None) -> Uploader:
    """The unit tree, the clerk's own chi bộ and the chosen unit (an id) an upload is placed against."""
    from service.api.deps import get_accounts
    from service.auth.units import uploader

    principal = getattr(request.state, "principal", None)
    return uploader(get_accounts(request).store, user=principal.user if principal is not None else None,
                    chosen=chosen, archive_units=lambda: archive.units(scope=get_scope(request)))


async def store_upload(request: Request, archive: Archive, scope: Scope | None, upload: UploadFile, *,
                       uploader: Uploader, raise_refusal: bool = False) -> FileResult:
    """Check, place (``uploader_for``) and store one uploaded file and audit it; a refusal is a failed result, or raised."""
    return await store_bytes(request, archive, scope, await upload.read(), file_name_of(upload.filename),
                             uploader=uploader, raise_refusal=raise_refusal)


async def store_photos(request: Request, archive: Archive, scope: Scope | None, uploads: list[UploadFile], *,
                       uploader: Uploader, raise_refusal: bool = False) -> FileResult:
    """Photos of one minute's pages, in the order sent, stored as one scanned PDF."""
    from service.documents.photos import photos_to_pdf

    settings: Settings = request.app.state.settings
    photos = [(file_name_of(u.filename), await u.read()) for u in uploads]
    first = (photos[0][0] or "anh").rsplit(".", 1)[0]
    name = f"{first}-{len(photos)}-trang.pdf"
    try:
        data = await run_in_threadpool(photos_to_pdf, photos, settings.documents)
    except MinutesError as e:
        await record_event(request, "upload", target=name, ok=False, detail={"code": e.code.value})
        if raise_refusal:
            raise
        return FileResult(path=name, status="failed", code=e.code.value, message=e.message)
    return await store_bytes(request, archive, scope, data, name, uploader=uploader, raise_refusal=raise_refusal)


async def store_bytes(request: Request, archive: Archive, scope: Scope | None, data: bytes, name: str | None, *,
                      uploader: Uploader, raise_refusal: bool = False) -> FileResult:
    """``store_upload`` for bytes already read."""
    try:
        result = await in_turn(request, data, name, lambda: archive.ingest_bytes(data, name, scope=scope,
                                                                                uploader=uploader))
    except MinutesError as e:
        await record_event(request, "upload", target=name, ok=False, detail={"code": e.code.value})
        if raise_refusal:
            raise
        return FileResult(path=name or "", status="failed", code=e.code.value, message=e.message)
    await record_event(request, "upload", minute_id=result.minute_id, detail=upload_detail(result, name))
    return result


def _drain_quietly(archive: Archive) -> None:
    try:
        archive.indexer.drain()
    except Exception:  # noqa: BLE001 - jobs stay in the outbox and are retried on the next write
        pass


class IngestOutcome(BaseModel):
    """Kết quả nạp một tệp: đã lưu, đã có, thay bản cũ, hoặc lỗi (mã và lời giải thích)."""

    model_config = ConfigDict(extra="forbid")

    file_name: str | None
    status: Literal["stored", "replaced", "duplicate", "failed"]
    id: str | None = None
    replaced: str | None = Field(None, description="The earlier version this upload replaced.")
    code: str | None = None
    message: str | None = None
    note: str | None = Field(None, description="Đơn vị được chọn thế nào, khi khác tên biên bản ghi "
                             "(theo cây đơn vị, theo tài khoản, theo đơn vị đã chọn).")


class IngestResponse(BaseModel):
    """Kết quả nạp của từng tệp trong yêu cầu."""

    ok: bool = True
    data: list[IngestOutcome]
    count: int
    stored: int
    replaced: int
    duplicate: int
    failed: int


class MinutesPage(BaseModel):
    """Một trang danh sách biên bản, với tổng số biên bản khớp bộ lọc."""

    ok: bool = True
    data: list[MinuteSummary]
    count: int = Field(description="How many minutes match the filters, over all pages.")
    limit: int
    offset: int


class MinuteDetail(BaseModel):
    """Một biên bản đã lưu: thông tin tóm tắt và báo cáo kiểm tra."""

    summary: MinuteSummary
    report: CheckReport
    versions: list[MinuteSummary] = Field(description="Every stored version of this minute, oldest first.")


class MinuteResponse(BaseModel):
    """Một biên bản đã lưu."""

    ok: bool = True
    data: MinuteDetail


class DeleteResponse(BaseModel):
    """Biên bản đã xóa, và bản cũ được khôi phục (nếu có)."""

    ok: bool = True
    deleted: str
    restored: str | None = Field(None, description="The earlier version that is current again.")


def _outcome(r: FileResult, file_name: str | None) -> IngestOutcome:
    return IngestOutcome(file_name=file_name, status=r.status, id=r.minute_id, replaced=r.replaced, code=r.code,
                         message=r.message, note=r.note)


_UPLOAD_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}},
    }
}


@router.post("/minutes", response_model=IngestResponse, status_code=201, openapi_extra=_UPLOAD_DOC,
             responses={200: {"description": "Mọi tệp đã có trong kho; không lưu thêm gì."}})
async def upload(request: Request, response: Response, archive: ArchiveDep, scope: ScopeDep,
                 background: BackgroundTasks,
                 unit: Annotated[str | None, Query(pattern=r"^[0-9a-f]{12}$", description=(
                     "Mã chi bộ (xem /v1/units) để lưu biên bản vào, khi tên đơn vị trong biên bản không "
                     "khớp cây đơn vị."))] = None,
                 combine: Annotated[bool, Query(description=(
                     "Các tệp gửi lên là ảnh chụp các trang của cùng một biên bản, theo thứ tự: ghép thành "
                     "một bản quét (PDF) rồi mới đọc và lưu."))] = False) -> IngestResponse:
    """Nạp một hoặc nhiều tệp biên bản (trường “file”, lặp lại được) vào kho.

    Mỗi biên bản được lưu vào đơn vị nó ghi, đối chiếu với cây đơn vị (không phân biệt dấu,
    chấp nhận lỗi nhận dạng chữ như “Chỉ bộ”, “Thôn l”); văn thư chi bộ nạp biên bản không ghi
    đơn vị thì lưu vào chi bộ của mình; quản trị nạp biên bản ghi đơn vị lạ thì được hỏi chọn
    đơn vị (UNIT_UNKNOWN), không tạo đơn vị mới.
    """
    ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if ctype != "multipart/form-data":
        raise InputError(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                         "Gửi tệp biên bản dạng multipart/form-data, trường “file” (lặp lại cho nhiều tệp).",
                         status=415)
    form = await request.form(max_files=MAX_FILES_PER_REQUEST, max_fields=MAX_FILES_PER_REQUEST)
    uploads = [v for key in ("file", "files") for v in form.getlist(key) if not isinstance(v, str)]
    if not uploads:
        raise InputError(ErrorCode.INVALID_BODY, "Thiếu tệp biên bản trong trường “file”.", status=422)
    uploader = await run_in_threadpool(uploader_for, request, archive, unit)
    outcomes: list[IngestOutcome] = []
    if combine:
        result = await store_photos(request, archive, scope, uploads, uploader=uploader, raise_refusal=True)
        outcomes.append(_outcome(result, result.path))
    for upload in [] if combine else uploads:
        result = await store_upload(request, archive, scope, upload, uploader=uploader,
                                    raise_refusal=len(uploads) == 1)
        outcomes.append(_outcome(result, file_name_of(upload.filename)))
    def n(status: str) -> int:
        return sum(o.status == status for o in outcomes)

    if n("stored") + n("replaced"):
        background.add_task(_drain_quietly, archive)
    else:
        response.status_code = 200
    return IngestResponse(data=outcomes, count=len(outcomes), stored=n("stored"), replaced=n("replaced"),
                          duplicate=n("duplicate"), failed=n("failed"))


PeriodQuery = Annotated[str | None, Query(pattern=YEAR_OR_MONTH,
                                          description="Năm (YYYY) hoặc tháng (YYYY-MM).")]


DayQuery = Annotated[str | None, Query(max_length=10, description="Ngày YYYY-MM-DD.",
                                       json_schema_extra={"format": "date"})]  # strictly a calendar day


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError as e:
        raise InputError(ErrorCode.INVALID_PARAMETER, f"Ngày “{value}” không có trên lịch; ghi YYYY-MM-DD.",
                         status=422) from e


@router.get("/minutes", response_model=MinutesPage)
def list_minutes(
    archive: ArchiveDep,
    scope: ScopeDep,
    dang_bo: Annotated[str | None, Query(description="Đảng bộ (không phân biệt hoa thường).")] = None,
    chi_bo: Annotated[str | None, Query(description="Chi bộ.")] = None,
    unit_id: Annotated[str | None, Query(description="Mã đơn vị (xem /v1/units).")] = None,
    period: PeriodQuery = None,
    date_from: DayQuery = None,
    date_to: DayQuery = None,
    type: Annotated[MeetingType | None, Query(description="Loại hình sinh hoạt.")] = None,
    grade: Annotated[Grade | None, Query(description="Xếp loại.")] = None,
    rule: Annotated[str | None, Query(description="Chỉ những biên bản vi phạm tiêu chí này.")] = None,
    complete: bool | None = None,
    include_superseded: Annotated[bool, Query(description="Kèm các bản cũ đã được thay thế.")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_LIST_OFFSET)] = 0,
) -> MinutesPage:
    """Danh sách biên bản trong kho, lọc và phân trang; mới nhất trước."""
    flt = MinuteFilter(dang_bo=dang_bo, chi_bo=chi_bo, unit_id=unit_id, period=period, date_from=_day(date_from),
                       date_to=_day(date_to), meeting_type=type.value if type else None,
                       grade=grade.value if grade else None, rule=rule, complete=complete,
                       include_superseded=include_superseded)
    rows, total = archive.list_minutes(flt, scope=scope, limit=limit, offset=offset)
    return MinutesPage(data=rows, count=total, limit=limit, offset=offset)


@router.get("/minutes/{minute_id}", response_model=MinuteResponse, response_model_by_alias=True)
def get_minute(minute_id: str, archive: ArchiveDep, scope: ScopeDep) -> MinuteResponse:
    """Một biên bản: thông tin lưu trữ, báo cáo kiểm tra (gồm bản trích xuất) và các phiên bản."""
    stored = archive.get(minute_id, scope=scope)
    return MinuteResponse(data=MinuteDetail(summary=stored.summary, report=stored.report,
                                            versions=archive.history(minute_id, scope=scope)))


@router.get("/minutes/{minute_id}/record", response_model=Record, response_model_by_alias=True)
def get_record(minute_id: str, archive: ArchiveDep, scope: ScopeDep) -> Record:
    """Bản trích xuất (record) của biên bản."""
    return archive.get(minute_id, scope=scope).report.record


@router.get("/minutes/{minute_id}/report", response_model=CheckReport, response_model_by_alias=True)
def get_report(minute_id: str, archive: ArchiveDep, scope: ScopeDep, include_text: bool = False) -> CheckReport:
    """Báo cáo kiểm tra của biên bản, như POST /v1/check trả về."""
    stored = archive.get(minute_id, scope=scope)
    report = stored.report
    if include_text:
        report = report.model_copy(deep=True)
        report.text.content = stored.text
    return report


@router.get("/minutes/{minute_id}/text", response_class=PlainTextResponse)
def get_text(minute_id: str, archive: ArchiveDep, scope: ScopeDep) -> PlainTextResponse:
    """Văn bản đã chuẩn hóa; mọi span trong báo cáo trỏ vào văn bản này."""
    return PlainTextResponse(archive.get(minute_id, scope=scope).text)


@router.get("/minutes/{minute_id}/original", response_class=Response,
            responses={200: {"content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                             "description": "Tệp gốc, với kiểu của nó (text/plain, application/pdf, …)."}})
def get_original(minute_id: str, archive: ArchiveDep, scope: ScopeDep) -> Response:
    """Tệp gốc đúng như đã nạp."""
    original = archive.original(minute_id, scope=scope)
    return Response(original.data, media_type=original.media_type,
                    headers=attachment(original.file_name or minute_id))


@router.delete("/minutes/{minute_id}", response_model=DeleteResponse)
def delete_minute(minute_id: str, request: Request, archive: ArchiveDep, scope: ScopeDep,
                  background: BackgroundTasks) -> DeleteResponse:
    """Xóa một phiên bản biên bản; bản trước đó (nếu có) trở lại làm bản hiện hành."""
    unit = archive.get(minute_id, scope=scope).summary  # read before it is gone: the event is filed under it
    done = archive.delete(minute_id, scope=scope)
    audit_event(request, "delete", minute_id=done.id, detail={"restored": done.restored}, unit_id=unit.unit_id,
                dang_bo=unit.dang_bo)
    background.add_task(_drain_quietly, archive)
    return DeleteResponse(deleted=done.id, restored=done.restored)
