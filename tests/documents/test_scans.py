"""Scans and PDFs: OCR quality on a rendered page, text layers, and every kind of bad file."""

import io
import re
import time
import unicodedata

import pytest

from service.check import check_bytes
from service.errors import MinutesError
from tests.documents.conftest import DOCS, make_settings, needs_tesseract, png_bytes


def _fold(s: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s)).strip()


def _cer(truth: str, got: str) -> float:
    from rapidfuzz.distance import Levenshtein

    a, b = _fold(truth), _fold(got)
    return Levenshtein.distance(a, b) / max(len(a), 1)


@needs_tesseract
def test_a_rendered_page_reads_within_three_percent(rendered_page):
    from service.documents.image import ImageConverter
    from service.settings import DocumentSettings

    img, truth = rendered_page[0]
    doc = ImageConverter("png").convert(png_bytes(img), settings=DocumentSettings())
    assert _cer(truth, doc.text) <= 0.03
    (page,) = doc.pages
    assert page.method == "ocr" and page.confidence is not None and page.confidence > 80
    assert doc.ocr is not None and doc.ocr.language == "vie" and doc.ocr.engine.startswith("tesseract")
    # Each OCR block keeps its words' confidences, inside the block's text.
    for b in doc.blocks:
        assert all(0 <= s < e <= len(b.text) and 0 <= c <= 100 for s, e, c in b.words)


@needs_tesseract
@pytest.mark.slow
def test_multi_page_tiff_keeps_pages_and_maps_spans_to_them(rendered_page):
    buf = io.BytesIO()
    gray = [img.convert("L") for img, _ in rendered_page[:2]]
    gray[0].save(buf, "TIFF", save_all=True, append_images=gray[1:], dpi=(300, 300), compression="tiff_deflate")
    report = check_bytes(buf.getvalue(), source="scan.tif", settings=make_settings(), include_text=True)
    info = report.document
    assert info is not None and info.format == "tiff" and info.page_count == 2
    assert info.ocr is not None and info.ocr.preparation
    text = report.text.content or ""
    p1, p2 = info.pages
    assert p1.span and p2.span and p1.span[1] <= p2.span[0]
    second_page_words = rendered_page[1][1].split()[5:8]
    at = text.find(" ".join(second_page_words))
    assert at > 0 and all(w.page == 2 for w in info.locate((at, at + 5)))
    assert all(w.line is not None for w in info.provenance)
    assert report.record.meeting.date == "2019-04-03"
    assert not any(f.rule == "OCR-LOW-CONFIDENCE" for f in report.findings)


@needs_tesseract
@pytest.mark.slow
def test_a_blurred_page_is_flagged_not_trusted(rendered_page):
    from PIL import ImageFilter

    img = rendered_page[0][0].filter(ImageFilter.GaussianBlur(5))
    report = check_bytes(png_bytes(img), source="mo.png", settings=make_settings())
    low = [f for f in report.findings if f.rule == "OCR-LOW-CONFIDENCE"]
    assert low and low[0].severity == "warning" and "Trang 1" in low[0].message and "độ tin cậy thấp" in low[0].message
    page = report.document.pages[0] if report.document else None
    assert page is not None and page.confidence is not None and page.confidence < 80


@needs_tesseract
@pytest.mark.slow
def test_a_page_scanned_sideways_is_turned_upright(rendered_page):
    img, truth = rendered_page[0]
    from service.documents.image import ImageConverter
    from service.settings import DocumentSettings

    doc = ImageConverter("png").convert(png_bytes(img.rotate(90, expand=True)), settings=DocumentSettings())
    assert any(s.startswith("rotate:") for s in doc.pages[0].steps)
    assert _cer(truth, doc.text) <= 0.05


def test_text_pdf_reads_its_text_layer_without_ocr():
    data = (DOCS / "pdf-text" / "c001.pdf").read_bytes()
    report = check_bytes(data, source="c001.pdf", settings=make_settings(tesseract="no-such-tesseract"))
    info = report.document
    assert info is not None and info.ocr is None and all(p.method == "text" for p in info.pages)
    assert report.record.meeting.secretary is not None
    assert report.record.meeting.secretary.name == "Nguyễn Thị Thanh Tâm"


@needs_tesseract
@pytest.mark.slow
def test_scanned_pdf_goes_through_ocr():
    data = (DOCS / "scan300-mild" / "c023.pdf").read_bytes()
    report = check_bytes(data, source="c023.pdf", settings=make_settings())
    info = report.document
    assert info is not None and info.ocr is not None and all(p.method == "ocr" for p in info.pages)
    assert report.record.meeting.chi_bo and report.record.attendance.present == 10


def _pdf(pages: int = 1, *, password: str | None = None) -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    for _ in range(pages):
        w.add_blank_page(width=595, height=842)
    if password:
        w.encrypt(user_password=password, owner_password=password)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def _white_png() -> bytes:
    from PIL import Image

    return png_bytes(Image.new("L", (2480, 3508), 255))


def _bomb_png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("1", (30_000, 30_000), 1).save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize("make,code,status", [
    (lambda: _pdf(password="mat-khau"), "ENCRYPTED_FILE", 422),
    (lambda: _pdf(1000), "TOO_MANY_PAGES", 413),
    (lambda: (DOCS / "pdf-text" / "c001.pdf").read_bytes()[:4000], "CORRUPT_FILE", 422),
    (lambda: b"%PDF-1.4\n" + b"\x00garbage" * 100, "CORRUPT_FILE", 422),
    (_bomb_png, "IMAGE_TOO_LARGE", 413),
    (lambda: _white_png()[:3000], "CORRUPT_FILE", 422),
    (lambda: b"\xff\xd8\xff\xe0" + b"\x00" * 50, "CORRUPT_FILE", 422),
    (lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 10, "CORRUPT_FILE", 422),
    # A password-protected Word file is an OLE container holding an EncryptedPackage stream.
    (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + "EncryptedPackage".encode("utf-16-le"),
     "ENCRYPTED_FILE", 422),
])
def test_bad_files_get_a_stable_code(make, code, status):
    data = make()
    t = time.perf_counter()
    with pytest.raises(MinutesError) as e:
        check_bytes(data, source="x", settings=make_settings(timeout_s=20))
    assert time.perf_counter() - t < 20
    assert e.value.code == code and e.value.status == status
    assert e.value.message and not e.value.message.isascii()  # Vietnamese


@needs_tesseract
@pytest.mark.parametrize("make", [_white_png, lambda: _pdf(2)])
def test_empty_scan_has_no_text(make):
    with pytest.raises(MinutesError) as e:
        check_bytes(make(), source="trang-trang", settings=make_settings())
    assert e.value.code == "NO_TEXT_FOUND" and e.value.status == 422


def test_a_name_that_lies_does_not_change_how_a_file_is_read():
    text = (DOCS.parent / "written" / "c001.txt").read_bytes()
    report = check_bytes(text, source="bien-ban.pdf", settings=make_settings())
    assert report.document is not None
    assert report.document.format == "txt" and report.document.declared_format == "pdf"
    with pytest.raises(MinutesError) as e:
        check_bytes(b"\x7fELF\x02\x01\x01" + b"\x00" * 200, source="bien-ban.docx", settings=make_settings())
    assert e.value.code == "UNSUPPORTED_FORMAT" and e.value.status == 415


def test_missing_tesseract_is_a_clear_unavailable_error():
    from PIL import Image, ImageDraw

    img = Image.new("L", (1200, 400), 255)
    ImageDraw.Draw(img).text((50, 50), "Bien ban", fill=0)
    with pytest.raises(MinutesError) as e:
        check_bytes(png_bytes(img), settings=make_settings(tesseract="no-such-tesseract"))
    assert e.value.code == "OCR_UNAVAILABLE" and e.value.status == 503
