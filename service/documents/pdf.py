"""PDF files: the text layer page by page, OCR for pages without usable text.

Text runs are read with their positions (pdfium) and laid out in rows like OCR
words, so a two-column header reads the same from a text layer as from a scan. A
page whose text layer has almost no letters, or mostly unmapped glyphs, is
rendered and recognised instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from service.documents.base import Block, Document, PageResult
from service.documents.image import engine_for, ocr_run, page_result, read_scans, rows_to_blocks
from service.documents.layout import Piece, Row, group_rows
from service.errors import ConversionError, ErrorCode

if TYPE_CHECKING:
    from PIL import Image

    from service.settings import DocumentSettings

MIN_LETTERS = 40  # fewer letters than this on a page: no usable text layer


def _text_rows(page: Any) -> list[Row]:
    textpage = page.get_textpage()
    try:
        height = page.get_height()
        pieces = []
        for i in range(textpage.count_rects()):
            left, bottom, right, top = textpage.get_rect(i)
            text = textpage.get_text_bounded(left, bottom, right, top)
            text = " ".join(text.replace("\r", " ").replace("\n", " ").split())
            if text:
                pieces.append(Piece(text=text, x0=left, y0=height - top, x1=right, y1=height - bottom))
        return group_rows(pieces)
    finally:
        textpage.close()


def usable(rows: list[Row]) -> bool:
    """Whether a text layer holds real text rather than nothing or unmapped glyphs."""
    text = "".join(r.text for r in rows)
    letters = sum(1 for c in text if c.isalpha())
    junk = sum(1 for c in text if c == "\ufffd" or (ord(c) < 32 and c not in "\t\n"))
    return letters >= MIN_LETTERS and junk <= len(text) * 0.05


class PdfConverter:
    """PDF with or without a text layer, through pypdfium2."""

    name = "minutes.pdf.v1"
    format = "pdf"
    media_type = "application/pdf"

    def convert(self, data: bytes, *, settings: DocumentSettings) -> Document:
        """Read each page from its text layer, or by OCR where the layer is not usable."""
        import pypdfium2 as pdfium

        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as e:
            if "password" in str(e).lower():
                raise ConversionError(ErrorCode.ENCRYPTED_FILE,
                                      "Tệp PDF có đặt mật khẩu; hãy gỡ mật khẩu rồi gửi lại.") from e
            raise ConversionError(ErrorCode.CORRUPT_FILE, "Tệp PDF bị hỏng, không mở được.", errors=[str(e)]) from e
        try:
            return self._read(pdf, settings)
        finally:
            pdf.close()

    def _read(self, pdf: Any, settings: DocumentSettings) -> Document:
        import pypdfium2 as pdfium

        count = len(pdf)
        if count == 0:
            raise ConversionError(ErrorCode.CORRUPT_FILE, "Tệp PDF không có trang nào.")
        if count > settings.max_pages:
            raise ConversionError(ErrorCode.TOO_MANY_PAGES,
                                  f"Tệp PDF có {count} trang; giới hạn là {settings.max_pages} trang mỗi biên bản.",
                                  status=413)
        text_rows: dict[int, list[Row]] = {}
        scanned: list[int] = []
        for n in range(1, count + 1):
            page = pdf[n - 1]
            try:
                rows = _text_rows(page)
            except (pdfium.PdfiumError, ValueError, OSError) as e:
                raise ConversionError(ErrorCode.CORRUPT_FILE, f"Trang {n} của tệp PDF bị hỏng.",
                                      errors=[str(e)]) from e
            finally:
                page.close()
            if usable(rows):
                text_rows[n] = rows
            else:
                scanned.append(n)
        ocr_pages = {}
        ocr = None
        if scanned:
            version = engine_for(settings).check()
            ocr_pages = read_scans(self._render(pdf, scanned, settings), settings=settings, total=len(scanned))
            ocr = ocr_run(settings, version)
        blocks: list[Block] = []
        results: list[PageResult] = []
        for n in range(1, count + 1):
            if n in text_rows:
                blocks.extend(rows_to_blocks(text_rows[n], page=n, with_words=False))
                results.append(PageResult(number=n, method="text"))
            else:
                blocks.extend(rows_to_blocks(ocr_pages[n].rows, page=n, with_words=True))
                results.append(page_result(n, ocr_pages[n]))
        return Document(format=self.format, media_type=self.media_type, converter=self.name, blocks=blocks,
                        pages=results, ocr=ocr)

    @staticmethod
    def _render(pdf: Any, numbers: list[int], settings: DocumentSettings) -> Iterator[tuple[int, Image.Image, float]]:
        for n in numbers:
            page = pdf[n - 1]
            try:
                scanned = scan_image(page, settings)
                if scanned is not None:
                    yield n, *scanned
                    continue
                w, h = page.get_size()
                scale = settings.ocr_dpi / 72
                if w * h * scale * scale > settings.max_pixels:
                    scale = (settings.max_pixels / max(w * h, 1.0)) ** 0.5
                img = page.render(scale=scale).to_pil()
            finally:
                page.close()
            yield n, img, scale * 72


def scan_image(page: Any, settings: DocumentSettings) -> tuple[Image.Image, float] | None:
    """The page's only content, a scan covering it upright, at the scan's own resolution.

    Decoding the image is cheaper than rendering the page, and a scan made below
    ``ocr_dpi`` is not enlarged (enlarged speckles read as letters). None when the page
    holds anything else, or a scan finer than ``ocr_dpi`` (rendering reduces it).
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    if page.get_rotation() % 360:
        return None
    objects = list(page.get_objects(max_depth=1))
    if len(objects) != 1 or objects[0].type != pdfium_c.FPDF_PAGEOBJ_IMAGE:
        return None
    image = objects[0]
    try:
        a, b, c, d, e, f = image.get_matrix().get()
        px_w, px_h = image.get_px_size()
        w, h = page.get_size()
        if b or c or a <= 0 or d <= 0 or px_w < 1 or px_h < 1:
            return None
        left, bottom, right, top = image.get_bounds()
        if left > 0.02 * w or bottom > 0.02 * h or right < 0.98 * w or top < 0.98 * h:
            return None
        dpi_x, dpi_y = px_w * 72 / a, px_h * 72 / d
        if abs(dpi_x - dpi_y) > 0.02 * dpi_x or dpi_x > settings.ocr_dpi * 1.05 or px_w * px_h > settings.max_pixels:
            return None
        bitmap = image.get_bitmap(render=False)
        img = bitmap.to_pil()
        if img.mode in ("L", "RGBA", "RGBX"):  # shares pdfium's buffer, freed with the bitmap
            img = img.copy()
    except (pdfium.PdfiumError, ValueError, OSError):
        return None
    if img.size != (px_w, px_h) or img.mode not in ("1", "L", "RGB", "RGBA", "RGBX", "CMYK"):
        return None
    return img, dpi_x
