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
    r"^\s*(?:[IVX]{1,4}\s*[.)/-]|(?![ĐD]\s*[/.]\s*[cC]\b)[A-ZĐ]\s*[.)/]|\d{1,2}(?:\.\d{1,2}){0,2}\s*[.)/-]?|[a-zđ]\s*\)|"
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


_LEVEL = re.compile(r"\s*(?:(?P<roman>[IVX]{1,4})\s*(?P<rsep>[.)/-])|(?![ĐD]\s*[/.]\s*[cC]\b)(?P<upper>[A-ZĐ])\s*(?P<usep>[.)/])|"
                    r"(?P<num>\d{1,2}(?:\.\d{1,2}){0,2})\s*(?P<nsep>[.)/-])?|\((?P<paren>\d{1,2})\)|"
                    r"(?P<lower>[a-zđ])\s*\)|(?P<star>\*+))")
ITEM_LEVEL = 5  # "(1)", "a)", "*": the items of a list, below any numbered heading
_LETTERS = "abcdđeghiklmnopqrstuvxy"
_ROMAN = {"I": 1, "V": 5, "X": 10}


def _roman(numeral: str) -> int:
    """The value of a Roman numeral of I, V and X (IV 4, XII 12, IIII 4)."""
    total = 0
    for i, c in enumerate(numeral):
        v = _ROMAN[c]
        total += -v if i + 1 < len(numeral) and _ROMAN[numeral[i + 1]] > v else v
    return total


@dataclass(frozen=True)
class Numbering:
    """How a line is numbered: rank (I. 0, A. 1, 1. 2, 1.1. 3, 1.1.1. 4, (1) a) * 5), style, mark and value."""

    rank: int
    style: str  # roman, upper, num, paren, lower, star
    mark: str  # what follows a number or letter: ".", ")", "-", "/" or ""
    value: int  # 1 for 1., a), (1), I., A.; 0 where it has none (*)

    @property
    def key(self) -> tuple[int, str, str]:
        """Lines with the same key are items of one list."""
        return self.rank, self.style, self.mark

    @property
    def first(self) -> bool:
        """Whether it starts a list: 1., a), (1), I., A."""
        return self.value == 1


def _letter(letter: str) -> int:
    """The place of a letter in the Vietnamese alphabet (a 1, đ 5, e 6), 0 for one outside it."""
    letter = letter.lower()
    return _LETTERS.index(letter) + 1 if letter in _LETTERS else 0


def numbering(line: str) -> Numbering | None:
    """The numbering a line starts with, or None."""
    m = _LEVEL.match(line)
    if m is None:
        return None
    if m.group("roman"):
        return Numbering(0, "roman", m.group("rsep"), _roman(m.group("roman")))
    if m.group("upper"):
        return Numbering(1, "upper", m.group("usep"), _letter(m.group("upper")))
    if m.group("num"):
        parts = m.group("num").split(".")
        return Numbering(1 + len(parts), "num", m.group("nsep") or "", int(parts[-1]))
    if m.group("paren"):
        return Numbering(ITEM_LEVEL, "paren", ")", int(m.group("paren")))
    if m.group("lower"):
        return Numbering(ITEM_LEVEL, "lower", ")", _letter(m.group("lower")))
    return Numbering(ITEM_LEVEL, "star", "", 0)


def _announces(doc: Doc, line: int) -> bool:
    """Whether the text just above ``line`` announces a list: it ends with a colon or "gồm"."""
    j = line - 1
    while j >= 0 and not doc.lines[j].stripped:
        j -= 1
    tail = doc.lines[j].fold.rstrip() if j >= 0 else ""
    return tail.endswith(":") or tail.endswith(" gom")


def _below(doc: Doc, heading: int, line: int) -> bool:
    """Whether ``line`` is the first line of text under the heading line ``heading``."""
    return all(not doc.lines[j].stripped for j in range(heading + 1, line))


# The parts of a minute's body that a long numbered line may begin ("3. Kết quả tháng 12 (đồng chí A báo cáo)");
# its words tell no more (a line naming "đảng viên" does not begin the attendance).
_BODY = (SectionKind.REPORT, SectionKind.DISCUSSION, SectionKind.CRITICISM, SectionKind.CONCLUSION,
         SectionKind.RESOLUTION, SectionKind.VOTE, SectionKind.CLOSING)
# Sections whose own lists (of tasks) may be numbered in any style, even as the parts of the minute are.
LISTING = (SectionKind.RESOLUTION, SectionKind.CONCLUSION)


def _as_letter(n: Numbering, line: str) -> Numbering:
    """A one-letter Roman numeral ("I.", "V.", "X.") read as the capital letter it also is."""
    m = _LEVEL.match(line)
    numeral = m.group("roman") if m else ""
    return Numbering(1, "upper", n.mark, _letter(numeral)) if len(numeral) == 1 else n


def _section_end(doc: Doc, h: Heading, heads: dict[int, Heading], end: int) -> int:
    """Where the section headed by ``h`` ends: at the next part of the minute, ``end`` at the latest.

    The next part starts at a classified heading; at a line numbered as ``h``'s next sibling
    ("7." after "6."), a heading or a line whose words name another part ("7. Đ/c A kết luận
    …"); or at an unclassified heading that is not one of the section's own items. Its items: a
    numbered speaker line ("1) Đồng chí A: …"); a line numbered deeper than ``h`` ("8. Nghị
    quyết" then "(1) …: giao đ/c …"); a list that starts at its first item, under an unnumbered
    heading in "(1)" or "a)", and in a resolution or conclusion in any numbering where announced
    by a colon or "gồm" ("g) Nghị quyết: …" then "1. …") or right under the heading; and the
    next items of a list so started (one starting again at 1 is not).
    """
    own = numbering(doc.lines[h.line].text)
    running: dict[tuple[int, str, str], tuple[int, bool]] = {}  # this section's lists: last value, of speakers
    i = h.line + 1
    while i < len(doc.lines) and doc.lines[i].start < end:
        ln, k = doc.lines[i], heads.get(i)
        i += 1
        n = numbering(ln.text) if ln.stripped else None
        if k is not None and k.kind is not None:
            return k.start
        speaker = k is not None and _SPEAKER_TITLE.match(fold(k.title)) is not None
        if n is None:
            if k is not None and not speaker:
                return k.start  # an unnumbered, unclassified heading: a part of its own
            continue
        if own is not None and own.style == "upper" and n.style == "roman":
            n = _as_letter(n, ln.text)  # "I." among "H.", "K.": a letter
        if own is not None and own.style == "roman" and n.style == "upper":
            letter = _as_letter(own, doc.lines[h.line].text)
            if letter.style == "upper" and n.value > letter.value:
                own = letter  # a heading "I." followed by "K.": a letter (and "A." under "I." an item)
        last = running.get(n.key)
        if last is not None and n.value == last[0] + 1 and (speaker or k is None or not last[1]):
            running[n.key] = (n.value, last[1])  # the next item of a list of this section
            continue
        if own is not None and n.key == own.key and n.value > own.value:
            named = classify_title(ln.fold[:120])
            if (k is not None and not speaker) or (named in _BODY and named != h.kind):
                return ln.start  # the heading's next sibling, or a line that names another part
        deeper = own is not None and n.rank > own.rank and n.style != "star"
        listing = n.first and n.style != "star" and (
            (own is None and n.rank >= ITEM_LEVEL)
            or (h.kind in LISTING and (_announces(doc, i - 1) or _below(doc, h.line, i - 1))))
        if speaker or deeper or listing:
            running[n.key] = (n.value, speaker)
            continue
        if k is not None:
            return k.start
    return end


def _title(line: str) -> str:
    """A long numbered line's opening words, as the title of the part it begins: without its number,
    up to a colon or about 80 characters, cut between words."""
    m = _LEVEL.match(line)
    rest = line[m.end():] if m else line
    rest = rest.lstrip(" .)/-").split(":", 1)[0].strip()
    return rest if len(rest) <= 80 else rest[:80].rsplit(" ", 1)[0]


def build_sections(doc: Doc, headings: list[Heading], *, body_start: int, sig_start: int | None
                   ) -> list[Section]:
    """Flat sections: each classified heading runs to the next part of the minute (``_section_end``)."""
    secs: list[Section] = []
    end_all = sig_start if sig_start is not None else len(doc.text)
    if body_start > 0:
        secs.append(Section(kind=SectionKind.HEADER, title=None, span=(0, body_start)))
    known = [h for h in headings if h.start < end_all]
    heads = {h.line: h for h in known}
    todo = [h for h in known if h.kind is not None]
    while todo:
        h = todo.pop(0)
        nxt = _section_end(doc, h, heads, end_all)
        secs.append(Section(kind=h.kind, title=h.title or None, span=(h.start, max(h.end, nxt))))
        line = doc.line_index(nxt) if nxt < end_all else None
        if line is not None and line not in heads and doc.lines[line].start == nxt:
            # A numbered line too long for a heading that names another part heads that part.
            ln = doc.lines[line]
            implied = Heading(line, ln.start, ln.end, _title(ln.text), classify_title(ln.fold[:120]), ln.start)
            heads[line] = implied
            todo.append(implied)
    secs.sort(key=lambda s: s.span[0])
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
    r"(?:(?:cac |nhung )?noi dung|(?:neu|thong qua|bao cao) nd)(?: chinh| sau| sinh hoat| cuoc hop| buoi hop| hop|"
    r" can ban| can thao luan)?(?: nhu| gom)?[^\S\n]*:[^\S\n]*(?:\(1\)|[^\n;]{3,120};[^\n;]{3,120};)"
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
