"""Self-criticism, criticism, praise and reminders (tự phê bình và phê bình)."""

from __future__ import annotations

import re

from service.nlp.people import TITLE, read_name
from service.nlp.sections import in_spans
from service.nlp.text import Doc
from service.schema.record import CriticismItem, CriticismKind

_TARGET = rf"(?:{TITLE}\s+|quan chung\s+|cam tinh\s+)"
_VERBS: list[tuple[CriticismKind, re.Pattern[str]]] = [
    (CriticismKind.PRAISE, re.compile(rf"(?:bieu duong|khen ngoi|tuyen duong|khen thuong)\s+(?:va [^.;\n]{{0,20}})?{_TARGET}")),
    (CriticismKind.REMINDER, re.compile(rf"nhac nho\s+(?:nghiem khac\s+)?{_TARGET}")),
    (CriticismKind.PEER, re.compile(rf"(?:phe binh|gop y(?: voi)?|kien quyet phe binh)\s+(?:nghiem khac\s+)?{_TARGET}")),
]
_GROUP: list[tuple[CriticismKind, re.Pattern[str]]] = [
    (CriticismKind.PRAISE, re.compile(r"(?:bieu duong|khen ngoi|tuyen duong)\s+(?:tap the|chi hoi|chi doan|to|cac dong chi|"
                                      r"nhung dong chi|cac dang vien|nhieu|(?:mot so|nhung|cac|\d{1,3}|hai|ba|bon|nam)\s+"
                                      r"(?:dong chi|dang vien|dv|d/c|ho|to|tap the))")),
    (CriticismKind.REMINDER, re.compile(r"nhac nho\s+(?:chung\s+)?(?:(?:cac|nhung|toan the|mot so|moi|\d{1,3})\s+)?"
                                        r"(?:dong chi|dang vien|dv|d/c)")),
    (CriticismKind.COLLECTIVE, re.compile(r"(?:chi bo|tap the|hoi nghi|cac dong chi|dang vien)\s+(?:da\s+)?(?:nghiem tuc\s+|thang than\s+)?(?:tu phe binh|tu soi|kiem diem (?:tap the|ca nhan|nghiem tuc))")),
    # "… kết luận ưu, khuyết điểm của từng đảng viên. Đảng viên tiếp thu và hoàn thiện bản tự kiểm điểm."
    (CriticismKind.COLLECTIVE, re.compile(r"(?:tiep thu|hoan thien|trinh bay|doc|thong qua) (?:cac )?(?:ban )?tu kiem diem|"
                                          r"uu,? khuyet diem cua (?:tung|moi|cac) (?:dang vien|dong chi)")),
]
_SELF = re.compile(
    r"\s*(?:\([^)]*\)\s*)?[:,]?\s*(?:[^.;\n]{0,50}?)(?:tu phe binh|nhan khuyet diem|tu nhan|tu kiem diem|nhan trach nhiem|"
    r"thang than (?:nhan|tiep thu|tu)|tiep thu (?:y kien )?phe binh|lien he ban than|hua (?:khac phuc|sua|rut|tu nay)|rut kinh nghiem|"
    r"nhan thieu sot|thanh khan nhan|ban than (?:con |chua |co (?:luc|lan|mat) |da de |nhan thay ))"
)


def extract_criticism(doc: Doc, *, exclude: list[tuple[int, int]], end: int) -> list[CriticismItem]:
    """Every criticism item outside agenda lists and headings, before ``end``."""
    out: list[CriticismItem] = []
    seen: set[int] = set()
    f = doc.fold

    def add(kind: CriticismKind, target: str | None, pos: int) -> None:
        a, b = doc.sentence_bounds(pos)
        if a in seen or in_spans(pos, exclude):
            return
        seen.add(a)
        out.append(CriticismItem(kind=kind, target=target, text=doc.text[a:b].strip(" -+•\n"), span=(a, b)))

    for kind, rx in _VERBS:
        for m in rx.finditer(f, 0, end):
            got = read_name(doc.text, m.end(), titled=True)
            if got:
                add(kind, got[0], m.start())
    for kind, rx in _GROUP:
        for m in rx.finditer(f, 0, end):
            add(kind, None, m.start())
    for m in re.finditer(rf"(?:^|[.;:]\s+|\n\s*(?:[-+•*–]\s*)?){TITLE}\s+", f[:end]):
        got = read_name(doc.text, m.end())
        if got and _SELF.match(f, got[2]):
            tail = _SELF.match(f, got[2])
            if tail and tail.end() - got[2] < 110:
                add(CriticismKind.SELF, got[0], got[1])
    out.sort(key=lambda c: c.span[0])
    return out
