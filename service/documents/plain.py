"""Plain-text minutes: UTF-8, UTF-16, Windows-1258 and legacy TCVN3/VNI bytes."""

from __future__ import annotations

import codecs
import unicodedata

from service.documents.base import Block, Document, PageResult
from service.errors import ErrorCode, InputError
from service.settings import DocumentSettings, Limits

_CP1258_TONES = frozenset(b"\xcc\xd2\xde\xec\xf2")  # combining grave, hook, tilde, acute, dot below
_VI_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b")


def _vietnamese_letter(c: str) -> bool:
    if c in "đĐ":
        return True
    parts = unicodedata.normalize("NFD", c)
    return parts[0].isascii() and parts[0].isalpha() and all(m in _VI_MARKS for m in parts[1:])


def _read_cp1258(data: bytes) -> str | None:
    """Windows-1258 text, or None when the bytes do not read as Vietnamese in it.

    Windows-1258 writes most tone marks as combining characters after the vowel. The
    bytes pass when such marks occur, nearly all of them compose with a vowel, and
    every letter belongs to the Vietnamese alphabet.
    """
    tones = sum(1 for b in data if b in _CP1258_TONES)
    if tones < 3:
        return None
    try:
        text = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        return None
    loose = sum(1 for c in text if unicodedata.combining(c))
    letters = [c for c in text if c.isalpha()]
    if loose > tones * 0.05 or not letters:
        return None
    if sum(1 for c in letters if not _vietnamese_letter(c)) > len(letters) * 0.01:
        return None
    return text


def decode_plain(data: bytes, *, limits: Limits) -> str:
    """Decode a plain-text minute: UTF-8 (BOM or not), UTF-16 with a BOM, Windows-1258,
    or legacy 8-bit text from TCVN3/VNI fonts (repaired later by normalisation)."""
    if len(data) > limits.max_upload_bytes:
        raise InputError(ErrorCode.PAYLOAD_TOO_LARGE,
                         f"Tệp quá lớn ({len(data):,} byte); giới hạn là {limits.max_upload_bytes:,} byte.",
                         status=413)
    if not data.strip():
        raise InputError(ErrorCode.EMPTY_INPUT, "Tệp rỗng, không có nội dung biên bản.")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise _bad_encoding() from e
    if b"\x00" in data[:4096]:
        raise InputError(ErrorCode.NOT_TEXT, "Tệp không phải văn bản (có dữ liệu nhị phân).",
                         status=422)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    text = _read_cp1258(data)
    if text is not None:
        return text
    # Old documents typed with .VnTime / VNI fonts are 8-bit; read them as
    # Windows-1252 and let the legacy repair decide whether they are Vietnamese.
    from service.nlp.legacy import detect_legacy

    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as e:
        raise _bad_encoding() from e
    if detect_legacy(text):
        return text
    raise _bad_encoding()


def _bad_encoding() -> InputError:
    return InputError(
        ErrorCode.INVALID_ENCODING,
        "Không đọc được bảng mã của tệp. Hãy lưu biên bản dạng văn bản Unicode (UTF-8).",
        status=422,
    )


class PlainTextConverter:
    """A .txt file: one page (or one per form feed), one block per page."""

    name = "minutes.plain.v1"
    format = "txt"
    media_type = "text/plain"

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()

    def convert(self, data: bytes, *, settings: DocumentSettings) -> Document:
        """Decode the text and split it into pages at form feeds."""
        text = decode_plain(data, limits=self.limits)
        parts = text.split("\f")
        blocks = [Block(text=part, page=i + 1, sep="\n" if i < len(parts) - 1 else "")
                  for i, part in enumerate(parts)]
        pages = [PageResult(number=i + 1, method="text") for i in range(len(parts))]
        return Document(format=self.format, media_type=self.media_type, converter=self.name,
                        blocks=blocks, pages=pages)
