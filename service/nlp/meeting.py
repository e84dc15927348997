"""Meeting facts: units, type, period, date, times, place; the chair, thư ký and guests come from
service.nlp.officers."""

from __future__ import annotations

import re
from datetime import date

from service.nlp.numerals import parse_count
from service.nlp.officers import PLACEHOLDER, detect_chair, detect_guests, detect_secretary
from service.nlp.text import Doc, fold
from service.schema.record import Meeting, MeetingType, Period

# -- dates and times -------------------------------------------------------

_DATE_WORDS = re.compile(r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s*(?:nam|/)\s*(\d{4})")
_DATE_NUM = re.compile(r"(?<![\d/.-])(\d{1,2})\s?[/.-]\s?(\d{1,2})\s?[/.-]\s?(\d{4})(?!\d)")
_TIME = re.compile(
    r"(?<![\d,./])(\d{1,2})\s*(?:gio|h|g(?=\d))\s*(?:(\d{1,2})\s*(?:phut|p\b|')?)?(?![a-z\d])"
)
_CITATION_BEFORE = re.compile(r"(?:\d+[-/][a-z]{1,5}/[a-z]{1,6}|so \d+|ban hanh|ky)\s*,?\s*(?:ngay\s*)?$")


def _valid_date(d: int, m: int, y: int) -> str | None:
    try:
        return date(y, m, d).isoformat() if 1990 <= y <= 2100 else None
    except ValueError:
        return None


def find_dates(doc: Doc, start: int = 0, end: int | None = None) -> list[tuple[str, int, int]]:
    """Every date in [start, end) as (ISO date, start, end), in text order."""
    out = []
    for rx in (_DATE_WORDS, _DATE_NUM):
        for m in doc.finditer(rx, start, end):
            iso = _valid_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if iso:
                out.append((iso, m.start(), m.end()))
    out.sort(key=lambda t: t[1])
    return out


def _is_citation(doc: Doc, pos: int) -> bool:
    before = doc.fold[max(0, pos - 30):pos]
    return bool(_CITATION_BEFORE.search(before))


def find_times(doc: Doc, start: int = 0, end: int | None = None) -> list[tuple[str, int, int]]:
    """Every clock time in [start, end) as ("HH:MM", start, end)."""
    out = []
    for m in doc.finditer(_TIME, start, end):
        h = int(m.group(1))
        mi = int(m.group(2) or 0)
        after = doc.fold[m.end():m.end() + 14]
        if re.match(r"\s*(?:\d{1,2}\s*)?(?:phut\s*)?,?\s*(?:buoi\s+)?(?:chieu|toi)\b", after) and h < 12:
            h += 12
        if h > 23 or mi > 59:
            continue
        out.append((f"{h:02d}:{mi:02d}", m.start(), m.end()))
    return out


_START_CUE = re.compile(
    r"(?:luc|hoi|vao|bat dau|tu|thoi gian|khai mac|hom nay|sang|chieu|toi)\W*(?:\w+\W+){0,3}$"
)
_END_CUE = re.compile(r"ket thuc|be mac|(?:hop|sinh hoat|hoi nghi|cuoc hop|buoi sinh hoat|lam viec) xong")


def _opening_window(doc: Doc) -> tuple[int, int]:
    return 0, max(len(doc.text) * 2 // 3, min(len(doc.text), 3000))


# -- title and type ----------------------------------------------------------


def title_block(doc: Doc) -> tuple[int, int]:
    """Span of the title ("BIÊN BẢN …" and the lines that continue it)."""
    for i, ln in enumerate(doc.lines[:30]):
        if "bien ban" in ln.fold:
            j = i + 1
            taken = 0
            while j < len(doc.lines) and taken < 4:
                s = doc.lines[j].stripped
                if not s:
                    j += 1
                    continue
                letters = [c for c in s if c.isalpha()]
                upper = letters and sum(c.isupper() for c in letters) / len(letters) > 0.6
                if upper or s.startswith("(") or re.match(r"(?:thang|quy|nam)\b", doc.lines[j].fold.strip()) or re.match(
                        r"(?:sinh hoat|hop|hoi nghi|thuong ky|dinh ky|chuyen de|ket hop|ve viec|v/v)\b",
                        doc.lines[j].fold.strip()):
                    taken += 1
                    j += 1
                    continue
                break
            return ln.start, doc.lines[j - 1].end
    return 0, 0


def _first_body_sentence(doc: Doc, after: int) -> tuple[int, int]:
    m = re.compile(r"hom nay|tien hanh|to chuc (?:sinh hoat|hop|hoi nghi|dai hoi)|hop (?:thuong|dinh)")
    hit = m.search(doc.fold, after, min(len(doc.fold), after + 2500))
    if not hit:
        return after, after
    return doc.sentence_bounds(hit.start())


def detect_type(doc: Doc) -> tuple[MeetingType | None, bool, tuple[int, int]]:
    """The meeting type, whether a thematic meeting is combined with a regular one, and the span that says so.

    Read from the title, then from the opening sentence; (None, False, title span) when neither tells.
    """
    t0, t1 = title_block(doc)
    s0, s1 = _first_body_sentence(doc, t1)
    for a, b in ((t0, t1), (s0, s1)):
        f = doc.fold[a:b]
        if not f.strip():
            continue
        thematic = "chuyen de" in f
        regular = bool(re.search(r"thuong ky|dinh ky|thuong le", f))
        if "dai hoi" in f:
            return MeetingType.DAI_HOI, False, (a, b)
        if re.search(r"hop chi uy|chi uy (?:hop|thang)|bien ban (?:hop )?chi uy|hoi nghi chi uy", f):
            return MeetingType.CHI_UY, False, (a, b)
        if "bat thuong" in f or "dot xuat" in f:
            return MeetingType.BAT_THUONG, False, (a, b)
        if "hoi nghi" in f and not regular:
            # "Hội nghị sinh hoạt chi bộ thường kỳ …" names a regular meeting; a conference is one without.
            return MeetingType.HOI_NGHI, False, (a, b)
        if thematic and (regular or "ket hop" in f or re.search(r"thuong ky[^\n]{0,60}\bva\b", f)):
            return MeetingType.THUONG_KY, True, (a, b)
        if thematic:
            # The opening sentence of a thematic title may still say "kết hợp".
            return MeetingType.CHUYEN_DE, False, (a, b)
        if regular or re.search(r"(?:sinh hoat|hop) chi bo\s*(?:\(\w+\)\s*)?thang|sinh hoat thang", f):
            if (a, b) == (t0, t1):
                g = doc.fold[s0:s1]
                if "chuyen de" in g and "ket hop" in g:
                    return MeetingType.THUONG_KY, True, (a, b)
            return MeetingType.THUONG_KY, False, (a, b)
    return None, False, (t0, t1)


_PERIOD = re.compile(r"thang\s+(\d{1,2}|[a-z]+(?: [a-z]+)?)\s*(?:/|nam|-)\s*(\d{4})")


def detect_period(doc: Doc, iso_date: str | None) -> Period:
    """The month and year the minute covers: from the title, else the meeting date's, else the title's year alone."""
    t0, t1 = title_block(doc)
    m = _PERIOD.search(doc.fold, t0, t1) if t1 > t0 else None
    if m:
        month = parse_count(doc.text[m.start(1):m.end(1)])
        if month and 1 <= month <= 12:
            return Period(month=month, year=int(m.group(2)))
    q = re.search(r"\bnam\s+(\d{4})", doc.fold[t0:t1]) if t1 > t0 else None
    if iso_date:
        y, mo = int(iso_date[:4]), int(iso_date[5:7])
        return Period(month=mo if not q else mo, year=y)
    if q:
        return Period(year=int(q.group(1)))
    return Period()


# -- units -----------------------------------------------------------------

_UNIT_STOP = re.compile(
    r"\s(?:to chuc|tien hanh|hop|sinh hoat|da|co|gom|thong nhat|nhat tri|bieu quyet|la|duoc|"
    r"cu|ban hanh|thong qua|de nghi|hien|voi|trong|va|cua|ve|thang|nam|nhiem ky|khoa|"
    r"tai|vao|lanh dao|quyet|thuong ky|dinh ky|chuyen de|quy|hien|nhat|ra|tu|bat thuong)\b"
)


def _unit_from_header(doc: Doc, prefix: str) -> tuple[str, int, int] | None:
    t0, _ = title_block(doc)
    top = [ln for ln in doc.lines[:14] if ln.start < t0] if t0 > 0 else doc.lines[:6]
    for ln in top:
        for m in re.finditer(r"[^\s](?:[^\t]*?[^\s])?(?=\s{3,}|\t|$)", ln.text):
            f = doc.fold[ln.start + m.start():ln.start + m.end()]
            if f.startswith(prefix + " ") and "cong san" not in f and len(f) > len(prefix) + 2:
                s, e = ln.start + m.start(), ln.start + m.end()
                return doc.text[s:e].strip(" *"), s, e
    return None


def _mixed_case(doc: Doc, unit: tuple[str, int, int], skip_until: int) -> tuple[str, int, int]:
    name, s, e = unit
    if not name.isupper():
        return unit
    key = doc.fold[s:e]
    i = doc.fold.find(key, skip_until)
    while i != -1:
        cand = doc.text[i:i + len(key)]
        if not cand.isupper():
            return cand, i, i + len(key)
        i = doc.fold.find(key, i + 1)
    return unit


_UNIT_KINDS = {
    "thon", "xom", "ban", "ap", "buon", "soc", "khu", "to", "khoi", "phong", "truong", "khoa", "tram",
    "xuong", "cong", "bo", "co", "phuong", "xa", "lang", "plei", "doi", "van", "hop", "cho", "benh",
    "nha", "chi", "trung", "vien", "so", "ubnd", "thi", "dan", "pho",
}


def _unit_from_body(doc: Doc, prefix: str, start: int) -> tuple[str, int, int] | None:
    for m in re.finditer(rf"\b{prefix}\s+(?=\S)", doc.fold[start:]):
        s = start + m.start()
        e = doc.line_at(s).end
        stop = _UNIT_STOP.search(doc.fold, start + m.end() - 1, e)
        end = stop.start() if stop else e
        chunk = doc.text[s:end]
        cut = re.search(r"[,.;:()]", chunk)
        if cut:
            chunk = chunk[:cut.start()]
        chunk = chunk.rstrip()
        words = chunk.split()
        if len(words) < 3 or len(words) > 10:
            continue
        first = words[2]
        named = first[0].isupper() or first[0].isdigit()
        if not named and fold(first) in _UNIT_KINDS and len(words) > 3:
            named = words[3][0].isupper() or words[3][0].isdigit() or fold(words[3]) in _UNIT_KINDS
        if not named:
            continue
        return chunk, s, s + len(chunk)
    return None


def detect_units(doc: Doc) -> tuple[tuple[str, int, int] | None, tuple[str, int, int] | None]:
    """(đảng bộ, chi bộ), each as (name, start, end) or None: from the header above the title, else the body."""
    t0, t1 = title_block(doc)
    after = t1 or 0
    chi = _unit_from_header(doc, "chi bo")
    dang = _unit_from_header(doc, "dang bo") or _unit_from_header(doc, "dang uy")
    if chi:
        chi = _mixed_case(doc, chi, after)
    else:
        chi = _unit_from_body(doc, "chi bo", t1)
    if dang:
        dang = _mixed_case(doc, dang, after)
    else:
        dang = _unit_from_body(doc, "dang bo", t1)
    return dang, chi


# -- date, times, place ----------------------------------------------------


def detect_date(doc: Doc) -> tuple[str, int, int] | None:
    """The meeting date as (ISO date, start, end), or None.

    From the opening sentence, else the place-and-date line of the heading, else the first date that
    does not cite a document.
    """
    lo, hi = _opening_window(doc)
    t0, t1 = title_block(doc)
    # The meeting date as the opening sentence gives it ("Hôm nay, … ngày …").
    for iso, s, e in find_dates(doc, t1, hi):
        if _is_citation(doc, s):
            continue
        a, b = doc.sentence_bounds(s)
        sent = doc.fold[a:b]
        if re.search(r"hom nay|thoi gian|vao (?:luc|hoi)|bat dau|luc \d|hoi \d|tien hanh|to chuc|"
                     r"\d\s*(?:gio|h)|sang|chieu|toi ngay", sent):
            return iso, s, e
    # Else the place-and-date line of the heading.
    for iso, s, e in find_dates(doc, 0, max(t0, min(len(doc.text), 600))):
        return iso, s, e
    for iso, s, e in find_dates(doc, 0, hi):
        if not _is_citation(doc, s):
            return iso, s, e
    return None


def detect_times(doc: Doc) -> tuple[tuple[str, int, int] | None, tuple[str, int, int] | None]:
    """The start and end times as ("HH:MM", start, end), each None when not found."""
    start = end = None
    times = find_times(doc)
    for hhmm, s, e in times:
        a, b = doc.sentence_bounds(s)
        sent_before = doc.fold[a:s]
        if _END_CUE.search(sent_before):
            end = (hhmm, s, e)
            continue
        # "19 giờ 30 phút ngày 12/9/2024, tại …" opening a line is the start.
        leading = not sent_before.strip(" -+•*\t") and re.match(r"[^\n]{0,12}ngay\b", doc.fold[e:e + 20])
        if start is None and (_START_CUE.search(sent_before[-45:]) or leading):
            start = (hhmm, s, e)
            # "từ 14 giờ 00 đến 15 giờ 40": the second is the end.
            m = re.match(r"\s*(?:phut\s*)?(?:den|-|–)\s*", doc.fold[e:e + 12])
            if m:
                for hh2, s2, e2 in times:
                    if s2 >= e and s2 <= e + m.end() + 2:
                        end = (hh2, s2, e2)
    return start, end


_PLACE_LABEL = re.compile(r"dia diem(?: sinh hoat| hop)?(?: tai)?\s*:\s*")
_PLACE_STOP = re.compile(r",\s*(?:chi bo|dang bo|hoi nghi|dai hoi|to chuc)|\.(?:\s|$)|;|\n")


def detect_place(doc: Doc) -> tuple[str, int, int] | None:
    """The place as (text, start, end), or None: after "Địa điểm:", else after "tại" in the opening sentence."""
    m = _PLACE_LABEL.search(doc.fold)
    if m:
        ln = doc.line_at(m.end())
        stop = re.search(r"\.(?:\s|$)|;", doc.fold[m.end():ln.end])
        e = m.end() + stop.start() if stop else ln.end
        val = doc.text[m.end():e].strip()
        if val and not PLACEHOLDER.match(val):
            return val, m.end(), m.end() + len(val)
    lo, hi = _opening_window(doc)
    for m in re.finditer(r"(?:^|[\s,])tai\s+", doc.fold[:hi]):
        pos = m.end()
        a, b = doc.sentence_bounds(pos)
        sent = doc.fold[a:b]
        if not re.search(r"hom nay|vao (?:luc|hoi)|ngay \d|\d\s*(?:gio|h)\b|thoi gian|tien hanh|"
                         r"(?:to chuc|hop|tien hanh) (?:sinh hoat|hop|hoi nghi|thuong ky|dinh ky|chuyen de)", sent):
            continue
        rest = doc.fold[pos:b + 1]
        if re.match(r"chi bo|dang bo|noi|don vi|cuoc hop|buoi|hoi nghi|dai hoi|ky hop|phien|day\b|do\b", rest):
            continue
        stop = _PLACE_STOP.search(doc.fold, pos, b + 1)
        e = stop.start() if stop else b
        val = doc.text[pos:e].strip(" ,")
        if val and not PLACEHOLDER.match(val):
            return val, pos, pos + len(val)
    return None


def extract_meeting(doc: Doc) -> tuple[Meeting, dict[str, tuple[int, int]]]:
    """Read the meeting facts; return them with the spans they came from."""
    spans: dict[str, tuple[int, int]] = {}
    mtype, combined, tspan = detect_type(doc)
    if mtype:
        spans["type"] = tspan
    dang, chi = detect_units(doc)
    d = detect_date(doc)
    st, en = detect_times(doc)
    place = detect_place(doc)
    chair = detect_chair(doc)
    secr = detect_secretary(doc)
    for key, val in (("dang_bo", dang), ("chi_bo", chi), ("date", d), ("start_time", st),
                     ("end_time", en), ("location", place), ("chair", chair), ("secretary", secr)):
        if val:
            spans[key] = (val[1], val[2])
    guests = detect_guests(doc, {chair[0].name} if chair else set())
    meeting = Meeting(
        type=mtype,
        combined_thematic=combined,
        dang_bo=dang[0] if dang else None,
        chi_bo=chi[0] if chi else None,
        period=detect_period(doc, d[0] if d else None),
        date=d[0] if d else None,
        start_time=st[0] if st else None,
        end_time=en[0] if en else None,
        location=place[0] if place else None,
        chair=chair[0] if chair else None,
        secretary=secr[0] if secr else None,
        guests=guests,
    )
    return meeting, spans
