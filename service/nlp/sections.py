"""Sections of a minute: headings of every style, classified by what they hold.

Headings come numbered ("I.", "2.1.", "a)", "(3)"), starred ("* Thành phần:"),
as "Phần …", in capitals, or as a short label before a colon ("Ý kiến thảo
luận: …"). Each is classified by keywords; a trained classifier may take the
headings that no keyword decides (see ``SectionClassifier``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from service.nlp.cues import lexicon
from service.nlp.text import Doc, all_caps, fold
from service.schema.record import Section, SectionKind

_ENUM = re.compile(
    r"^\s*(?:[IVX]{1,4}\s*[.)/-]|(?![ĐD]\s*/\s*[cC]\b)[A-ZĐ]\s*[.)/]|\d{1,2}(?:\.\d{1,2}){0,2}\s*[.)/-]?|[a-zđ]\s*\)|"
    r"\(\d{1,2}\)|\*+|phần\s+(?:thứ\s+)?[\wIVX]+\s*[.:-]?|PHẦN\s+(?:THỨ\s+)?[\wIVX]+\s*[.:-]?)\s*",
)
_BULLET = re.compile(r"^\s*[-+•–]\s*")

_LABEL_HEADS = re.compile(
    r"^(?:cac |\* )?(?:y kien thao luan|y kien tham gia|thao luan|y kien phat bieu|ket luan(?: cua [^:]{0,30})?|"
    r"nghi quyet(?: [^:]{0,30})?|bieu quyet|ket qua bieu quyet|chuong trinh(?: [^:]{0,20})?|"
    r"noi dung sinh hoat|thanh phan(?: tham du)?|tinh hinh dang vien|dien bien(?: [^:]{0,20})?|"
    r"phe binh[^:]{0,30}|bieu duong[^:]{0,30}|tu phe binh[^:]{0,30})\s*:"
)


_SPEAKER_TITLE = re.compile(r"(?:dong chi|d/c|dc|d\.c)\s")


class SectionClassifier(Protocol):
    """Decides the kind of a heading; ``rule_kind`` is what the keyword rules said."""

    def decide(self, title: str, body: str, rule_kind: SectionKind | None) -> SectionKind | None:
        """The kind of the heading ``title`` over ``body``, or None; ``rule_kind`` is what the rules said."""
        ...


def classify_title(folded_title: str) -> SectionKind | None:
    """Kind of a heading from its keywords, or None."""
    for kind, rx in lexicon().headings:  # first match wins
        if rx.search(folded_title):
            return kind
    return None


@dataclass(frozen=True)
class Heading:
    """A heading line: where it stands, its title, its kind (None when unknown) and where its own text ends."""

    line: int
    start: int
    end: int
    title: str
    kind: SectionKind | None
    content_start: int  # where the heading's own text ends (after a label's colon)


def _is_caps(s: str) -> bool:
    return all_caps(s, 4)


def find_headings(doc: Doc, *, skip_until: int = 0) -> list[Heading]:
    """Every heading line after ``skip_until`` with its kind (None when unknown)."""
    out: list[Heading] = []
    for i, ln in enumerate(doc.lines):
        if ln.start < skip_until or not ln.stripped:
            continue
        text = ln.text
        m = _ENUM.match(text)
        body_at = m.end() if m and m.end() > len(text) - len(text.lstrip()) else None
        rest_f = ln.fold[body_at:] if body_at is not None else ln.fold.lstrip()
        rest_f = _BULLET.sub("", rest_f) if body_at is None else rest_f
        lead = len(ln.fold) - len(rest_f)
        colon = rest_f.find(":")
        title_f = rest_f[:colon] if 0 <= colon <= 80 else rest_f
        is_heading = False
        content_start = ln.end
        if body_at is not None and (len(rest_f) <= 90 or 0 <= colon <= 80):
            is_heading = len(title_f.split()) <= 14
            if 0 <= colon <= 80:
                content_start = ln.start + lead + colon + 1
        elif _is_caps(ln.stripped) and len(ln.stripped) <= 90:
            is_heading = True
        elif _LABEL_HEADS.match(rest_f):
            is_heading = True
            content_start = ln.start + lead + colon + 1
        if not is_heading:
            continue
        kind = classify_title(title_f.strip())
        title = ln.text[lead:lead + len(title_f)].strip(" :")
        out.append(Heading(i, ln.start, ln.end, title, kind, content_start))
    return out


_LEVEL = re.compile(r"\s*(?:(?P<roman>[IVX]{1,4})\s*[.)/-]|(?![ĐD]\s*/\s*[cC]\b)(?P<upper>[A-ZĐ])\s*[.)/]|"
                    r"(?P<num>\d{1,2}(?:\.\d{1,2}){0,2})\s*[.)/-]?|\((?P<paren>\d{1,2})\)|(?P<lower>[a-zđ])\s*\)|"
                    r"(?P<star>\*+))")
ITEM_LEVEL = 5  # "(1)", "a)", "*": the items of a list, below any numbered heading
_FIRST = {"roman": "I", "upper": "A", "num": "1", "paren": "1", "lower": "a", "star": "*"}


@dataclass(frozen=True)
class Numbering:
    """How a heading is numbered: its rank (I. 0, A. 1, 1. 2, 1.1. 3, 1.1.1. 4, (1) a) * 5), style and ordinal."""

    rank: int
    style: str
    ordinal: str

    @property
    def first(self) -> bool:
        """Whether it is the first of its list: 1., a), (1), I., A."""
        return self.ordinal.lstrip("0") == _FIRST[self.style].lstrip("0") or self.style == "star"


def numbering(line: str) -> Numbering | None:
    """The numbering a line starts with, or None."""
    m = _LEVEL.match(line)
    if m is None:
        return None
    style, ordinal = next((name, value) for name, value in m.groupdict().items() if value)
    rank = {"roman": 0, "upper": 1, "num": 2 + ordinal.count(".")}.get(style, ITEM_LEVEL)
    return Numbering(rank, style, ordinal)


def _announces(doc: Doc, line: int) -> bool:
    """Whether the text just above ``line`` announces a list: it ends with a colon or "gồm"."""
    above = next((ln for ln in reversed(doc.lines[:line]) if ln.stripped), None)
    tail = above.fold.rstrip() if above is not None else ""
    return tail.endswith(":") or tail.endswith(" gom")


def _section_end(doc: Doc, h: Heading, after: list[Heading], end_all: int) -> int:
    """Where the section headed by ``h`` ends: at the next heading that is not one of its own items.

    Its items are the unclassified headings that stand inside it: a numbered speaker line ("1)
    Đồng chí A: …"); one numbered deeper than ``h`` ("8. Nghị quyết" then "(1) …: giao đ/c …");
    and the items of a list in another style than ``h``'s that starts inside it at its first
    ordinal, announced by a colon or "gồm" ("g) Nghị quyết tháng 10: …" then "1. … 2. …") or right
    under the heading ("NGHỊ QUYẾT THÁNG 3" then "1. …"). A
    list cannot run past a heading numbered as ``h`` is, or a classified one.
    """
    own = numbering(doc.lines[h.line].text)
    listed: str | None = None  # the style of the list that started inside this section
    for k in after:
        if k.kind is not None:
            return k.start
        if _SPEAKER_TITLE.match(fold(k.title)):
            continue
        sub = numbering(doc.lines[k.line].text)
        if sub is None or (own is not None and sub.style == own.style):
            return k.start
        if sub.style == listed:
            continue
        if own is not None and sub.rank > own.rank or own is None and sub.rank >= ITEM_LEVEL:
            listed = sub.style
            continue
        first = _first_item(doc, h.line, k.line, sub.style)
        if first is not None and (_announces(doc, first) or _below(doc, h.line, first)):
            listed = sub.style
            continue
        return k.start
    return end_all


def _below(doc: Doc, heading: int, line: int) -> bool:
    """Whether ``line`` is the first line of text under the heading line ``heading``."""
    return all(not ln.stripped for ln in doc.lines[heading + 1:line])


def _first_item(doc: Doc, after: int, until: int, style: str) -> int | None:
    """The line, after ``after`` and up to ``until``, that starts a list in ``style`` (1., a), (1) …), or None."""
    for i in range(after + 1, until + 1):
        n = numbering(doc.lines[i].text)
        if n is not None and n.style == style and n.first:
            return i
    return None


def build_sections(doc: Doc, headings: list[Heading], *, body_start: int, sig_start: int | None
                   ) -> list[Section]:
    """Flat sections: each classified heading runs to the next heading that is not one of its items."""
    secs: list[Section] = []
    end_all = sig_start if sig_start is not None else len(doc.text)
    if body_start > 0:
        secs.append(Section(kind=SectionKind.HEADER, title=None, span=(0, body_start)))
    known = [h for h in headings if h.start < end_all]
    for j, h in enumerate(known):
        if h.kind is None:
            continue
        nxt = _section_end(doc, h, known[j + 1:], end_all)
        secs.append(Section(kind=h.kind, title=h.title or None, span=(h.start, max(h.end, nxt))))
    if sig_start is not None:
        secs.append(Section(kind=SectionKind.SIGNATURES, title=None, span=(sig_start, len(doc.text))))
    return secs


def regions(sections: list[Section], kind: SectionKind) -> list[tuple[int, int]]:
    """The spans of the sections of ``kind``."""
    return [s.span for s in sections if s.kind == kind]


_AGENDA_CUE = re.compile(
    r"(?:thong qua|nhat tri (?:voi)?|thong nhat|gom|ve|theo)\s+(?:du kien\s+)?chuong trinh|"
    r"chuong trinh (?:sinh hoat|hoi nghi|buoi|cuoc hop|lam viec|gom|nhu sau|dai hoi)|"
    r"(?:^|\n)\s*(?:[IVX]+\.|\d\.|[*-])?\s*chuong trinh\s*(?::|\n)|"
    r"noi dung sinh hoat\s*(?:\([^)]*\))?\s*:|noi dung hoi nghi\s*:|gom cac noi dung|"
    r"thong nhat noi dung|chuong trinh\s*(?:\([^)\n]*\)\s*)?:|"
    r"(?:thong qua|nhat tri voi|thong nhat) (?:cac )?noi dung(?: buoi sinh hoat| cuoc hop| sinh hoat| hop)?"
    r"(?: gom [^:\n]{0,20})?\s*:|"
    # "Nội dung: thời sự; kết quả tháng 7; phương hướng tháng 8.", "nêu ND: (1) …" — a list inline, at
    # least three items or numbered; "ND" is the clerk's short form.
    r"(?:cac |nhung )?(?:noi dung|\bnd)(?: chinh| sau| sinh hoat| cuoc hop| buoi hop| hop| can ban| can thao luan)?"
    r"(?: nhu| gom)?\s*:\s*(?:\(1\)|[^\n;]{3,120};[^\n;]{3,120};)"
)


def _enum_style(line: str) -> str | None:
    m = re.match(r"\s*(?:(\d{1,2})(\.\d{1,2})*([.)/-])|([IVX]{1,4})[.)]|([A-ZĐ])[.)]|([a-zđ])\)|(\*)|([-+•–]))", line)
    if not m:
        return None
    if m.group(1):
        return "num" + ("." * (1 + (m.group(2) or "").count("."))) + m.group(3)
    for i, name in ((4, "roman"), (5, "upper"), (6, "lower"), (7, "star"), (8, "bullet")):
        if m.group(i):
            return name
    return None


def agenda_blocks(doc: Doc) -> list[tuple[int, int]]:
    """Spans of agenda lists: the cue sentence and the list items after it."""
    out: list[tuple[int, int]] = []
    for m in doc.finditer(_AGENDA_CUE):
        if out and out[-1][0] <= m.start() < out[-1][1]:
            continue
        i = doc.line_index(m.start())
        start = doc.lines[i].start
        end = doc.lines[i].end
        own = _enum_style(doc.lines[i].text)
        j = i + 1
        items = 0
        while j < len(doc.lines) and items < 15:
            ln = doc.lines[j]
            s = ln.stripped
            if not s:
                if items:
                    break
                j += 1
                continue
            style = _enum_style(ln.text)
            is_item = bool(re.match(r"^(?:[-+•–]|\(?\d{1,2}[.)]|[a-zđ]\)|phần\s+[iv]+\s*:)", s, re.IGNORECASE))
            if not is_item or len(s) >= 160 or (own is not None and style == own and own != "bullet"):
                break
            end = ln.end
            items += 1
            j += 1
        out.append((start, end))
    return out


_AGENDA_HEAD = re.compile(
    r"^[^\S\n]*(?:[ivx]{1,4}[.)/-]|\d{1,2}[.)/-]|[*+•–-])?[^\S\n]*noi dung(?: chinh)?(?: (?:cuoc hop|buoi sinh hoat|buoi hop|"
    r"sinh hoat|hoi nghi|ky hop|hop))?(?: gom [^:\n]{1,30})?(?:[^\S\n]*\([^)\n]{0,80}\))?"
    r"[^\S\n]*(?::[^\S\n]*$|\.?[^\S\n]*$|[^\S\n]+gom\b|:[^\S\n]*\(1\))", re.M)
_ITEM_START = re.compile(r"^\s*(?:\d{1,2}\s*[.)/-]|[a-zđ]\)|[-+•–])\s*\S")


def agenda_heads(doc: Doc) -> list[tuple[int, int]]:
    """Lines that head the list of what the meeting covers ("Nội dung:", "II. NỘI DUNG",
    "Nội dung cuộc họp gồm 3 phần") when numbered or bulleted items follow them."""
    out = []
    for m in doc.finditer(_AGENDA_HEAD):
        i = doc.line_index(m.start())
        nxt = next((ln for ln in doc.lines[i + 1:i + 4] if ln.stripped), None)
        inline = re.search(r":\s*\(1\)", doc.fold[m.start():doc.lines[i].end])
        if inline or (nxt is not None and _ITEM_START.match(nxt.text)):
            ln = doc.lines[i]
            out.append((ln.start, ln.end))
    return out


def in_spans(pos: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``pos`` lies in one of the half-open ``spans``."""
    return any(a <= pos < b for a, b in spans)
