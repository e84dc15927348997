"""Tesseract with the Vietnamese model (Debian ``tesseract-ocr-vie``), one page at a time.

Tesseract runs as a child process with one OpenMP thread (several threads contend
on small machines; pages run in parallel instead) and a time limit. Words come
back with their boxes and confidences from Tesseract's TSV output.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import statistics
import subprocess
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


class Tesseract:
    """Run Tesseract on page images."""

    def __init__(self, *, binary: str = "tesseract", language: str = "vie", psm: int = 3,
                 timeout_s: float = 60.0, low_word: float = 60.0) -> None:
        self.binary = binary
        self.language = language
        self.psm = psm
        self.timeout_s = timeout_s
        self.low_word = low_word

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
        img.save(buf, format="PPM" if img.mode in ("L", "RGB") else "PNG")
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        try:
            out = subprocess.run([self.binary, "stdin", "stdout", *args], input=buf.getvalue(),
                                 capture_output=True, timeout=self.timeout_s, env=env)
        except FileNotFoundError as e:
            raise _unavailable(f"{self.binary}: not found") from e
        except subprocess.TimeoutExpired as e:
            raise MinutesError(ErrorCode.CONVERSION_TIMEOUT,
                               f"Nhận dạng một trang mất quá {self.timeout_s:.0f} giây; tệp quá nặng hoặc hỏng.",
                               status=422) from e
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

    def recognise(self, img: Image.Image, *, dpi: int) -> OcrPage:
        """Words of one page image, grouped into rows."""
        tsv = self._run(img, ["-l", self.language, "--psm", str(self.psm), "--dpi", str(dpi), "tsv"])
        pieces: list[Piece] = []
        for line in tsv.splitlines()[1:]:
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
