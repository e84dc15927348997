"""Each step of the reader run on its own, its output as plain JSON for golden files.

A step's output names what it read and quotes the text its spans cover, so a golden
file can be read and checked by eye: ``"present": {"value": 24, "text": "24"}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from service.nlp.closing import find_signatures
from service.nlp.criticism import extract_criticism
from service.nlp.cues import find_cues, lexicon, window_state
from service.nlp.extent import measure
from service.nlp.extract import extract
from service.nlp.headcount import candidates
from service.nlp.meeting import extract_meeting
from service.nlp.normalize import normalize
from service.nlp.resolutions import extract_resolution
from service.nlp.text import Doc

Step = Callable[[str], Any]


def _doc(raw: str) -> Doc:
    return Doc(normalize(raw).text)


def _quote(doc: Doc, span: tuple[int, int] | None) -> str | None:
    return doc.text[span[0]:span[1]] if span else None


def step_normalize(raw: str) -> Any:
    n = normalize(raw)
    return {"text": n.text, "steps": n.steps, "legacy_encoding": n.legacy_encoding}


def step_extent(raw: str) -> Any:
    doc = _doc(raw)
    e = measure(doc)
    return {"is_minute": e.is_minute, "whole": e.end == len(doc.text), "first_ends_with": doc.text[:e.end].rstrip()[-40:],
            "further_titles": [t for _, _, t in e.others], "header_only": e.header_only, "cut_at": _quote(doc, e.cut_at)}


def step_cues(raw: str) -> Any:
    doc = _doc(raw)
    out = []
    for field in lexicon().cues:
        for hit in find_cues(doc, field):
            out.append({"field": field, "form": hit.form.value, "cue": doc.text[hit.start:hit.end],
                        "window": doc.text[hit.window[0]:hit.window[1]],
                        "content": window_state(doc, *hit.window, lexicon().values[field]).value})
    return out


def step_headcount(raw: str) -> Any:
    doc = _doc(raw)
    return [{"field": c.field, "value": c.value, "text": _quote(doc, c.span), "score": round(c.score, 2)}
            for c in candidates(doc, len(doc.text))]


def step_meeting(raw: str) -> Any:
    doc = _doc(raw)
    meeting, spans = extract_meeting(doc)
    data = meeting.model_dump(mode="json", exclude_defaults=True)
    return {"meeting": data, "quoted": {k: _quote(doc, v) for k, v in sorted(spans.items())}}


def step_attendance(raw: str) -> Any:
    doc = _doc(raw)
    record, evidence = extract(doc)
    data = record.attendance.model_dump(mode="json", exclude_defaults=True)
    quoted = {k.removeprefix("attendance."): _quote(doc, v) for k, v in sorted(evidence.spans.items())
              if k.startswith("attendance.")}
    return {"attendance": data, "quoted": quoted}


def step_resolutions(raw: str) -> Any:
    doc = _doc(raw)
    res = extract_resolution(doc, exclude=[], end=len(doc.text))
    if res is None:
        return None
    return {"opens": doc.text[res.span[0]:res.span[1]].split("\n")[0][:80],
            "tasks": [{"task": t.task, "assignee": t.assignee, "deadline": t.deadline} for t in res.tasks],
            "vote": res.vote.model_dump(mode="json", by_alias=True, exclude_defaults=True) if res.vote else None}


def step_criticism(raw: str) -> Any:
    doc = _doc(raw)
    return [{"kind": c.kind.value, "target": c.target, "text": c.text}
            for c in extract_criticism(doc, exclude=[], end=len(doc.text))]


def step_signatures(raw: str) -> Any:
    doc = _doc(raw)
    sig, start = find_signatures(doc)
    return {"chair": sig.chair, "secretary": sig.secretary,
            "block_starts": doc.text[start:].split("\n")[0].strip() if start is not None else None}


def step_fields(raw: str) -> Any:
    doc = _doc(raw)
    record, _ = extract(doc)
    return {name: {"state": r.state.value, "value": _quote(doc, r.span) if r.state.value == "found" else None,
                   "cue": r.cue}
            for name, r in sorted(record.fields.items())}


STEPS: dict[str, Step] = {
    "normalize": step_normalize,
    "extent": step_extent,
    "cues": step_cues,
    "headcount": step_headcount,
    "meeting": step_meeting,
    "attendance": step_attendance,
    "resolutions": step_resolutions,
    "criticism": step_criticism,
    "signatures": step_signatures,
    "fields": step_fields,
}
