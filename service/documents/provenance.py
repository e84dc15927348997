"""Map the normalised text back to the source file's pages, paragraphs, cells and lines.

Normalisation rewrites the converter's text (NFC, tone marks, legacy repair, stray
OCR marks and page footers dropped, broken lines joined), so offsets do not carry
over. Both texts are cut into words, folded (no diacritics, no case) and aligned
in order; each source block then maps to the stretch between its first and last
aligned word. Words that normalisation dropped simply map nowhere.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import unicodedata

from service.documents.base import Document
from service.schema.document import DocumentInfo, OcrInfo, PageInfo, Provenance

_WORD = re.compile(r"[^\W_]+")
_WINDOW = 24
UNCERTAIN_WORD = 60.0


def _fold(word: str) -> str:
    s = unicodedata.normalize("NFD", word.casefold().replace("đ", "d"))
    return "".join(c for c in s if not unicodedata.combining(c))


class Alignment:
    """Word-by-word alignment of a raw text with its normalised form."""

    def __init__(self, raw: str, norm: str) -> None:
        self.raw = [(m.start(), m.end(), _fold(m.group())) for m in _WORD.finditer(raw)]
        self.norm = [(m.start(), m.end(), _fold(m.group())) for m in _WORD.finditer(norm)]
        self.raw_starts = [t[0] for t in self.raw]
        self.to_norm: dict[int, int] = {}
        self._align()

    def _align(self) -> None:
        a = [t[2] for t in self.raw]
        b = [t[2] for t in self.norm]
        i = j = 0
        while i < len(a) and j < len(b):
            if a[i] == b[j]:
                self.to_norm[i] = j
                i += 1
                j += 1
                continue
            skip = self._resync(a, b, i, j)
            if skip is None:
                i += 1
                j += 1
            else:
                i, j = skip

    @staticmethod
    def _resync(a: list[str], b: list[str], i: int, j: int) -> tuple[int, int] | None:
        """Nearest (i', j') after dropped or inserted words where two words agree again."""
        for k in range(1, _WINDOW):
            for di, dj in ((k, 0), (0, k)) + tuple((k, d) for d in range(1, k)) + tuple((d, k) for d in range(1, k)):
                ii, jj = i + di, j + dj
                if ii < len(a) and jj < len(b) and a[ii] == b[jj] and (
                        ii + 1 >= len(a) or jj + 1 >= len(b) or a[ii + 1] == b[jj + 1]):
                    return ii, jj
        return None

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """Normalised [start, end) covering the aligned words of raw [start, end)."""
        lo = bisect.bisect_left(self.raw_starts, start)
        hi = bisect.bisect_left(self.raw_starts, end)
        hits = [self.to_norm[k] for k in range(lo, hi) if k in self.to_norm]
        if not hits:
            return None
        return self.norm[hits[0]][0], self.norm[hits[-1]][1]


def _widen(norm: str, span: tuple[int, int], lo: int) -> tuple[int, int]:
    """Take in punctuation glued to the first and last word ("(1) Họp", "ngày 5/3.")."""
    a, b = span
    while a > lo and not norm[a - 1].isspace():
        a -= 1
    while b < len(norm) and not norm[b].isspace():
        b += 1
    return a, b


def document_info(doc: Document, *, data: bytes, norm: str, low_confidence: float,
                  declared_format: str | None = None) -> DocumentInfo:
    """Describe the source file and map the normalised text back into it."""
    raw = doc.text
    align = Alignment(raw, norm)
    items: list[Provenance] = []
    uncertain: list[tuple[int, int]] = []
    end = 0
    for start, block in zip(doc.block_starts(), doc.blocks, strict=True):
        span = align.span(start, start + len(block.text))
        if span is None:
            continue
        span = _widen(norm, span, end)
        if span[0] < end:
            span = (end, max(end, span[1]))
        end = span[1]
        low = None
        if block.words:
            low = min(c for _, _, c in block.words)
            for a, b, c in block.words:
                if c < UNCERTAIN_WORD:
                    w = align.span(start + a, start + b)
                    if w is not None:
                        uncertain.append(w)
        items.append(Provenance(span=span, confidence=low, **block.place()))
    pages = []
    for p in doc.pages:
        spans = [it.span for it in items if it.page == p.number]
        pages.append(PageInfo(
            page=p.number, method=p.method, confidence=p.confidence, words=p.words,
            low_confidence_words=p.low_words, preparation=list(p.steps),
            span=(spans[0][0], spans[-1][1]) if spans else None))
    ocr = None
    if doc.ocr is not None:
        ocr = OcrInfo(engine=doc.ocr.engine, language=doc.ocr.language, psm=doc.ocr.psm, dpi=doc.ocr.dpi,
                      preparation=list(doc.ocr.preparation), low_confidence=low_confidence)
    return DocumentInfo(
        format=doc.format,
        declared_format=declared_format if declared_format and declared_format != doc.format else None,
        media_type=doc.media_type, converter=doc.converter, sha256=hashlib.sha256(data).hexdigest(),
        page_count=len(doc.pages), ocr=ocr, pages=pages, provenance=items, uncertain=uncertain)
