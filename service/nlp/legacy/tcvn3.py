"""TCVN3 (ABC, VN3 of TCVN 5712:1993): tables, decoder and encoder. See service.nlp.legacy."""

from __future__ import annotations

import re

from service.nlp.legacy.marks import _TONES, _nfc, _toned

# Toned lower-case vowels: tones grave, hook, tilde, acute, dot (code points 0xB5-0xFE).
_T3_TONED = {
    "a": "\xb5\xb6\xb7\xb8\xb9",
    "ă": "\xbb\xbc\xbd\xbe\xc6",
    "â": "\xc7\xc8\xc9\xca\xcb",
    "e": "\xcc\xce\xcf\xd0\xd1",
    "ê": "\xd2\xd3\xd4\xd5\xd6",
    "i": "\xd7\xd8\xdc\xdd\xde",
    "o": "\xdf\xe1\xe2\xe3\xe4",
    "ô": "\xe5\xe6\xe7\xe8\xe9",
    "ơ": "\xea\xeb\xec\xed\xee",
    "u": "\xef\xf1\xf2\xf3\xf4",
    "ư": "\xf5\xf6\xf7\xf8\xf9",
    "y": "\xfa\xfb\xfc\xfd\xfe",
}
# Untoned letters with diacritics: the lower case and the seven capitals VN3 has.
_T3_PLAIN = {
    "ă": "\xa8", "â": "\xa9", "ê": "\xaa", "ô": "\xab", "ơ": "\xac", "ư": "\xad", "đ": "\xae",
    "Ă": "\xa1", "Â": "\xa2", "Ê": "\xa3", "Ô": "\xa4", "Ơ": "\xa5", "Ư": "\xa6", "Đ": "\xa7",
}

_T3_TO_LOWER: dict[str, str] = {code: letter for letter, code in _T3_PLAIN.items()}
for _base, _codes in _T3_TONED.items():
    for _code, _tone in zip(_codes, _TONES, strict=True):
        _T3_TO_LOWER[_code] = _toned(_base, _tone)
_T3_TO_UPPER = {code: letter.upper() for code, letter in _T3_TO_LOWER.items()}
_T3_LOWER_TABLE = str.maketrans(_T3_TO_LOWER)
_T3_UPPER_TABLE = str.maketrans(_T3_TO_UPPER)

_T3_ENCODE: dict[str, str] = {}
for _code, _letter in _T3_TO_LOWER.items():
    _T3_ENCODE[_letter] = _code
    # Capitals with tone marks have no code point of their own in VN3.
    _T3_ENCODE.setdefault(_letter.upper(), _code)
_T3_ENCODE_TABLE = str.maketrans(_T3_ENCODE)

_T3_CODES = "".join(sorted(_T3_TO_LOWER))
_T3_CAPITALS = "".join(_T3_PLAIN[c] for c in "ĂÂÊÔƠƯĐ")
# PDF text layers sometimes map the 0xAD (ư) and 0xB7 (ã) glyphs to these.
_PDF_MINUS, _PDF_BULLET = "\u2212", "\u2219"

_T3_WORD_CHARS = "A-Za-z" + re.escape(_T3_CODES)
_T3_WORD = re.compile(f"[{_T3_WORD_CHARS}]+")
_T3_PDF = re.compile(f"(?<=[{_T3_WORD_CHARS}])[{_PDF_MINUS}{_PDF_BULLET}]")
_ASCII_LOWER = re.compile("[a-z]")
_CAPS_EVIDENCE = re.compile(f"[A-Z{re.escape(_T3_CAPITALS)}]")

# "ươ" whose "ư" (soft hyphen) was lost, before a final that "ơ" alone never takes.
_HORN_O = "ơờởỡớợ"
_LOST_U = re.compile(
    f"(?<![ưƯ])([{_HORN_O}{_HORN_O.upper()}])(?=(?i:ng|c|u)(?![^\\W\\d_]))"
)


def _restore_lost_u(match: re.Match[str]) -> str:
    vowel = match.group(1)
    return ("ư" if vowel.islower() else "Ư") + vowel


def _t3_word(match: re.Match[str]) -> str:
    word = match.group()
    if _ASCII_LOWER.search(word) is None and len(_CAPS_EVIDENCE.findall(word)) >= 2:
        return word.translate(_T3_UPPER_TABLE)
    return word.translate(_T3_LOWER_TABLE)


def _t3_line(line: str) -> str:
    if _ASCII_LOWER.search(line) is None and len(_CAPS_EVIDENCE.findall(line)) >= 2:
        return line.translate(_T3_UPPER_TABLE)
    return _T3_WORD.sub(_t3_word, line)


def decode_tcvn3(text: str, *, caps_font: bool = False) -> str:
    """Decode TCVN3 (ABC, VN3) text read as Latin-1 into NFC Unicode.

    Code points shared by a lower-case letter and its capital decode to lower case,
    except in a line without ASCII lower-case letters (and at least two capitals) or
    a word of at least two capitals and no ASCII lower case ("CéNG" → "CỘNG"), which
    is how text typed in a .VnTimeH-style capital font looks. ``caps_font=True``
    says the whole text is in such a font and upper-cases everything.
    """
    if _PDF_MINUS in text or _PDF_BULLET in text:
        text = _T3_PDF.sub(lambda m: "\xad" if m.group() == _PDF_MINUS else "\xb7", text)
    if caps_font:
        out = text.translate(_T3_UPPER_TABLE).upper()
    else:
        out = "".join(_t3_line(line) for line in text.splitlines(keepends=True))
    out = _LOST_U.sub(_restore_lost_u, out)
    return _nfc(out)


def encode_tcvn3(text: str) -> str:
    """Encode Unicode Vietnamese as TCVN3 text read as Latin-1 (for test data).

    Capitals with tone marks share their lower-case code point (VN3 has none), so
    they come back as lower case unless the word is written in capitals.
    """
    return _nfc(text).translate(_T3_ENCODE_TABLE)
