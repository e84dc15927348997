"""The state of every field a rule asks for: found, unreadable, placeholder or absent.

After the extractors have read the record, each field is looked at once more
through the cue lexicon:

- a value was read → ``found``, with its span and a confidence that is higher when
  a cue of the field stands on the value's line (the value was led by its cue);
- no value, but a cue of the field with words or figures in its window →
  ``unreadable`` (the minute states it; the reader could not read it);
- a template blank or a sample name in the window, or a sample name read as the
  value → ``placeholder`` (the value is dropped: a sample name is never a fact);
- no cue at all → ``absent``.

Rules fire "missing" on ``absent`` and ``placeholder`` only.
"""

from __future__ import annotations

import re

from service.nlp.closing import SIG_NOTE, SIG_TITLE, columns
from service.nlp.cues import CueHit, ValueKind, WindowContent, find_cues, is_sample_name, lexicon, window_state
from service.nlp.people import TITLE
from service.nlp.text import Doc
from service.schema.record import FieldReading, FieldState, Record

Span = tuple[int, int]

# How far into the minute a titled cue ("… chủ trì") may stand and still be the opening.
_OPENING_SHARE = 0.6

FOUND_LED = 0.95
FOUND_UNLED = 0.75


def _confidence(doc: Doc, hits: list[CueHit], span: Span | None) -> float:
    if span is None:
        return FOUND_UNLED
    line = doc.line_index(span[0])
    led = any(doc.line_index(h.start) == line or h.window[0] <= span[0] < max(h.window[1], span[1])
              for h in hits)
    return FOUND_LED if led else FOUND_UNLED


_TITLE_LEAD = re.compile(rf"\s*(?:{TITLE})?\s*")
_ROLE_ONLY = re.compile(r"(?:bi thu|pho bi thu|chi uy vien|cap uy vien|dang uy vien|uy vien|chu tich|truong|pho)\b")


def _role_only(doc: Doc, a: int, b: int) -> bool:
    """"Chủ trì: đồng chí Bí thư chi bộ": a role where the name should be."""
    m = _TITLE_LEAD.match(doc.fold, a, b)
    pos = m.end() if m else a
    return bool(_ROLE_ONLY.match(doc.fold, pos, b))


def _not_found(doc: Doc, field: str, hits: list[CueHit]) -> FieldReading:
    """State of a field without a value, from what its cues' windows hold."""
    value = lexicon().values[field]
    best: tuple[FieldState, CueHit] | None = None
    for h in hits:
        if value is ValueKind.NAME and _role_only(doc, *h.window):
            continue
        content = window_state(doc, *h.window, value)
        # An empty label ("Thư ký:") is a blank left in the template.
        if content is WindowContent.BLANK or (content is WindowContent.EMPTY and h.form == "label"
                                                and value in (ValueKind.NAME, ValueKind.TEXT)):
            best = (FieldState.PLACEHOLDER, h)
            break
        if content is WindowContent.TEXT and best is None:
            best = (FieldState.UNREADABLE, h)
    if best is None:
        return FieldReading(state=FieldState.ABSENT)
    state, h = best
    return FieldReading(state=state, span=(h.start, max(h.end, h.window[1])),
                        cue=doc.text[h.start:h.end])


def _reading(doc: Doc, field: str, value: object, span: Span | None, hits: list[CueHit]) -> FieldReading:
    if value is not None:
        return FieldReading(state=FieldState.FOUND, span=span, confidence=_confidence(doc, hits, span))
    return _not_found(doc, field, hits)


def read_fields(doc: Doc, record: Record, spans: dict[str, Span], *, body_end: int,
                signature_start: int | None) -> tuple[dict[str, FieldReading], list[Span]]:
    """The state of each field, and the spans of sample names dropped from the record.

    Sample names read as a chair, thư ký, guest, absentee or signer are removed
    from ``record`` here.
    """
    m = record.meeting
    samples: list[Span] = []
    opening_end = max(2500, int(len(doc.text) * _OPENING_SHARE))
    out: dict[str, FieldReading] = {}
    # People: a sample name is a placeholder, never a value.
    for field in ("chair", "secretary"):
        person = getattr(m, field)
        found = find_cues(doc, field, 0, min(body_end, opening_end))
        if person is not None and is_sample_name(person.name):
            sp = spans.get(field)
            if sp:
                samples.append(sp)
            setattr(m, field, None)
            out[field] = FieldReading(state=FieldState.PLACEHOLDER, span=sp, cue=person.name)
            continue
        out[field] = _reading(doc, field, person.name if person else None, spans.get(field), found)
    m.guests = [g for g in m.guests if not is_sample_name(g.name)]
    att = record.attendance
    for lst in (att.absent_excused, att.absent_unexcused):
        for x in lst:
            if x.name and is_sample_name(x.name):
                x.name = None
    record.discussion = [s for s in record.discussion if not is_sample_name(s.speaker)]

    for field, value in (("date", m.date), ("start_time", m.start_time), ("end_time", m.end_time),
                         ("location", m.location)):
        out[field] = _reading(doc, field, value, spans.get(field), find_cues(doc, field, 0, body_end))
    for field in ("total", "present"):
        out[field] = _reading(doc, field, getattr(att, field), spans.get(f"attendance.{field}"),
                              find_cues(doc, field, 0, body_end))

    # The vote of the adopted resolution.
    if record.resolutions:
        r = record.resolutions[0]
        vote_hits = find_cues(doc, "vote", r.span[0], body_end)
        voted = r.vote is not None and (r.vote.for_ is not None or r.vote.percent is not None)
        out["vote"] = _reading(doc, "vote", r.vote if voted else None, r.vote.span if r.vote else None, vote_hits)

    # Signatures: the title lines of the block, and the names under them.
    sig = record.signatures
    block_start = signature_start if signature_start is not None else max(0, len(doc.text) - 1500)
    for field, attr in (("signature_chair", "chair"), ("signature_secretary", "secretary")):
        name = getattr(sig, attr)
        if name is not None and is_sample_name(name):
            setattr(sig, attr, None)
            name = None
            out[field] = FieldReading(state=FieldState.PLACEHOLDER)
            continue
        found_titles = find_cues(doc, field, block_start)
        if name is not None:
            out[field] = FieldReading(state=FieldState.FOUND, confidence=FOUND_LED if found_titles else FOUND_UNLED)
            continue
        out[field] = _signature_state(doc, found_titles)
    return out, samples


def _column_below(line_start: int, text: str, col: int, starts: list[int]) -> tuple[int, int] | None:
    """The cell of a line below a signature title that stands nearest the title's column."""
    for a, cell in columns(text):
        b = a + len(cell)
        centre = (a + b) // 2
        nearest = min(starts, key=lambda c: min(abs(a - c), abs(centre - c - 6)))
        if nearest == col and (abs(a - col) <= 24 or a <= col <= b):
            return line_start + a, line_start + b
    return None


def _signature_state(doc: Doc, titles: list[CueHit]) -> FieldReading:
    """A signature title with something under it, in its column, that is not a readable name."""
    for h in titles:
        lead = len(doc.text[h.start:h.end]) - len(doc.text[h.start:h.end].lstrip())
        i = doc.line_index(h.start + lead)
        title_line = doc.lines[i]
        col = h.start + lead - title_line.start
        starts = [p for p, _ in columns(title_line.text)]
        for ln in [ln for ln in doc.lines[i + 1:i + 7] if ln.stripped][:4]:
            cell = _column_below(ln.start, ln.text, col, starts)
            if cell is None:
                continue
            cell_fold = doc.fold[cell[0]:cell[1]].strip()
            if SIG_TITLE.match(cell_fold) or SIG_NOTE.match(cell_fold):
                continue
            content = window_state(doc, *cell)
            if content is WindowContent.BLANK:
                return FieldReading(state=FieldState.PLACEHOLDER, span=cell, cue=doc.text[h.start:h.end].strip())
            if content is WindowContent.TEXT:
                return FieldReading(state=FieldState.UNREADABLE, span=(h.start + lead, cell[1]),
                                    cue=doc.text[h.start:h.end].strip())
    return FieldReading(state=FieldState.ABSENT)


def unreadable(record: Record, field: str) -> bool:
    """True when the minute states the field but the reader could not read its value."""
    reading = record.fields.get(field)
    return reading is not None and reading.state is FieldState.UNREADABLE
