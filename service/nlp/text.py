"""A normalised document with a diacritic-free shadow for keyword matching.

``Doc.fold`` has exactly the length of ``Doc.text``: every character maps to
one lower-case, diacritic-free character (đ → d). Patterns are written against
the fold, so "thu ky", "Thư ký" and "THU KY" all match, and every match offset is
also an offset into the real text, from which names and values are read.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property


class _FoldTable(dict[int, str]):
    def __missing__(self, code: int) -> str:
        ch = chr(code)
        base = unicodedata.normalize("NFD", ch)[0].lower()
        if ch in "đĐ":
            base = "d"
        if len(base) != 1:
            base = ch
        self[code] = base
        return base


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lower-case, diacritic-free copy of ``text`` with the same length."""
    return text.translate(_FOLD)


def all_caps(s: str, min_letters: int = 1) -> bool:
    """Whether ``s`` has at least ``min_letters`` letters, every one of them a capital."""
    if not s.isupper():  # the quick no: a lower-case letter, or nothing cased at all
        return False
    letters = [c for c in s if c.isalpha()]
    return len(letters) >= min_letters and all(c.isupper() for c in letters)


@dataclass(frozen=True)
class Line:
    """One line of a Doc: its offsets, its text and its fold."""

    start: int
    end: int
    text: str
    fold: str

    @property
    def stripped(self) -> str:
        """The line's text without surrounding whitespace."""
        return self.text.strip()


class Doc:
    """Normalised text, its fold, and its lines with offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.fold = fold(text)

    @cached_property
    def lines(self) -> list[Line]:
        """The lines of the text, split at newlines, with their offsets and folds."""
        out = []
        pos = 0
        for raw in self.text.split("\n"):
            end = pos + len(raw)
            out.append(Line(pos, end, raw, self.fold[pos:end]))
            pos = end + 1
        return out

    @cached_property
    def _line_starts(self) -> list[int]:
        return [ln.start for ln in self.lines]

    def line_index(self, offset: int) -> int:
        """The index of the line holding ``offset``."""
        return max(0, bisect_right(self._line_starts, offset) - 1)

    def line_at(self, offset: int) -> Line:
        """The line holding ``offset``."""
        return self.lines[self.line_index(offset)]

    def finditer(self, pattern: re.Pattern[str], start: int = 0, end: int | None = None
                 ) -> Iterator[re.Match[str]]:
        """Matches of ``pattern`` in the fold, between ``start`` and ``end``."""
        return pattern.finditer(self.fold, start, len(self.fold) if end is None else end)

    def sentence_bounds(self, offset: int) -> tuple[int, int]:
        """Bounds of the sentence (or line) holding ``offset``."""
        ln = self.line_at(offset)
        s = ln.start
        for m in re.finditer(r"[.;!?](?=\s)", self.text[ln.start:offset]):
            s = ln.start + m.end()
        m2 = re.search(r"[.!?](?=\s|$)", self.text[offset:ln.end])
        e = offset + m2.end() if m2 else ln.end
        return s, e
