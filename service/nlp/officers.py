"""Who ran the meeting: the chair (chủ trì), the thư ký who wrote the minute, and the guests."""

from __future__ import annotations

import re

from service.nlp.people import TITLE, read_name
from service.nlp.text import Doc
from service.schema.record import Person, Secretary

PLACEHOLDER = re.compile(r"^\s*(?:…|\.{2,}|_{2,})")  # "……", "....", "____": a blank left to fill in


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
    if PLACEHOLDER.match(doc.text, pos):
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
    """The chair (chủ trì) with their role, and the span of the name; None when absent or left blank."""
    for m in doc.finditer(_CHAIR_LABEL):
        ln = doc.line_at(m.start())
        if m.start() - ln.start > 40 and not re.search(r"[.;]\s*$", doc.fold[max(ln.start, m.start() - 3):m.start()]):
            continue
        got = _name_at(doc, m.end())
        if got:
            name, s, e = got
            return Person(name=name, role=_role_after(doc, e)), s, e
        if PLACEHOLDER.match(doc.text, m.end()):
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
    """The thư ký who wrote the minute, and the span of the name, or None."""
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
    """The guests named after "Đại biểu" or "Khách mời", each once, leaving out the names in ``exclude``."""
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
