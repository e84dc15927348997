"""How much of a text is one minute: the whole of it, the first of several, a header alone, or a cut-off fragment.

A file a clerk hands in is not always one whole minute. A scan loses its last page and
stops mid-sentence; a Word file holds the minutes of two months one after the other;
a template is saved with only its header filled in; an unrelated text is uploaded by
mistake. Reading such a text as one minute gives confident wrong values (the chair of
March with the date of April) or a wall of "missing" findings for what was never in
the file. ``measure`` says which case a text is, so the checker reads only the first
minute and says plainly what it saw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.nlp.text import Doc, Line

# Words every chi bộ minute uses, folded (no accents), so unaccented and OCR'd text count too.
_MARKERS = re.compile(r"\b(?:bien ban|chi bo|dang vien|dong chi|dang bo|sinh hoat|nghi quyet|chu tri|thu ky|"
                      r"bi thu|dang cong san|chi uy|d/c|dang uy)\b")
# A title line that opens a minute: "BIÊN BẢN", "BIÊN BẢN SINH HOẠT CHI BỘ …", "BIÊN BẢN HỌP …".
_TITLE = re.compile(r"^\s*bien ban\s*(?:$|(?:sinh hoat|hop|hoi nghi|dai hoi|ky hop)\b)")
# The sentence that opens a meeting's record.
_OPENING = re.compile(r"\b(?:hom nay|vao (?:luc|hoi)|hoi \d{1,2}\s*(?:gio|h)|bat dau luc|thoi gian)\b")
_LETTER = re.compile(r"[^\W\d_]")  # a letter of any script, as str.isalpha() counts them
# Lines that belong to a header block above a title.
_HEADER_LINE = re.compile(r"dang bo|chi bo|dang uy|dang cong san|ngay\s*\S*\s*thang|ngay \d{1,2}\s*[-/.]|"
                          r"\bso\s*[:\d]|^\s*[*\-_=.·]+\s*$|doc lap|cong hoa")
# The parts that close a minute: its end, its read-back, its signatures.
_CLOSING = re.compile(r"be mac|ket thuc (?:luc|vao|hoi|buoi|cuoc|sinh hoat|hop)|thong qua (?:toan van )?bien ban|"
                      r"bien ban (?:nay )?(?:da |duoc )?(?:doc|thong qua|lap xong|ket thuc)|\bt/?m\b|ky ten|da ky|"
                      r"\(ky\b|ky,? ghi ro")
_SIGN_TITLE = re.compile(r"thu ky|chu tri|chu toa|bi thu|nguoi ghi|xac nhan")
# A line that ends a sentence or a block: terminal punctuation, a closing bracket or quote.
_ENDED = re.compile(r"[.!?:;…)\]”\"'»]\s*$")
_BODY_LETTERS = 80  # fewer letters than this after the title: the text holds only a header


@dataclass(frozen=True)
class Extent:
    """What part of a text is read as the minute, and what else the text holds."""

    end: int  # the minute is text[:end]
    markers: frozenset[str] = frozenset()  # minute words found (folded)
    others: tuple[tuple[int, int, str], ...] = ()  # title lines (span, text) of further minutes after the first
    header_only: bool = False
    cut_at: tuple[int, int] | None = None  # the last line, when the text stops mid-sentence

    @property
    def is_minute(self) -> bool:
        """Whether the text reads as a minute at all (some minute words were found)."""
        return bool(self.markers)


def _is_header(ln: Line) -> bool:
    """A short line of the kind a header block holds (a prose line naming the chi bộ is not one)."""
    return len(ln.stripped) <= 90 and (bool(_HEADER_LINE.search(ln.fold)) or _upper(ln.stripped))


def _upper(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.6


def _closes(ln: Line) -> bool:
    """A line of a minute's closing part: its end, read-back, or a signature title."""
    return bool(_CLOSING.search(ln.fold)) or (len(ln.stripped.split()) <= 8 and bool(_SIGN_TITLE.search(ln.fold)))


def _title_lines(doc: Doc) -> list[Line]:
    out = []
    for ln in doc.lines:
        s = ln.stripped
        if not s or len(s) > 90 or not _TITLE.match(ln.fold):
            continue
        if _upper(s):
            out.append(ln)
    return out


def _block_start(doc: Doc, title: Line) -> int:
    """Where the header block above a title begins: its first đảng bộ, chi bộ or date line.

    Short upper-case lines between (a chi bộ name running over two lines) belong to the
    block; the previous minute's signature titles and names above it do not.
    """
    i = doc.line_index(title.start)
    start = title.start
    for j in range(i - 1, max(-1, i - 9), -1):
        ln = doc.lines[j]
        if not ln.stripped:
            continue
        if not _is_header(ln) or _closes(ln):
            break
        if _HEADER_LINE.search(ln.fold):
            start = ln.start
    return start


def _further_minutes(doc: Doc, titles: list[Line]) -> list[Line]:
    """Title lines after the first that open a minute of their own (a header and a meeting opening follow)."""
    if len(titles) < 2:
        return []
    out = []
    for t in titles[1:]:
        before = doc.text[titles[0].end:t.start]
        if sum(1 for ln in before.split("\n") if ln.strip()) < 5:
            continue  # a title running over two lines, or a title page
        i = doc.line_index(t.start)
        above = [ln for ln in doc.lines[max(0, i - 8):i] if ln.stripped]
        headed = any(_is_header(ln) and _HEADER_LINE.search(ln.fold) for ln in above[-6:])
        if headed or _OPENING.search(doc.fold, t.end, t.end + 1500):
            out.append(t)
    return out


def _body_letters(doc: Doc, start: int, end: int) -> int:
    n = 0
    for ln in doc.lines:
        if ln.start < start or ln.start >= end or _is_header(ln) or _TITLE.match(ln.fold):
            continue
        n += len(_LETTER.findall(ln.text))
    return n


def _cut_line(doc: Doc, end: int) -> tuple[int, int] | None:
    """The last line, when the minute stops in the middle of a sentence with no closing part."""
    lines = [ln for ln in doc.lines if ln.end <= end and ln.stripped]
    if len(lines) < 6:
        return None
    last = lines[-1]
    if _ENDED.search(last.text) or any(_closes(ln) for ln in lines[len(lines) // 2:]):
        return None
    s = last.stripped
    words = s.split()
    # A sentence cut off ends on a lower-case word or a comma; names under a signature do not.
    if not (s[-1] in ",-–" or (s[-1].isalpha() and words[-1][0].islower())) or len(words) < 3:
        return None
    if re.match(r"^\S+(?:\s+\S+){0,2}:", s):
        return None  # a labelled line ("Người viết: …") is whole
    start = last.start + (len(last.text) - len(last.text.lstrip()))
    return start, last.end


def measure(doc: Doc) -> Extent:
    """What part of ``doc`` is the minute to read (see the module doc)."""
    markers = frozenset(m.group(0) for m in _MARKERS.finditer(doc.fold))
    if not markers:
        return Extent(end=len(doc.text))
    titles = _title_lines(doc)
    further = _further_minutes(doc, titles)
    end = _block_start(doc, further[0]) if further else len(doc.text)
    body_from = titles[0].end if titles else 0
    header_only = _body_letters(doc, body_from, end) < _BODY_LETTERS
    cut = None if header_only else _cut_line(doc, end)
    others = tuple((t.start + len(t.text) - len(t.text.lstrip()), t.end, t.stripped) for t in further)
    return Extent(end=end, markers=markers, others=others, header_only=header_only, cut_at=cut)
