"""The resolution adopted at the meeting: its tasks (assignee, deadline) and vote."""

from __future__ import annotations

import re

from service.nlp.numerals import COUNT, NUMBER_WORD, parse_count, parse_percent
from service.nlp.people import TITLE, read_name
from service.nlp.sections import in_spans
from service.nlp.text import Doc, all_caps
from service.schema.record import Resolution, Task, Vote

_NOT_ADOPTED = re.compile(
    r"(?:ket qua|thuc hien|danh gia|kiem diem|trien khai|quan triet|hoc tap|theo|tinh than|so|cua|"
    r"tai|vao|lanh dao thuc hien)\s*(?:viec\s*)?(?:thuc hien\s*)?$"
)
_REFERENCE_AFTER = re.compile(r"\s*(?:so\s*\d|\d+[-/]|trung uong|tw\b|hoi nghi trung|dai hoi|cua (?:dang|ban|tinh|huyen|thanh)|thang (?:truoc|\d+\s*/\s*\d{4}\s*(?:cua|da)))")
_NQ = r"(?:nghi quyet|(?<![-/])\bnq\b(?!/))"
_START = re.compile(
    rf"{_NQ}(?:\s+(?:thang|t(?=\d)|chuyen de|hoi nghi|quy|nam|dai hoi|cua chi bo|chi bo|ve|so)[^.\n:]{{0,50}})?"
    r"\s*(?::|\n|gom|nhu sau|voi (?:cac|\S+) nhiem vu|(?:da )?duoc (?:chi bo |hoi nghi |dai hoi )?(?:nhat tri |bieu quyet )?(?:thong qua|nhat tri|bieu quyet)|ban hanh|voi noi dung)"
)
_ADOPT = re.compile(rf"(?:thong nhat|nhat tri|thong qua|ban hanh|bieu quyet thong qua|tan thanh)(?:\s+(?:ban hanh|thong qua|du thao|ra))?\s+{_NQ}")
_ITEM = re.compile(r"^\s*(?:\(\d{1,2}\)|\d{1,2}[.)]|\d{1,2}-(?=\s)|[a-zđ][.)]|[-+•–]|(?:mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi)(?: \w+)? la\s*[,:])\s*")
_ASSIGN = re.compile(
    rf"(?<![\w/])(?:(?<!nha )giao(?: nhiem vu)?(?: cho)?|phan cong|de nghi|do(?=\s+{TITLE}\s)|nguoi (?:thuc hien|phu trach)|"
    rf"phu trach|chu tri)\b\s*:?\s*(?:{TITLE}\s+)?"
)
_DEADLINE = re.compile(
    r"(?:(?:hoan thanh|xong|thuc hien|to chuc|gui|nop|trinh|bao cao)?\s*(?:truoc|den|cham nhat|han(?: chot)?|thoi han(?: truoc)?)\s*(?:ngay\s*)?"
    r"\d{1,2}\s*[/-]\s*\d{1,2}(?:\s*[/-]\s*\d{2,4})?|trong (?:thang|quy|nam|tuan)\s*[\w/]+(?:\s*/\s*\d{4})?|"
    r"(?<!thong )(?<![\w/])(?:tu|bat dau tu) (?:ngay |thang )?\d{1,2}\s*/\s*\d{1,4}(?:/\d{4})?(?: den (?:ngay )?\d{1,2}/\d{1,2}(?:/\d{4})?)?|"
    r"hang (?:tuan|thang|quy|ngay)|thuong xuyen|ngay \d{1,2}\s*/\s*\d{1,2}(?:\s*/\s*\d{2,4})?|"
    r"truoc (?:ngay )?(?:mot|hai|ba|muoi|\w+ \w+) thang \w+)"
)


# Verbs that follow whoever carries a task out, and bodies that can be given one.
_OWNER_VERB = re.compile(r"\s*(?:,\s*)?(?:thuc hien|phu trach|theo doi|chu tri|chiu trach nhiem|dam nhan|dam nhiem|"
                         r"trien khai|to chuc thuc hien|phoi hop)\b")
_BODY = re.compile(r"(?<!\w)(?:ban )?chi uy\b|(?<!\w)to dang(?: so \d+)?\b|(?<!\w)chi (?:hoi|doan)\b|(?<!\w)(?:cac )?doan the\b|"
                   r"(?<!\w)ban cong tac mat tran\b|(?<!\w)lien chi doan\b|(?<!\w)cong doan\b|(?<!\w)hoi (?:phu nu|nong dan|"
                   r"cuu chien binh|nguoi cao tuoi)\b|(?<!\w)(?:pho )?bi thu(?: chi bo)?\b|(?<!\w)to (?:truong|an ninh|hoa giai)\b")


def _owner(doc: Doc, a: int, b: int) -> str | None:
    """Whoever an item says carries it out: "đồng chí X thực hiện", "Tổ đảng số 2 thực hiện", "… – Chi ủy"."""
    f = doc.fold
    for m in re.finditer(rf"{TITLE}\s+", f[a:b]):
        got = read_name(doc.text, a + m.end(), titled=True, min_words=1)
        if got and _OWNER_VERB.match(f, got[2]):
            return got[0]
    for m in _BODY.finditer(f, a, b):
        if _OWNER_VERB.match(f, m.end()) or re.match(r"[\s.;)]*$", f[m.end():b]) or \
                re.search(r"(?:[:–-]|giao)\s*$", f[max(a, m.start() - 8):m.start()]):
            return doc.text[m.start():m.end()]
    return None


def _assignee(doc: Doc, a: int, b: int) -> str | None:
    f = doc.fold
    for m in _ASSIGN.finditer(f, a, b):
        if m.group(0).startswith(("giao", "phan cong")):
            got = read_name(doc.text, m.end(), titled=bool(re.search(rf"{TITLE}\s+$", m.group(0))))
            if got:
                return got[0]  # "giao đồng chí X chỉ đạo, đồng chí Y thực hiện …": X is given the task
    owner = _owner(doc, a, b)
    if owner:
        return owner
    for m in _ASSIGN.finditer(f, a, b):
        got = read_name(doc.text, m.end(), titled=bool(re.search(rf"{TITLE}\s+$", m.group(0))))
        if got:
            return got[0]
        rest = doc.text[m.end():b]
        om = re.match(r"((?:[^\W\d_][\w/]*)(?:\s+[\w/]+){0,6}?)\s*(?=[;,.()]|$|\s(?:chủ trì|phối hợp|thực hiện|hoàn thành|trước|theo|chịu))", rest)
        if (om and m.group(0).startswith(("giao", "phan cong"))
                and (om.group(1)[0].isupper() or re.match(r"(?:các|toàn|tổ|chi|ban|hội)\s", om.group(1)))
                and not re.match(rf"{TITLE}\b", doc.fold[m.end():m.end() + 8])):
            return om.group(1).strip()
    for m in re.finditer(rf"{TITLE}\s+", f[a:b]):
        got = read_name(doc.text, a + m.end(), titled=True)
        if got:
            return got[0]
    # "đ/c Vịnh phối hợp …": a member named by the given name alone is still named.
    for m in re.finditer(rf"{TITLE}\s+", f[a:b]):
        got = read_name(doc.text, a + m.end(), titled=True, min_words=1)
        if got and got[0].lower() not in {"bí", "chủ", "phó", "thư"}:
            return got[0]
    # An untitled name heading the item ("Đoàn Văn An chịu trách nhiệm …").
    lead = re.match(r"\s*", doc.text[a:b])
    got = read_name(doc.text, a + (lead.end() if lead else 0))
    if got and re.match(r"\s*(?:chiu trach nhiem|chu tri|phu trach|thuc hien|theo doi|hoan thien)", f[got[2]:got[2] + 30]):
        return got[0]
    # "…: đ/c X" or "…; Nguyễn Văn An thực hiện" after a colon.
    colon = re.search(r":\s*(?=[A-ZĐÀ-Ỹ])", doc.text[a:b])
    if colon:
        got = read_name(doc.text, a + colon.end())
        if got:
            return got[0]
    return None


_NOT_TASK = re.compile(r"tu cham diem|cham diem|tu danh gia (?:chat luong|xep loai)|doc lai bien ban|bieu quyet:|"
                       r"ket thuc (?:vao|luc)|^\W*(?:so (?:dang vien|dv)[^:]{0,30}co mat|tan thanh|khong tan thanh|"
                       r"khong bieu quyet|phieu)\b")


def _is_heading_line(text: str) -> bool:
    return len(text.strip()) <= 60 and all_caps(text, 4)


def _task(doc: Doc, a: int, b: int) -> Task:
    text = doc.text[a:b].strip()
    dm = _DEADLINE.search(doc.fold, a, b)
    deadline = doc.text[dm.start():dm.end()].strip() if dm else None
    return Task(task=text, assignee=_assignee(doc, a, b), deadline=deadline, span=(a, b))


# A sentence that adopts a resolution by a vote ("Chi bộ biểu quyết 100% nhất trí thông qua
# nghị quyết tháng 5", "12/12 đảng viên … tán thành nghị quyết tháng 8").
_VOTED = re.compile(r"bieu quyet|tan thanh|\d+\s*/\s*\d+\s*(?:dong chi|d/c|dc|dang vien|dv)|\d{2,3}\s*%|toan the|tuyet doi")
_ADOPT_TAIL = re.compile(r"[^.\n]{0,80}?(?:gom|nhu sau|voi (?:cac|\S+) nhiem vu|nhiem vu sau|noi dung sau|:\s*$|:\s*\n)")


_INLINE_ITEM = re.compile(
    r"(?:^|[:;.]\s*)(?:(?:mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi) la|thu (?:nhat|hai|ba|tu|nam|sau)|\(\d{1,2}\)|\d{1,2}\))\s*[,:]?\s*"
)


def _inline_tasks(doc: Doc, a: int, b: int) -> list[Task]:
    """Tasks enumerated inside one paragraph ("…: một là, …; hai là, …")."""
    colon = doc.fold.find(":", a, b)
    if colon == -1:
        return []
    marks = list(_INLINE_ITEM.finditer(doc.fold, colon, b))
    if len(marks) < 2:
        return []
    out = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else b
        seg_end = end
        stop = re.search(r"\.\s+(?=[A-ZĐ])", doc.text[m.end():end])
        if stop and i + 1 == len(marks):
            seg_end = m.end() + stop.start()
        out.append(_task(doc, m.end(), seg_end))
    return out


def find_resolution_start(doc: Doc, *, exclude: list[tuple[int, int]], end: int,
                          headings: list[tuple[int, int]] | None = None) -> tuple[int, int] | None:
    """(start, end of its opening line) of the adopted resolution, or None."""
    for a, _ in headings or []:
        if a < end and not in_spans(a, exclude):
            return a, doc.line_at(a).end
    cands = []
    for rx in (_START, _ADOPT):
        for m in doc.finditer(rx, 0, end):
            nq = re.search(_NQ, m.group(0))
            pos = m.start() if rx is _START or nq is None else m.start() + nq.start()
            if in_spans(pos, exclude):
                continue
            before = doc.fold[max(0, pos - 40):pos]
            if _NOT_ADOPTED.search(before):
                continue
            word = re.match(_NQ, doc.fold[pos:pos + 12])
            word_end = pos + (len(word.group(0)) if word else 10)
            if _REFERENCE_AFTER.match(doc.fold, word_end):
                if not re.match(r"\s*thang \d+\s*/\s*\d{4}\s*(?::|\n|gom|voi|duoc)", doc.fold[word_end:word_end + 30]):
                    continue
            if rx is _ADOPT and not _ADOPT_TAIL.match(doc.fold, m.end()):
                sa, sb = doc.sentence_bounds(m.start())
                voted = _VOTED.search(doc.fold, sa, sb)
                # "Chi bộ thống nhất ra Nghị quyết đề nghị …", "Chi bộ thông qua NQ T5.": the cell
                # issues or adopts this month's resolution, said in so many words.
                issued = re.search(r"\bra\s+|ban hanh", m.group(0)) or (
                    re.match(r"\s*(?:thang|t)\s*\d{1,2}\b", doc.fold[m.end():m.end() + 12])
                    and re.search(r"(?:chi bo|\bcb|hoi nghi|dang vien)\s+(?:\w+\s+){0,2}$", doc.fold[sa:m.start()]))
                if not voted and not issued and not re.match(r"[^.\n]{0,40}(?:duoc|da)\s",
                                                             doc.fold[m.end():m.end() + 60]):
                    continue
            cands.append((pos, m.end()))
    if not cands:
        return None
    pos, mend = min(cands)
    return pos, doc.line_at(mend - 1).end


def extract_resolution(doc: Doc, *, exclude: list[tuple[int, int]], end: int,
                       headings: list[tuple[int, int]] | None = None) -> Resolution | None:
    """The resolution adopted at the meeting, with its tasks and vote."""
    start = find_resolution_start(doc, exclude=exclude, end=end, headings=headings)
    if not start:
        return None
    pos, line_end = start
    tasks: list[Task] = []
    i = doc.line_index(line_end) + 1 if line_end < len(doc.text) else len(doc.lines)
    # Tasks may also follow on the resolution's own line after a colon.
    blank = 0
    intro: list[tuple[int, int]] = []
    last = line_end
    while i < len(doc.lines):
        ln = doc.lines[i]
        if ln.start >= end:
            break
        if not ln.stripped:
            blank += 1
            if blank > 1 or tasks:
                break
            i += 1
            continue
        blank = 0
        m = _ITEM.match(ln.fold)
        if m and _is_heading_line(ln.text[m.end():]):
            break  # "C. KẾT LUẬN": the next part of the minute, not a task
        if re.match(r"\s*(?:[-+•–]\s*)?(?:\d\.\s*)?(?:bieu quyet|ket qua bieu quyet)", ln.fold) or _NOT_TASK.search(ln.fold):
            break
        if not m:
            # An introductory sentence may stand between the heading and the list.
            if not tasks and len(intro) < 2 and re.search(r"nhiem vu|gom|nhu sau|ket luan|:\s*$", ln.fold):
                intro.append((ln.start, ln.end))
                last = ln.end
                i += 1
                continue
            break
        tasks.append(_task(doc, ln.start + m.end(), ln.end))
        last = ln.end
        i += 1
    for a, b in [(pos, line_end), *intro]:
        if tasks:
            break
        tasks = _inline_tasks(doc, a, b)
    text_end = max(last, line_end)
    vote = extract_vote(doc, pos, end)
    return Resolution(text=doc.text[pos:text_end].strip(), span=(pos, text_end), tasks=tasks, vote=vote)


_VOTE_LINE = re.compile(r"bieu quyet|tan thanh|ket qua bo phieu|nhat tri (?:thong qua|tan thanh)|so phieu|\d+\s*/\s*\d+\s*phieu|ket qua\s*:")
_FOR = [
    re.compile(rf"(?<![\d/])(?P<n>\d{{1,3}}|{NUMBER_WORD}(?:\s+{NUMBER_WORD}){{0,3}})\s*(?:/|tren)\s*(?P<m>\d{{1,3}}|{NUMBER_WORD}(?:\s+{NUMBER_WORD}){{0,3}})(?![\d/])\s*(?:dong chi|d/c|dang vien|dv|phieu)?[^.;\n]{{0,60}}?(?:tan thanh|nhat tri|dong y|bieu quyet tan thanh)"),
    re.compile(rf"(?<!khong )(?:tan thanh|nhat tri|dong y|phieu tan thanh)\s*:?\s*(?P<n>{COUNT})(?:\s*/\s*(?P<m>\d+))?"),
    re.compile(rf"(?P<n>{COUNT})\s*(?:dong chi|d/c|dang vien|dv|phieu)\s*(?:chinh thuc\s*)?(?:tan thanh|nhat tri|dong y)"),
    re.compile(rf"(?<!khong )(?:tan thanh|nhat tri|dong y)[^.;:\n]{{0,60}}:\s*(?P<n>{COUNT})(?:\s*/\s*(?P<m>\d+))?"),
]
# "không tán thành: 2", or the count first, opening its clause: "…; 02 đồng chí không tán thành",
# "01 phiếu không tán thành" (not "Tán thành: 18 đồng chí / Không tán thành: 0" on two lines).
_AGAINST = re.compile(rf"(?m)khong (?:tan thanh|nhat tri|dong y)(?:[^.;:\n]{{0,40}}:)?\s*:?\s*(?P<n>{COUNT}|khong|0)|"
                      rf"(?:^|(?<=[,;.(:])|(?<=\bva)|(?<=\bco))[^\S\n]*(?P<b>{COUNT})[^\S\n]*"
                      rf"(?:dong chi|d/c|dang vien|dv|phieu)[^\S\n]+khong (?:tan thanh|nhat tri|dong y)|(?P<z>khong co (?:dong chi|d/c|dang vien|dv|y kien|phieu)\s*(?:nao )?khong (?:tan thanh|nhat tri|dong y)|khong co y kien khac|khong ai (?:khong tan thanh|phan doi))")
_ABSTAIN = re.compile(rf"(?:khong bieu quyet|phieu trang|khong tham gia bieu quyet|bo phieu trang|khong co y kien)\s*:?\s*(?P<n>{COUNT})(?!\s*(?:/|%))")
_PCT = re.compile(r"(\d{1,3}(?:[.,]\d{1,3})?)\s*%")
_PROB_VOTED = re.compile(r"ke ca (?:\S+\s){0,2}(?:dang vien )?du bi|(?:du bi|dvdb)\s+(?:cung|deu|da)\s+(?:tham gia\s+)?bieu quyet|tinh ca (?:dang vien )?du bi")


def extract_vote(doc: Doc, res_start: int, end: int) -> Vote | None:
    """The vote on the resolution: the first vote record after it, else the last before."""
    lines_after = [ln for ln in doc.lines if res_start < ln.end and ln.start < end and _VOTE_LINE.search(ln.fold)]
    lines_before = [ln for ln in doc.lines if ln.end <= res_start and ln.start > res_start - 2500
                    and _VOTE_LINE.search(ln.fold)]
    for group in (lines_after, list(reversed(lines_before))):
        for ln in group:
            i = doc.line_index(ln.start)
            a = ln.start
            b = doc.lines[min(i + 2 if len(ln.stripped) < 40 else i + 1, len(doc.lines) - 1)].end
            b = min(b, end)
            v = _parse_vote(doc, a, b)
            if v:
                return v
    return None


def _parse_vote(doc: Doc, a: int, b: int) -> Vote | None:
    f = doc.fold
    vote = Vote()
    for rx in _FOR:
        m = rx.search(f, a, b)
        if m:
            vote.for_ = parse_count(doc.text[m.start("n"):m.end("n")])
            if "m" in rx.groupindex and m.group("m"):
                vote.base = parse_count(doc.text[m.start("m"):m.end("m")])
            break
    m = _AGAINST.search(f, a, b)
    if m:
        g = "b" if m.group("b") else "n"
        vote.against = 0 if m.group("z") or re.fullmatch(r"khong|0", m.group(g) or "") \
            else parse_count(doc.text[m.start(g):m.end(g)])
    m = _ABSTAIN.search(f, a, b)
    if m:
        vote.abstain = parse_count(doc.text[m.start("n"):m.end("n")])
    m = _PCT.search(f, a, b)
    if m and re.search(r"tan thanh|nhat tri|dong y|bieu quyet|dat|ty le|thong nhat", f[max(a, m.start() - 80):m.end() + 40]):
        vote.percent = parse_percent(m.group(1))
    elif re.search(r"toan the|tuyet doi|100%", f[a:b]) and re.search(r"nhat tri|tan thanh|dong y", f[a:b]):
        vote.percent = 100.0
    if vote.for_ is None and vote.percent is None:
        return None
    vote.span = (a, b)
    return vote


def probationary_voted(doc: Doc, a: int, b: int) -> bool:
    """Whether [a, b) says probationary members voted too ("kể cả đảng viên dự bị")."""
    return bool(_PROB_VOTED.search(doc.fold, a, b))
