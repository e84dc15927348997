"""OCR speed and error rate: the project's scan path beside plain Tesseract on the same pages.

usage: python -m bench.bench_ocr DIR [--sets S,...] [--limit N] [--jobs N] [--write BENCHMARKS.md]

DIR is made by ``corpora/tools/make_documents.py DIR --sets scan300-mild,...`` (scanned PDFs of
the labelled minutes, one JPEG page image per page). For every scanned PDF a worker process,
pinned to its own core with ``OMP_THREAD_LIMIT=1``, reads the file twice, in alternating order:

- project: ``PdfConverter.convert`` with one OCR job (page image, scan preparation,
  Tesseract, rows), as ``minutes check`` reads a scan, loading Tesseract's engine anew
  for each file as the service's conversion worker does;
- plain: ``tesseract PAGE.png - -l vie`` on each page image as stored in the PDF (written to
  PNG with its resolution beforehand, outside the timing).

Seconds per page are wall seconds over pages; CPU seconds count the worker and its Tesseract
processes. CER: Levenshtein distance between the text read and the source text (as printed:
legacy TCVN3/VNI minutes repaired), both NFC with whitespace folded to one space, over the
characters of the source text.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from bench.report import load_average

ROOT = Path(__file__).resolve().parent.parent
SCAN_SETS = ["scan300-mild", "scan300-hard", "scan200-mild", "scan200-hard"]
HEADING = "## OCR: project path beside plain Tesseract"

_slot: Any = None


def _fold(s: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s)).strip()


def _printed(text: str) -> str:
    from service.nlp.legacy import detect_legacy, repair_legacy

    return repair_legacy(text)[0] if detect_legacy(text) else text


def _init(slot: Any) -> None:
    """Pin this worker to a core of its own and Tesseract to one thread."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    with slot.get_lock():
        mine = slot.value
        slot.value += 1
    if hasattr(os, "sched_setaffinity"):
        cores = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cores[mine % len(cores)]})
    # Imports and the engine's checks happen once per server process, not per file.
    import numpy  # noqa: F401
    import pypdfium2  # noqa: F401
    from PIL import Image  # noqa: F401

    from service.documents.image import engine_for
    from service.documents.pdf import PdfConverter  # noqa: F401
    from service.settings import DocumentSettings

    engine_for(DocumentSettings()).check()


def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _page_images(data: bytes, folder: Path) -> list[Path]:
    """Each page's image as stored in the PDF, written as PNG with its resolution."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    out = []
    try:
        for n in range(len(pdf)):
            page = pdf[n]
            width_pt = page.get_width()
            images = [o for o in page.get_objects() if o.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE]
            if len(images) != 1:
                raise SystemExit(f"page {n + 1}: {len(images)} images; not a scanned PDF")
            img = images[0].get_bitmap().to_pil()
            dpi = round(img.width / (width_pt / 72))
            path = folder / f"p{n + 1}.png"
            img.save(path, dpi=(dpi, dpi))
            out.append(path)
            page.close()
    finally:
        pdf.close()
    return out


def _project(data: bytes) -> tuple[str, int]:
    from service.documents.pdf import PdfConverter
    from service.settings import DocumentSettings

    doc = PdfConverter().convert(data, settings=DocumentSettings(ocr_jobs=1))
    return doc.text, len(doc.pages)


def _plain(pages: list[Path], language: str) -> str:
    texts = []
    for p in pages:
        out = subprocess.run(["tesseract", str(p), "-", "-l", language], capture_output=True, check=True)
        texts.append(out.stdout.decode("utf-8", "replace"))
    return "\n".join(texts)


def _timed(fn: Any, *args: Any) -> tuple[Any, float, float]:
    t, c = time.perf_counter(), _cpu()
    out = fn(*args)
    return out, time.perf_counter() - t, _cpu() - c


def _measure(job: tuple[str, bool, str]) -> dict[str, Any]:
    from service.documents.ocr import release_engines

    path, project_first, language = job
    data = Path(path).read_bytes()
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as tmp:
        pages = _page_images(data, Path(tmp))
        runs: dict[str, Any] = {}
        for name in (["project", "plain"] if project_first else ["plain", "project"]):
            if name == "project":
                release_engines()  # the service reads each file in a new process: engines load per file
                (text, n), wall, cpu = _timed(_project, data)
                if n != len(pages):
                    raise SystemExit(f"{path}: {n} pages read, {len(pages)} in the file")
            else:
                text, wall, cpu = _timed(_plain, pages, language)
            runs[name] = {"text": text, "seconds": wall, "cpu": cpu}
    return {"path": path, "pages": len(pages), **runs}


def bench_set(root: Path, name: str, *, limit: int | None, jobs: int, language: str) -> dict[str, Any]:
    from rapidfuzz.distance import Levenshtein

    files = sorted((root / name).glob("*.pdf"))[:limit] if limit else sorted((root / name).glob("*.pdf"))
    slot = multiprocessing.Value("i", 0)
    with ProcessPoolExecutor(jobs, initializer=_init, initargs=(slot,)) as ex:
        results = list(ex.map(_measure, [(str(f), i % 2 == 0, language) for i, f in enumerate(files)]))
    pages = sum(r["pages"] for r in results)
    row: dict[str, Any] = {"set": name, "docs": len(results), "pages": pages}
    truths = [_fold(_printed((ROOT / "corpora" / "written" / f"{Path(r['path']).stem}.txt").read_text(encoding="utf-8")))
              for r in results]
    chars = sum(len(t) for t in truths)
    for path_name in ("project", "plain"):
        dists = [Levenshtein.distance(t, _fold(r[path_name]["text"])) for t, r in zip(truths, results, strict=True)]
        per_page = [r[path_name]["seconds"] / r["pages"] for r in results]
        row[path_name] = {
            "s_per_page": sum(r[path_name]["seconds"] for r in results) / max(pages, 1),
            "s_per_page_median": statistics.median(per_page) if per_page else 0.0,
            "cpu_s_per_page": sum(r[path_name]["cpu"] for r in results) / max(pages, 1),
            "cer": sum(dists) / max(chars, 1),
            "cer_worst_doc": max((d / max(len(t), 1) for d, t in zip(dists, truths, strict=True)), default=0.0),
        }
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", type=Path)
    ap.add_argument("--sets", default=",".join(SCAN_SETS))
    ap.add_argument("--limit", type=int, help="documents per set (default: all)")
    ap.add_argument("--jobs", type=int, default=min(2, len(os.sched_getaffinity(0))))
    ap.add_argument("--language", default="vie")
    ap.add_argument("--write", type=Path, help="replace the OCR section of this file (BENCHMARKS.md)")
    a = ap.parse_args()
    from service.documents.ocr import tesseract_version

    load_start = load_average()
    rows = []
    for name in a.sets.split(","):
        if not (a.dir / name).is_dir():
            print(f"{name}: not in {a.dir}", file=sys.stderr)
            continue
        row = bench_set(a.dir, name, limit=a.limit, jobs=a.jobs, language=a.language)
        rows.append(row)
        print(json.dumps(row), flush=True)
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
               f"{tesseract_version()}; load average {load_start} at the start, {load_average()} at the end")
    lines = [f"{HEADING} — {time.strftime('%Y-%m-%d')}", "", f"Machine: {machine}. "
             f"`python -m bench.bench_ocr DIR --sets {a.sets}" + (f" --limit {a.limit}" if a.limit else "") +
             f" --jobs {a.jobs}`.", "",
             "| set | docs | pages | project s/page (median) | project CPU s/page | project CER (worst doc) "
             "| plain s/page (median) | plain CPU s/page | plain CER (worst doc) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        cells = [f"{r['set']}", f"{r['docs']}", f"{r['pages']}"]
        for p in ("project", "plain"):
            m = r[p]
            cells += [f"{m['s_per_page']:.2f} ({m['s_per_page_median']:.2f})", f"{m['cpu_s_per_page']:.2f}",
                      f"{m['cer']:.2%} ({m['cer_worst_doc']:.2%})"]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Each worker process is pinned to its own core with one Tesseract thread (OMP_THREAD_LIMIT=1); "
              "for each PDF it runs both paths on the same pages, alternating which goes first. Project: "
              "`PdfConverter.convert` (page image, scan preparation, Tesseract, rows). Plain: "
              "`tesseract PAGE.png - -l vie` on each stored page image. s/page: wall seconds over pages; CPU s/page "
              "counts the worker and its Tesseract processes. CER: against the source text, NFC, whitespace folded."]
    text = "\n".join(lines) + "\n"
    if a.write:
        from bench.report import replace_section

        replace_section(a.write, HEADING, text)
    print(text)


if __name__ == "__main__":
    main()
