"""Small real documents built in the tests: DOCX with tables and legacy fonts, PDFs, page images."""

from __future__ import annotations

import atexit
import io
import shutil
import tempfile
from pathlib import Path

import pytest

from service.settings import DocumentSettings, Limits, Settings

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "corpora" / "documents"

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")


_DATA = tempfile.mkdtemp(prefix="minutes-doc-tests-")
atexit.register(shutil.rmtree, _DATA, ignore_errors=True)


def make_settings(**documents: object) -> Settings:
    """Settings for document tests: large uploads, an empty data directory, /v1/check open."""
    return Settings(limits=Limits(max_text_chars=300_000, max_upload_bytes=20_000_000),
                    documents=DocumentSettings(**documents),  # type: ignore[arg-type]
                    data_dir=Path(_DATA), auth={"open_check": True},  # type: ignore[arg-type]
                    search={"backend": "memory", "embedder": "hash"})  # type: ignore[arg-type]


def docx_bytes(build) -> bytes:  # type: ignore[no-untyped-def]
    import docx

    d = docx.Document()
    build(d)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def legacy_run(par, text: str, font: str) -> None:  # type: ignore[no-untyped-def]
    """A run typed in a legacy font: 8-bit codes stored as they would be by Word."""
    from docx.oxml.ns import qn

    from service.nlp.legacy import encode_tcvn3, encode_vni

    if font.lower().startswith(".vn"):
        codes = encode_tcvn3(text.lower() if font.lower().endswith("h") else text)
    else:
        codes = encode_vni(text)
    run = par.add_run(codes)
    run.font.name = font
    run._element.rPr.rFonts.set(qn("w:hAnsi"), font)


def png_bytes(img) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(300, 300))
    return buf.getvalue()


@pytest.fixture(scope="session")
def settings() -> Settings:
    return make_settings()


@pytest.fixture(scope="session")
def rendered_page():  # type: ignore[no-untyped-def]
    """The first page of c001 rendered at 300 dpi with mild noise, and the text drawn on it."""
    import random
    import sys

    sys.path.insert(0, str(ROOT / "corpora" / "tools"))
    from render import MILD, Layout, Style, degrade, ink

    layout = Layout(Style(font="liberation-serif", size_pt=13, dpi=300))
    pages = layout.pages((ROOT / "corpora" / "written" / "c001.txt").read_text(encoding="utf-8"))
    rng = random.Random(7)
    return [(degrade(ink(layout.draw(p), p, layout, rng), MILD, rng), p.text) for p in pages]
