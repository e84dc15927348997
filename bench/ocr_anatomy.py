"""Where a scanned page's OCR time goes, and what Tesseract's own switches change.

usage: python -m bench.ocr_anatomy DIR [--sets scan300-mild,scan200-hard] [--limit 6]

DIR as for ``bench.bench_ocr``. Each page is prepared as the service prepares it
(``prepare_page`` with the default steps), then, on one core with one Tesseract thread:

- in this process through libtesseract: page layout alone (``AnalyseLayout``) against the
  whole recognition (``Recognize``), so the share of the LSTM recogniser shows;
- the ``tesseract`` program on the prepared page with the service's settings, a single
  uniform block (``--psm 6``), and the word dictionaries off; seconds per page and the
  character error rate against the page's source text.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import re
import statistics
import subprocess
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

VARIANTS = {
    "service settings (--psm 3)": ["--psm", "3"],
    "single block (--psm 6)": ["--psm", "6"],
    "dictionaries off": ["--psm", "3", "-c", "load_system_dawg=0", "-c", "load_freq_dawg=0"],
}


def _fold(s: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s)).strip()


def prepared_pages(root: Path, sets: list[str], limit: int, out: Path) -> list[dict[str, Any]]:
    """Write each page as the service would hand it to Tesseract; (png, dpi, source text, set)."""
    import pypdfium2 as pdfium

    from service.documents.pdf import PdfConverter
    from service.documents.scan import prepare_page
    from service.settings import Settings

    settings = Settings().documents
    pages = []
    for name in sets:
        for pdf_path in sorted((root / name).glob("*.pdf"))[:limit]:
            texts = json.loads(pdf_path.with_suffix(".pages.json").read_text(encoding="utf-8"))
            pdf = pdfium.PdfDocument(pdf_path.read_bytes())
            for n, img, dpi in PdfConverter._render(pdf, list(range(1, len(pdf) + 1)), settings):
                prep = prepare_page(img, declared_dpi=dpi, steps=tuple(settings.ocr_preparation))
                png = out / f"{name}-{pdf_path.stem}-{n}.png"
                prep.image.save(png)
                pages.append({"png": png, "dpi": prep.dpi, "text": texts[n - 1], "set": name})
            pdf.close()
    return pages


def layout_share(pages: list[dict[str, Any]]) -> tuple[float, float]:
    """Mean seconds per page: layout analysis alone, whole recognition (in this process)."""
    from PIL import Image

    from service.documents.ocr import _load_library, tesseract_version

    lib = _load_library(tesseract_version())
    if lib is None:
        raise SystemExit("libtesseract is not usable here")
    c = lib.lib
    c.TessBaseAPIAnalyseLayout.argtypes, c.TessBaseAPIAnalyseLayout.restype = [ctypes.c_void_p], ctypes.c_void_p
    c.TessPageIteratorDelete.argtypes, c.TessPageIteratorDelete.restype = [ctypes.c_void_p], None
    handle = lib.engine("vie")
    lib.one_thread()
    layout, whole = [], []
    for page in pages:
        img = Image.open(page["png"]).convert("L")
        pixels = img.tobytes()
        for timings in (layout, whole):
            c.TessBaseAPISetPageSegMode(handle, 3)
            c.TessBaseAPISetImage(handle, pixels, img.width, img.height, 1, img.width)
            c.TessBaseAPISetSourceResolution(handle, page["dpi"])
            t = time.perf_counter()
            if timings is layout:
                c.TessPageIteratorDelete(c.TessBaseAPIAnalyseLayout(handle))
            else:
                c.TessBaseAPIRecognize(handle, None)
            timings.append(time.perf_counter() - t)
            c.TessBaseAPIClear(handle)
    return statistics.fmean(layout), statistics.fmean(whole)


def program(pages: list[dict[str, Any]], args: list[str]) -> tuple[float, float]:
    """Seconds per page and character error rate of the tesseract program with ``args``."""
    from rapidfuzz.distance import Levenshtein

    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    seconds, errors, chars = 0.0, 0, 0
    for page in pages:
        cmd = ["tesseract", str(page["png"]), "-", "-l", "vie", "--dpi", str(page["dpi"]), *args]
        t = time.perf_counter()
        text = subprocess.run(cmd, capture_output=True, env=env, check=True).stdout.decode("utf-8", "replace")
        seconds += time.perf_counter() - t
        errors += Levenshtein.distance(_fold(text), _fold(page["text"]))
        chars += len(_fold(page["text"]))
    return seconds / len(pages), errors / chars


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", type=Path)
    ap.add_argument("--sets", default="scan300-mild,scan200-hard")
    ap.add_argument("--limit", type=int, default=6)
    args = ap.parse_args()
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[-1]})
    with tempfile.TemporaryDirectory() as tmp:
        pages = prepared_pages(args.dir, args.sets.split(","), args.limit, Path(tmp))
        layout, whole = layout_share(pages)
        print(f"{len(pages)} pages; in process: layout {layout:.2f} s, whole recognition {whole:.2f} s a page "
              f"(the LSTM recogniser {1 - layout / whole:.0%})")
        print("| tesseract program | s/page | CER |")
        print("|---|---|---|")
        for name, extra in VARIANTS.items():
            s, cer = program(pages, extra)
            print(f"| {name} | {s:.2f} | {cer:.2%} |")


if __name__ == "__main__":
    main()
