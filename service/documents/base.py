"""What a converter returns, and the interface every file format implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

from service.schema.document import Place

if TYPE_CHECKING:
    from service.settings import DocumentSettings

PageMethod = Literal["text", "ocr"]


class Block(Place):
    """A piece of text in reading order and where it sits in the source file.

    ``sep`` follows the block in the document text: a newline after a paragraph or
    a row, a tab between the cells of a table row. ``words`` holds, for OCR text,
    each word's [start, end) within ``text`` and its confidence (0–100).
    """

    text: str
    sep: str = "\n"
    words: tuple[tuple[int, int, float], ...] = ()


@dataclass(frozen=True)
class PageResult:
    """How one page was read."""

    number: int
    method: PageMethod
    confidence: float | None = None
    words: int | None = None
    low_words: int | None = None
    steps: tuple[str, ...] = ()


@dataclass(frozen=True)
class OcrRun:
    """The OCR engine and settings that read the scanned pages."""

    engine: str
    language: str
    psm: int
    dpi: int
    preparation: tuple[str, ...]


@dataclass
class Document:
    """A file turned into text blocks, with its pages and the converter that ran."""

    format: str
    media_type: str
    converter: str
    blocks: list[Block]
    pages: list[PageResult]
    ocr: OcrRun | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The document text: each block followed by its separator."""
        return "".join(b.text + b.sep for b in self.blocks)

    def block_starts(self) -> list[int]:
        """Offset of each block in ``text``."""
        out, pos = [], 0
        for b in self.blocks:
            out.append(pos)
            pos += len(b.text) + len(b.sep)
        return out


class Converter(Protocol):
    """Turns the bytes of one file format into a Document."""

    name: str  # versioned, e.g. "minutes.docx.v1"
    format: str
    media_type: str

    def convert(self, data: bytes, *, settings: DocumentSettings) -> Document:
        """Read a file's bytes into a Document."""
        ...
