"""Where a report's text came from: the file, its pages, OCR, and a map back to the source."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.schema.record import Span


class OcrInfo(BaseModel):
    """The OCR engine and settings that read the scanned pages."""

    model_config = ConfigDict(extra="forbid")

    engine: str = Field(description="e.g. “tesseract 5.3.0”.")
    language: str
    psm: int = Field(description="Tesseract page segmentation mode.")
    dpi: int = Field(description="Resolution at which PDF pages were rendered for OCR.")
    preparation: list[str] = Field(description="Scan preparation steps enabled.")
    low_confidence: float = Field(description="Pages with a mean word confidence below this are flagged.")


class PageInfo(BaseModel):
    """One page of the source and how it was read."""

    model_config = ConfigDict(extra="forbid")

    page: int = Field(description="1-based.")
    method: Literal["text", "ocr"]
    confidence: float | None = Field(None, description="Mean OCR word confidence, 0–100.")
    words: int | None = None
    low_confidence_words: int | None = None
    preparation: list[str] = Field(default_factory=list, description="Steps that changed this page before OCR.")
    span: Span | None = Field(None, description="Where the page's text lies in the normalised text.")


class Place(BaseModel):
    """A place in the source file.

    Indices are 1-based: paragraph of the document body (DOCX), table / row / cell
    (DOCX tables), line on the page (PDF and OCR).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    page: int
    paragraph: int | None = None
    table: int | None = None
    row: int | None = None
    cell: int | None = None
    line: int | None = None

    def place(self) -> dict[str, int | None]:
        """The place alone, as keyword arguments for another record at the same place."""
        return {name: getattr(self, name) for name in Place.model_fields}


class Provenance(Place):
    """A stretch of the normalised text and the place in the source file it comes from."""

    model_config = ConfigDict(extra="forbid")

    span: Span
    confidence: float | None = Field(None, description="Lowest OCR word confidence in this stretch.")


class DocumentInfo(BaseModel):
    """The source file and the map from the normalised text back to it."""

    model_config = ConfigDict(extra="forbid")

    format: str = Field(description="Format read from the content: txt, docx, doc, rtf, pdf, png, jpeg, tiff.")
    declared_format: str | None = Field(None, description="Format the file name claimed, when it differs.")
    media_type: str
    converter: str = Field(description="Versioned converter name, e.g. minutes.docx.v1.")
    sha256: str = Field(description="Hash of the file's bytes.")
    page_count: int
    ocr: OcrInfo | None = None
    pages: list[PageInfo]
    provenance: list[Provenance] = Field(description="Consecutive stretches of the normalised text, in order.")
    uncertain: list[Span] = Field(default_factory=list,
                                  description="Words OCR was unsure of (confidence below 60).")

    def locate(self, span: Span) -> list[Provenance]:
        """The source places a span of the normalised text overlaps."""
        a, b = span
        return [p for p in self.provenance if p.span[0] < max(b, a + 1) and p.span[1] > a]
