"""Bytes and strings in: decoding and the sanity checks every door applies."""

from __future__ import annotations

import codecs

from service.errors import ErrorCode, InputError
from service.settings import Limits


def decode_text(data: bytes, *, limits: Limits) -> str:
    """Decode a plain-text minute: UTF-8 (BOM or not), UTF-16 with a BOM, or
    legacy 8-bit text from TCVN3/VNI fonts (repaired later by normalisation)."""
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


def validate_text(text: str, *, limits: Limits) -> None:
    """Refuse empty, oversized and binary-looking text."""
    if not text or not text.strip():
        raise InputError(ErrorCode.EMPTY_INPUT, "Nội dung biên bản trống.")
    if len(text) > limits.max_text_chars:
        raise InputError(
            ErrorCode.TEXT_TOO_LARGE,
            f"Biên bản dài {len(text):,} ký tự, vượt giới hạn {limits.max_text_chars:,} ký tự.",
            status=413,
        )
    sample = text[:20000]
    control = sum(1 for c in sample if (ord(c) < 32 and c not in "\n\r\t\f") or c == "\ufffd")
    letters = sum(1 for c in sample if c.isalpha())
    foreign = sum(1 for c in sample if not _is_latin_text_char(ord(c)))
    if control > len(sample) * 0.02 or letters < len(sample.strip()) * 0.3 or foreign > len(sample) * 0.1:
        raise InputError(ErrorCode.NOT_TEXT,
                         "Nội dung không phải văn bản biên bản (có ký tự điều khiển hoặc dữ liệu nhị phân).",
                         status=422)


def _is_latin_text_char(code: int) -> bool:
    """Characters a Vietnamese minute is written with (Latin scripts, marks, punctuation)."""
    return (
        code < 0x250  # ASCII, Latin-1, Latin Extended-A/B
        or 0x300 <= code < 0x370  # combining marks (NFD text)
        or 0x1E00 <= code < 0x1F00  # Latin Extended Additional (ạ, ế, ỹ…)
        or 0x2000 <= code < 0x2BFF  # punctuation, symbols, arrows, boxes
        or code in (0xFEFF, 0xFFFD)
    )
