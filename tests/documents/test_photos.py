"""Photos of a paper minute's pages made into one scanned PDF, and uploaded as one minute."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from service.api.app import create_app
from service.documents.photos import photos_to_pdf
from service.errors import MinutesError
from service.settings import DocumentSettings
from tests.documents.conftest import DOCS, make_settings, needs_tesseract


def _page_photos(path: str) -> list[tuple[str, bytes]]:
    """The page images of a scanned PDF, as a phone would send them (JPEG)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument((DOCS / path).read_bytes())
    photos = []
    for n in range(len(pdf)):
        img = next(o for o in pdf[n].get_objects() if o.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE).get_bitmap().to_pil()
        buf = io.BytesIO()
        img.convert("RGB").save(buf, format="JPEG", quality=90)
        photos.append((f"trang-{n + 1}.jpg", buf.getvalue()))
    return photos


def test_photos_become_one_pdf_page_each_upright_and_in_order() -> None:
    import pypdfium2 as pdfium

    photos = _page_photos("scan300-mild/c001.pdf")
    # a phone's photo taken sideways: stored landscape, with EXIF orientation 6 (turn 90° clockwise)
    sideways = Image.new("RGB", (300, 200), "white")
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    sideways.save(buf, format="JPEG", exif=exif)
    pdf = pdfium.PdfDocument(photos_to_pdf([*photos, ("nghieng.jpg", buf.getvalue())], DocumentSettings()))
    assert len(pdf) == len(photos) + 1
    w, h = pdf[len(photos)].get_size()
    assert h > w, "the sideways photo is turned upright"
    first = next(o for o in pdf[0].get_objects() if o.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE)
    assert first.get_px_size()[0] <= round(8.27 * 300) + 1, "at most 300 dpi across an A4 width"


@pytest.mark.parametrize(("photos", "code"), [
    ([], "INVALID_BODY"),
    ([("a.txt", "BIÊN BẢN".encode())], "UNSUPPORTED_FORMAT"),
    ([("a.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)], "CORRUPT_FILE"),
    ([("a.png", b"\x89PNG\r\n\x1a\n")] * 41, "TOO_MANY_PAGES"),
])
def test_what_is_not_a_page_photo_is_refused(photos: list[tuple[str, bytes]], code: str) -> None:
    with pytest.raises(MinutesError) as err:
        photos_to_pdf(photos, DocumentSettings())
    assert err.value.code.value == code and err.value.message


@needs_tesseract
def test_the_photos_of_one_minute_are_uploaded_as_one_minute(tmp_path: Path) -> None:
    with TestClient(create_app(make_settings().model_copy(update={"data_dir": tmp_path}))) as client:
        photos = _page_photos("scan300-mild/c001.pdf")
        files = [("file", (name, data, "image/jpeg")) for name, data in photos]
        r = client.post("/v1/minutes", params={"combine": "true"}, files=files)
        assert r.status_code == 201, r.text
        [one] = r.json()["data"]
        assert one["status"] == "stored" and one["file_name"] == f"trang-1-{len(photos)}-trang.pdf"
        stored = client.get(f"/v1/minutes/{one['id']}").json()["data"]
        assert len(stored["report"]["document"]["pages"]) == len(photos)
        assert stored["summary"]["chi_bo"]
        bad = client.post("/v1/minutes", params={"combine": "true"},
                          files=[("file", ("a.jpg", photos[0][1], "image/jpeg")), ("file", ("b.txt", b"x", "text/plain"))])
        assert bad.status_code == 415 and bad.json()["code"] == "UNSUPPORTED_FORMAT"
