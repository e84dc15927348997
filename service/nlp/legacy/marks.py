"""Combining tone marks and the small helpers every legacy table is built with."""

from __future__ import annotations

import unicodedata

# Combining tone marks, in the column order of the tables below.
_GRAVE, _HOOK, _TILDE, _ACUTE, _DOT = "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"
_TONES = (_GRAVE, _HOOK, _TILDE, _ACUTE, _DOT)
_TONE_SET = frozenset(_TONES)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _toned(base: str, tone: str) -> str:
    return _nfc(base + tone)
