"""DOCX and .doc: reading order, tables, legacy fonts by font, page breaks, broken files."""

import io
import zipfile

import pytest

from service.check import check_bytes
from service.documents.word import DocxConverter, decode_run, legacy_decoder
from service.errors import MinutesError
from service.settings import DocumentSettings
from tests.documents.conftest import DOCS, docx_bytes, legacy_run, make_settings, needs_soffice

DS = DocumentSettings()


def _minute(d):  # type: ignore[no-untyped-def]
    from docx.enum.text import WD_BREAK

    head = d.add_table(rows=1, cols=2)
    head.rows[0].cells[0].paragraphs[0].add_run("ĐẢNG BỘ XÃ AN BÌNH")
    head.rows[0].cells[0].add_paragraph("CHI BỘ THÔN ĐÔNG")
    head.rows[0].cells[1].paragraphs[0].add_run("ĐẢNG CỘNG SẢN VIỆT NAM")
    p = d.add_paragraph()
    legacy_run(p, "BIÊN BẢN SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 3 NĂM 2024", ".VnTimeH")
    p = d.add_paragraph()
    legacy_run(p, "Hôm nay, lúc 19 giờ 00 phút ngày 05/3/2024, tại nhà văn hóa thôn Đông, ", ".VnTime")
    legacy_run(p, "Chi bộ thôn Đông họp thường kỳ.", "VNI-Times")
    d.add_paragraph("Chủ trì: đồng chí Nguyễn Văn An. Thư ký: đồng chí Lê Thị Bình.")
    att = d.add_table(rows=0, cols=2)
    for label, value in [("Tổng số đảng viên:", "12 đồng chí"), ("Có mặt:", "11 đồng chí"),
                         ("Vắng có lý do:", "01 đồng chí (Trần Văn Cường, đi công tác)")]:
        cells = att.add_row().cells
        cells[0].paragraphs[0].add_run(label)
        cells[1].paragraphs[0].add_run(value)
    d.add_paragraph("Buổi sinh hoạt kết thúc lúc 21 giờ 00 phút cùng ngày.").add_run().add_break(WD_BREAK.PAGE)
    d.add_paragraph("Trang sau: chữ ký.")


def test_reading_order_tables_and_legacy_fonts():
    doc = DocxConverter().convert(docx_bytes(_minute), settings=DS)
    text = doc.text
    assert "BIÊN BẢN SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 3 NĂM 2024" in text
    assert "tại nhà văn hóa thôn Đông, Chi bộ thôn Đông họp thường kỳ." in text
    assert "Tổng số đảng viên: 12 đồng chí\nCó mặt: 11 đồng chí\n" in text
    lines = text.splitlines()
    assert lines[0].startswith("ĐẢNG BỘ XÃ AN BÌNH") and lines[0].rstrip().endswith("ĐẢNG CỘNG SẢN VIỆT NAM")
    assert lines[0].index("ĐẢNG CỘNG") >= 30  # the right column keeps its place
    assert text.index("ĐẢNG BỘ") < text.index("BIÊN BẢN") < text.index("Tổng số") < text.index("kết thúc")
    assert len(doc.pages) == 2 and doc.blocks[-1].page == 2 and doc.blocks[0].page == 1


@pytest.mark.parametrize("font,expected", [
    (".VnTime", ("tcvn3", False)), (".VnTimeH", ("tcvn3", True)), (".VnArial", ("tcvn3", False)),
    ("VNI-Times", ("vni", False)), ("Times New Roman", None), (None, None)])
def test_legacy_fonts_are_known_by_name(font, expected):
    assert legacy_decoder(font) == expected


def test_word_maps_8bit_codes_through_windows_1252():
    # Word shows byte 0x80..0x9f of a legacy font as Windows-1252 characters; they decode the same.
    from service.nlp.legacy import encode_tcvn3

    codes = encode_tcvn3("Đảng viên dự bị")
    shown = codes.encode("latin-1").decode("cp1252", errors="strict") if all(
        not 0x80 <= ord(c) < 0xA0 for c in codes) else codes
    assert decode_run(shown, ".VnTime") == "Đảng viên dự bị"


def test_report_maps_spans_back_to_table_cells_and_paragraphs():
    report = check_bytes(docx_bytes(_minute), source="bb.docx", settings=make_settings(), include_text=True)
    info = report.document
    assert info is not None and info.format == "docx" and info.converter == "minutes.docx.v1"
    assert info.page_count == 2 and info.declared_format is None
    text = report.text.content or ""
    at = text.index("Có mặt")
    where = info.locate((at, at + 6))
    assert [(w.table, w.row, w.cell) for w in where] == [(2, 2, 1)]
    name = text.index("Lê Thị Bình")
    (para,) = info.locate((name, name + 11))
    assert para.paragraph == 3 and para.table is None and para.page == 1
    last = text.index("Trang sau")
    assert info.locate((last, last + 5))[0].page == 2
    assert report.record.attendance.present == 11 and report.record.meeting.chair is not None


def test_zip_bomb_is_refused_before_parsing():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:document>" + b" " * 200_000_000 + b"</w:document>")
    data = buf.getvalue()
    assert len(data) < 1_000_000
    with pytest.raises(MinutesError) as e:
        check_bytes(data, settings=make_settings())
    assert e.value.code == "DOCUMENT_TOO_LARGE" and e.value.status == 413


def test_truncated_docx_is_a_corrupt_file():
    data = docx_bytes(_minute)
    with pytest.raises(MinutesError) as e:
        check_bytes(data[: len(data) // 2], settings=make_settings())
    assert e.value.code == "CORRUPT_FILE" and e.value.status == 422


def test_docx_without_text_is_empty():
    with pytest.raises(MinutesError) as e:
        check_bytes(docx_bytes(lambda d: d.add_paragraph("")), settings=make_settings())
    assert e.value.code in ("EMPTY_INPUT", "NO_TEXT_FOUND") and e.value.status in (400, 422)


def test_doc_without_libreoffice_is_unsupported_here():
    data = (DOCS / "doc" / "c001.doc").read_bytes()
    with pytest.raises(MinutesError) as e:
        check_bytes(data, settings=make_settings(soffice="no-such-soffice"))
    assert e.value.code == "UNSUPPORTED_HERE" and e.value.status == 415
    assert "LibreOffice" in e.value.message


@needs_soffice
@pytest.mark.slow
def test_old_word_file_in_legacy_fonts_reads_like_its_text():
    data = (DOCS / "doc" / "c001.doc").read_bytes()
    report = check_bytes(data, source="c001.doc", settings=make_settings())
    assert report.document is not None and report.document.converter == "minutes.doc.v1+libreoffice"
    m = report.record.meeting
    assert m.chi_bo and "Trại Mới" in m.chi_bo and m.date == "2019-04-03"
    assert m.secretary is not None and m.secretary.name == "Nguyễn Thị Thanh Tâm"
