"""Pieces of text with boxes (OCR words, PDF text runs) → lines in reading order.

Pieces whose boxes share a baseline band form one visual row, even across columns,
so a two-column header or signature block comes out the way a clerk types it:
left column, a wide gap, right column, each column padded out to where it sits
on the page (in characters), as the extractor expects of typed text. A taller gap between rows becomes a blank
line (a new paragraph).
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

COLUMN_GAP = "    "
INDENT = 8  # a row starting this many characters in keeps its indent (centred titles, right columns)


@dataclass(frozen=True)
class Piece:
    """A word or text run with its box (top-left origin) and OCR confidence (0–100)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    conf: float | None = None

    @property
    def height(self) -> float:
        """Height of the box."""
        return self.y1 - self.y0


@dataclass
class Row:
    """One visual line: its text, where each piece landed in it, and its confidence."""

    pieces: list[Piece] = field(default_factory=list)
    text: str = ""
    offsets: list[tuple[int, int]] = field(default_factory=list)  # per piece, into text
    blank_before: bool = False

    @property
    def top(self) -> float:
        """Top edge of the highest piece."""
        return min(p.y0 for p in self.pieces)

    @property
    def bottom(self) -> float:
        """Bottom edge of the lowest piece."""
        return max(p.y1 for p in self.pieces)

    @property
    def centre(self) -> float:
        """Vertical midpoint between top and bottom."""
        return (self.top + self.bottom) / 2


def _band(p: Piece) -> tuple[float, float]:
    h = p.height
    return p.y0 + h * 0.25, p.y1 - h * 0.25


def group_rows(pieces: list[Piece]) -> list[Row]:
    """Cluster pieces into rows by vertical overlap, each row read left to right."""
    rows: list[Row] = []
    for p in sorted((p for p in pieces if p.text.strip()), key=lambda p: (p.y0 + p.y1) / 2):
        lo, hi = _band(p)
        c = (p.y0 + p.y1) / 2
        target = None
        for row in reversed(rows[-4:]):
            if row.top - 1 <= c <= row.bottom + 1 or any(
                _band(q)[0] <= c <= _band(q)[1] or lo <= (q.y0 + q.y1) / 2 <= hi for q in row.pieces
            ):
                if not any(min(q.x1, p.x1) - max(q.x0, p.x0) > 0.5 * min(q.x1 - q.x0, p.x1 - p.x0)
                           for q in row.pieces):
                    target = row
                    break
        if target is None:
            target = Row()
            rows.append(target)
        target.pieces.append(p)
    rows.sort(key=lambda r: r.top)
    heights = [p.height for r in rows for p in r.pieces] or [1.0]
    h = statistics.median(heights)
    widths = [(p.x1 - p.x0) / len(p.text) for r in rows for p in r.pieces if len(p.text) >= 3]
    cw = statistics.median(widths) if widths else h / 2
    left = min((p.x0 for r in rows for p in r.pieces), default=0.0)
    for row in rows:
        row.pieces.sort(key=lambda p: p.x0)
        parts: list[str] = []
        pos = 0
        prev: Piece | None = None
        for p in row.pieces:
            col = round((p.x0 - left) / cw)
            if prev is None:
                sep = " " * col if col >= INDENT else ""
            else:
                gap = p.x0 - prev.x1
                sep = "" if gap < 0.12 * h else (" " if gap < 1.6 * h else " " * max(len(COLUMN_GAP), col - pos))
            parts.append(sep)
            pos += len(sep)
            row.offsets.append((pos, pos + len(p.text)))
            parts.append(p.text)
            pos += len(p.text)
            prev = p
        row.text = "".join(parts)
    centres = [r.centre for r in rows]
    pitches = [b - a for a, b in zip(centres, centres[1:], strict=False) if b - a > 0]
    if pitches:
        pitch = statistics.median(pitches)
        for prev_row, row in zip(rows, rows[1:], strict=False):
            row.blank_before = row.centre - prev_row.centre > 1.35 * pitch
    return rows


_LIST_START = re.compile(r"^\s*(?:[-+•*–—]|\d{1,2}(?:\.\d{1,2})*[.)/]|[a-zđ][.)]|\(\d{1,2}\)|[IVX]{1,4}[.)])\s")


def wrapped(rows: list[Row]) -> list[bool]:
    """For each row, whether the next row continues it (the line was wrapped at the margin).

    A row that reaches the right margin runs on into the next row unless that row
    starts a paragraph (a blank line or an indent before it, a list marker, capitals),
    or a sentence ended at the margin and the next row starts a new one.
    """
    out = [False] * len(rows)
    if len(rows) < 2:
        return out
    left = min(r.pieces[0].x0 for r in rows)
    right = max(r.pieces[-1].x1 for r in rows)
    width = max(right - left, 1.0)
    for i, (row, nxt) in enumerate(zip(rows, rows[1:], strict=False)):
        text, following = row.text.rstrip(), nxt.text
        if nxt.blank_before or COLUMN_GAP in following.strip() or row.pieces[-1].x1 < right - 0.15 * width:
            continue
        if COLUMN_GAP in text.strip() or following.startswith(" " * INDENT):
            # Inside a table column: the next row must start under the row's last column.
            last = row.pieces[_last_column(row)]
            if abs(nxt.pieces[0].x0 - last.x0) > 0.02 * width or len(nxt.pieces) < 1:
                continue
            text = text.split(COLUMN_GAP)[-1].strip()
        if _LIST_START.match(following) or text.endswith(":") or _caps(following) or _caps(text):
            continue
        if text[-1:] in ".;!?" and following.lstrip()[:1].isupper():
            continue
        out[i] = True
    return out


def _caps(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _last_column(row: Row) -> int:
    """Index of the first piece of the row's last column."""
    start = 0
    for k in range(1, len(row.pieces)):
        _, b = row.offsets[k - 1]
        if row.text[b:row.offsets[k][0]].startswith(COLUMN_GAP):
            start = k
    return start
