"""Attendance figures read from the sentences that state them, as candidates.

The block reader (``attendance.py``) expects the figures in a list or table. Real
minutes and meeting reports also write them inline: "có mặt 23/25 đồng chí", "Chi
bộ có 15 đảng viên, gồm 14 chính thức và 01 dự bị", "cùng 21/22 đảng viên của
chi bộ", "Vắng 02 đồng chí: đ/c X – có lý do (…); đ/c Y – không có lý do",
"Tổng số đảng viên … tham dự đầy đủ là 21 đồng chí". Each reading here is a
:class:`Candidate` with the span of its figure and a score from its evidence;
:func:`fill` puts the best candidate into every field the block reader left empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from service.nlp.numerals import COUNT, parse_count
from service.nlp.people import TITLE, read_name
from service.nlp.text import Doc
from service.schema.record import Attendance, ExcusedAbsence, UnexcusedAbsence

_MEMBER = r"(?:dong chi|d/c|dc|d\.c|dang vien|dv|dvct|dvdb|nguoi)\b"
_VOTE_WORDS = re.compile(r"tan thanh|nhat tri|bieu quyet|phieu|xep loai|danh gia|hoan thanh")


@dataclass(frozen=True)
class Candidate:
    """One reading of one field: value, where its figure stands, and how strong the evidence is."""

    field: str
    value: int
    span: tuple[int, int]
    score: float


def _count(doc: Doc, m: re.Match[str]) -> int | None:
    """The count in group ``n`` of a match ("03", "hai mươi", "không" → 0)."""
    return parse_count(doc.text[m.start("n"):m.end("n")])


def _clause(doc: Doc, pos: int) -> tuple[int, int]:
    ln = doc.line_at(pos)
    a = ln.start
    for m in re.finditer(r"[.;](?=\s)", doc.text[ln.start:pos]):
        a = ln.start + m.end()
    m2 = re.search(r"[.;](?=\s|$)", doc.text[pos:ln.end])
    return a, pos + m2.end() if m2 else ln.end


_FRACTION = re.compile(
    rf"(?<![\d/.,])(?P<p>\d{{1,3}})\s*/\s*(?P<t>\d{{1,3}})(?![\d/])\s*(?:{_MEMBER}|(?=[,.;]?\s*(?:dat|ty le)))"
    rf"|(?:co mat|hien dien|tham du|du hop|du sinh hoat)(?:\s*/\s*tong so[^:\n]{{0,40}})?\s*:?\s*"
    rf"(?P<p2>\d{{1,3}})\s*/\s*(?P<t2>\d{{1,3}})(?![\d/])")
_TOTAL = re.compile(
    rf"(?:tong so (?:dang vien|dv)|tong so(?=\s*:?\s*\d)|chi bo (?:hien )?(?:co|gom)(?! mat\b)|chi bo hien nay co|"
    rf"so dang vien cua chi bo)"
    rf"[^\d\n:;.]{{0,40}}?:?\s*(?:la\s*)?(?P<n>{COUNT})\s*(?:{_MEMBER})"
)
# "Chi bộ thôn Đông có 27 đảng viên", "Chi bộ hiện tại có …", "Chi bộ … quản lý / gồm 27 đảng viên".
_UNIT_HAS = re.compile(
    r"\bchi bo\b[^.;:\n]{0,60}?\b(?:hien (?:tai |nay )?co|co|gom|bao gom|quan ly)\s+(?:tong so\s+)?"
    r"(?P<n>\d{1,3})\s*(?:dong chi\s+)?(?:dang vien|dv)\b(?P<kind>\s*(?:chinh thuc|du bi))?"
)
# "… cùng 24 đảng viên của chi bộ", "với sự tham gia của 24 đảng viên", "có mặt 24 đại biểu".
_WITH_MEMBERS = re.compile(
    r"(?:\bcung(?: voi)?|\bva|su tham gia cua|\bvoi|co mat)\s+(?P<n>\d{1,3})\s*(?:dang vien|dai bieu|dong chi|dv)\b"
)
# Words that say the members counted were there ("dự", "tham dự", "có mặt", "về dự").
_PRESENCE = re.compile(r"tham du|\bdu\b|tham gia|co mat|ve du")
# A fraction of members is attendance when its clause speaks of presence or the meeting.
_FRACTION_CONTEXT = re.compile(r"tham du|\bdu\b|tham gia|co mat|hien dien|ve du|\bcung\b|sinh hoat")
_FULL = re.compile(r"day du|toan the|du 100%|100% (?:dang vien|dong chi)")
_PRESENT = re.compile(
    rf"(?<!phai )(?:co mat|hien dien|tham du|du sinh hoat|du hop|du hoi nghi|so (?:luong )?dang vien (?:tham )?du\b)"
    rf"[^\d\n:;]{{0,25}}?:?\s*(?P<n>{COUNT})(?!\s*/\s*\d)\s*(?:{_MEMBER})?"
)
# "- ĐV: 19, có mặt …", "Tổng số: 24;" — a labelled figure at the start of a line or clause.
_TOTAL_LABEL = re.compile(r"(?:^|\n)[^\S\n]*[-+•*]?[^\S\n]*(?:tong so (?:dang vien|dv)|tong so|dv|dang vien|so dang vien)"
                          r"[^\S\n]*:[^\S\n]*(?:tong(?: so)?\s*)?(?P<n>\d{1,3})\b(?!\s*/)")
_OF_TOTAL = re.compile(rf"tren tong so\s+(?P<n>\d{{1,3}})\s*(?:{_MEMBER}|dai bieu)")
_ABSENT = re.compile(rf"\bvang(?: mat)?\s*:?\s*(?P<n>{COUNT}|khong)(?![\d/])\s*(?:{_MEMBER})?")
# "…; 04 đồng chí vắng đều có lý do."
_COUNT_ABSENT = re.compile(rf"(?<![\w/])(?P<n>{COUNT})\s*(?:{_MEMBER})\s*vang(?: mat)?\b")
_NONE_ABSENT = re.compile(rf"khong co (?:{_MEMBER}\s*)?(?:nao )?vang|vang\s*:?\s*(?:khong|0)\b(?!\s*(?:co )?ly do)")
_SPLIT = re.compile(
    r"(?:chinh thuc|dvct)\s*:?\s*(?P<o>\d{1,3})|(?P<o2>\d{1,3})\s*(?:dong chi |d/c |dang vien |dv )?(?:chinh thuc|dvct|ct)\b"
)
_SPLIT_DB = re.compile(
    r"(?:du bi|dvdb)\s*:?\s*(?P<p>\d{1,3})|(?P<p2>\d{1,3})\s*(?:dong chi |d/c |dang vien |dv )?(?:du bi|dvdb|db)\b"
)


def _opening_end(doc: Doc, end: int) -> int:
    """Where the opening, which holds the attendance, ends at the latest."""
    return min(end, max(3000, len(doc.fold) * 2 // 3))


_CELL_SPLIT = re.compile(r"\t+|\s*\|\s*|\s{2,}")
# Column headings of an attendance table, folded, most specific first.
_COLUMNS = (
    ("absent_unexcused", re.compile(r"^vang\s*(?:mat\s*)?khong\s*(?:co\s*)?(?:ly do|phep)")),
    ("absent_excused", re.compile(r"^vang\s*(?:mat\s*)?(?:co\s*)?(?:ly do|phep)")),
    ("absent", re.compile(r"^vang(?: mat)?$")),
    ("exempt", re.compile(r"^(?:mien|msh)")),
    ("present", re.compile(r"^(?:co mat|du hop|tham du|hien dien|du sinh hoat)")),
    ("official", re.compile(r"^(?:chinh thuc|dvct|ct)$|^(?:dang vien )?chinh thuc")),
    ("probationary", re.compile(r"^(?:du bi|dvdb|db)$|^(?:dang vien )?du bi")),
    ("total", re.compile(r"^tong(?: so)?(?: dang vien| dv)?$|^so dang vien$")),
)


def _column(cell: str) -> str | None:
    return next((name for name, rx in _COLUMNS if rx.search(cell.strip())), None)


def table_candidates(doc: Doc, end: int) -> list[Candidate]:
    """Figures under an attendance table's headings: "Tổng số | Chính thức | Dự bị | Có mặt | Vắng …"."""
    out: list[Candidate] = []
    lines = doc.lines
    for i, ln in enumerate(lines):
        if ln.start >= end:
            break
        cells = [c for c in _CELL_SPLIT.split(ln.fold.strip()) if c]
        if len(cells) < 3:
            continue
        names = [_column(c) for c in cells]
        if sum(n is not None for n in names) < 3:
            continue
        row = next((r for r in lines[i + 1:i + 4] if r.stripped), None)
        if row is None:
            continue
        pieces = [(m.start(), m.end()) for m in re.finditer(r"[^\t|]+?(?=\t|\s*\||\s{2,}|$)", row.text)
                  if m.group(0).strip()]
        if len(pieces) != len(cells):
            continue
        values = [parse_count(row.text[a:b].strip()) for a, b in pieces]
        if any(v is None for v in values):
            continue
        for name, v, (a, b) in zip(names, values, pieces, strict=True):
            if name is not None and v is not None:
                out.append(Candidate(name, v, (row.start + a, row.start + b), 0.9))
    return out


def candidates(doc: Doc, end: int) -> list[Candidate]:
    """Every inline reading of a headcount in the opening of the minute, before ``end``."""
    f = doc.fold
    out: list[Candidate] = []
    # A figure far into the minute is weaker evidence.
    hi = _opening_end(doc, end)

    def add(field: str, value: int | None, span: tuple[int, int], score: float) -> None:
        if value is not None and 0 <= value <= 2000:
            out.append(Candidate(field, value, span, score - span[0] / max(1, len(f)) * 0.1))

    for m in _FRACTION.finditer(f, 0, hi):
        a, b = _clause(doc, m.start())
        clause = f[a:b]
        if _VOTE_WORDS.search(clause) or not _FRACTION_CONTEXT.search(clause):
            continue
        gp, gt = ("p", "t") if m.group("p") else ("p2", "t2")
        p, t = int(m.group(gp)), int(m.group(gt))
        if p <= t:
            add("present", p, (m.start(gp), m.end(gp)), 0.8)
            add("total", t, (m.start(gt), m.end(gt)), 0.7)
    for m in _TOTAL.finditer(f, 0, hi):
        a, b = _clause(doc, m.start())
        n = _count(doc, m)
        add("total", n, (m.start("n"), m.end("n")), 0.75)
        if _FULL.search(f[a:b]) and re.search(r"tham du|du (?:sinh hoat|hop)|co mat", f[a:b]):
            add("present", n, (m.start("n"), m.end("n")), 0.7)
        _split(doc, m.end(), b, add)
    for m in _UNIT_HAS.finditer(f, 0, hi):
        kind = m.group("kind") or ""
        field = "official" if "chinh thuc" in kind else "probationary" if "du bi" in kind else "total"
        add(field, int(m.group("n")), (m.start("n"), m.end("n")), 0.65)
        if field == "total":
            _split(doc, m.end(), _clause(doc, m.start())[1], add)
    for m in _WITH_MEMBERS.finditer(f, 0, hi):
        a, b = _clause(doc, m.start())
        if _VOTE_WORDS.search(f[a:b]) or not _PRESENCE.search(f[a:b]):
            continue
        add("present", int(m.group("n")), (m.start("n"), m.end("n")), 0.55)
    for m in _PRESENT.finditer(f, 0, hi):
        if _VOTE_WORDS.search(f[m.start():m.end() + 30]):
            continue
        add("present", _count(doc, m), (m.start("n"), m.end("n")), 0.7)
    for m in _TOTAL_LABEL.finditer(f, 0, hi):
        add("total", int(m.group("n")), (m.start("n"), m.end("n")), 0.7)
        _split(doc, m.end(), _clause(doc, m.start("n"))[1], add)
    for m in _OF_TOTAL.finditer(f, 0, hi):
        add("total", int(m.group("n")), (m.start("n"), m.end("n")), 0.6)
    for m in _ABSENT.finditer(f, 0, hi):
        n = _count(doc, m)
        if n is None:
            continue
        add("absent", n, (m.start("n"), m.end("n")), 0.7)
    for m in _COUNT_ABSENT.finditer(f, 0, hi):
        n = _count(doc, m)
        if n is not None and not doc.text[m.start("n"):m.start("n") + 1].isupper():
            add("absent", n, (m.start("n"), m.end("n")), 0.65)
    for m in _NONE_ABSENT.finditer(f, 0, hi):
        add("absent", 0, (m.start(), m.end()), 0.6)
    return out + table_candidates(doc, hi)


Add = Callable[[str, "int | None", "tuple[int, int]", float], None]


def _split(doc: Doc, a: int, b: int, add: Add) -> None:
    """"… gồm 14 chính thức và 01 dự bị" / "(chính thức 12, dự bị 01)" after a figure."""
    # The split may run on past the sentence end into the next short sentence.
    line_end = doc.line_at(a).end
    hi = min(line_end, max(b, a + 120))
    o = _SPLIT.search(doc.fold, a, hi)
    p = _SPLIT_DB.search(doc.fold, a, hi)
    if o:
        g = "o" if o.group("o") else "o2"
        add("official", int(o.group(g)), (o.start(g), o.end(g)), 0.7)
    if p:
        g = "p" if p.group("p") else "p2"
        add("probationary", int(p.group(g)), (p.start(g), p.end(g)), 0.7)


def _best(cands: list[Candidate], field: str) -> Candidate | None:
    mine = [c for c in cands if c.field == field]
    return max(mine, key=lambda c: c.score) if mine else None


_UNEXCUSED_CUE = re.compile(r"khong (?:co )?(?:ly|li) do|khong phep|khong bao cao")
_REASON_KIND = re.compile(r"khong (?:co )?ly do|khong phep|co ly do|co phep|ly do")


_LINE_KIND = re.compile(r"^[\W\d]*(?:(?P<u>(?:vang )?khong (?:co )?ly do|khong phep)|(?P<e>(?:vang )?(?:co ly do|co phep)))\s*:?")
_OTHER_LABEL = re.compile(r"^[\W\d]*(?:chu tri|chu toa|thu ky|dai bieu|khach moi|noi dung|chuong trinh|thoi gian|dia diem)")


def _reason_after(doc: Doc, a: int, b: int) -> str | None:
    """The reason written after an absentee's name: "(đi công tác)", "– ốm"; "(có lý do)" alone is none."""
    rm = re.search(r"\(([^)]{2,120})\)", doc.text[a:b])
    rest = rm.group(1) if rm else doc.text[a:b]
    rest = re.sub(r"(?i)^[\s,;.:–-]*(?:vắng\s+)?(?:có lý do|có phép|lý do)\s*[:,]?\s*", "", rest.strip())
    rest = rest.strip(" ,;.:–-\n")
    return rest or None


def _absent_list(doc: Doc, start: int, end: int) -> tuple[list[ExcusedAbsence], list[UnexcusedAbsence]]:
    """Names after "Vắng N đồng chí:", each marked excused or not.

    A sub-line headed "Có lý do:" or "Không lý do:" marks its names; otherwise the
    words after a name on its line tell ("– không có lý do", "(đi công tác)").
    """
    f = doc.fold
    excused: list[ExcusedAbsence] = []
    unexcused: list[UnexcusedAbsence] = []
    for i in range(doc.line_index(start), doc.line_index(max(start, end - 1)) + 1):
        ln = doc.lines[i]
        a, b = max(ln.start, start), min(ln.end, end)
        head = _LINE_KIND.match(f, a, b)
        line_kind = ("u" if head.group("u") else "e") if head else None
        marks = list(re.finditer(rf"{TITLE}\s+", f[a:b]))
        if not marks and line_kind is None:
            # "Vắng: 01 đ/c: Hoàng Văn Tíu (có lý do)", "Đồng chí vắng: Trần Thị Mỹ Duyên - nghỉ …"
            colon = f.find(":", a, b)
            at = colon + 1 + len(doc.text[colon + 1:b]) - len(doc.text[colon + 1:b].lstrip()) if colon != -1 else -1
            got = read_name(doc.text, at) if colon != -1 else None
            if got and got[2] <= b:
                tail = f[got[2]:b]
                if _UNEXCUSED_CUE.search(tail):
                    unexcused.append(UnexcusedAbsence(name=got[0]))
                else:
                    excused.append(ExcusedAbsence(name=got[0], reason=_reason_after(doc, got[2], b)))
            continue
        prev = a
        for j, m in enumerate(marks):
            got = read_name(doc.text, a + m.end(), titled=True)
            if not got:
                continue
            nxt = a + marks[j + 1].start() if j + 1 < len(marks) else b
            kind = line_kind
            if kind is None:
                # "… 01 đồng chí có lý do là đ/c X (…); 01 đồng chí không lý do là đ/c Y": the words
                # since the last separator before a name tell first, then those after it.
                before = f[prev:a + m.start()]
                cut = max(before.rfind(c) for c in ",;:")
                km = _REASON_KIND.search(before[cut + 1:]) or _REASON_KIND.search(f, got[2], nxt)
                kind = "u" if km and km.group(0).startswith("khong") else "e"
            prev = got[2]
            if kind == "u":
                unexcused.append(UnexcusedAbsence(name=got[0]))
                continue
            excused.append(ExcusedAbsence(name=got[0], reason=_reason_after(doc, got[2], nxt)))
    return excused, unexcused


_NAMES_LABEL = re.compile(r"(?:^|\n)[^\S\n]*[-+•*]?[^\S\n]*(?:(?:cac )?(?:dong chi|d/c|dang vien)|ho (?:va )?ten[^:\n]{0,30})"
                          r" vang(?: mat)?[^:\n]{0,30}:")


_BULLET_ITEM = re.compile(r"\s*[-+•*–]")
_NUMBERED_ITEM = re.compile(r"\s*(?:[-+•*–]|\d{1,2}[.)/])")


def _list_end(doc: Doc, first: int, item: re.Pattern[str], most: int) -> int:
    """End of line ``first`` and of the list items (at most ``most``) right under it, up to another label."""
    end = doc.lines[first].end
    for ln in doc.lines[first + 1:first + 1 + most]:
        if not item.match(ln.text) or _OTHER_LABEL.match(ln.fold):
            break
        end = ln.end
    return end


def _names_under_label(doc: Doc, att: Attendance, end: int) -> None:
    """"Đồng chí vắng: X – nghỉ thai sản" under a table that gave only the counts."""
    m = _NAMES_LABEL.search(doc.fold, 0, _opening_end(doc, end))
    if m is None:
        return
    list_end = _list_end(doc, doc.line_index(m.end() - 1), _NUMBERED_ITEM, 11)
    excused, unexcused = _absent_list(doc, m.end() - 1, list_end)
    if len(excused) <= (att.absent_excused_count or 0) and len(unexcused) <= (att.absent_unexcused_count or 0):
        att.absent_excused, att.absent_unexcused = excused, unexcused


def fill(doc: Doc, att: Attendance, spans: dict[str, tuple[int, int]], end: int) -> None:
    """Fill the figures the block reader left empty with the best inline candidates."""
    cands = candidates(doc, end)
    for field in ("total", "official", "probationary", "present", "exempt"):
        if getattr(att, field) is None:
            c = _best(cands, field)
            if c is not None:
                setattr(att, field, c.value)
                spans[field] = c.span
    by_reason, no_reason = _best(cands, "absent_excused"), _best(cands, "absent_unexcused")
    if att.absent_excused_count is None and att.absent_unexcused_count is None and by_reason and no_reason:
        att.absent_excused_count, att.absent_unexcused_count = by_reason.value, no_reason.value
        spans["absent_excused_count"], spans["absent_unexcused_count"] = by_reason.span, no_reason.span
        _names_under_label(doc, att, end)
    if att.absent_excused_count is None and att.absent_unexcused_count is None:
        c = _best(cands, "absent")
        if c is not None:
            a, b = _clause(doc, c.span[0])
            # The list of names may follow on the same line and on bullet lines below.
            list_end = _list_end(doc, doc.line_index(c.span[0]), _BULLET_ITEM, 6)
            excused, unexcused = _absent_list(doc, c.span[1], list_end) if c.value else ([], [])
            clause = doc.fold[a:b]
            if c.value == 0:
                att.absent_excused_count, att.absent_unexcused_count = 0, 0
            elif excused or unexcused:
                att.absent_excused, att.absent_unexcused = excused, unexcused
                att.absent_excused_count, att.absent_unexcused_count = len(excused), len(unexcused)
                if len(excused) + len(unexcused) != c.value:
                    # Not every absentee was named: keep the stated total on the side it names.
                    if re.search(r"khong (?:co )?ly do", clause):
                        att.absent_unexcused_count = c.value - len(excused)
                    else:
                        att.absent_excused_count = c.value - len(unexcused)
            elif re.search(r"khong (?:co )?ly do|khong phep", clause):
                att.absent_unexcused_count = c.value
            else:
                att.absent_excused_count = c.value
                if re.search(r"(?:deu |tat ca )?co ly do|co phep", clause):
                    att.absent_unexcused_count = 0
            spans["absent_excused_count"] = c.span
    # "Vắng: 01 đồng chí có lý do": when every absence stated is excused and the
    # minute speaks of no unexcused one, nobody was absent without a reason.
    if (att.absent_excused_count is not None and att.absent_unexcused_count is None
            and not _UNEXCUSED_CUE.search(doc.fold, 0, _opening_end(doc, end))):
        exempt_absent = (att.exempt or 0) - (att.exempt_present or 0)
        arithmetic = (att.present is not None and att.total is not None
                      and att.present + att.absent_excused_count
                      == att.total - exempt_absent - (att.temporary_out or 0) + (att.temporary_in or 0))
        stated_at = spans.get("absent_excused_count")
        stated = stated_at is not None and bool(
            re.search(r"co ly do|co phep", doc.fold[slice(*_clause(doc, stated_at[0]))]))
        if arithmetic or stated:
            att.absent_unexcused_count = 0
    # A minute that counts everyone present has nobody absent.
    if (att.absent_excused_count is None and att.absent_unexcused_count is None
            and att.present is not None and att.total is not None and att.present == att.total
            and not att.exempt and not att.temporary_in and not att.temporary_out):
        att.absent_excused_count, att.absent_unexcused_count = 0, 0
