"""Short names people type or send: file names, unit names, user names.

Every name is NFC and one line. Control characters (U+0000–U+001F, U+007F–U+009F),
bidirectional overrides and isolates (which make "bien-ban‮txt.exe" read as
something else) and zero-width characters are invisible in a page and break
exports and headers; ``clean_name`` removes them, ``has_control`` tells whether a
value holds any.
"""

from __future__ import annotations

import re
import unicodedata

# C0/C1 controls, zero-width space/joiners, LRM/RLM, bidi embeddings, overrides and isolates, word joiner, BOM.
HIDDEN_CLASS = r"\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_HIDDEN = re.compile(f"[{HIDDEN_CLASS}]")
VISIBLE_PATTERN = f"^[^{HIDDEN_CLASS}]*$"  # for OpenAPI: a value with no hidden character
_SPACE = re.compile(r"\s+")


def has_control(value: str) -> bool:
    """True when ``value`` holds a control, bidi or zero-width character."""
    return _HIDDEN.search(value) is not None


def clean_name(value: str, *, max_chars: int = 200) -> str:
    """NFC, hidden characters dropped, runs of white space made one space, trimmed, cut to ``max_chars``.

    >>> clean_name("Chi bộ\\u200b Thôn\\u202e 1\\x07 ")
    'Chi bộ Thôn 1'
    """
    text = _HIDDEN.sub(lambda m: " " if m.group() in "\t\n\r\x0b\x0c" else "", unicodedata.normalize("NFC", value))
    return _SPACE.sub(" ", text).strip()[:max_chars].strip()


def file_name_of(value: str | None) -> str | None:
    """The last part of an uploaded file's name, cleaned (``clean_name``, 255 characters); None when nothing is left."""
    if not value:
        return None
    return clean_name(value.replace("\\", "/").rsplit("/", 1)[-1], max_chars=255) or None
