"""Named speakers of the discussion (thảo luận, ý kiến tham gia, góp ý)."""

from __future__ import annotations

import re

from service.nlp.people import TITLE, read_name
from service.nlp.sections import in_spans
from service.nlp.text import Doc
from service.schema.record import Speaker

_SPEECH = (
    r"(?:\([^)\n]{0,120}\)\s*)?(?:[,–-]\s*[^:,.;\n]{0,60}?){0,3}[,\s]*(?::|phat bieu|de nghi|neu|cho rang|cho biet|gop y|"
    r"dong tinh|phan tich|co y kien|noi|nhan|"
    r"nhat tri|de xuat|bo sung|thong nhat|nhan (?:khuyet diem|trach nhiem|xet)|tu phe binh|thang than|"
    r"bay to|tham gia|phan anh|kien nghi|dong y|tan thanh|cam ket|hua|lien he|trao doi|chia se|"
    r"danh gia|ghi nhan|luu y|nhan manh|de cap|khang dinh|tiep thu|xin)"
)
_NOT_SPEECH = re.compile(
    r"\s*(?:\([^)]*\)\s*)?(?:[,–-]\s*[^:,.;\n]{0,60}?[,\s]*){0,3}(?:ket luan|tuyen bo|trinh bay (?:bao cao|chuyen de|de cuong|du thao)|"
    r"doc |bao cao|thong tin|pho bien|quan triet|chu tri|thong qua|neu muc dich)"
)
# "đồng chí A chi hội trưởng phụ nữ phát biểu …": a role written without commas.
_ROLE_THEN_SPEECH = re.compile(
    r"\s+(?:[^\s,.;:()]+\s+){1,6}?(?:phat bieu|cho biet|de nghi|cho rang|gop y|bo sung|de xuat|kien nghi|neu y kien)\b"
)
_PROSE_CUE = re.compile(r"thao luan|tham gia y kien|y kien tham gia|phat bieu y kien|gop y|cac y kien")
_LINE_START = re.compile(rf"(?:^|\n)[^\S\n]*(?:[-+•*–]|\d{{1,2}}[.)]|[a-zđ]\))?[^\S\n]*(?:{TITLE}\s+)?")
_SENT_START = re.compile(rf"(?:[.;:]\s+|\n\s*(?:[-+•*–]\s*)?)(?:{TITLE}\s+)")


def _speaker_at(doc: Doc, pos: int, titled: bool) -> tuple[str, int, int] | None:
    got = read_name(doc.text, pos, titled=titled)
    if not got:
        return None
    name, s, e = got
    tail = doc.fold[e:e + 140]
    if _NOT_SPEECH.match(tail):
        return None
    if not re.match(_SPEECH, tail.lstrip(" ")) and not (titled and _ROLE_THEN_SPEECH.match(tail)):
        return None
    if not titled and not re.match(r"\s*(?:\([^)]*\)\s*)?:", tail):
        return None
    return got


_CAPTION = re.compile(r"^\W*(?:anh|tin(?:,? anh)?|nguon|anh minh hoa)\s*:")


def extract_speakers(doc: Doc, regions: list[tuple[int, int]], *,
                     exclude: list[tuple[int, int]], body_end: int | None = None) -> list[Speaker]:
    """Speakers in the discussion regions; with no region, titled speech anywhere."""
    body_end = len(doc.text) if body_end is None else body_end
    found: list[Speaker] = []
    seen: set[tuple[int, int]] = set()

    def add(got: tuple[str, int, int] | None) -> None:
        if got and _CAPTION.match(doc.line_at(got[1]).fold):
            return  # "Ảnh: Đ/c X phát biểu tại hội nghị" is a photo's caption, not the record
        if got and (got[1], got[2]) not in seen and not in_spans(got[1], exclude):
            seen.add((got[1], got[2]))
            found.append(Speaker(speaker=got[0], span=(got[1], got[2])))

    for a, b in regions:
        for m in _LINE_START.finditer(doc.fold, max(0, a - 1), b):
            titled = bool(re.search(TITLE + r"\s+$", doc.fold[m.start():m.end()]))
            add(_speaker_at(doc, m.end(), titled))
        for m in _SENT_START.finditer(doc.fold, a, b):
            add(_speaker_at(doc, m.end(), True))
    if not regions:
        # No discussion marked at all: titled speech anywhere in the body.
        for m in _SENT_START.finditer(doc.fold, 0, body_end):
            add(_speaker_at(doc, m.end(), True))
    if not regions:
        # Prose minutes: from "Trong phần thảo luận, …" to the end of that paragraph.
        for cue in doc.finditer(_PROSE_CUE):
            if in_spans(cue.start(), exclude):
                continue
            ln = doc.line_at(cue.start())
            for m in re.finditer(rf"{TITLE}\s+", doc.fold[cue.start():ln.end]):
                add(_speaker_at(doc, cue.start() + m.end(), True))
    found.sort(key=lambda s: s.span[0])
    return found
