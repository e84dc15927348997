"""Tesseract with the Vietnamese model (Debian ``tesseract-ocr-vie``), one page at a time.

Pages are recognised in this process through libtesseract's C API when the library
matches the ``tesseract`` program: engines stay loaded between pages (one per
thread at a time) and get the page's pixels directly, which saves a quarter of a
greyscale page's time against running the program (start-up, model loading,
writing and parsing the image). Otherwise, and for orientation detection, Tesseract
runs as a child process. Either way with one OpenMP thread (several threads contend
on small machines; pages run in parallel instead) and a time limit. Words come back
with their boxes and confidences from Tesseract's TSV output.
"""

from __future__ import annotations

import atexit
import ctypes
import io
import os
import re
import shutil
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from service.documents.layout import Piece, Row, group_rows
from service.errors import ErrorCode, MinutesError

if TYPE_CHECKING:
    from PIL import Image


class OcrUnavailable(MinutesError):
    """Tesseract or its Vietnamese model is not installed on this server."""

    status = 503


@dataclass
class OcrPage:
    """One recognised page: its rows in reading order and how sure Tesseract was."""

    rows: list[Row]
    confidence: float | None
    words: int
    low_words: int
    steps: list[str] = field(default_factory=list)


@lru_cache(maxsize=4)
def tesseract_version(binary: str = "tesseract") -> str | None:
    """``"tesseract 5.3.0"``, or None when the program is missing."""
    path = shutil.which(binary)
    if path is None:
        return None
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    first = (out.stdout or out.stderr).strip().splitlines()
    return first[0].strip() if first else "tesseract"


@lru_cache(maxsize=4)
def tesseract_languages(binary: str = "tesseract") -> frozenset[str]:
    """Language codes ``tesseract --list-langs`` reports; empty when the program is missing or does not answer."""
    path = shutil.which(binary)
    if path is None:
        return frozenset()
    try:
        out = subprocess.run([path, "--list-langs"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    lines = (out.stdout + out.stderr).splitlines()
    return frozenset(x.strip() for x in lines if x.strip() and " " not in x.strip())


def _unavailable(detail: str) -> OcrUnavailable:
    return OcrUnavailable(
        ErrorCode.OCR_UNAVAILABLE,
        "Máy chủ chưa cài bộ nhận dạng chữ Tesseract tiếng Việt nên không đọc được bản quét; "
        "hãy gửi tệp văn bản (.docx, .txt hoặc PDF có lớp chữ).",
        errors=[detail],
    )


class _Library:
    """libtesseract's C API (``capi.h``), loaded once per process."""

    def __init__(self, lib: ctypes.CDLL, gomp: ctypes.CDLL) -> None:
        p, c, i = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
        for name, args, res in [
            ("TessVersion", [], c), ("TessBaseAPICreate", [], p), ("TessBaseAPIDelete", [p], None),
            ("TessBaseAPIEnd", [p], None), ("TessBaseAPIInit3", [p, c, c], i),
            ("TessBaseAPISetVariable", [p, c, c], i), ("TessBaseAPISetPageSegMode", [p, i], None),
            ("TessBaseAPISetImage", [p, c, i, i, i, i], None), ("TessBaseAPISetSourceResolution", [p, i], None),
            ("TessBaseAPIRecognize", [p, p], i), ("TessBaseAPIGetTsvText", [p, i], p),
            ("TessBaseAPIClear", [p], None), ("TessDeleteText", [p], None), ("TessMonitorCreate", [], p),
            ("TessMonitorDelete", [p], None), ("TessMonitorSetDeadlineMSecs", [p, i], None),
        ]:
            fn = getattr(lib, name)
            fn.argtypes, fn.restype = args, res
        for name in ("omp_set_dynamic", "omp_set_num_threads"):
            getattr(gomp, name).argtypes, getattr(gomp, name).restype = [i], None
        self.lib, self.gomp = lib, gomp
        self.version = (lib.TessVersion() or b"").decode()
        self._idle: dict[str, list[int]] = {}
        self._all: list[int] = []
        self._lock = threading.Lock()

    def engine(self, language: str) -> int | None:
        """An idle engine for ``language`` (a new one when all are busy); None when it cannot load."""
        with self._lock:
            idle = self._idle.setdefault(language, [])
            if idle:
                return idle.pop()
        lib = self.lib
        handle = lib.TessBaseAPICreate()
        if not handle:
            return None
        # Messages go to debug_file; Init3 itself may still write to stderr.
        if lib.TessBaseAPIInit3(handle, None, language.encode()) != 0:
            lib.TessBaseAPIDelete(handle)
            return None
        lib.TessBaseAPISetVariable(handle, b"debug_file", os.devnull.encode())
        with self._lock:
            self._all.append(handle)
        return int(handle)

    def one_thread(self) -> None:
        """Let Tesseract's OpenMP loops run on the calling thread only.

        Its loops ask for a fixed number of threads, which only a thread limit or
        dynamic adjustment overrides; with dynamic adjustment and one thread wanted,
        libgomp starts none. Both settings belong to the calling thread, so other
        users of the same libgomp in this process (torch) keep theirs.
        """
        self.gomp.omp_set_dynamic(1)
        self.gomp.omp_set_num_threads(1)

    def give_back(self, language: str, handle: int) -> None:
        """Return an engine after use; one handed out before ``close`` is ended now instead."""
        with self._lock:
            keep = handle in self._all
            if keep:
                self._idle.setdefault(language, []).append(handle)
        if keep:
            self.lib.TessBaseAPIClear(handle)
        else:
            self._end(handle)

    def _end(self, handle: int) -> None:
        self.lib.TessBaseAPIEnd(handle)
        self.lib.TessBaseAPIDelete(handle)

    def close(self) -> None:
        """End the idle engines (at exit; Tesseract reports leaked dictionaries otherwise).

        Engines in use are ended when they are given back, never under their user's feet.
        """
        with self._lock:
            idle = {h for hs in self._idle.values() for h in hs}
            self._all, self._idle = [], {}
        for h in idle:
            self._end(h)


_library_lock = threading.Lock()
_library: list[_Library | None] = []


def _load_library(program_version: str | None) -> _Library | None:
    """libtesseract when it is the same version as the program and runs one OpenMP thread."""
    with _library_lock:
        if not _library:
            _library.append(_open_library(program_version))
        return _library[0]


def _open_library(program_version: str | None) -> _Library | None:
    if not program_version:
        return None
    try:
        lib = _Library(ctypes.CDLL("libtesseract.so.5"), ctypes.CDLL("libgomp.so.1"))
    except (OSError, AttributeError):
        return None
    if program_version.split()[-1] != lib.version:
        return None
    atexit.register(lib.close)
    return lib


def release_engines() -> None:
    """End the loaded in-process engines (a new process would start without them)."""
    with _library_lock:
        lib = _library[0] if _library else None
    if lib is not None:
        lib.close()


class Tesseract:
    """Run Tesseract on page images."""

    def __init__(self, *, binary: str = "tesseract", language: str = "vie", psm: int = 3,
                 timeout_s: float = 60.0, low_word: float = 60.0, in_process: bool = True) -> None:
        self.binary = binary
        self.language = language
        self.psm = psm
        self.timeout_s = timeout_s
        self.low_word = low_word
        # In-process recognition only where a stuck page cannot stall the caller: in the conversion
        # worker, which is killed at its time limit (the deadline below covers recognition, not layout).
        self.in_process = in_process

    def check(self) -> str:
        """The engine's version; raises OcrUnavailable when it cannot run here."""
        version = tesseract_version(self.binary)
        if version is None:
            raise _unavailable(f"{self.binary}: not found")
        missing = set(self.language.split("+")) - tesseract_languages(self.binary)
        if missing:
            raise _unavailable(f"tessdata: missing {', '.join(sorted(missing))}")
        return version

    def _run(self, img: Image.Image, args: list[str]) -> str:
        buf = io.BytesIO()
        img.save(buf, format="PPM" if img.mode in ("1", "L", "RGB") else "PNG")
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        try:
            out = subprocess.run([self.binary, "stdin", "stdout", *args], input=buf.getvalue(),
                                 capture_output=True, timeout=self.timeout_s, env=env)
        except FileNotFoundError as e:
            raise _unavailable(f"{self.binary}: not found") from e
        except subprocess.TimeoutExpired as e:
            raise _timeout(self.timeout_s) from e
        if out.returncode != 0:
            msg = out.stderr.decode("utf-8", "replace")[-500:]
            if "Failed loading language" in msg or "Error opening data file" in msg:
                raise _unavailable(msg.strip())
            raise MinutesError(ErrorCode.CORRUPT_FILE, "Không nhận dạng được ảnh trang (ảnh hỏng).",
                               status=422, errors=[msg.strip()])
        return out.stdout.decode("utf-8", "replace")

    def orientation(self, img: Image.Image) -> int:
        """Degrees (0, 90, 180, 270) to rotate the page clockwise so that text stands upright."""
        try:
            text = self._run(img, ["--psm", "0", "-l", "osd"])
        except MinutesError:
            return 0
        rot = re.search(r"Rotate:\s*(\d+)", text)
        conf = re.search(r"Orientation confidence:\s*([\d.]+)", text)
        if rot and conf and float(conf.group(1)) >= 1.5:
            return int(rot.group(1)) % 360
        return 0

    def _tsv(self, img: Image.Image, dpi: int) -> str:
        """Tesseract's TSV for a page, in this process when the library can do it."""
        usable = self.in_process and self.binary == "tesseract"
        lib = _load_library(tesseract_version(self.binary)) if usable else None
        if lib is None:
            return self._run(img, ["-l", self.language, "--psm", str(self.psm), "--dpi", str(dpi), "tsv"])
        if img.mode not in ("1", "L", "RGB"):
            img = img.convert("RGB")
        # Pillow packs 1-bit rows with the first pixel in the top bit and 1 for white, as Tesseract wants.
        depth = {"1": 0, "L": 1, "RGB": 3}[img.mode]
        per_line = (img.width + 7) // 8 if depth == 0 else img.width * depth
        pixels = img.tobytes()
        handle = lib.engine(self.language)
        if handle is None:
            return self._run(img, ["-l", self.language, "--psm", str(self.psm), "--dpi", str(dpi), "tsv"])
        c = lib.lib
        monitor = c.TessMonitorCreate()
        try:
            c.TessBaseAPISetPageSegMode(handle, self.psm)
            c.TessBaseAPISetImage(handle, pixels, img.width, img.height, depth, per_line)
            c.TessBaseAPISetSourceResolution(handle, dpi)
            c.TessMonitorSetDeadlineMSecs(monitor, int(self.timeout_s * 1000))
            lib.one_thread()
            start = time.monotonic()
            failed = c.TessBaseAPIRecognize(handle, monitor) != 0
            if time.monotonic() - start >= self.timeout_s:
                raise _timeout(self.timeout_s)
            if failed:
                raise MinutesError(ErrorCode.CORRUPT_FILE, "Không nhận dạng được ảnh trang (ảnh hỏng).", status=422)
            text = c.TessBaseAPIGetTsvText(handle, 0)
            try:
                return ctypes.string_at(text).decode("utf-8", "replace") if text else ""
            finally:
                c.TessDeleteText(text)
        finally:
            c.TessMonitorDelete(monitor)
            lib.give_back(self.language, handle)

    def recognise(self, img: Image.Image, *, dpi: int) -> OcrPage:
        """Words of one page image, grouped into rows."""
        pieces: list[Piece] = []
        for line in self._tsv(img, dpi).splitlines():
            cols = line.split("\t")
            if len(cols) < 12 or cols[0] != "5":
                continue
            text = cols[11].strip()
            if not text:
                continue
            try:
                x, y, w, h = (int(c) for c in cols[6:10])
                conf = float(cols[10])
            except ValueError:
                continue
            pieces.append(Piece(text=text, x0=x, y0=y, x1=x + w, y1=y + h, conf=max(conf, 0.0)))
        confs = [p.conf for p in pieces if p.conf is not None]
        return OcrPage(
            rows=group_rows(pieces),
            confidence=round(statistics.fmean(confs), 1) if confs else None,
            words=len(pieces),
            low_words=sum(1 for c in confs if c < self.low_word),
        )


def _timeout(seconds: float) -> MinutesError:
    return MinutesError(ErrorCode.CONVERSION_TIMEOUT,
                        f"Nhận dạng một trang mất quá {seconds:.0f} giây; tệp quá nặng hoặc hỏng.", status=422)
