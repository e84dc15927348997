"""Cut a minute's text into blocks (its sections) and runs (stretches covered by the same marks).

A mark is a span of the normalised text with a kind: an extracted fact (speaker,
resolution, task, vote, criticism, a named person) or a finding. The page draws
each run with the classes of the marks covering it and puts an anchor where a
mark starts, so a finding's link scrolls to its place in the text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from service.schema.report import CheckReport


@dataclass(frozen=True)
class Mark:
    """A span of the text with the kind of fact or finding it shows, its label and an optional anchor."""

    start: int
    end: int
    kind: str  # css class suffix: fact-speaker, fact-resolution, …, finding-error, finding-warning
    label: str
    anchor: str | None = None


@dataclass
class Run:
    """A stretch of text covered by the same marks: their classes and labels, and the anchors starting there."""

    text: str
    classes: list[str]
    labels: list[str]
    anchors: list[str]  # marks starting here
    refs: list[str]  # marks covering this run


@dataclass
class Block:
    """A section of the text, or an unlabelled stretch between sections, cut into runs."""

    kind: str | None
    title: str | None
    anchor: str
    runs: list[Run] = field(default_factory=list)


def _find(text: str, needle: str | None, start: int = 0) -> tuple[int, int] | None:
    if not needle or len(needle) < 3:
        return None
    m = re.search(re.escape(unicodedata.normalize("NFC", needle)), text[start:])
    return (start + m.start(), start + m.end()) if m else None


def marks_of(report: CheckReport, text: str) -> list[Mark]:
    """Facts and findings of a report as marks over ``text``."""
    rec = report.record
    marks: list[Mark] = []
    for s in rec.discussion:
        marks.append(Mark(*s.span, "fact-speaker", f"Ý kiến thảo luận: {s.speaker}"))
    for r in rec.resolutions:
        marks.append(Mark(*r.span, "fact-resolution", "Nghị quyết"))
        for t in r.tasks:
            if t.span:
                marks.append(Mark(*t.span, "fact-task", f"Nhiệm vụ: {t.assignee or 'chưa giao người'}"
                                  f"{'; hạn ' + t.deadline if t.deadline else ''}"))
        if r.vote and r.vote.span:
            marks.append(Mark(*r.vote.span, "fact-vote", "Biểu quyết"))
    for c in rec.criticism:
        marks.append(Mark(*c.span, "fact-criticism", f"Phê bình ({c.kind.value}): {c.target or 'tập thể'}"))
    m = rec.meeting
    people = [("Chủ trì", m.chair.name if m.chair else None), ("Thư ký", m.secretary.name if m.secretary else None)]
    people += [("Vắng có lý do", a.name) for a in rec.attendance.absent_excused]
    people += [("Vắng không lý do", a.name) for a in rec.attendance.absent_unexcused]
    for label, name in people:
        found = _find(text, name)
        if found:
            marks.append(Mark(*found, "fact-person", f"{label}: {name}"))
    for i, f in enumerate(report.findings):
        if f.span:
            marks.append(Mark(f.span[0], f.span[1], f"finding-{f.severity.value}", f"{f.rule}: {f.message}",
                              anchor=f"f{i}"))
    n = len(text)
    return [Mark(max(0, min(k.start, n)), max(0, min(k.end, n)), k.kind, k.label, k.anchor) for k in marks]


def _runs(text: str, start: int, end: int, marks: list[Mark]) -> list[Run]:
    inside = [k for k in marks if k.start < end and k.end > start or (k.start == k.end and start <= k.start < end)]
    cuts = {start, end}
    for k in inside:
        cuts.update(x for x in (k.start, k.end) if start <= x <= end)
    points = sorted(cuts)
    runs: list[Run] = []
    for a, b in zip(points, points[1:], strict=False):
        cover = [k for k in inside if k.start <= a and k.end >= b and k.start < k.end]
        anchors = [k.anchor for k in inside if k.anchor and k.start == a]
        runs.append(Run(text=text[a:b], classes=sorted({k.kind for k in cover}), labels=[k.label for k in cover],
                        anchors=anchors, refs=[k.anchor for k in cover if k.anchor]))
    return runs


def blocks_of(report: CheckReport, text: str, *, extra: list[Mark] | None = None) -> list[Block]:
    """The text as its sections (plus unlabelled stretches between them), each cut into runs."""
    marks = marks_of(report, text) + [Mark(max(0, min(k.start, len(text))), max(0, min(k.end, len(text))), k.kind,
                                            k.label, k.anchor) for k in extra or []]
    sections = sorted(report.record.sections, key=lambda s: (s.span[0], s.span[1]))
    blocks: list[Block] = []
    pos = 0
    for i, s in enumerate(sections):
        a, b = max(s.span[0], pos), min(s.span[1], len(text))
        if b <= a:
            continue
        if a > pos:
            blocks.append(Block(kind=None, title=None, anchor=f"s{i}-pre", runs=_runs(text, pos, a, marks)))
        blocks.append(Block(kind=s.kind.value, title=s.title, anchor=f"s{i}", runs=_runs(text, a, b, marks)))
        pos = b
    if pos < len(text):
        blocks.append(Block(kind=None, title=None, anchor="s-end", runs=_runs(text, pos, len(text), marks)))
    return blocks
