"""Several photos of one minute, in page order, made into one scanned PDF.

A clerk photographs a paper minute page by page with a phone; the photos become one
document, each page the photo turned upright (its EXIF orientation) and brought to at
most 300 dpi across an A4 width, so that the minute is read, checked and stored once.
"""

from __future__ import annotations

import io

from service.documents.registry import sniff
from service.errors import ConversionError, ErrorCode, InputError
from service.settings import DocumentSettings

A4_WIDTH_IN = 8.27
MAX_DPI = 300
_IMAGES = ("png", "jpeg", "tiff")


def photos_to_pdf(photos: list[tuple[str | None, bytes]], settings: DocumentSettings) -> bytes:
    """One PDF page per photo, in the order given; refuses what is not a readable image."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not photos:
        raise InputError(ErrorCode.INVALID_BODY, "Chưa có ảnh nào để ghép.", status=422)
    if len(photos) > settings.max_pages:
        raise ConversionError(ErrorCode.TOO_MANY_PAGES, f"Ghép được nhiều nhất {settings.max_pages} ảnh thành một "
                              f"biên bản; đã gửi {len(photos)} ảnh.", status=413)
    pages = []
    for n, (name, data) in enumerate(photos, 1):
        label = f"Ảnh {n}" + (f" ({name})" if name else "")
        if sniff(data) not in _IMAGES:
            raise ConversionError(ErrorCode.UNSUPPORTED_FORMAT, f"{label} không phải ảnh .jpg, .png hay .tif; chỉ "
                                  "ghép được ảnh chụp các trang biên bản.", status=415)
        try:
            opened = Image.open(io.BytesIO(data))
            if opened.width * opened.height > settings.max_pixels:
                raise ConversionError(ErrorCode.IMAGE_TOO_LARGE, f"{label} quá lớn ({opened.width}×{opened.height} "
                                      "điểm ảnh).", status=413)
            upright = ImageOps.exif_transpose(opened)
            img: Image.Image = upright.convert("L" if upright.mode in ("1", "L", "LA", "I;16") else "RGB")
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as e:
            raise ConversionError(ErrorCode.CORRUPT_FILE, f"{label} bị hỏng, không mở được.") from e
        dpi = min(img.width, img.height) / A4_WIDTH_IN
        if dpi > MAX_DPI:
            f = MAX_DPI / dpi
            img = img.resize((max(1, round(img.width * f)), max(1, round(img.height * f))),
                             Image.Resampling.LANCZOS)
            dpi = MAX_DPI
        pages.append((img, dpi))
    out = io.BytesIO()
    first, dpi = pages[0]
    # Pillow writes each page as one image (JPEG inside the PDF) sized by its resolution.
    first.save(out, format="PDF", save_all=True, append_images=[p for p, _ in pages[1:]], resolution=dpi,
               quality=90)
    return out.getvalue()
