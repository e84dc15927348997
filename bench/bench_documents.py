"""Benchmark of document conversion: OCR error rate and speed, DOCX/PDF throughput, memory.

usage: python -m bench.bench_documents DIR [--sets S,...] [--limit N] [--jobs N] [--score] [--write BENCHMARKS.md]

DIR is made by ``corpora/tools/make_documents.py DIR`` (scanned, DOCX and PDF versions of
the labelled minutes). For each scan set: character error rate of the OCR text against
the source text (NFC, whitespace folded to one space) and seconds per page with one
Tesseract thread on one core (each worker process pinned to its own core, pages read
one at a time). For DOCX and text PDFs: documents and pages per second on one core.
Peak memory: the largest resident set of a conversion worker process, Tesseract
included. ``--score`` also runs the shared scorer over every set and the .txt originals.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCORER = ROOT.parent / "shared" / "tools" / "score.py"
SCAN_SETS = ["scan300-mild", "scan300-hard", "scan200-mild", "scan200-hard"]
TEXT_SETS = ["docx", "docx-legacy", "doc", "pdf-text"]
_NOTE = ("CER: the OCR text against the source text (NFC, whitespace folded to one space), over {scope}. "
         "Seconds per page: pages read one at a time with one Tesseract "
         "thread, each worker process pinned to its own core, scan preparation included; CPU seconds count the "
         "worker and its Tesseract processes. Peak RSS: the largest worker process, Tesseract included (for the "
         "text sets the bench process itself, an upper bound).")
EXT = {"docx": "docx", "docx-legacy": "docx", "doc": "doc", "pdf-text": "pdf"}


def _fold(s: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s)).strip()


def _printed(text: str) -> str:
    """The source text as printed: legacy TCVN3/VNI codes show as Vietnamese letters."""
    from service.nlp.legacy import detect_legacy, repair_legacy

    return repair_legacy(text)[0] if detect_legacy(text) else text


def _pin(worker: int) -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"
    if hasattr(os, "sched_setaffinity"):
        cores = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cores[worker % len(cores)]})


def _cpu() -> float:
    """CPU seconds used so far by this process and its finished children (Tesseract)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _convert(args: tuple[str, int]) -> dict[str, object]:
    path, worker = args
    _pin(worker)
    from service.documents.registry import register_converters, sniff
    from service.settings import DocumentSettings

    data = Path(path).read_bytes()
    settings = DocumentSettings(ocr_jobs=1)
    t = time.perf_counter()
    cpu0 = _cpu()
    doc = register_converters()[sniff(data)].convert(data, settings=settings)
    seconds = time.perf_counter() - t
    return {"path": path, "seconds": seconds, "cpu": _cpu() - cpu0, "pages": len(doc.pages), "text": doc.text,
            "confidence": [p.confidence for p in doc.pages],
            "maxrss_mb": max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                             resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024}


def _files(d: Path, ext: str, limit: int | None) -> list[Path]:
    files = sorted(d.glob(f"*.{ext}"))
    return files[:limit] if limit else files


def bench_scans(root: Path, name: str, *, limit: int | None, jobs: int) -> dict[str, object]:
    from rapidfuzz.distance import Levenshtein

    files = _files(root / name, "pdf", limit)
    with ProcessPoolExecutor(jobs) as ex:
        results = list(ex.map(_convert, [(str(f), i % jobs) for i, f in enumerate(files)]))
    errors = chars = pages = 0
    per_doc, confs = [], []
    for r in results:
        truth = _fold(_printed((ROOT / "corpora" / "written" / f"{Path(str(r['path'])).stem}.txt").read_text(encoding="utf-8")))
        d = Levenshtein.distance(truth, _fold(str(r["text"])))
        errors += d
        chars += len(truth)
        pages += int(r["pages"])  # type: ignore[call-overload]
        per_doc.append(d / max(len(truth), 1))
        confs += [c for c in r["confidence"] if c is not None]  # type: ignore[attr-defined]
    secs = [float(r["seconds"]) / int(r["pages"]) for r in results]  # type: ignore[call-overload]
    cpu = [float(r["cpu"]) / int(r["pages"]) for r in results]  # type: ignore[call-overload]
    return {"set": name, "docs": len(results), "pages": pages, "cer": errors / max(chars, 1),
            "cer_worst_doc": max(per_doc, default=0.0), "s_per_page_median": statistics.median(secs),
            "s_per_page_p90": sorted(secs)[int(len(secs) * 0.9)] if secs else 0.0,
            "cpu_s_per_page_median": statistics.median(cpu), "cpu_s_per_page_p90": sorted(cpu)[int(len(cpu) * 0.9)],
            "confidence_min": min(confs, default=0.0), "confidence_mean": statistics.fmean(confs) if confs else 0.0,
            "peak_rss_mb": max(float(r["maxrss_mb"]) for r in results)}  # type: ignore[arg-type]


def bench_text(root: Path, name: str, *, limit: int | None) -> dict[str, object]:
    files = _files(root / name, EXT[name], limit)
    results = [_convert((str(f), 0)) for f in files]
    total = sum(float(r["seconds"]) for r in results)  # type: ignore[arg-type]
    pages = sum(int(r["pages"]) for r in results)  # type: ignore[call-overload]
    return {"set": name, "docs": len(results), "pages": pages, "docs_per_s": len(results) / total,
            "s_per_doc_median": statistics.median(float(r["seconds"]) for r in results),  # type: ignore[arg-type]
            "peak_rss_mb": max(float(r["maxrss_mb"]) for r in results)}  # type: ignore[arg-type]


def score(root: Path, name: str) -> str:
    cmd = f"{ROOT / '.venv' / 'bin' / 'minutes'} check"
    out = subprocess.run([sys.executable, str(SCORER), str(root / name), "--cmd", cmd, "--quiet"],
                         capture_output=True, text=True, timeout=7200)
    return (out.stdout.strip().splitlines() or ["(no output)"])[-1]


def _write(path: Path, lines: list[str]) -> None:
    start, end = "<!-- bench_documents:start -->", "<!-- bench_documents:end -->"
    body = "\n".join([start, *lines, end])
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if start in old and end in old:
        new = old[: old.index(start)] + body + old[old.index(end) + len(end):]
    else:
        new = old.rstrip("\n") + "\n\n" + body + "\n"
    path.write_text(new, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", type=Path)
    ap.add_argument("--sets", default=",".join(SCAN_SETS + TEXT_SETS))
    ap.add_argument("--limit", type=int, help="documents per set (default: all)")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--score", action="store_true", help="also run the shared scorer on every set")
    ap.add_argument("--write", type=Path)
    a = ap.parse_args()
    from service.documents.ocr import tesseract_version

    rows: list[dict[str, object]] = []
    for name in a.sets.split(","):
        if not (a.dir / name).is_dir():
            continue
        row = bench_scans(a.dir, name, limit=a.limit, jobs=a.jobs) if name in SCAN_SETS else \
            bench_text(a.dir, name, limit=a.limit)
        if a.score:
            row["scorer"] = score(a.dir, name)
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    if a.score and (a.dir / "txt").is_dir():
        print(json.dumps({"set": "txt", "scorer": score(a.dir, "txt")}, ensure_ascii=False))
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {tesseract_version()}"
    lines = [f"## Documents ({time.strftime('%Y-%m-%d')}, {machine})", "",
             "| set | docs | pages | CER | worst doc | wall s/page median (p90), one core | CPU s/page median (p90) "
             "| OCR conf. min / mean | peak RSS MB |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if r["set"] in SCAN_SETS:
            lines.append(f"| {r['set']} | {r['docs']} | {r['pages']} | {float(r['cer']):.2%} | "  # type: ignore[arg-type]
                         f"{float(r['cer_worst_doc']):.2%} | {float(r['s_per_page_median']):.2f} "  # type: ignore[arg-type]
                         f"({float(r['s_per_page_p90']):.2f}) | {float(r['cpu_s_per_page_median']):.2f} "  # type: ignore[arg-type]
                         f"({float(r['cpu_s_per_page_p90']):.2f}) | {float(r['confidence_min']):.0f} / "  # type: ignore[arg-type]
                         f"{float(r['confidence_mean']):.1f} | {float(r['peak_rss_mb']):.0f} |")  # type: ignore[arg-type]
    lines += ["", "| set | docs | pages | docs/s, one core | s/doc median | peak RSS MB |", "|---|---|---|---|---|---|"]
    for r in rows:
        if r["set"] in TEXT_SETS:
            lines.append(f"| {r['set']} | {r['docs']} | {r['pages']} | {float(r['docs_per_s']):.1f} | "  # type: ignore[arg-type]
                         f"{float(r['s_per_doc_median']):.3f} | {float(r['peak_rss_mb']):.0f} |")  # type: ignore[arg-type]
    scope = f"the first {a.limit} minutes of each set (`--limit {a.limit}`)" if a.limit else "every minute of each set"
    lines += ["", _NOTE.format(scope=scope)]
    if a.write:
        _write(a.write, lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
