"""The attendance block: membership figures, who came, who was absent and why.

Also computes the voting base (QĐ 24-QĐ/TW §9.3.2: official members, less those
on temporary transfer out and exempt members who are absent) and the attendance
rate (present ÷ members expected, as in rules.md ATT-RATE).
"""

from __future__ import annotations

import re

from service.nlp.headcount import fill
from service.nlp.numerals import COUNT, parse_count
from service.nlp.people import TITLE, read_name
from service.nlp.text import Doc
from service.schema.record import Attendance, ExcusedAbsence, UnexcusedAbsence

_ZONE_START = re.compile(
    r"tong so (?:dang vien|dv)|tong so\s*:|hien co\s+\S+(?:\s\S+){0,4}\s+(?:dang vien|dv)|co mat|"
    r"du sinh hoat\s*:|vang co ly do|tinh hinh dang vien|so dang vien"
)
_ZONE_END = re.compile(
    r"(?:bieu quyet|thao luan|nghi quyet|ket qua|thong tin thoi su|thoi su|chuong trinh|dien bien|"
    r"noi dung|bao cao|trinh bay|dong chi chu tri|[a-z ]{0,30}thong qua chuong trinh)"
)
_LEAD = re.compile(r"^\s*(?:[ivx]{1,4}[.)]|\d{1,2}(?:\.\d{1,2})*[.)]?|[a-z][.)]|\*+|[-+•–])?\s*(?:phan\s+\S+\s*[.:-]?\s*)?")
_MEMBER = r"(?:dong chi|d/c|dc|dang vien|dv|nguoi)"
_NONE = r"(?:khong co|khong|0(?!\d)|chua co)"


def _zone(doc: Doc) -> tuple[int, int]:
    m = _ZONE_START.search(doc.fold)
    if not m:
        return 0, 0
    i = doc.line_index(m.start())
    # The total is often a line or two above the first "có mặt".
    start = doc.lines[max(0, i - 3)].start
    end = len(doc.text)
    for ln in doc.lines[i + 1:]:
        head = _LEAD.sub("", ln.fold)
        if _ZONE_END.match(head) and not _ZONE_START.search(ln.fold):
            end = ln.start
            break
    return start, min(end, start + 4000)


def _count_after(doc: Doc, pattern: str, a: int, b: int) -> tuple[int, int, int] | None:
    """First "<keyword> … N" in [a, b): (value, start, end) of the number."""
    rx = re.compile(rf"(?:{pattern})" + rf"[^\S\n]*(?:la|gom|co)?[^\S\n]*[:=]?[^\S\n]*(?P<n>{COUNT}|{_NONE})(?!\d)")
    for m in rx.finditer(doc.fold, a, b):
        raw = doc.text[m.start("n"):m.end("n")]
        if re.fullmatch(_NONE, m.group("n")):
            return 0, m.start("n"), m.end("n")
        v = parse_count(raw)
        if v is not None:
            return v, m.start("n"), m.end("n")
    return None


def _count_before(doc: Doc, pattern: str, a: int, b: int) -> tuple[int, int, int] | None:
    """First "N <keyword>" in [a, b)."""
    rx = re.compile(rf"(?<![\w/])(?P<n>{COUNT})[^\S\n]*(?:{pattern})")
    for m in rx.finditer(doc.fold, a, b):
        if m.group("n") == "khong":
            continue  # "không có mặt" denies, it does not count
        v = parse_count(doc.text[m.start("n"):m.end("n")])
        if v is not None:
            return v, m.start("n"), m.end("n")
    return None


def _sentence(doc: Doc, pos: int) -> tuple[int, int]:
    ln = doc.line_at(pos)
    return ln.start, ln.end


_OFFICIAL = r"(?:dang vien |dv |d/c |dong chi )?(?:chinh thuc|ct\b|dvct\b)"
_PROBATION = r"(?:dang vien |dv |d/c |dong chi )?(?:du bi|db\b|dvdb\b)"


_NAME_START = re.compile(
    rf"(?:[:;,(][^\S\n]*(?:(?:va|gom|la|cu the)\b[^\S\n]*:?[^\S\n]*)?|[^\S\n](?:va|gom|la)[^\S\n]+|"
    rf"\n\s*[-+•*–]?\s*(?:\d{{1,2}}[.)/]\s*)?|(?<=\s)(?={TITLE}\s))(?P<t>{TITLE}\s+)?"
)
_REASON_START = (r"(?:di|om|nghi|dang|benh|ve|cong tac|hoc|cham|vi|do|ban|bi|con|gia dinh|nam vien|dieu tri|tham gia|"
                 r"tap huan|trong|truc|lam|du|thai san|kham|viec|xin|tham|dam|dua|sinh|cach ly)")
_REASON = re.compile(
    r"\s*(?:\(([^)]{2,140})\)|\s*[:–—-]\s*([^;\n]{2,140}?)(?=[;)]|\.(?:\s|$)|\n|$|\s{3,})|,\s*(?:ly do\s*:?\s*)?"
    rf"({_REASON_START}\b[^;,.)\n]{{0,100}})|[^\S\n]+({_REASON_START}\b[^;,.)\n]{{0,100}}))"
)


_PREFIX_NOISE = re.compile(
    rf"^(?:[\s,;:.()+\-–•*]|{_MEMBER}|\d+|co ly do|ly do|gom|la|cac|trong do|co|cu the|nhu sau|deu)+|"
    rf"(?:[\s,;:()\-–]|trong do|co|cac|{TITLE}|gom|la)+$"
)
_SENTENCE_END = re.compile(
    r"(?<=[a-zà-ỹđ)]{2})\.(?=\s+(?!(?:Trong đó|Gồm|Cụ thể|Đó là|Danh sách)\b)[A-ZĐÀ-Ỹ]|\s*\n\s*\n|"
    r"\s*\n\s*\d{1,2}[.)]\s+(?!(?i:đồng chí|đ/c)\b)|\s*$)"
)


def _shared_reason(doc: Doc, a: int, b: int) -> str | None:
    """Reason stated once for a group ("là các đồng chí đang đi biển, trong đó có …")."""
    raw = doc.text[a:b]
    f = doc.fold[a:b]
    m = _PREFIX_NOISE.match(f)
    lo = m.end() if m else 0
    m2 = _PREFIX_NOISE.search(f, lo)
    hi = m2.start() if m2 and m2.start() >= lo else len(f)
    reason = raw[lo:hi].strip(" ,;:.-–")
    return reason if len(reason.split()) >= 2 else None


def _cells(text: str) -> list[tuple[int, str]]:
    """Cells of a table row written with "|" or tabs, with their offsets in the row."""
    if text.count("|") >= 2 or "\t" in text:
        sep = "|" if text.count("|") >= 2 else "\t"
        out = []
        pos = 0
        for part in text.split(sep):
            stripped = part.strip()
            if stripped:
                out.append((pos + part.index(stripped), stripped))
            pos += len(part) + 1
        return out
    return [(m.start(), m.group(0)) for m in re.finditer(r"\S(?:.*?\S)?(?=\s{2,}|$)", text)]


def _table_absentees(doc: Doc, a: int, b: int, *, excused: bool
                     ) -> list[tuple[str, str | None, int, int]] | None:
    """Absentees listed as a table ("| STT | Họ và tên | Lý do vắng |"), or None."""
    first, last = doc.line_index(a), doc.line_index(max(a, b - 1))
    rows = [ln for ln in doc.lines[first:last + 1]
            if ln.text.count("|") >= 2 or "\t" in ln.text or len(re.findall(r"\S\s{2,}(?=\S)", ln.text)) >= 1]
    header = next((ln for ln in rows if re.search(r"ho (?:va )?ten|\bten\b", ln.fold)), None)
    if header is None:
        return None
    cols = _cells(header.fold)
    name_i = next((i for i, (_, c) in enumerate(cols) if re.search(r"ho (?:va )?ten|\bten\b", c)), None)
    reason_i = next((i for i, (_, c) in enumerate(cols) if "ly do" in c), None)
    if name_i is None:
        return None
    out: list[tuple[str, str | None, int, int]] = []
    for ln in rows:
        if ln is header or re.fullmatch(r"[\s|:+\-]*", ln.text):
            continue
        cells = _cells(ln.text)
        if len(cells) <= name_i:
            continue
        off, cell = cells[name_i]
        got = read_name(cell, 0, titled=True)
        if not got:
            continue
        reason = None
        if excused and reason_i is not None and reason_i < len(cells) and len(cells) == len(cols):
            reason = cells[reason_i][1] or None
        s = ln.start + off
        out.append((got[0], reason, s, s + len(got[0])))
    return out


def _absentees(doc: Doc, a: int, b: int, *, excused: bool
               ) -> list[tuple[str, str | None, int, int]]:
    """Names (with reasons) listed after an absence count, up to the end of the list."""
    table = _table_absentees(doc, a, b, excused=excused)
    if table is not None:
        return table
    out: list[tuple[str, str | None, int, int]] = []
    end = _SENTENCE_END.search(doc.text, a, b)
    b = end.start() + 1 if end else b
    pos = a
    seg_start = a
    seg_line = doc.line_index(a)
    group_reason: str | None = None
    first_in_seg = True
    while pos < b:
        m = _NAME_START.search(doc.fold, pos, b)
        if not m:
            break
        got = read_name(doc.text, m.end(), titled=bool(m.group("t")))
        if not got or got[2] > b:
            pos = max(m.end(), pos + 1)
            continue
        name, s, e = got
        line = doc.line_index(s)
        if line != seg_line:
            seg_start, seg_line, first_in_seg, group_reason = doc.lines[line].start, line, True, None
        if first_in_seg and excused:
            group_reason = _shared_reason(doc, seg_start, s)
        first_in_seg = False
        reason = None
        nxt = e
        rm = _REASON.match(doc.fold, e)
        if rm:
            g = next(i for i in (1, 2, 3, 4) if rm.group(i) is not None)
            if excused:
                reason = doc.text[rm.start(g):rm.end(g)].strip(" ;,.") or None
            nxt = rm.end()
            if excused and g == 2 and reason:
                # "A, B, C: lý do" — the names just before on this line share it.
                for i in range(len(out) - 1, -1, -1):
                    n0, r0, s0, e0 = out[i]
                    if r0 is not None and r0 != group_reason or doc.line_index(s0) != line:
                        break
                    out[i] = (n0, reason, s0, e0)
        out.append((name, reason if reason else group_reason, s, e))
        pos = nxt
    return out


_EXEMPT_KW = r"(?:mien (?:cong tac va )?(?:sinh hoat|sh)(?: dang)?|\bmsh\b|mien cong tac)"
_MUST_ATTEND = re.compile(r"(?:so (?:dang vien|dv) )?phai (?:du|tham du)(?: sinh hoat| hop)?\s*:?\s*(?:la\s*)?(\d{1,3})\b")


def extract_attendance(doc: Doc) -> tuple[Attendance, dict[str, tuple[int, int]]]:
    """Read the attendance block, then the figures written inline, and compute the voting base and rate."""
    spans: dict[str, tuple[int, int]] = {}
    att = Attendance()
    exempt_absent = _read_block(doc, att, spans)
    fill(doc, att, spans, len(doc.text))
    _compute(att, exempt_absent)
    # What the rules weigh a sum against: that the minute speaks of exempt members at all,
    # and the "phải dự N" it states.
    cue = re.search(_EXEMPT_KW, doc.fold)
    if cue:
        spans.setdefault("exempt_cue", cue.span())
    must = _MUST_ATTEND.search(doc.fold)
    if must:
        spans["must_attend"] = must.span(1)
    return att, spans


def _nearest(*got: tuple[int, int, int] | None) -> tuple[int, int, int] | None:
    """Of several readings (value, start, end), the one that stands first."""
    found = [g for g in got if g is not None]
    return min(found, key=lambda g: g[1]) if found else None


def _split_count(doc: Doc, before: str, after: str, a: int, b: int) -> tuple[int, int, int] | None:
    """A part of the total: "dự bị: 02" as labelled, else the reading nearest the total."""
    labelled = _count_after(doc, after, a, b)
    if labelled is not None and ":" in doc.fold[max(a, labelled[1] - 3):labelled[1]]:
        return labelled
    return _nearest(_count_before(doc, before, a, b), labelled)


def _read_block(doc: Doc, att: Attendance, spans: dict[str, tuple[int, int]]) -> int | None:
    """Read the attendance block into ``att``; return how many exempt members were absent."""
    a, b = _zone(doc)
    if a == b:
        return None
    f = doc.fold

    def keep(key: str, got: tuple[int, int, int] | None) -> int | None:
        if got is None:
            return None
        spans[key] = (got[1], got[2])
        return got[0]

    # Total membership, and its split into official / probationary members.
    tot = _count_after(doc, r"tong so (?:dang vien|dv)(?: (?:cua|trong) chi bo)?(?: hien nay| hien co)?|tong so(?=\s*:)", a, b) \
        or _count_before(doc, r"(?:dang vien|dv|dong chi|d/c)\b", *_after(doc, r"\btong so\s+", a, b)) \
        or _count_after(doc, r"(?:so )?(?:dang vien|dv) (?:cua|trong) chi bo", a, b) \
        or _count_after(doc, r"(?:chi bo )?(?:hien )?co tong so", a, b) \
        or _count_before(doc, r"(?:dang vien|dv|dong chi|chi uy vien|uy vien)\b", *_hien_co(doc, a, b))
    att.total = keep("total", tot)
    if tot:
        sa, sb = doc.line_at(tot[1]).start, doc.line_at(tot[1]).end
        nxt = doc.line_index(tot[1]) + 1
        if nxt < len(doc.lines):
            sb2 = doc.lines[nxt].end
            if re.match(r"\s*(?:\(|trong do|gom)", doc.lines[nxt].fold):
                sb = sb2
        # "chính thức 19, dự bị 2. Có mặt 20 (18 chính thức …)": the split nearest the total is the total's.
        att.official = keep("official", _split_count(doc, _OFFICIAL, r"chinh thuc", tot[2], sb))
        att.probationary = keep("probationary", _split_count(doc, _PROBATION, r"du bi", tot[2], sb))
        if att.probationary is None and re.search(r"khong co (?:dang vien |dv )?du bi", f[sa:sb]):
            att.probationary = 0
        if att.official is None and att.total is not None and re.search(
                r"deu la (?:dang vien |dv )?chinh thuc|tat ca (?:deu )?la (?:dang vien )?chinh thuc", f[sa:sb]):
            att.official = att.total
            att.probationary = 0 if att.probationary is None else att.probationary
    # Exempt members (miễn công tác và sinh hoạt đảng), and whether they came.
    ex_kw = _EXEMPT_KW
    exm = re.search(ex_kw, f[a:b])
    exempt_absent = None
    if exm:
        ex_pos = a + exm.start()
        ln = doc.line_at(ex_pos)
        sent_a, sent_b = doc.sentence_bounds(ex_pos)
        before = f[sent_a:ex_pos]
        if re.search(r"khong co (?:dang vien|dv|dong chi|d/c)?\s*(?:nao )?(?:duoc )?$", before):
            att.exempt = 0
            spans["exempt"] = (sent_a, ex_pos)
        else:
            got = _count_after(doc, ex_kw + r"(?:[^\S\n]*\([^)]*\))?", ex_pos, ln.end) \
                or _nearest(_count_before(doc, r"(?:dong chi |d/c |dang vien |dv )?(?:duoc )?" + ex_kw, sent_a, ln.end),
                            _count_before(doc, r"(?:dong chi|d/c|dang vien|dv)\b[^.;,\n\d]{0,50}?" + ex_kw, sent_a,
                                          ln.end))
            att.exempt = keep("exempt", got)
        if att.exempt:
            tail_a = ln.start
            tail_b = doc.lines[min(len(doc.lines) - 1, doc.line_index(ex_pos) + 1)].end
            tail = f[tail_a:tail_b]
            present_x = 0
            absent_x = None
            for m in re.finditer(rf"(?<!\w)(?P<n>{COUNT})(?!\w)(?=\s*{_MEMBER}?[^.;\n\d]{{0,60}}?(?:khong (?:den )?du|vang mat|"
                                 r"khong tham du|khong tham gia))", tail):
                raw = doc.text[tail_a + m.start("n"):tail_a + m.end("n")]
                if raw[:1].isupper():
                    continue  # "… đồng chí Mông Văn Bảy": a name, not a count
                v = parse_count(raw)
                if v is not None and v <= att.exempt:
                    absent_x = v
            for m in re.finditer(r"(?:van|co|deu)\s+(?:den\s+)?(?:du|tham du|co mat)", tail):
                s2, _ = doc.sentence_bounds(tail_a + m.start())
                seg = f[s2:tail_a + m.start()]
                names = [n for n in re.finditer(rf"{TITLE}\s+", seg) if doc.text[s2 + n.end():s2 + n.end() + 1].isupper()]
                # The count nearest the verb: "10 đồng chí, trong đó có 03 đồng chí vẫn đến dự".
                counts = list(re.finditer(rf"(?P<n>{COUNT})\s*{_MEMBER}", seg))
                nm = counts[-1] if counts else None
                if "khong" in seg[-12:]:
                    continue
                if names:
                    present_x = max(present_x, len(names))
                elif nm:
                    v = parse_count(doc.text[s2 + nm.start("n"):s2 + nm.end("n")])
                    present_x = max(present_x, v or 0)
            if absent_x is not None:
                exempt_absent = absent_x
                att.exempt_present = att.exempt - absent_x
            else:
                att.exempt_present = min(present_x, att.exempt)
                exempt_absent = att.exempt - att.exempt_present
            if absent_x is not None or present_x or re.search(r"khong (?:den |tham )?du|vang mat|deu vang", tail):
                spans["exempt_split"] = (tail_a, tail_b)  # the minute says which exempt members came
        elif att.exempt == 0:
            exempt_absent = 0
    # Members on temporary transfer, out and in.
    none_temp = re.search(r"khong co (?:dang vien|dv)?\s*(?:sinh hoat )?tam thoi|"
                          r"(?:sinh hoat tam thoi|sht)(?: den,? di| di,? den)?\s*:\s*(?:khong|0\b)", f[a:b])
    out_kw = r"(?:gioi thieu )?(?:di )?sinh hoat tam thoi (?:o |den |tai )?(?:noi khac|don vi khac|chi bo khac|ngoai)|sht di(?: noi khac)?\b|tam thoi di(?: noi khac)?\b"
    in_kw = (r"sinh hoat tam thoi tai chi bo|sinh hoat tam thoi (?:den|o chi bo)|sht den\b|tam thoi den\b|"
             r"(?:noi khac )?den sinh hoat tam thoi(?: tai chi bo)?|sinh hoat tam thoi\s*:\s*den")
    tm = re.search(rf"(?:sinh hoat tam thoi|sht)\s*:[^;\n]*?;\s*di\s*:?\s*(?P<n>{COUNT}|{_NONE})", f[a:b])
    att.temporary_out = keep("temporary_out", _count_after(doc, out_kw, a, b)
                             or _count_before(doc, r"(?:dong chi |d/c |dang vien |dv )?(?:duoc )?(?:" + out_kw + ")", a, b))
    att.temporary_in = keep("temporary_in", _count_after(doc, in_kw, a, b)
                            or _count_before(doc, r"(?:dong chi |d/c |dang vien |dv )?(?:" + in_kw + ")", a, b))
    if tm and att.temporary_out is None:
        att.temporary_out = 0 if re.fullmatch(_NONE, tm.group("n")) else parse_count(doc.text[a + tm.start("n"):a + tm.end("n")])
    if none_temp:
        att.temporary_out = 0 if att.temporary_out is None else att.temporary_out
        att.temporary_in = 0 if att.temporary_in is None else att.temporary_in
    # Present.
    pres = _count_after(doc, r"(?:dang vien |dv )?(?:(?<!phai )co mat(?: du| day du)?|(?<!phai )du sinh hoat|(?<!phai )du hop|(?<!phai )tham du)(?: (?:tai )?(?:buoi sinh hoat|cuoc hop|hoi nghi))?", a, b) \
        or _count_before(doc, r"(?:/\s*\d+\s*)?(?:dong chi |d/c |dang vien |dv )?(?:co mat|du hop|tham du)", a, b)
    att.present = keep("present", pres)
    if pres:
        ln = doc.line_at(pres[1])
        seg_end = min(ln.end, pres[2] + 120)
        po = _count_before(doc, _OFFICIAL, pres[2], seg_end)
        if po and not re.search(r"\bvang\b", f[pres[2]:po[1]]):
            att.present_official = po[0]
    # Absent with and without a reason.
    # "- Có lý do (05): đ/c …" / "- Không lý do (02): đ/c …" as sub-lines of "Vắng 07 đồng chí, gồm:".
    sub = r"\n[^\S\n]*[-+•*]?[^\S\n]*(?:vang[^\S\n]*)?"
    unex_kw = (r"vang(?: mat)? khong (?:co )?ly do|vang khong phep|vang khong bao cao|(?<=[,;(] )khong (?:co )?ly do|"
               rf"{sub}khong (?:co )?(?:ly do|phep)[^\S\n]*\(?")
    ex_kw2 = (rf"(?:vang(?: mat)?|trong do) co ly do|vang co phep|{sub}co (?:ly do|phep)[^\S\n]*\(?|"
              r"(?<=[:,;] )co (?:ly do|phep)(?=\s*\d)")
    unex = _count_after(doc, unex_kw, a, b)
    if unex is None:
        um = re.search(r"khong co (?:dong chi|d/c|dang vien|dv)?\s*(?:nao )?vang khong (?:co )?ly do", f[a:b])
        if um:
            unex = (0, a + um.start(), a + um.end())
        else:
            unex = _count_before(doc, rf"{_MEMBER}?\s*vang khong (?:co )?ly do", a, b)
    exc = _count_after(doc, ex_kw2, a, b)
    if exc is None:
        # "Vắng 02 đồng chí: 01 đồng chí có lý do là …; 01 đồng chí vắng không lý do là …"
        exc = _count_before(doc, rf"{_MEMBER}?\s*(?:vang(?: mat)?\s*)?co (?:ly do|phep)\b", a, b)
        if exc is not None and not any(c.isdigit() for c in f[exc[1]:exc[2]]):
            exc = None  # "không có lý do" is no count of the excused
    if exc is None:
        vm = re.search(rf"\bvang(?: mat)?\s*:?\s*(?P<n>{COUNT})\s*{_MEMBER}?(?:[\s,(]*(?P<all>deu )?co ly do|\s*(?=\((?!khong)))", f[a:b])
        if vm:
            exc = (parse_count(doc.text[a + vm.start("n"):a + vm.end("n")]) or 0, a + vm.start("n"), a + vm.end("n"))
            if (vm.group("all") or "(" in vm.group(0)[-2:] or f[a + vm.end():a + vm.end() + 1] == "(") and unex is None:
                unex = (0, a + vm.start("all"), a + vm.end("all"))
    if exc is None and unex is not None:
        # "Vắng 01 đ/c: đ/c X, đi tập huấn. Không có đảng viên vắng không lý do.": the rest had a reason.
        plain = re.search(rf"\bvang(?: mat)?\s*:?\s*(?P<n>{COUNT})\s*{_MEMBER}\b", f[a:b])
        n = parse_count(doc.text[a + plain.start("n"):a + plain.end("n")]) if plain else None
        if plain and n is not None and n >= unex[0]:
            exc = (n - unex[0], a + plain.start("n"), a + plain.end("n"))
    if exc is None and unex is None:
        vm = re.search(r"\bvang(?: mat)?\s*:\s*(?:khong|0)\b(?!\s*(?:co )?ly do)|khong co (?:dong chi|d/c|dang vien|dv)\s*(?:nao )?vang\b(?! khong| co)", f[a:b])
        if vm:
            exc = (0, a + vm.start(), a + vm.end())
            unex = (0, a + vm.start(), a + vm.end())
    att.absent_excused_count = keep("absent_excused_count", exc)
    att.absent_unexcused_count = keep("absent_unexcused_count", unex)
    if exc and exc[0] > 0:
        stop = re.compile(rf"{unex_kw}|khong co (?:dong chi|d/c)?\s*(?:nao )?vang khong|\n\s*[-+•*]?\s*(?:\d\.\s*)?(?:chu tri|chu toa|thu ky|dai bieu|khach moi|so dang vien|tong so|noi dung|chuong trinh|thoi gian|dia diem)")
        sm = stop.search(f, exc[2], b)
        end = sm.start() if sm else b
        for name, reason, _, _ in _absentees(doc, exc[2], end, excused=True):
            att.absent_excused.append(ExcusedAbsence(name=name, reason=reason))
    if unex and unex[0] > 0:
        stop = re.compile(rf"{ex_kw2}|\n\s*[-+•*]?\s*(?:\d\.\s*)?(?:chu tri|chu toa|thu ky|dai bieu|khach moi|so dang vien|tong so|noi dung|\w+\s*:)")
        sm = stop.search(f, unex[2], b)
        end = sm.start() if sm else b
        for name, _, _, _ in _absentees(doc, unex[2], end, excused=False):
            att.absent_unexcused.append(UnexcusedAbsence(name=name))
    return exempt_absent


def _after(doc: Doc, pattern: str, a: int, b: int) -> tuple[int, int]:
    m = re.search(pattern, doc.fold[a:b])
    return (a + m.end(), min(b, a + m.end() + 30)) if m else (a, a)


def _hien_co(doc: Doc, a: int, b: int) -> tuple[int, int]:
    m = re.search(r"(?:\b(?:chi bo|chi uy)\s+(?:hien\s+)?co|\bhien co)\s+(?!mat\b)(?=\S+(?:\s\S+){0,4}\s+(?:dang vien|dv|dong chi|uy vien)\b)", doc.fold[a:b])
    if not m:
        return a, a
    return a + m.end(), min(b, a + m.end() + 40)


def _compute(att: Attendance, exempt_absent: int | None) -> None:
    ex_abs = exempt_absent or 0
    out = att.temporary_out or 0
    tin = att.temporary_in or 0
    if att.total is not None:
        att.expected = att.total - ex_abs - out + tin
    if att.official is not None:
        att.voting_base = att.official - out - ex_abs
    if att.present is not None and att.expected:
        att.rate = round(att.present / att.expected, 4)
