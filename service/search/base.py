"""The search index interface that every backend implements.

The archive is the source of truth; the index holds chunks derived from stored
minutes and can always be rebuilt from the archive. Chunk ids are deterministic
(minute id + section index), so upserting the same minute twice writes nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from service.search.query import QueryPlan

SearchMode = Literal["hybrid", "dense", "sparse"]


@dataclass(frozen=True)
class Chunk:
    """One indexed piece of a minute: a section's text with its context."""

    id: str  # deterministic: f"{minute_id}:{n}"
    minute_id: str
    text: str  # the section text as written (normalised)
    embed_text: str  # what is embedded: unit + period + heading + body
    dang_bo: str | None
    chi_bo: str | None
    date: str | None  # ISO
    period: str | None  # "YYYY-MM"
    meeting_type: str | None
    section: str  # SectionKind value
    span: tuple[int, int]  # into the minute's normalised text
    facets: tuple[str, ...] = ()  # what the minute has that a question may ask for: "vote=split"
    version: int = 1  # how it was cut (archive.chunks.CHUNKS_VERSION); 1: before versions were recorded


@dataclass(frozen=True)
class SearchFilter:
    """What a search is limited to; each field set narrows it, ``dang_bo`` also scopes access."""

    dang_bo: list[str] | None = None  # allowed units (also used for access scoping)
    chi_bo: list[str] | None = None
    date_from: str | None = None
    date_to: str | None = None
    meeting_type: str | None = None
    section: str | None = None
    minute_id: list[str] | None = None  # only these minutes (a filter on what the archive knows of them)


@dataclass(frozen=True)
class SearchQuery:
    """One search: the words, the mode (hybrid, dense, sparse), the page and the filter."""

    text: str
    mode: SearchMode = "hybrid"
    limit: int = 10
    offset: int = 0
    filter: SearchFilter = field(default_factory=SearchFilter)
    plan: QueryPlan | None = None  # how the text is read (service.search.query); planned on search when None


@dataclass(frozen=True)
class SearchHit:
    """A passage found: its minute, score, section, span into the minute's text and where it comes from."""

    chunk_id: str
    minute_id: str
    score: float
    section: str
    span: tuple[int, int]
    chi_bo: str | None
    dang_bo: str | None
    date: str | None
    text: str


class SearchIndex(Protocol):
    """What the archive and the API need from a search backend."""

    def upsert(self, chunks: list[Chunk]) -> None:
        """Index chunks, replacing those with the same id."""
        ...

    def delete_minute(self, minute_id: str) -> None:
        """Remove every chunk of the minute."""
        ...

    def search(self, query: SearchQuery) -> list[SearchHit]:
        """The page of hits for the query, best first."""
        ...

    def count(self) -> int:
        """Number of chunks indexed."""
        ...

    def close(self) -> None:
        """Flush and release the backend."""
        ...
