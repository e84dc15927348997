"""/v1/exports: records and findings as CSV or XLSX, and the printable audit report of one chi bộ."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from service.api.deps import PrincipalDep, attachment
from service.api.routes.minutes import ArchiveDep, ScopeDep
from service.archive.base import MinuteSummary
from service.auth.audit import record_event
from service.exports import (
    FINDING_COLUMNS,
    RECORD_COLUMNS,
    ExportFilter,
    archive_zip,
    audit_report,
    collect,
    describe,
    finding_rows,
    record_rows,
    to_csv,
    to_xlsx,
)
from service.schema.period import MONTH
from service.schema.report import CheckReport
from service.settings import Settings

router = APIRouter(prefix="/v1/exports", tags=["exports"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_filter(
    dang_bo: Annotated[str | None, Query(description="Đảng bộ.")] = None,
    chi_bo: Annotated[str | None, Query(description="Chi bộ.")] = None,
    unit_id: Annotated[str | None, Query(description="Mã đơn vị.")] = None,
    period_from: Annotated[str | None, Query(alias="from", pattern=MONTH, description="Từ tháng YYYY-MM.")] = None,
    period_to: Annotated[str | None, Query(alias="to", pattern=MONTH, description="Đến tháng YYYY-MM.")] = None,
) -> ExportFilter:
    """The export filter from the query: unit, đảng bộ, chi bộ and months."""
    return ExportFilter(period_from=period_from, period_to=period_to, dang_bo=dang_bo, chi_bo=chi_bo,
                        unit_id=unit_id)


ExportDep = Annotated[ExportFilter, Depends(export_filter)]


def file_name(flt: ExportFilter, what: str, ext: str) -> str:
    """The download's file name: what, unit and months."""
    span = "_".join(p for p in (flt.period_from, flt.period_to) if p) or "tat-ca"
    return f"{what}_{flt.unit_id or 'don-vi'}_{span}.{ext}"


def _download(data: bytes, media_type: str, name: str) -> Response:
    return Response(data, media_type=media_type, headers=attachment(name))


async def _collect(request: Request, archive: ArchiveDep, flt: ExportFilter, scope: ScopeDep,
                   what: str | None = None) -> list[tuple[MinuteSummary, CheckReport]]:
    """The minutes an export covers; the export ``what`` is logged with its filter and size when named."""
    settings: Settings = request.app.state.settings
    minutes = await run_in_threadpool(collect, archive, flt, scope=scope, max_minutes=settings.exports.max_minutes)
    if what is not None:
        await record_event(request, "export", target=what, unit_id=flt.unit_id, dang_bo=flt.dang_bo,
                           detail={"filter": flt.describe(), "minutes": len(minutes)})
    return minutes


# Each CSV export: its columns, how its rows come from the minutes, and the stem of its file name.
_CSV: dict[str, tuple[list[str], Callable[[list[tuple[MinuteSummary, CheckReport]]], list[list[Any]]], str]] = {
    "records.csv": (RECORD_COLUMNS, record_rows, "bien-ban"),
    "findings.csv": (FINDING_COLUMNS, finding_rows, "phat-hien"),
}


async def _csv_export(request: Request, archive: ArchiveDep, flt: ExportFilter, scope: ScopeDep,
                      what: str) -> Response:
    """One CSV export (UTF-8), logged as ``what``."""
    columns, rows, stem = _CSV[what]
    minutes = await _collect(request, archive, flt, scope, what)
    return _download(to_csv(columns, rows(minutes)), "text/csv; charset=utf-8", file_name(flt, stem, "csv"))


@router.get("/records.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "Mỗi biên bản một dòng."}})
async def records_csv(request: Request, archive: ArchiveDep, flt: ExportDep, scope: ScopeDep) -> Response:
    """Bảng biên bản (mỗi biên bản một dòng: đơn vị, ngày, dự họp, điểm, xếp loại, tiêu chí vi phạm), CSV UTF-8."""
    return await _csv_export(request, archive, flt, scope, "records.csv")


@router.get("/findings.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "Mỗi phát hiện một dòng."}})
async def findings_csv(request: Request, archive: ArchiveDep, flt: ExportDep, scope: ScopeDep) -> Response:
    """Các phát hiện của từng biên bản (tiêu chí, mức độ, nội dung, căn cứ), CSV UTF-8."""
    return await _csv_export(request, archive, flt, scope, "findings.csv")


@router.get("/minutes.xlsx", response_class=Response,
            responses={200: {"content": {XLSX: {}}, "description": "Sổ Excel: biên bản, phát hiện, thông tin."}})
async def minutes_xlsx(request: Request, archive: ArchiveDep, flt: ExportDep, scope: ScopeDep,
                       principal: PrincipalDep) -> Response:
    """Sổ Excel gồm trang “Biên bản”, “Phát hiện” và “Thông tin” cho một đơn vị và khoảng thời gian."""
    minutes = await _collect(request, archive, flt, scope, "minutes.xlsx")
    by = principal.user.name if principal.user else None
    data = await run_in_threadpool(to_xlsx, [("Biên bản", RECORD_COLUMNS, record_rows(minutes)),
                                             ("Phát hiện", FINDING_COLUMNS, finding_rows(minutes))],
                                   describe(flt, by=by, count=len(minutes)))
    return _download(data, XLSX, file_name(flt, "bien-ban", "xlsx"))


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@router.get("/audit-report/{unit_id}.docx", response_class=Response,
            responses={200: {"content": {DOCX: {}}, "description": "Báo cáo bằng Word theo thể thức văn bản của Đảng."}})
async def audit_report_docx_download(
    unit_id: str, request: Request, archive: ArchiveDep, scope: ScopeDep, principal: PrincipalDep,
    period_from: Annotated[str | None, Query(alias="from", pattern=MONTH)] = None,
    period_to: Annotated[str | None, Query(alias="to", pattern=MONTH)] = None,
) -> Response:
    """Báo cáo kết quả kiểm tra biên bản của một chi bộ (Word .docx): tiêu đề, số, nơi nhận, chữ ký."""
    from service.report_document import audit_report_docx

    by = principal.user.name if principal.user else None
    report = await run_in_threadpool(audit_report, archive, unit_id, scope=scope, period_from=period_from,
                                     period_to=period_to, by=by)
    issuer = principal.user.unit.dang_bo if principal.user and principal.user.unit else None
    data = await run_in_threadpool(audit_report_docx, report, issuer=issuer)
    await record_event(request, "export", target="audit-report.docx", unit_id=report.unit_id, dang_bo=report.dang_bo,
                       detail={"from": report.period_from, "to": report.period_to, "minutes": len(report.minutes)})
    return _download(data, DOCX, f"bao-cao-kiem-tra-{report.unit_id}-{report.period_to or 'all'}.docx")


@router.get("/archive.zip", response_class=Response,
            responses={200: {"content": {"application/zip": {}}, "description": "Tệp gốc, báo cáo và danh sách."}})
async def archive_zip_download(request: Request, archive: ArchiveDep, flt: ExportDep, scope: ScopeDep
                               ) -> Response:
    """Lưu trữ một kỳ: mọi tệp gốc và báo cáo kiểm tra của các biên bản khớp bộ lọc, kèm danh sách (zip)."""
    import tempfile

    from fastapi.responses import FileResponse
    from starlette.background import BackgroundTask

    settings: Settings = request.app.state.settings
    minutes = await _collect(request, archive, flt, scope)
    spool = tempfile.NamedTemporaryFile(prefix="minutes-archive-", suffix=".zip", delete=False)  # noqa: SIM115
    try:
        with spool:
            files = await run_in_threadpool(archive_zip, archive, minutes, spool,
                                            max_bytes=settings.exports.max_archive_bytes)
    except BaseException:
        Path(spool.name).unlink(missing_ok=True)
        raise
    await record_event(request, "export", target="archive.zip", unit_id=flt.unit_id, dang_bo=flt.dang_bo,
                       detail={"filter": flt.describe(), "minutes": len(minutes), "files": files})
    return FileResponse(spool.name, media_type="application/zip", headers=attachment(file_name(flt, "luu-tru", "zip")),
                        background=BackgroundTask(Path(spool.name).unlink, missing_ok=True))
