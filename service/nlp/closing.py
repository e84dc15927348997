"""The closing of a minute: conclusion, read-back, signatures, and leftovers."""

from __future__ import annotations

import re

from service.nlp.people import read_name
from service.nlp.sections import in_spans
from service.nlp.text import Doc
from service.schema.record import Signatures

SIG_TITLE = re.compile(
    r"^(?:t/m\s+)?(?:thu ky|thu ki|chu tri|chu toa|chi bo|chi uy|dang uy|bi thu|pho bi thu|bi thu chi bo|"
    r"doan chu tich|nguoi ghi bien ban|nguoi lap bien ban|hoi nghi|dai hoi|thu ky hoi nghi|chu tri hoi nghi|"
    r"chu toa hoi nghi|\((?:chu )?k[yi][^)]*\)|\(da k[yi]\)|ky ten|\(ky va ghi ro ho ten\)|doan thu ky)"
    r"(?:\s+(?:thu ky|thu ki|chu tri|chu toa|bi thu|chi bo|hoi nghi|chi uy|\((?:chu )?k[yi][^)]*\)))*$"
)
# What stands under a signature title instead of a name ("(đã ký)", "(ký, ghi rõ họ tên)").
SIG_NOTE = re.compile(
    r"^\(?\s*(?:da k[yi]|k[yi]|chu k[yi]|k[yi] ten|k[yi],? (?:va )?ghi ro ho ten|ghi ro ho ten|k[yi],? dong dau|"
    r"da k[yi] va dong dau|k[yi] ten,? dong dau|dau|ghi ro chuc vu|chu k[yi][^)]{0,120})\s*\)?$")
_COLS = re.compile(r"[^\s](?:[^\t]*?[^\s])?(?=\s{2,}|\t|$)")


def columns(text: str) -> list[tuple[int, str]]:
    """The cells of a line laid out in columns (two spaces or a tab apart), with their offsets."""
    return [(m.start(), m.group(0)) for m in _COLS.finditer(text)]


def _title_role(folded: str) -> str | None:
    if re.search(r"thu k[yi]|nguoi (?:ghi|lap) bien ban", folded):
        return "secretary"
    if re.search(r"chu tri|chu toa|bi thu|t/m|doan chu tich", folded):
        return "chair"
    return None


def find_signatures(doc: Doc) -> tuple[Signatures, int | None]:
    """Signed names under the THƯ KÝ and CHỦ TRÌ (or T/M CHI BỘ) blocks, and where they start."""
    lines = doc.lines
    n = len(lines)
    first = max(0, n - 30)
    sig = Signatures()
    sig_start: int | None = None
    pending: list[tuple[int, str]] = []  # (column start, role)
    for ln in lines[first:]:
        if not ln.stripped:
            continue
        cols = columns(ln.text)
        fcols = [(p, doc.fold[ln.start + p:ln.start + p + len(c)].strip()) for p, c in cols]
        titles = [(p, _title_role(fc)) for p, fc in fcols if SIG_TITLE.match(fc)]
        if titles and len(titles) == len(cols):
            if sig_start is None:
                sig_start = ln.start
            roles = [(p, r) for p, r in titles if r]
            if roles:
                # "T/M CHI BỘ" then "BÍ THƯ" below it is one column, not two; "THƯ KÝ" with no name
                # under it and then "CHỦ TRÌ" in the same column are two blocks, the first unsigned.
                for p, r in roles:
                    near = [(q, rr) for q, rr in pending if abs(p - q) < 12]
                    if any(rr == r for _, rr in near):
                        continue
                    pending = [t for t in pending if t not in near] + [(p, r)]
            continue
        if sig_start is None or not pending:
            continue
        if all(SIG_NOTE.match(fc) for _, fc in fcols):
            continue
        names = []
        for p, c in cols:
            got = read_name(c, 0, titled=True)
            if got:
                names.append((p, got[0]))
        if not names:
            continue
        if len(pending) == 1:
            assign = [(pending[0][1], names[0][1])]
        elif len(names) == len(pending):
            assign = [(r, nm) for (_, r), (_, nm) in zip(sorted(pending), sorted(names), strict=True)]
        else:
            assign = []
            for p, nm in names:
                r = min(pending, key=lambda t: abs(t[0] - p))[1]
                assign.append((r, nm))
        for r, nm in assign:
            if r == "secretary" and sig.secretary is None:
                sig.secretary = nm
            elif r == "chair" and sig.chair is None:
                sig.chair = nm
        pending = []
    return sig, sig_start


_READBACK = re.compile(
    r"doc lai (?:toan van |toan bo |noi dung )?(?:bien ban)|bien ban (?:(?:da|duoc|cuoc hop|buoi sinh hoat|hoi nghi) )*"
    r"(?:thu ky )?(?:doc lai|doc cho|doc truoc|thong qua|nhat tri)|thong qua (?:toan van |noi dung )?bien ban|"
    r"bien ban[^.\n]{0,60}(?:nhat tri thong qua|da thong qua|duoc thong qua)|nhat tri (?:voi )?(?:noi dung )?bien ban"
)


def read_back(doc: Doc, *, exclude: list[tuple[int, int]]) -> tuple[bool, tuple[int, int] | None]:
    """Whether the minute says it was read back or approved, and where; agenda spans and negations are skipped."""
    for m in doc.finditer(_READBACK):
        if in_spans(m.start(), exclude):
            continue
        if re.search(r"(?:chua|khong|chua duoc)\s*$", doc.fold[max(0, m.start() - 12):m.start()]):
            continue
        return True, (m.start(), m.end())
    return False, None


_CONCL = re.compile(r"ket luan")


def conclusion_spans(doc: Doc, *, exclude: list[tuple[int, int]], end: int) -> list[tuple[int, int]]:
    """Where the chair concludes: "… kết luận: …", "Kết luận của đồng chí chủ trì"."""
    out = []
    for m in doc.finditer(_CONCL, 0, end):
        if in_spans(m.start(), exclude):
            continue
        after = doc.fold[m.end():m.end() + 16]
        if re.match(r"\s*(?:so\s*\d|\d|-kl|\s*\d+-kl)", after):
            continue
        if re.search(r"(?:chua|khong|chua co|khong co)\s*$", doc.fold[max(0, m.start() - 10):m.start()]):
            continue
        a = doc.line_at(m.start()).start
        b = min(end, m.end() + 1200)
        out.append((a, b))
    return out


_PLACEHOLDER = re.compile(
    r"…\s*…|…{2,}|\.{5,}|_{4,}|\((?:ky,?\s*(?:va\s*)?)?(?:ghi ro|vi du|neu co|ghi day du|dien(?! thoai)|ho ten|ten)\b[^)]{0,80}\)|"
    r"\[[^\]\n]{0,40}(?:…|\.\.\.|ghi|dien|ten)[^\]\n]{0,40}\]|\[\s*\]|(?:dong chi|d/c)\s*(?:…|\.{3,})"
)
_SIGN_HINT = re.compile(r"\((?:ky,?\s*(?:va\s*)?ghi ro ho ten|ghi ro ho ten)\)")


def _signed_below(doc: Doc, pos: int) -> bool:
    """A name in the column of ``pos`` on one of the few lines under it (or a "(đã ký)" note)."""
    i = doc.line_index(pos)
    col = pos - doc.lines[i].start
    for ln in [ln for ln in doc.lines[i + 1:i + 8] if ln.stripped][:4]:
        for p, cell in columns(ln.text):
            if abs(p - col) <= 24 or p <= col <= p + len(cell):
                fc = doc.fold[ln.start + p:ln.start + p + len(cell)].strip()
                if SIG_TITLE.match(fc) and not SIG_NOTE.match(fc):
                    return False  # the next block's title: nothing was signed here
                if read_name(cell, 0, titled=True) or re.match(r"\(?\s*da k[yi]", fc):
                    return True
    return False


def placeholders(doc: Doc, *, sig_start: int | None) -> list[tuple[int, int]]:
    """Spans of template blanks left unfilled ("……", "(ghi rõ họ tên)"), neighbouring ones merged.

    A "(Ký, ghi rõ họ tên)" caption over a signed name in the signatures is the form's own, not a blank.
    """
    out: list[tuple[int, int]] = []
    for m in doc.finditer(_PLACEHOLDER):
        if sig_start is not None and m.start() >= sig_start and _SIGN_HINT.match(doc.fold, m.start()) \
                and _signed_below(doc, m.start()):
            continue  # "(Ký, ghi rõ họ tên)" over the signer's name is the form's own caption
        if out and m.start() <= out[-1][1] + 2:
            out[-1] = (out[-1][0], max(out[-1][1], m.end()))
        else:
            out.append((m.start(), m.end()))
    return out


_SELF_SCORE = re.compile(
    r"(?:tu cham|tu danh gia|cham diem|tong diem|dat)[^.\n]{0,40}?(\d{1,3})\s*(?:/\s*100\s*)?diem"
)


def quality_self_score(doc: Doc) -> int | None:
    """The points the cell gave its own meeting ("chi bộ tự chấm 92/100 điểm"), if stated."""
    for m in doc.finditer(_SELF_SCORE):
        v = int(m.group(1))
        if 0 <= v <= 100:
            return v
    return None
