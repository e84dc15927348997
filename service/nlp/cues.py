"""The cue lexicon (``cues.yaml``) and the window of text each cue governs.

A cue is the wording with which a minute announces a field ("Chủ trì:", "đồng chí …
chủ trì", "Tổng số đảng viên", "kết thúc vào lúc"). :func:`find_cues` finds every
cue of a field and the window where its value should stand; :func:`window_state`
tells what that window holds: a template blank, some text, or nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from service.nlp.people import TITLE
from service.nlp.text import Doc
from service.schema.record import SectionKind


class ValueKind(StrEnum):
    """What a field holds, and so what an unread value in its window must look like."""

    NAME = "name"
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    TIME = "time"


class CueForm(StrEnum):
    """How a cue announces its value: a label and colon, a sentence with a person title, or a phrase."""

    LABEL = "label"
    TITLED = "titled"
    PHRASE = "phrase"


@dataclass(frozen=True)
class Cue:
    """One wording of a field: its form, its pattern over the folded text, and where it was seen."""

    field: str
    form: CueForm
    pattern: re.Pattern[str]
    seen: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    """The lexicon: each field's label, value kind and cues; the blank and sample-name patterns; the headings."""

    labels: dict[str, str]
    values: dict[str, ValueKind]
    cues: dict[str, tuple[Cue, ...]]
    blank: re.Pattern[str]
    sample_name: re.Pattern[str]
    headings: tuple[tuple[SectionKind, re.Pattern[str]], ...] = ()  # (section kind, folded heading pattern)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The cue lexicon, read once from the package data."""
    data: dict[str, Any] = yaml.safe_load(
        resources.files("service.nlp").joinpath("cues.yaml").read_text(encoding="utf-8"))
    labels: dict[str, str] = {}
    values: dict[str, ValueKind] = {}
    cues: dict[str, tuple[Cue, ...]] = {}
    for name, spec in data["fields"].items():
        labels[name] = spec["label"]
        values[name] = ValueKind(spec["value"])
        cues[name] = tuple(
            Cue(field=name, form=CueForm(c["form"]), pattern=re.compile(c["pattern"], re.M),
                seen=tuple(c.get("seen") or ()))
            for c in spec["cues"])
    return Lexicon(labels=labels, values=values, cues=cues,
                   blank=re.compile("|".join(f"(?:{b})" for b in data["blanks"])),
                   sample_name=re.compile(data["sample_name"]),
                   headings=tuple((SectionKind(h["kind"]), re.compile(h["pattern"])) for h in data["headings"]))


@dataclass(frozen=True)
class CueHit:
    """One cue in the text and the window where its value should be."""

    field: str
    form: CueForm
    start: int
    end: int
    window: tuple[int, int]


_CLAUSE_END = re.compile(r"[;\n]|\.(?=\s|$)|,\s*(?=(?:thu ky|chu tri|dia diem|thoi gian|co mat|vang)\b)")
_COLON = re.compile(r"[^\S\n]*(?:\([^)\n]{0,30}\)[^\S\n]*)?[:：][^\S\n]*")
_TITLE_RX = re.compile(rf"(?:^|[\s,;:(])({TITLE})\s+")
_TITLE_AFTER = re.compile(rf"[^\S\n]*[^\w\n]{{0,3}}[^\S\n]*({TITLE})\s+")
# Words after a title that make it a role, not a name ("đồng chí chủ trì kết luận").
_ROLE_WORD = re.compile(r"(?:chu tri|chu toa|bi thu|pho bi thu|thu ky|dang vien|chi uy|to truong|"
                        r"truong|pho|cac|nay|tren|do|ay)\b")


def _clause_end(doc: Doc, pos: int, limit: int = 90) -> int:
    line_end = doc.line_at(pos).end
    hi = min(line_end, pos + limit)
    m = _CLAUSE_END.search(doc.fold, pos, hi)
    return m.start() if m else hi


def _label_window(doc: Doc, end: int) -> tuple[int, int] | None:
    m = _COLON.match(doc.fold, end)
    if not m:
        return None
    a = m.end()
    b = _clause_end(doc, a)
    if not doc.text[a:b].strip():
        # "Chủ trì:" with the name on the next line.
        i = doc.line_index(a) + 1
        if i < len(doc.lines) and doc.lines[i].stripped and ":" not in doc.lines[i].text[:25]:
            nxt = doc.lines[i]
            return nxt.start, _clause_end(doc, nxt.start)
    return a, b


def _titled_window(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    s, e = doc.sentence_bounds(start)
    # The title nearest the cue, before it in the same clause or just after it.
    before = list(_TITLE_RX.finditer(doc.fold, max(s, start - 90), start))
    after = _TITLE_RX.match(doc.fold, end) or _TITLE_AFTER.match(doc.fold, end)
    for m in ([after] if after else []) + list(reversed(before)):
        a = m.end()
        if _ROLE_WORD.match(doc.fold, a):
            continue
        if a < start and re.search(r"[.;:]", doc.fold[a:start]):
            continue
        b = start if a < start else _clause_end(doc, a)
        return a, max(a, b)
    return None


def find_cues(doc: Doc, field: str, start: int = 0, end: int | None = None) -> list[CueHit]:
    """Every cue of ``field`` in [start, end), with the window its value should fill."""
    out: list[CueHit] = []
    hi = len(doc.text) if end is None else end
    for cue in lexicon().cues[field]:
        for m in cue.pattern.finditer(doc.fold, start, hi):
            if cue.form is CueForm.LABEL:
                win = _label_window(doc, m.end())
            elif cue.form is CueForm.TITLED:
                win = _titled_window(doc, m.start(), m.end())
            else:
                win = (m.end(), _clause_end(doc, m.end()))
            if win is not None:
                out.append(CueHit(field, cue.form, m.start(), m.end(), win))
    out.sort(key=lambda h: h.start)
    return out


class WindowContent(StrEnum):
    """What a cue's window holds: a blank, text that is not a value, or nothing."""

    BLANK = "blank"        # a template blank or a sample name: "……", "Nguyễn Văn A"
    TEXT = "text"          # words or figures the reader could not turn into a value
    EMPTY = "empty"        # nothing at all


# What an unread value must show to count as one: a figure shaped like the value.
_SHAPE = {
    ValueKind.TIME: re.compile(r"\d{1,2}\s*(?:gio|h\b|g\d|:\s*\d)"),
    ValueKind.DATE: re.compile(r"ngay\s*\d|\d{1,2}\s*[/.-]\s*\d{1,2}|thang\s*\d"),
    ValueKind.NUMBER: re.compile(r"\d|\b(?:mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi)\b"),
}
_TITLED_BLANK = re.compile(rf"{TITLE}\s*[.…_]")


def window_state(doc: Doc, a: int, b: int, value: ValueKind = ValueKind.TEXT) -> WindowContent:
    """What the window [a, b) holds, for a field whose value is of kind ``value``.

    For a number, a date or a time, words without a figure of that shape are not a
    value that could not be read: the window is then empty, or blank if it holds a blank.
    """
    lex = lexicon()
    raw = doc.text[a:b].strip()
    folded = doc.fold[a:b].strip()
    if not raw or not re.search(r"[^\W_]|…", raw):
        return WindowContent.EMPTY if not re.search(r"[.…_]{2,}", raw) else WindowContent.BLANK
    if lex.blank.match(folded) or lex.sample_name.match(raw) or _TITLED_BLANK.match(folded):
        return WindowContent.BLANK
    shape = _SHAPE.get(value)
    if shape is None or shape.search(folded):
        return WindowContent.TEXT
    return WindowContent.BLANK if lex.blank.search(folded) else WindowContent.EMPTY


def is_sample_name(name: str | None) -> bool:
    """A name that templates use as an example ("Nguyễn Văn A", "Trần Thị B")."""
    return name is not None and bool(lexicon().sample_name.match(name.strip() + " "))
