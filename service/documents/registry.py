"""Which converter reads a file: chosen by its content (magic bytes), never by its name."""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

from service.documents.base import Converter
from service.errors import ConversionError, ErrorCode
from service.settings import Limits

FORMATS = ("txt", "docx", "doc", "rtf", "pdf", "png", "jpeg", "tiff")
_EXTENSIONS = {".txt": "txt", ".text": "txt", ".docx": "docx", ".doc": "doc", ".rtf": "rtf", ".pdf": "pdf",
               ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".tif": "tiff", ".tiff": "tiff"}
# The suffixes a folder walk picks up: exactly the formats this registry reads.
SUFFIXES = frozenset(_EXTENSIONS)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ACCEPTED = "Chỉ nhận biên bản dạng .txt, .docx, .doc, .rtf, .pdf hoặc ảnh quét .png, .jpg, .tif."


def sniff(data: bytes) -> str:
    """The format of a file from its first bytes; "txt" when no binary signature matches."""
    head = data[:8]
    if data[:1024].lstrip().startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except (zipfile.BadZipFile, OSError, ValueError) as e:
            raise ConversionError(ErrorCode.CORRUPT_FILE, "Tệp nén (.docx) bị hỏng, không mở được.",
                                  errors=[str(e)]) from e
        if "word/document.xml" in names:
            return "docx"
        raise ConversionError(ErrorCode.UNSUPPORTED_FORMAT, f"Tệp nén không phải văn bản Word. {_ACCEPTED}",
                              status=415)
    if head == _OLE:
        return "doc"
    if data[:5] == b"{\\rtf":
        return "rtf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head.startswith((b"GIF8", b"BM", b"RIFF", b"\x7fELF", b"MZ", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")):
        raise ConversionError(ErrorCode.UNSUPPORTED_FORMAT, f"Định dạng tệp không được hỗ trợ. {_ACCEPTED}",
                              status=415)
    return "txt"


def format_from_name(name: str | None) -> str | None:
    """The format a file name claims (its extension), if it is one we know."""
    if not name:
        return None
    return _EXTENSIONS.get(PurePath(name).suffix.lower())


def register_converters(limits: Limits | None = None) -> dict[str, Converter]:
    """Every converter, by format."""
    from service.documents.image import ImageConverter
    from service.documents.legacy_word import LibreOfficeConverter
    from service.documents.pdf import PdfConverter
    from service.documents.plain import PlainTextConverter
    from service.documents.word import DocxConverter

    return {
        "txt": PlainTextConverter(limits),
        "docx": DocxConverter(),
        "doc": LibreOfficeConverter("doc"),
        "rtf": LibreOfficeConverter("rtf"),
        "pdf": PdfConverter(),
        "png": ImageConverter("png"),
        "jpeg": ImageConverter("jpeg"),
        "tiff": ImageConverter("tiff"),
    }
