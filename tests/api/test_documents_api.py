"""POST /v1/check with files of every format, bad files, and a server that keeps serving."""

import io
import threading
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from tests.documents.conftest import DOCS, docx_bytes, make_settings, needs_tesseract


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(make_settings())) as c:
        yield c


def _assert_error(resp, status, code):
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["ok"] is False and body["code"] == code and body["error"]


@pytest.mark.parametrize("name,path", [
    ("bb.docx", DOCS / "docx" / "c023.docx"),
    ("bb.docx", DOCS / "docx-legacy" / "c023.docx"),
    ("bb.pdf", DOCS / "pdf-text" / "c023.pdf"),
])
def test_every_text_format_gives_the_same_record_as_the_text(client, name, path):
    txt = client.post("/v1/check", files={"file": ("c023.txt", (DOCS.parent / "written" / "c023.txt").read_bytes())}).json()
    r = client.post("/v1/check", files={"file": (name, path.read_bytes())})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["source"] == name and body["document"]["format"] in ("docx", "pdf")
    got, want = body["record"], txt["record"]
    assert got["attendance"] == want["attendance"]
    for key in ("type", "date", "start_time", "end_time", "chair", "secretary"):
        assert got["meeting"][key] == want["meeting"][key]
    # A PDF may wrap a long unit name inside its header cell; the name still starts the same.
    assert want["meeting"]["chi_bo"].startswith(got["meeting"]["chi_bo"])
    assert {f["rule"] for f in body["findings"]} == {f["rule"] for f in txt["findings"]}
    assert txt["document"]["format"] == "txt" and txt["document"]["converter"] == "minutes.plain.v1"


def test_json_text_has_no_document(client):
    body = client.post("/v1/check", json={"text": (DOCS.parent / "written" / "c023.txt").read_text(encoding="utf-8")}).json()
    assert body["document"] is None


@pytest.mark.parametrize("payload,status,code", [
    (b"PK\x03\x04not really a zip", 422, "CORRUPT_FILE"),
    (b"GIF89a" + b"\x00" * 64, 415, "UNSUPPORTED_FORMAT"),
    (b"%PDF-1.4\n" + b"\x00junk" * 64, 422, "CORRUPT_FILE"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, 422, "CORRUPT_FILE"),
])
def test_bad_files_answer_with_one_error_shape(client, payload, status, code):
    _assert_error(client.post("/v1/check", files={"file": ("bb.docx", payload)}), status, code)


def test_openapi_lists_the_document_field(client):
    spec = client.get("/openapi.json").json()
    assert "DocumentInfo" in spec["components"]["schemas"]
    assert "Provenance" in spec["components"]["schemas"]


@needs_tesseract
def _repeated(pdf: bytes, times: int) -> bytes:
    """The PDF's pages ``times`` over, as one PDF."""
    import io

    import pypdfium2 as pdfium

    src, out = pdfium.PdfDocument(pdf), pdfium.PdfDocument.new()
    for _ in range(times):
        out.import_pages(src)
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


@pytest.mark.slow
def test_server_keeps_answering_while_a_slow_scan_times_out():
    """A scan that overruns its time limit is stopped; other requests are served meanwhile."""
    import uvicorn

    app = create_app(make_settings(timeout_s=4.0, ocr_jobs=1))
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    # six scanned pages read one at a time: well over the 4 s limit on any machine
    scan = _repeated((DOCS / "scan300-hard" / "c001.pdf").read_bytes(), 3)
    slow: dict[str, object] = {}

    def post_scan() -> None:
        t = time.perf_counter()
        r = httpx.post(f"{base}/v1/check", files={"file": ("scan.pdf", scan)}, timeout=60)
        slow["status"], slow["body"], slow["seconds"] = r.status_code, r.json(), time.perf_counter() - t

    try:
        # Warm up first: the first check loads the language resources.
        assert httpx.post(f"{base}/v1/check", json={"text": "Biên bản họp chi bộ."}, timeout=60).status_code == 200
        worker = threading.Thread(target=post_scan)
        worker.start()
        time.sleep(1.0)
        quick = []
        minute = docx_bytes(lambda d: d.add_paragraph("Biên bản họp chi bộ thôn Đông ngày 05/3/2024."))
        while worker.is_alive() and len(quick) < 20:
            t = time.perf_counter()
            assert httpx.get(f"{base}/v1/health", timeout=5).status_code == 200
            r = httpx.post(f"{base}/v1/check", json={"text": "Biên bản họp chi bộ thôn Đông ngày 05/3/2024."},
                           timeout=5)
            assert r.status_code == 200
            quick.append(time.perf_counter() - t)
            time.sleep(0.2)
        worker.join(60)
        # Served while the scan was still being converted (each request has a 5 s limit of its own).
        assert len(quick) >= 2
        assert slow["status"] == 422 and slow["body"]["code"] == "CONVERSION_TIMEOUT"  # type: ignore[index]
        assert slow["seconds"] >= 4.0  # stopped by its limit, not refused before trying  # type: ignore[operator]
        r = httpx.post(f"{base}/v1/check", files={"file": ("bb.docx", io.BytesIO(minute))}, timeout=30)
        assert r.status_code == 200 and r.json()["document"]["format"] == "docx"
    finally:
        server.should_exit = True
        thread.join(10)
