"""Exports: records and findings of a unit and period as CSV or XLSX, and a chi bộ's audit report.

Every export reads the archive through the caller's Scope, like any other read.
Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``) are written with a leading apostrophe, so an exported minute cannot carry
a formula into the committee's workbook.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from service.archive.archive import Archive
from service.archive.audit import UnitAudit, UnitPeriod
from service.archive.base import MinuteFilter, MinuteSummary
from service.errors import ErrorCode, InputError
from service.schema.labels import FINDING_STATE_VI, GRADE_VI, MEETING_TYPE_LABEL, SEVERITY_VI
from service.schema.period import VIETNAM, months_between, period_vi, require_month
from service.schema.report import CheckReport, FindingState, Severity
from service.schema.units import Scope

RECORD_COLUMNS = [
    "Mã biên bản", "Tệp gốc", "Đảng bộ", "Chi bộ", "Mã đơn vị", "Ngày họp", "Kỳ", "Loại hình", "Bắt đầu",
    "Kết thúc", "Chủ trì", "Thư ký", "Tổng số đảng viên", "Có mặt", "Vắng có lý do", "Vắng không lý do",
    "Tỷ lệ dự họp (%)", "Số ý kiến thảo luận", "Số nghị quyết", "Phê bình, tự phê bình", "Đọc lại biên bản",
    "Điểm", "Xếp loại", "Đầy đủ", "Số lỗi", "Số cảnh báo", "Tiêu chí vi phạm", "Bộ tiêu chí", "Ngày nạp",
]
FINDING_COLUMNS = ["Mã biên bản", "Đảng bộ", "Chi bộ", "Ngày họp", "Tiêu chí", "Mức độ", "Nội dung", "Căn cứ",
                   "Vị trí trong văn bản", "Đánh giá", "Lý do đánh giá"]


@dataclass(frozen=True)
class ExportFilter:
    """Which minutes an export holds: a span of months (YYYY-MM) and a unit."""

    period_from: str | None = None  # YYYY-MM
    period_to: str | None = None
    dang_bo: str | None = None
    chi_bo: str | None = None
    unit_id: str | None = None

    def minute_filter(self) -> MinuteFilter:
        """The archive filter for these minutes: from the first day of ``period_from`` to the last of ``period_to``."""
        start = end = None
        if self.period_from:
            start = date(int(self.period_from[:4]), int(self.period_from[5:7]), 1)
        if self.period_to:
            y, m = int(self.period_to[:4]), int(self.period_to[5:7])
            end = date(y, m, calendar.monthrange(y, m)[1])
        return MinuteFilter(dang_bo=self.dang_bo, chi_bo=self.chi_bo, unit_id=self.unit_id, date_from=start,
                            date_to=end)

    def describe(self) -> str:
        """The units and months of the export, in Vietnamese, for its information sheet."""
        parts = [x for x in (self.dang_bo, self.chi_bo, self.unit_id and f"mã {self.unit_id}") if x]
        span = f"{self.period_from or '…'} → {self.period_to or '…'}"
        return f"{', '.join(parts) or 'mọi đơn vị được xem'}; {span}"


# Characters XML 1.0 (and so an XLSX cell) cannot hold.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _safe(value: Any) -> Any:
    """A cell value that no spreadsheet runs as a formula and XLSX can hold."""
    if not isinstance(value, str):
        return value
    value = _NOT_XML.sub("", value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def collect(archive: Archive, flt: ExportFilter, *, scope: Scope | None, max_minutes: int
            ) -> list[tuple[MinuteSummary, CheckReport]]:
    """The current minutes the filter and scope select, oldest first; refuses more than ``max_minutes``."""
    for p in (flt.period_from, flt.period_to):
        require_month(p)
    mf = flt.minute_filter()
    _, total = archive.list_minutes(mf, scope=scope, limit=1)
    if total > max_minutes:
        raise InputError(ErrorCode.EXPORT_TOO_LARGE,
                         f"Có {total:,} biên bản khớp điều kiện, quá giới hạn {max_minutes:,} của một lần xuất; "
                         "hãy thu hẹp đơn vị hoặc khoảng thời gian.", status=413)
    return archive.store.reports(mf, scope=scope)


def record_rows(minutes: Iterable[tuple[MinuteSummary, CheckReport]]) -> list[list[Any]]:
    """One row per minute under RECORD_COLUMNS; dismissed findings are not counted."""
    rows = []
    for s, r in minutes:
        m, a = r.record.meeting, r.record.attendance
        counted = [f for f in r.findings if f.state is not FindingState.DISMISSED]
        errors = sum(f.severity == Severity.ERROR for f in counted)
        warnings = sum(f.severity == Severity.WARNING for f in counted)
        rows.append([
            s.id, s.file_name, s.dang_bo, s.chi_bo, s.unit_id, s.date, s.period,
            MEETING_TYPE_LABEL.get(s.meeting_type or "", s.meeting_type), m.start_time, m.end_time,
            m.chair.name if m.chair else None, m.secretary.name if m.secretary else None, a.total, a.present,
            a.absent_excused_count if a.absent_excused_count is not None else len(a.absent_excused) or None,
            a.absent_unexcused_count if a.absent_unexcused_count is not None else len(a.absent_unexcused) or None,
            round(a.rate * 100, 1) if a.rate is not None else None, len(r.record.discussion),
            len(r.record.resolutions), len(r.record.criticism), "có" if r.record.minutes_read_back else "không",
            s.points, GRADE_VI.get(s.grade, s.grade), "có" if s.complete else "không", errors, warnings,
            ", ".join(s.rules), r.ruleset, s.received_at,
        ])
    return rows


def finding_rows(minutes: Iterable[tuple[MinuteSummary, CheckReport]]) -> list[list[Any]]:
    """One row per finding under FINDING_COLUMNS, with its judgement and note."""
    rows = []
    for s, r in minutes:
        for f in r.findings:
            rows.append([s.id, s.dang_bo, s.chi_bo, s.date, f.rule, SEVERITY_VI.get(f.severity.value, f.severity.value),
                         f.message, f.reference, f"{f.span[0]}–{f.span[1]}" if f.span else None,
                         FINDING_STATE_VI[f.state], f.note])
    return rows


def to_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Vietnamese text correctly."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for row in rows:
        w.writerow(["" if v is None else _safe(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]],
            about: Sequence[tuple[str, str]]) -> bytes:
    """A workbook with one sheet per (title, columns, rows), then a sheet saying what the export holds."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE6F0")
    for title, columns, rows in sheets:
        ws = wb.create_sheet(title)
        ws.freeze_panes = "A2"
        for i, col in enumerate(columns, 1):
            width = max([len(str(col))] + [len(str(r[i - 1])) for r in rows[:200] if r[i - 1] is not None])
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, width + 2))
        header = []
        for col in columns:
            cell = WriteOnlyCell(ws, value=col)
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            header.append(cell)
        ws.append(header)
        for row in rows:
            ws.append([_cell(ws, v) for v in row])
        if rows:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    info = wb.create_sheet("Thông tin")
    for k, v in about:
        key = WriteOnlyCell(info, value=k)
        key.font = bold
        info.append([key, _safe(v)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2}|Z)?")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def _cell(ws: Any, value: Any) -> Any:
    """A spreadsheet cell as people read it: real dates (dd/mm/yyyy, times in Vietnam), "Tháng 3/2025"."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str):
        if _ISO_DAY.fullmatch(value):
            cell = WriteOnlyCell(ws, value=date.fromisoformat(value))
            cell.number_format = "DD/MM/YYYY"
            return cell
        if _ISO_MOMENT.fullmatch(value):
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if moment.tzinfo is not None:
                moment = moment.astimezone(VIETNAM).replace(tzinfo=None)
            cell = WriteOnlyCell(ws, value=moment)
            cell.number_format = "DD/MM/YYYY HH:MM"
            return cell
        if _MONTH.fullmatch(value):
            return period_vi(value)
    return _safe(value)


def archive_zip(archive: Archive, minutes: Sequence[tuple[MinuteSummary, CheckReport]], out: Any, *,
                max_bytes: int) -> int:
    """Write the period's minutes for keeping: each original file and its report, with an index.

    ``out`` is a binary file; layout ``<chi bộ>/<date>_<id>.<ext>`` and ``….report.json``, and
    ``danh-sach.csv`` (the records export). Refuses (EXPORT_TOO_LARGE) when the originals
    together pass ``max_bytes``; returns how many files went in.
    """
    import zipfile

    from service.schema.names import clean_name

    total = sum(s.size for s, _ in minutes)
    if total > max_bytes:
        raise InputError(ErrorCode.EXPORT_TOO_LARGE,
                         f"Các tệp gốc của {len(minutes):,} biên bản nặng {total / 1e6:,.0f} MB, quá giới hạn "
                         f"{max_bytes / 1e6:,.0f} MB của một lần xuất; hãy thu hẹp đơn vị hoặc khoảng thời gian.",
                         status=413)
    count = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as z:
        for s, r in minutes:
            # a folder per chi bộ; no separator or dot-name in it can lead out of the archive's folder
            folder = re.sub(r'[\\/:*?"<>|]+', "-", clean_name(s.chi_bo or s.unit_id)).strip(". ") or s.unit_id
            ext = (s.file_name or "").rsplit(".", 1)[-1].lower() if "." in (s.file_name or "") else "bin"
            stem = f"{folder}/{s.date or 'khong-ro-ngay'}_{s.id[:12]}"
            z.writestr(f"{stem}.{ext}", archive.original(s.id).data)
            z.writestr(f"{stem}.report.json", r.model_dump_json(by_alias=True, indent=1))
            count += 2
        z.writestr("danh-sach.csv", to_csv(RECORD_COLUMNS, record_rows(minutes)))
    return count + 1


def describe(flt: ExportFilter, *, by: str | None, count: int) -> list[tuple[str, str]]:
    """The rows of an export's information sheet: what it holds, its scope, how many minutes, who and when."""
    return [("Nội dung", "Biên bản sinh hoạt chi bộ và các tiêu chí vi phạm"), ("Phạm vi", flt.describe()),
            ("Số biên bản", str(count)), ("Người xuất", by or ""),
            ("Thời điểm xuất (giờ Việt Nam)", datetime.now(VIETNAM).strftime("%d/%m/%Y %H:%M"))]


# the printable audit report of one chi bộ

class ReportMinute(BaseModel):
    """One minute as the audit report lists it, with its findings other than info and dismissed ones."""

    model_config = ConfigDict(extra="forbid")

    id: str
    date: str | None
    period: str | None
    type: str | None
    present: int | None
    total: int | None
    attendance: float | None
    points: int
    grade: str
    complete: bool
    findings: list[dict[str, Any]]


class AuditReport(UnitPeriod):
    """What the printable audit report of one chi bộ shows (its JSON twin)."""

    months: list[str]
    printed_at: str
    printed_by: str | None
    minutes: list[ReportMinute]
    grades: dict[str, int]
    attendance: float | None = Field(description="Mean attendance rate of the period's meetings (0..1).")
    complete: int
    audit: UnitAudit


def audit_report(archive: Archive, unit: str, *, scope: Scope | None, period_from: str | None,
                 period_to: str | None, by: str | None) -> AuditReport:
    """The audit of one chi bộ (ARC-* rules, absences) with every minute of the period and its findings."""
    audit = archive.audit(unit, scope=scope, period_from=period_from, period_to=period_to)
    flt = ExportFilter(period_from=audit.period_from, period_to=audit.period_to, unit_id=audit.unit_id)
    minutes = archive.store.reports(flt.minute_filter(), scope=scope)
    rows, grades, rates = [], dict.fromkeys(GRADE_VI, 0), []
    for s, r in minutes:
        a = r.record.attendance
        grades[s.grade] = grades.get(s.grade, 0) + 1
        if a.rate is not None and s.meeting_type != "chi_uy":
            rates.append(a.rate)
        rows.append(ReportMinute(
            id=s.id, date=s.date, period=s.period, type=s.meeting_type, present=a.present, total=a.total,
            attendance=a.rate, points=s.points, grade=s.grade, complete=s.complete,
            findings=[{"rule": f.rule, "severity": f.severity.value, "message": f.message,
                       "reference": f.reference} for f in r.findings
                      if f.severity != Severity.INFO and f.state is not FindingState.DISMISSED]))
    months = months_between(audit.period_from, audit.period_to) if audit.period_from and audit.period_to else []
    return AuditReport(unit_id=audit.unit_id, dang_bo=audit.dang_bo, chi_bo=audit.chi_bo,
                       period_from=audit.period_from, period_to=audit.period_to, months=months,
                       printed_at=datetime.now(UTC).isoformat(timespec="seconds"), printed_by=by, minutes=rows,
                       grades=grades, attendance=round(sum(rates) / len(rates), 4) if rates else None,
                       complete=sum(1 for m in rows if m.complete), audit=audit)
