"""Bytes and strings in: decoding and the sanity checks every door applies."""

from __future__ import annotations

from service.errors import ErrorCode, InputError
from service.settings import Limits


def decode_text(data: bytes, *, limits: Limits) -> str:
    """Decode a plain-text minute (see ``service.documents.plain.decode_plain``)."""
    from service.documents.plain import decode_plain

    return decode_plain(data, limits=limits)


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
