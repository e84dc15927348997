"""Scanned pages: PNG, JPEG and (multi-page) TIFF through scan preparation and Tesseract.

``read_scans`` is shared with the PDF reader for pages without a text layer. Pages
are prepared and recognised in parallel threads (each Tesseract process on one
core), with at most a few page images in memory at once.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from service.documents import progress
from service.documents.base import Block, Document, OcrRun, PageResult
from service.documents.layout import Row, wrapped
from service.documents.ocr import OcrPage, Tesseract
from service.documents.scan import prepare_page
from service.errors import ConversionError, ErrorCode

if TYPE_CHECKING:
    from PIL import Image

    from service.settings import DocumentSettings


def engine_for(settings: DocumentSettings) -> Tesseract:
    """The Tesseract engine the settings describe; each recognition may take half the time limit (at least 10 s)."""
    return Tesseract(binary=settings.tesseract, language=settings.ocr_language, psm=settings.ocr_psm,
                     timeout_s=max(10.0, settings.timeout_s / 2), in_process=settings.isolate)


def ocr_jobs(settings: DocumentSettings) -> int:
    """How many pages to recognise at once: the setting, or the usable CPUs up to 4."""
    if settings.ocr_jobs > 0:
        return settings.ocr_jobs
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(4, cpus))


def ocr_page(img: Image.Image, *, dpi: float | None, engine: Tesseract, steps: tuple[str, ...]) -> OcrPage:
    """Prepare and recognise one page; a page that reads badly is tried upright."""
    prep = prepare_page(img, declared_dpi=dpi, steps=steps)
    page = engine.recognise(prep.image, dpi=prep.dpi)
    page.steps = list(prep.steps)
    if page.words < 8 or (page.confidence or 0) < 50:
        rotate = engine.orientation(prep.image)
        if rotate:
            turned = prep.image.rotate(-rotate, expand=True, fillcolor=255)
            again = engine.recognise(turned, dpi=prep.dpi)
            if (again.confidence or 0) * again.words > (page.confidence or 0) * page.words:
                again.steps = [*prep.steps, f"rotate:{rotate}"]
                page = again
    return page


def read_scans(images: Iterable[tuple[int, Image.Image, float | None]], *,
               settings: DocumentSettings, total: int | None = None) -> dict[int, OcrPage]:
    """OCR (page number, image, dpi) triples, a few at a time; results by page number.

    Each page read is reported (service.documents.progress) as k of ``total``.
    """
    engine = engine_for(settings)
    engine.check()
    steps = tuple(settings.ocr_preparation)
    jobs = ocr_jobs(settings)
    out: dict[int, OcrPage] = {}
    pending: list[tuple[int, Future[OcrPage]]] = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for number, img, dpi in images:
            pending.append((number, pool.submit(ocr_page, img, dpi=dpi, engine=engine, steps=steps)))
            while len(pending) > jobs:
                n, fut = pending.pop(0)
                out[n] = fut.result()
                progress.report(len(out), max(total or 0, len(out) + len(pending)))
        for n, fut in pending:
            out[n] = fut.result()
            progress.report(len(out), max(total or 0, len(out)))
    return out


def rows_to_blocks(rows: list[Row], *, page: int, with_words: bool) -> list[Block]:
    """One block per visual row: a wrapped row runs on with a space, a row before a new
    paragraph ends with a blank line."""
    blocks: list[Block] = []
    joins = wrapped(rows)
    for i, row in enumerate(rows):
        blank_next = i + 1 < len(rows) and rows[i + 1].blank_before
        text = row.text
        cut = len(text) - len(text.lstrip(" ")) if i and joins[i - 1] else 0
        words: tuple[tuple[int, int, float], ...] = ()
        if with_words:
            words = tuple((a - cut, b - cut, p.conf if p.conf is not None else 0.0)
                          for (a, b), p in zip(row.offsets, row.pieces, strict=True))
        sep = " " if joins[i] else ("\n\n" if blank_next else "\n")
        blocks.append(Block(text=text[cut:], page=page, line=i + 1, sep=sep, words=words))
    return blocks


def ocr_run(settings: DocumentSettings, engine_version: str) -> OcrRun:
    """The OcrRun record for these settings and Tesseract version."""
    return OcrRun(engine=engine_version, language=settings.ocr_language, psm=settings.ocr_psm,
                  dpi=settings.ocr_dpi, preparation=tuple(settings.ocr_preparation))


def page_result(number: int, page: OcrPage) -> PageResult:
    """The PageResult of a page read by OCR."""
    return PageResult(number=number, method="ocr", confidence=page.confidence, words=page.words,
                      low_words=page.low_words, steps=tuple(page.steps))


def open_image(data: bytes, *, settings: DocumentSettings) -> Image.Image:
    """Open an image lazily after refusing decompression bombs and too many frames."""
    from PIL import Image, UnidentifiedImageError

    try:
        im = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as e:
        raise _too_large(settings) from e
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise ConversionError(ErrorCode.CORRUPT_FILE, "Tệp ảnh bị hỏng, không mở được.", errors=[str(e)]) from e
    if im.width * im.height > settings.max_pixels:
        raise _too_large(settings)
    frames = getattr(im, "n_frames", 1)
    if frames > settings.max_pages:
        raise ConversionError(ErrorCode.TOO_MANY_PAGES,
                              f"Tệp ảnh có {frames} trang; giới hạn là {settings.max_pages} trang.", status=413)
    return im


def _too_large(settings: DocumentSettings) -> ConversionError:
    return ConversionError(ErrorCode.IMAGE_TOO_LARGE,
                           f"Ảnh quá lớn (giới hạn {settings.max_pixels:,} điểm ảnh mỗi trang).", status=413)


def _frames(im: Image.Image, settings: DocumentSettings) -> Iterator[tuple[int, Image.Image, float | None]]:
    from PIL import Image, ImageOps

    for k in range(getattr(im, "n_frames", 1)):
        try:
            im.seek(k)
            if im.width * im.height > settings.max_pixels:
                raise _too_large(settings)
            frame = ImageOps.exif_transpose(im.copy()) if k == 0 else im.copy()
            frame.load()
        except Image.DecompressionBombError as e:
            raise _too_large(settings) from e
        except (OSError, SyntaxError, ValueError, EOFError) as e:
            raise ConversionError(ErrorCode.CORRUPT_FILE, f"Trang {k + 1} của tệp ảnh bị hỏng hoặc thiếu dữ liệu.",
                                  errors=[str(e)]) from e
        dpi = im.info.get("dpi")
        declared = float(dpi[0]) if isinstance(dpi, tuple) and dpi and dpi[0] else None
        yield k + 1, frame, declared


class ImageConverter:
    """PNG, JPEG or TIFF scans."""

    def __init__(self, fmt: str) -> None:
        self.format = fmt
        self.name = f"minutes.{fmt}.v1"
        self.media_type = {"png": "image/png", "jpeg": "image/jpeg", "tiff": "image/tiff"}[fmt]

    def convert(self, data: bytes, *, settings: DocumentSettings) -> Document:
        """Recognise every frame of the image, one page per frame."""
        im = open_image(data, settings=settings)
        engine = engine_for(settings)
        version = engine.check()
        pages = read_scans(_frames(im, settings), settings=settings, total=getattr(im, "n_frames", 1))
        blocks: list[Block] = []
        results: list[PageResult] = []
        for n in sorted(pages):
            blocks.extend(rows_to_blocks(pages[n].rows, page=n, with_words=True))
            results.append(page_result(n, pages[n]))
        return Document(format=self.format, media_type=self.media_type, converter=self.name, blocks=blocks,
                        pages=results, ocr=ocr_run(settings, version))
