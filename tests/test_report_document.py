"""The audit report as a Word document: the Party report's layout, the same figures as the page."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from docx import Document

from service.archive.archive import open_archive
from service.exports import audit_report
from service.report_document import audit_report_docx
from service.search.memory import MemoryIndex
from service.settings import Settings
from tests.archive.factory import make_minute


def test_the_word_report_has_the_party_layout_and_every_minute(tmp_path: Path) -> None:
    archive = open_archive(Settings(data_dir=tmp_path), index=MemoryIndex())
    try:
        for m, unexcused in ((1, []), (2, ["Hà Văn Tư"]), (3, ["Hà Văn Tư"])):
            archive.ingest_bytes(make_minute(day=date(2024, m, 5), unexcused=unexcused).encode(), f"t{m}.txt")
        report = audit_report(archive, "Chi bộ Thôn Đông Hòa", scope=None, period_from=None, period_to=None,
                              by="kiemtra-a")
    finally:
        archive.close()
    doc = Document(io.BytesIO(audit_report_docx(report, place="An Phú")))
    head = doc.tables[0].rows[0].cells
    assert head[0].paragraphs[0].text == "ĐẢNG BỘ XÃ AN PHÚ" and "-BC/" in head[0].text
    assert head[1].paragraphs[0].text == "ĐẢNG CỘNG SẢN VIỆT NAM" and head[1].paragraphs[0].runs[0].underline
    assert head[1].paragraphs[1].text.startswith("An Phú, ngày ")
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "BÁO CÁO" in body and "từ tháng 1/2024 đến tháng 3/2024" in body
    assert "Trong kỳ có 3 biên bản" in body
    for heading in ("1. Tổng hợp", "2. Việc duy trì sinh hoạt", "3. Tình hình vắng mặt", "4. Từng biên bản"):
        assert heading in body
    absences, minutes = doc.tables[1], doc.tables[2]
    assert absences.rows[1].cells[0].text == "Hà Văn Tư" and absences.rows[1].cells[2].text == "2"
    assert [r.cells[0].text for r in minutes.rows[1:]] == ["05/01/2024", "05/02/2024", "05/03/2024"]
    foot = doc.tables[-1].rows[0].cells
    assert foot[0].paragraphs[0].text == "Nơi nhận:" and "- Lưu." in foot[0].text
    assert "T/M ĐẢNG ỦY" in foot[1].text
    section = doc.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.left_margin.cm, 1) == 3.0
