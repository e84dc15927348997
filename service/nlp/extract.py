"""The extraction pipeline: normalised text → Record, with the evidence spans."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from service.nlp.attendance import extract_attendance
from service.nlp.closing import conclusion_spans, find_signatures, placeholders, quality_self_score, read_back
from service.nlp.criticism import extract_criticism
from service.nlp.discussion import extract_speakers
from service.nlp.extent import Extent
from service.nlp.fields import read_fields
from service.nlp.meeting import extract_meeting, title_block
from service.nlp.resolutions import extract_resolution, probationary_voted
from service.nlp.sections import (
    Heading,
    SectionClassifier,
    agenda_blocks,
    agenda_heads,
    build_sections,
    find_headings,
    regions,
)
from service.nlp.text import Doc
from service.schema.record import Person, Record, Secretary, SectionKind

EXTRACTOR_VERSION = "minutes.extractor.v1"


@dataclass
class Evidence:
    """What the rules need beyond the contract record: spans and flags."""

    spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    agenda: list[tuple[int, int]] = field(default_factory=list)
    conclusions: list[tuple[int, int]] = field(default_factory=list)
    placeholders: list[tuple[int, int]] = field(default_factory=list)
    signature_start: int | None = None
    probationary_voted: bool = False
    has_discussion_section: bool = False
    agenda_heads: list[tuple[int, int]] = field(default_factory=list)
    extent: Extent | None = None  # what part of the text was read as the minute (nlp.extent)


_DISC_LEAD = re.compile(r"(?:y kien (?:gop y|tham gia|thao luan|phat bieu)|cac y kien|thao luan)[^:\n]{0,40}:\s*$")


def _discussion_leads(doc: Doc, headings: list[Heading], end: int) -> list[tuple[int, int]]:
    """A prose line ending "… Ý kiến góp ý:" opens a discussion up to the next heading."""
    out = []
    for ln in doc.lines:
        if ln.start >= end or not _DISC_LEAD.search(ln.fold):
            continue
        if any(h.start == ln.start for h in headings):
            continue
        nxt = next((h.start for h in headings if h.start > ln.start and h.kind is not None), end)
        out.append((ln.end, nxt))
    return out


def extract(doc: Doc, *, classifier: SectionClassifier | None = None) -> tuple[Record, Evidence]:
    """Read every contract field from a normalised document."""
    ev = Evidence()
    meeting, mspans = extract_meeting(doc)
    ev.spans.update(mspans)
    attendance, aspans = extract_attendance(doc)
    ev.spans.update({f"attendance.{k}": v for k, v in aspans.items()})

    signatures, sig_start = find_signatures(doc)
    ev.signature_start = sig_start
    body_end = sig_start if sig_start is not None else len(doc.text)
    _, t_end = title_block(doc)
    headings = find_headings(doc, skip_until=t_end)
    if classifier is not None:
        headings = [replace(h, kind=classifier.decide(h.title, doc.text[h.content_start:h.content_start + 300], h.kind))
                    for h in headings]
    body_start = headings[0].start if headings else t_end
    sections = build_sections(doc, headings, body_start=body_start, sig_start=sig_start)

    ev.agenda = agenda_blocks(doc)
    for h in headings:
        if h.kind == SectionKind.AGENDA:
            nxt = next((k.start for k in headings if k.start > h.start), body_end)
            ev.agenda.append((h.start, nxt))
    ev.agenda_heads = agenda_heads(doc)
    heading_lines = [(h.start, h.content_start) for h in headings] + ev.agenda_heads
    skip = ev.agenda + heading_lines

    disc = regions(sections, SectionKind.DISCUSSION) + _discussion_leads(doc, headings, body_end)
    ev.has_discussion_section = bool(disc)
    speakers = extract_speakers(doc, disc, exclude=ev.agenda, body_end=body_end)

    res_heads = [(h.start, h.end) for h in headings if h.kind == SectionKind.RESOLUTION]
    resolution = extract_resolution(doc, exclude=ev.agenda, end=body_end, headings=res_heads)
    if resolution is not None:
        ev.probationary_voted = probationary_voted(doc, resolution.span[0], body_end)
    criticism = extract_criticism(doc, exclude=skip, end=body_end)
    read, rspan = read_back(doc, exclude=ev.agenda)
    if rspan:
        ev.spans["read_back"] = rspan
    ev.conclusions = conclusion_spans(doc, exclude=ev.agenda, end=body_end)
    ev.placeholders = placeholders(doc, sig_start=sig_start)

    if meeting.secretary is None and signatures.secretary:
        # The thư ký who signs under "THƯ KÝ" is named as thư ký.
        meeting.secretary = Secretary(name=signatures.secretary)
    if meeting.chair is None and signatures.chair:
        # Likewise the chair who signs under "CHỦ TRÌ" (or for the chi bộ).
        meeting.chair = Person(name=signatures.chair)
    record = Record(
        meeting=meeting,
        attendance=attendance,
        discussion=speakers,
        resolutions=[resolution] if resolution else [],
        criticism=criticism,
        sections=sections,
        minutes_read_back=read,
        signatures=signatures,
        quality_self_score=quality_self_score(doc),
    )
    record.fields, samples = read_fields(doc, record, ev.spans, body_end=body_end, signature_start=sig_start)
    if samples:
        ev.placeholders = sorted(set(ev.placeholders) | set(samples))
    return record, ev
