"""Conversion runs in a worker process: a time limit and a memory limit that hold."""

import io
import time

import pytest

from service.check import check_bytes
from service.errors import MinutesError
from tests.documents.conftest import DOCS, make_settings, needs_tesseract, png_bytes


@needs_tesseract
def test_a_conversion_over_its_time_limit_is_stopped():
    data = (DOCS / "scan300-hard" / "c001.pdf").read_bytes()
    t = time.perf_counter()
    with pytest.raises(MinutesError) as e:
        check_bytes(data, settings=make_settings(timeout_s=1.5))
    assert e.value.code == "CONVERSION_TIMEOUT" and e.value.status == 422
    assert time.perf_counter() - t < 10


@needs_tesseract
def test_a_conversion_over_its_memory_limit_fails_cleanly(rendered_page):
    with pytest.raises(MinutesError) as e:
        check_bytes(png_bytes(rendered_page[0][0]), settings=make_settings(memory_mb=160))
    assert e.value.code in ("DOCUMENT_TOO_LARGE", "CORRUPT_FILE") and e.value.status in (413, 422)
    # The next file is read as usual.
    report = check_bytes((DOCS / "docx" / "c001.docx").read_bytes(), settings=make_settings())
    assert report.document is not None and report.document.format == "docx"


def test_in_process_conversion_gives_the_same_text():
    data = (DOCS / "docx-legacy" / "c070.docx").read_bytes()
    a = check_bytes(data, settings=make_settings(), include_text=True)
    b = check_bytes(data, settings=make_settings(isolate=False), include_text=True)
    assert a.text.content == b.text.content and a.document == b.document


@needs_tesseract
@pytest.mark.parametrize("isolate", [True, False])
def test_each_scanned_page_read_is_reported_as_it_is_read(rendered_page, isolate: bool) -> None:
    """A three-page scan tells its listener 1/3, 2/3, 3/3, from a worker process or in process alike."""
    from service.documents import progress
    from service.documents.runner import convert_document

    page = rendered_page[0][0].convert("L")
    buf = io.BytesIO()
    page.save(buf, "PDF", save_all=True, append_images=[page, page], resolution=300)
    heard: list[tuple[int, int]] = []
    settings = make_settings(isolate=isolate)
    with progress.reporting_to(lambda done, total: heard.append((done, total))):
        doc = convert_document(buf.getvalue(), settings=settings)
    assert len(doc.pages) == 3 and all(p.method == "ocr" for p in doc.pages)
    assert heard == [(1, 3), (2, 3), (3, 3)]
    progress.report(1, 1)  # outside the block nobody listens: nothing is heard, nothing fails
    assert len(heard) == 3
