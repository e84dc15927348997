"""Bytes and strings in: decoding and the sanity checks every door applies."""

from __future__ import annotations

import re

from service.errors import ErrorCode, InputError
from service.settings import Limits

_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")  # below 32 but \t \n \f \r, and U+FFFD
_LETTER = re.compile(r"[^\W\d_]")
# Characters a Vietnamese minute is not written with (outside Latin scripts, marks, punctuation).
_FOREIGN = re.compile("[^\x00-\u024f\u0300-\u036f\u1e00-\u1eff\u2000-\u2bfe\ufeff\ufffd]")


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
    control = len(_CONTROL.findall(sample))
    letters = len(_LETTER.findall(sample))
    foreign = len(_FOREIGN.findall(sample))
    if control > len(sample) * 0.02 or letters < len(sample.strip()) * 0.3 or foreign > len(sample) * 0.1:
        raise InputError(ErrorCode.NOT_TEXT,
                         "Nội dung không phải văn bản biên bản (có ký tự điều khiển hoặc dữ liệu nhị phân).",
                         status=422)
