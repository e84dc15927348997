"""Meeting facts: units, type, period, date, times, place, chair, thư ký, guests."""

from __future__ import annotations

import re
from datetime import date

from service.nlp.numerals import parse_count
from service.nlp.people import TITLE, read_name
from service.nlp.text import Doc, fold
from service.schema.record import Meeting, MeetingType, Period, Person, Secretary

_PLACEHOLDER_NAME = re.compile(r"^\s*(?:…|\.{2,}|_{2,})")

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
    m = _PLACE_LABEL.search(doc.fold)
    if m:
        ln = doc.line_at(m.end())
        stop = re.search(r"\.(?:\s|$)|;", doc.fold[m.end():ln.end])
        e = m.end() + stop.start() if stop else ln.end
        val = doc.text[m.end():e].strip()
        if val and not _PLACEHOLDER_NAME.match(val):
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
        if val and not _PLACEHOLDER_NAME.match(val):
            return val, pos, pos + len(val)
    return None


# -- chair, thư ký, guests ---------------------------------------------------

_ROLE_AFTER = re.compile(r"\s*(?:[,–—-]|\()\s*([^.;\n()]{2,80})")


def _role_after(doc: Doc, end: int) -> str | None:
    m = _ROLE_AFTER.match(doc.text, end)
    if not m:
        return None
    role = m.group(1).strip(" ,")
    role = re.split(r"\s*[,;]?\s*(?:chủ trì|chủ tọa|được|do chi bộ)", role)[0].strip(" ,")
    return role or None


# "Ông", "Bà", "Ông (bà)" stand before names of people who are not addressed as đồng chí.
_HONORIFIC = r"(?:(?:ong|ba)(?:\s*\((?:ong|ba)\))?\s+)"
_CHAIR_LABEL = re.compile(rf"(?:chu tri|chu toa|chu tri hoi nghi|doan chu tich)\s*(?:buoi sinh hoat|cuoc hop|dai hoi|hoi nghi|ky hop)?\s*(?:\([^)\n]{{0,20}}\)\s*)?(?:gom)?\s*:\s*(?:{TITLE}\s+|{_HONORIFIC})?")
_SECR_LABEL = re.compile(rf"(?<!doc )(?:thu ky|thu ki|doan thu ky|nguoi ghi bien ban|nguoi lap bien ban)"
                         rf"(?: ghi bien ban[^:\n(]{{0,40}}?| cuoc hop| hoi nghi| dai hoi| buoi sinh hoat)?\s*"
                         rf"(?:\([^)\n]{{0,30}}\)\s*)?:\s*(?:(?:gom\s+)?{TITLE}\s+|{_HONORIFIC})?")
_SECR_ROLE = re.compile(rf"(?:^|\n)\s*(?:[-+•*]|\d{{1,2}}[.)])?\s*{TITLE}\s+")
_SECR_APPOINT = re.compile(rf"cu\s+(?:{TITLE}\s+)?(?=[^\W\d_])")


_TITLE_BEFORE = re.compile(rf"{TITLE}\s+$")
_CHAIR_THEN_NAME = re.compile(
    rf"(?<!dong chi )(?<!d/c )(?:chu tri|chu toa)(?: cuoc hop| buoi sinh hoat| buoi hop| hoi nghi| dai hoi)?"
    rf"\s*(?:,|la|-|–)\s*(?:do\s+)?{TITLE}\s+|su chu tri cua\s+{TITLE}\s+")


_ROLE_BEFORE_NAME = re.compile(r"(?:pho bi thu|bi thu)(?: chi bo)?\s+(?=[A-ZĐÀ-Ỹ])|(?:chi uy vien|dang uy vien)\s+(?=[A-ZĐÀ-Ỹ])")


def _name_at(doc: Doc, pos: int) -> tuple[str, int, int] | None:
    if _PLACEHOLDER_NAME.match(doc.text, pos):
        return None
    titled = bool(_TITLE_BEFORE.search(doc.fold, max(0, pos - 12), pos))
    got = read_name(doc.text, pos, titled=titled)
    if got is None and titled:
        # "đồng chí Bí thư chi bộ Nguyễn Văn Khánh": the role stands between title and name.
        rm = _ROLE_BEFORE_NAME.match(doc.fold, pos)
        if rm and doc.text[rm.end():rm.end() + 1].isupper():
            got = read_name(doc.text, rm.end(), titled=True)
    return got


def detect_chair(doc: Doc) -> tuple[Person, int, int] | None:
    for m in doc.finditer(_CHAIR_LABEL):
        ln = doc.line_at(m.start())
        if m.start() - ln.start > 40 and not re.search(r"[.;]\s*$", doc.fold[max(ln.start, m.start() - 3):m.start()]):
            continue
        got = _name_at(doc, m.end())
        if got:
            name, s, e = got
            return Person(name=name, role=_role_after(doc, e)), s, e
        if _PLACEHOLDER_NAME.match(doc.text, m.end()):
            return None
    # "Đồng chí X, Bí thư chi bộ, chủ trì buổi sinh hoạt" / "do đồng chí X chủ trì" /
    # "…, đồng chí X bí thư chi bộ chủ trì, …" in a run-on sentence.
    for m in re.finditer(r"chu tri|chu toa", doc.fold):
        if re.match(r"\s*:", doc.fold[m.end():m.end() + 3]):
            continue
        back = doc.fold[max(0, m.start() - 90):m.start()]
        titles = list(re.finditer(rf"(?:^|[,;(:]\s*|\n\s*(?:[-+*•]\s*)?|\d\.\s*|\bdo\s+|\bva\s+){TITLE}\s+", back))
        if titles and not re.search(r"[.;:]", back[titles[-1].end():]):
            pos = m.start() - len(back) + titles[-1].end()
            got = _name_at(doc, pos)
            if got and not re.search(r"\b(?:cu|giao|de nghi|moi)\b", doc.fold[got[2]:m.start()]):
                name, s, e = got
                return Person(name=name, role=_role_after(doc, e)), s, e
    # "Chủ trì cuộc họp, đồng chí X – Bí thư chi bộ": the role before the name.
    for m in _CHAIR_THEN_NAME.finditer(doc.fold):
        got = _name_at(doc, m.end())
        if got:
            name, s, e = got
            return Person(name=name, role=_role_after(doc, e)), s, e
    for m in re.finditer(r"chu tri|chu toa", doc.fold):
        a, b = doc.sentence_bounds(m.start())
        tm = re.search(rf"(?:^|\d\.\s*|do\s+){TITLE}\s+", doc.fold[a:m.start()].lstrip(" -+*"))
        if not tm:
            continue
        lead = len(doc.fold[a:m.start()]) - len(doc.fold[a:m.start()].lstrip(" -+*"))
        pos = a + lead + tm.end()
        got = _name_at(doc, pos)
        if got:
            name, s, e = got
            role = _role_after(doc, e)
            return Person(name=name, role=role), s, e
    return None


def detect_secretary(doc: Doc) -> tuple[Secretary, int, int] | None:
    for m in doc.finditer(_SECR_LABEL):
        got = _name_at(doc, m.end())
        if got:
            return Secretary(name=got[0]), got[1], got[2]
    # "- Đ/c Mai Thị Hường - thư ký." / "- Đ/c A, chi ủy viên, thư ký ghi biên bản."
    for m in doc.finditer(_SECR_ROLE):
        got = _name_at(doc, m.end())
        if not got:
            continue
        rest = doc.fold[got[2]:doc.line_at(got[2]).end]
        if re.match(r"[^:.;\n]{0,60}?[,–—-]\s*(?:lam )?thu ky\b(?! doc)", rest):
            return Secretary(name=got[0]), got[1], got[2]
    for m in re.finditer(r"lam thu ky|giu thu ky|lam nhiem vu thu ky", doc.fold):
        a, _ = doc.sentence_bounds(m.start())
        seg = doc.fold[a:m.start()]
        titles = list(re.finditer(rf"{TITLE}\s+", seg))
        tm = titles[-1] if titles else None
        if tm:
            got = _name_at(doc, a + tm.end())
            if got:
                return Secretary(name=got[0]), got[1], got[2]
    return None


_GUEST_LABEL = re.compile(r"(?:^|\n)\s*[-+*•]?\s*(?:\d\.\s*)?(?:dai bieu|khach moi)[^:\n]{0,40}:\s*")


def detect_guests(doc: Doc, exclude: set[str]) -> list[Person]:
    out: list[Person] = []
    seen = set(exclude)
    for m in doc.finditer(_GUEST_LABEL):
        ln = doc.line_at(m.end())
        seg_f = doc.fold[m.end():ln.end]
        if re.match(r"\s*(?:khong|0\b)", seg_f):
            continue
        for tm in re.finditer(rf"{TITLE}\s+", seg_f):
            got = _name_at(doc, m.end() + tm.end())
            if got and got[0] not in seen:
                seen.add(got[0])
                out.append(Person(name=got[0], role=_role_after(doc, got[2])))
    return out


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
