"""The audit report of one chi bộ as a Word document in the layout of a Party report.

Built with python-docx on the same AuditReport the printable page shows: the issuing
đảng bộ and "Số …-BC/ĐU" on the left, "ĐẢNG CỘNG SẢN VIỆT NAM" with the place and
date on the right, the title, four numbered sections, then "Nơi nhận" beside the
signature block, on A4 with the margins the Party's guidance on document layout sets.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import TYPE_CHECKING, Any

from service.exports import AuditReport
from service.schema.labels import GRADE_VI, MEETING_TYPE_LABEL, SEVERITY_VI
from service.schema.period import VIETNAM, month_vi

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.table import _Cell

FONT = "Times New Roman"


def _run(par: Any, text: str, *, bold: bool = False, italic: bool = False, underline: bool = False,
         size: float = 13) -> Any:
    from docx.shared import Pt

    run = par.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.name, run.font.size = FONT, Pt(size)
    return run


def _line(cell: _Cell | DocxDocument, text: str = "", *, align: str = "center", first: bool = False,
          **style: Any) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    par = cell.paragraphs[0] if first and isinstance(cell.paragraphs, list) and cell.paragraphs else \
        cell.add_paragraph()
    par.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT,
                     "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    if text:
        _run(par, text, **style)
    return par


def _table(doc: DocxDocument, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _line(cell, text, first=True, bold=True, size=12)
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            _line(cell, text, align="left", first=True, size=12)


def audit_report_docx(report: AuditReport, *, issuer: str | None = None, place: str | None = None) -> bytes:
    """The report as .docx bytes; ``issuer`` is the reporting đảng bộ (default: the chi bộ's own)."""
    from docx import Document
    from docx.shared import Cm

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    issuer = issuer or report.dang_bo or "ĐẢNG BỘ …"
    today = datetime.now(VIETNAM)

    head = doc.add_table(rows=1, cols=2)
    left, right = head.rows[0].cells
    _line(left, issuer.upper(), first=True, bold=True, size=13)
    _line(left, "*", size=13)
    _line(left, "Số     -BC/ĐU", size=13)
    _line(right, "ĐẢNG CỘNG SẢN VIỆT NAM", first=True, bold=True, underline=True, size=14)
    _line(right, f"{place or '……'}, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}",
          italic=True, size=13)

    _line(doc, "")
    _line(doc, "BÁO CÁO", bold=True, size=15)
    _line(doc, "kết quả kiểm tra biên bản sinh hoạt chi bộ", bold=True, size=14)
    _line(doc, f"{report.chi_bo or report.unit_id}, từ tháng {month_vi(report.period_from) if report.period_from else '…'}"
               f" đến tháng {month_vi(report.period_to) if report.period_to else '…'}", italic=True, size=13)

    grades = "; ".join(f"{GRADE_VI.get(g, g)}: {n}" for g, n in report.grades.items() if n) or "—"
    rate = f"{report.attendance * 100:.1f}%".replace(".", ",") if report.attendance is not None else "—"
    _line(doc, "1. Tổng hợp", align="left", bold=True)
    _line(doc, f"Trong kỳ có {len(report.minutes)} biên bản sinh hoạt được lưu, {report.complete} biên bản đầy đủ "
               f"theo quy định; tỷ lệ đảng viên dự sinh hoạt bình quân {rate}; xếp loại: {grades}.",
          align="justify")

    _line(doc, "2. Việc duy trì sinh hoạt", align="left", bold=True)
    if report.audit.findings:
        for f in report.audit.findings:
            _line(doc, f"- {SEVERITY_VI.get(f.severity, f.severity)}: {f.message}", align="justify")
    else:
        _line(doc, "Chi bộ duy trì sinh hoạt đều đặn; không phát hiện thiếu sót.", align="justify")

    _line(doc, "3. Tình hình vắng mặt", align="left", bold=True)
    absent = [m for m in report.audit.members if m.absences]
    if absent:
        _table(doc, ["Đảng viên", "Vắng có lý do", "Vắng không lý do", "Liên tiếp dài nhất"],
               [[m.member, str(m.excused), str(m.unexcused), str(m.longest_excused_streak)] for m in absent])
    else:
        _line(doc, "Không có đảng viên vắng mặt được ghi tên.", align="justify")

    _line(doc, "4. Từng biên bản", align="left", bold=True)
    _table(doc, ["Ngày", "Loại", "Dự họp", "Điểm", "Xếp loại", "Thiếu sót"], [[
        _date_vi(m.date), MEETING_TYPE_LABEL.get(m.type or "", "—"),
        f"{m.present}/{m.total or '?'}" if m.present is not None else "—", str(m.points),
        GRADE_VI.get(m.grade, m.grade), "; ".join(f["message"] for f in m.findings) or "—"]
        for m in report.minutes])

    _line(doc, "")
    foot = doc.add_table(rows=1, cols=2)
    left, right = foot.rows[0].cells
    _line(left, "Nơi nhận:", align="left", first=True, bold=True, italic=True, underline=True, size=12)
    for line in (f"- {report.chi_bo or 'Chi bộ'},", "- Ban Tổ chức, Ủy ban Kiểm tra,", "- Lưu."):
        _line(left, line, align="left", size=12)
    _line(right, "T/M ĐẢNG ỦY", first=True, bold=True, size=13)
    _line(right, "(Ký, ghi rõ họ tên)", italic=True, size=12)
    for _ in range(3):
        _line(right, "")
    if report.printed_by:
        _line(right, f"Người lập: {report.printed_by}", italic=True, size=11)

    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _date_vi(value: str | None) -> str:
    if not value:
        return "—"
    y, m, d = value[:10].split("-")
    return f"{d}/{m}/{y}"
