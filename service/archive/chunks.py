"""Cut a stored minute into search chunks, one per section of interest.

Only the sections a reviewer searches in are indexed: resolution, criticism,
discussion, report and conclusion. Adjacent sections of the same kind are
merged; a long section is cut at line ends into pieces of at most
``MAX_CHARS`` so the embedder sees all of it. The embedded text carries the
context a bare section lacks: unit, period, the subject of a thematic meeting
("Chuyên đề: …", which stands in the header, not in an indexed section) and heading,
then the body (with its diacritics restored when the minute was typed without them).

Chunk unit fields hold unit keys (service.schema.units), the same values the
archive filters and access scopes compare, so a search filter built from a
unit name must pass it through ``unit_key`` first.
"""

from __future__ import annotations

import re

from service.nlp.sections import LISTING
from service.schema.record import SectionKind
from service.schema.report import CheckReport
from service.schema.units import unit_key
from service.search.base import Chunk
from service.search.query import restore_text

# What the chunks of a minute hold (text, context line, payload fields). Raise it with every
# change to them: chunks of an older version are reported by `minutes reindex --check`.
# 2: the thematic subject heads every chunk; the split-vote facet. 3: lines typed without
# diacritics are embedded restored. 4: every task of a resolution in a passage.
CHUNKS_VERSION = 4
UNACCENTED = 0.2  # below this share of words with diacritics a line counts as typed without them
MAX_CHARS = 1200
MIN_CHARS = 20

INDEXED = (SectionKind.RESOLUTION, SectionKind.CRITICISM, SectionKind.DISCUSSION, SectionKind.REPORT,
           SectionKind.CONCLUSION)

HEADINGS = {
    SectionKind.RESOLUTION: "Nghị quyết",
    SectionKind.CRITICISM: "Phê bình và tự phê bình",
    SectionKind.DISCUSSION: "Thảo luận",
    SectionKind.REPORT: "Báo cáo, diễn biến",
    SectionKind.CONCLUSION: "Kết luận",
}


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split [start, end) at line ends into spans of at most MAX_CHARS, trimmed of blanks."""
    spans: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        stop = min(end, pos + MAX_CHARS)
        if stop < end:
            cut = text.rfind("\n", pos + MAX_CHARS // 3, stop)
            if cut == -1:
                cut = text.rfind(" ", pos + MAX_CHARS // 3, stop)
            stop = cut + 1 if cut != -1 else stop
        a, b = pos, stop
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b - a >= MIN_CHARS:
            spans.append((a, b))
        pos = stop
    return spans


# "Chuyên đề: "Tự soi, tự sửa …"" near the top of a thematic meeting's minute; a quotation may run onto the next line.
_SUBJECT = re.compile(r"^[^\S\n]*chuyên đề[^\S\n]*:[^\S\n]*(\S[^\n]*)(?:\n[^\S\n]*([^\n]*))?",
                      re.IGNORECASE | re.MULTILINE)
SUBJECT_CHARS = 240


def subject(text: str) -> str | None:
    """The subject of a thematic meeting, or of the thematic part of a combined one: its first "Chuyên đề: …" line."""
    m = _SUBJECT.search(text)
    if m is None:
        return None
    line = m.group(1).strip()
    if line[:1] in "\"“" and not re.search(r"[\"”]", line[1:]) and m.group(2):
        line = f"{line} {m.group(2).strip()}"  # an open quotation continues on the next line
    line = line.strip(" \"“”.")
    if len(line) > SUBJECT_CHARS:
        line = line[:SUBJECT_CHARS].rsplit(" ", 1)[0]
    return f"Chuyên đề: {line}" if line else None


def _period_words(report: CheckReport) -> str | None:
    m = report.record.meeting
    if m.period.month and m.period.year:
        return f"tháng {m.period.month}/{m.period.year}"
    if m.date:
        y, mo, _ = m.date.split("-")
        return f"tháng {int(mo)}/{y}"
    return None


def facets(report: CheckReport) -> tuple[str, ...]:
    """What a question may ask of the whole minute (see ``service/search/data/facets.tsv``).

    ``vote=split``: a resolution was adopted with votes against or abstentions recorded.
    """
    for r in report.record.resolutions:
        if r.vote is not None and ((r.vote.against or 0) > 0 or (r.vote.abstain or 0) > 0):
            return ("vote=split",)
    return ()


Entry = tuple[SectionKind, str | None, int, int]


def _with_resolutions(merged: list[Entry], report: CheckReport, size: int) -> list[Entry]:
    """``merged`` with every task of the resolutions the reader found in an indexed passage.

    A resolution's tasks follow its heading ("8. Nghị quyết tháng 02" then "(1) …: giao đ/c …");
    a reading whose section stopped at the heading still has the tasks in the resolution's span,
    so the resolution or conclusion section it starts in runs on to the span's end, short of the
    next indexed section. Tasks of the span that no indexed section holds still (written into
    the closing part of a minute, or after a discussion) are a resolution passage of their own;
    a bare vote is not.
    """
    out = sorted(merged, key=lambda e: e[2])
    for r in report.record.resolutions:
        a, b = r.span[0], min(r.span[1], size)
        owner = next((i for i, (kind, _, start, end) in enumerate(out)
                      if kind in LISTING and start <= a < end), None)
        if owner is not None:
            kind, title, start, end = out[owner]
            limit = out[owner + 1][2] if owner + 1 < len(out) else b
            out[owner] = (kind, title, start, max(end, min(b, limit)))
        tasks = [t.span[0] for t in r.tasks if t.span is not None and a <= t.span[0] < b]
        for lo, hi in _gaps(out, a, b):
            if any(lo <= t < hi for t in tasks):
                out.append((SectionKind.RESOLUTION, None, lo, hi))
        out.sort(key=lambda e: e[2])
    return out


def _gaps(entries: list[Entry], a: int, b: int) -> list[tuple[int, int]]:
    """The parts of [a, b) that no entry (in order of their starts) covers."""
    gaps, pos = [], a
    for _, _, start, end in entries:
        if end <= pos or start >= b:
            continue
        if start > pos:
            gaps.append((pos, start))
        pos = max(pos, end)
    if pos < b:
        gaps.append((pos, b))
    return gaps


def make_chunks(minute_id: str, report: CheckReport, text: str, *, embedded: bool = True) -> list[Chunk]:
    """The chunks of one minute; ids are ``f"{minute_id}:{n}"`` in text order.

    ``embedded=False`` skips what only the embedded text needs (for counting chunks).
    """
    m = report.record.meeting
    merged: list[Entry] = []
    for s in sorted(report.record.sections, key=lambda s: s.span[0]):
        if s.kind not in INDEXED:
            continue
        start, end = max(0, s.span[0]), min(len(text), s.span[1])
        if end <= start:
            continue
        if merged and merged[-1][0] == s.kind and merged[-1][3] >= start - 2:
            kind, title, a, _ = merged[-1]
            merged[-1] = (kind, title, a, end)
        else:
            merged.append((s.kind, s.title, start, end))
    if not merged and text.strip():
        # A minute whose sections could not be told apart is still searchable as a whole.
        merged.append((SectionKind.REPORT, None, 0, len(text)))
    merged = _with_resolutions(merged, report, len(text))

    period = _period_words(report)
    # Lines typed without diacritics are embedded restored (the model reads Vietnamese with
    # diacritics far better); the text is kept and shown as typed. Counting needs none of it.
    seen = restore_text(text, below=UNACCENTED) if embedded else text
    about = subject(seen)
    context = ", ".join(x for x in (m.chi_bo, m.dang_bo) if x)
    period_key = m.date[:7] if m.date else (
        f"{m.period.year:04d}-{m.period.month:02d}" if m.period.year and m.period.month else None)
    dkey, ckey = unit_key(m.dang_bo, "dang_bo"), unit_key(m.chi_bo, "chi_bo")
    minute_facets = facets(report)
    chunks: list[Chunk] = []
    for kind, title, start, end in merged:
        heading = (title or "").strip() or HEADINGS[kind]
        if embedded:
            heading = restore_text(heading, below=UNACCENTED)
        for a, b in _pieces(text, start, end):
            head = " · ".join(x for x in (context, period, about, heading) if x)
            chunks.append(Chunk(
                id=f"{minute_id}:{len(chunks)}", minute_id=minute_id, text=text[a:b],
                embed_text=f"{head}\n{seen[a:b]}", dang_bo=dkey, chi_bo=ckey, date=m.date, period=period_key,
                meeting_type=m.type.value if m.type else None, section=kind.value, span=(a, b),
                facets=minute_facets, version=CHUNKS_VERSION))
    return chunks
