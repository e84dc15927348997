"""Counts as Vietnamese minutes write them: "03", "17/17", "hai mươi lăm", "không"."""

from __future__ import annotations

import re

from service.nlp.text import fold

_UNITS = {
    "khong": 0, "mot": 1, "mốt": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "lam": 5,
    "sau": 6, "bay": 7, "tam": 8, "chin": 9,
}
# Words a number-in-words may be built from (folded, diacritic-free).
NUMBER_WORD = r"(?:khong|mot|hai|ba|bon|tu|nam|lam|sau|bay|tam|chin|muoi|tram|linh|le)\b"
# The same words with their diacritics: in a text that has diacritics, "sau"
# (after) or "nam" (south) must not be read as a number.
_REAL_WORDS = {
    "không", "một", "mốt", "hai", "ba", "bốn", "tư", "năm", "lăm", "sáu", "bảy", "bẩy",
    "tám", "chín", "mười", "mươi", "trăm", "linh", "lẻ",
}

# A count in folded text: digits, or number words.
COUNT = rf"(?:\d{{1,4}}|{NUMBER_WORD}(?:\s+{NUMBER_WORD}){{0,5}})"


def words_to_int(words: str) -> int | None:
    """Read a Vietnamese number written in words (folded or not), up to 9999."""
    raw = words.lower().split()
    toks = fold(words).split()
    if not toks:
        return None
    for r, t in zip(raw, toks, strict=True):
        if r != t and r not in _REAL_WORDS:
            return None
    total = 0
    cur = 0
    seen = False
    i = 0
    while i < len(toks):
        t = toks[i]
        if t == "tram":
            cur = (cur or 1) * 100
            total += cur
            cur = 0
        elif t == "nghin" or t == "ngan":
            total = (total + cur or 1) * 1000
            cur = 0
        elif t == "muoi":
            cur = (cur or 1) * 10 if cur < 10 else cur
            if i == 0 or toks[i - 1] not in _UNITS:
                cur = 10
        elif t in ("linh", "le"):
            pass
        elif t in _UNITS:
            v = _UNITS[t]
            if t == "lam" and cur % 10 != 0:
                return None
            if t == "tu" and (cur == 0 or cur % 10 != 0):
                return None
            if t == "mot" and i > 0 and toks[i - 1] == "muoi" and cur >= 20:
                v = 1
            cur += v
        else:
            return None
        seen = True
        i += 1
    return total + cur if seen else None


def parse_count(s: str | None) -> int | None:
    """Read a count: digits (zero-padded too) or words; "không"/"không có" is 0."""
    if s is None:
        return None
    s = s.strip()
    if not s:
        return None
    m = re.match(r"\d{1,4}", s)
    if m:
        return int(m.group(0))
    return words_to_int(s)


def parse_percent(s: str) -> float | None:
    """Read "95,5" or "93.76" as a float."""
    s = s.strip().rstrip("%").strip().replace(" ", "")
    if re.fullmatch(r"\d{1,3}[.,]\d{1,3}", s):
        return float(s.replace(",", "."))
    if re.fullmatch(r"\d{1,3}", s):
        return float(s)
    return None
