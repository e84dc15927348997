"""What the archive stores and the MinutesStore interface every backend implements.

A stored minute is identified by the sha256 of its original bytes, so uploading
the same file twice writes nothing new. A later upload for the same chi bộ,
meeting date and meeting type with different content is a corrected version: it
becomes current and the earlier one is kept as history. Every write also queues an index job in
the same transaction (the outbox), so the search index can always catch up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from service.archive.reviews import ReviewStore
from service.schema.report import CheckReport
from service.schema.units import Scope

STORE_SCHEMA_VERSION = 2  # 2: reviews (minute_reviews, readings) and finding states in reports


class PutStatus(StrEnum):
    """What storing a minute did: stored it new, found it already stored, or replaced an earlier version."""

    STORED = "stored"
    DUPLICATE = "duplicate"
    REPLACED = "replaced"


class MinuteSummary(BaseModel):
    """One stored minute as listed: its file, unit, meeting and check outcome."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="sha256 of the original file's bytes.")
    file_name: str | None
    media_type: str
    size: int
    received_at: str
    dang_bo: str | None
    chi_bo: str | None
    unit_id: str = Field(description="Stable id of the (đảng bộ, chi bộ) pair.")
    date: str | None
    period: str | None = Field(description="YYYY-MM of the meeting.")
    meeting_type: str | None
    grade: str
    points: int
    complete: bool
    rules: list[str] = Field(default_factory=list, description="Rules the minute breaks.")
    version: int = 1
    current: bool = True
    replaces: str | None = None
    superseded_by: str | None = None


class StoredMinute(BaseModel):
    """A stored minute in full: summary, normalised text and check report."""

    model_config = ConfigDict(extra="forbid")

    summary: MinuteSummary
    text: str
    report: CheckReport


class Original(BaseModel):
    """A stored minute's original file: its name, media type and bytes."""

    file_name: str | None
    media_type: str
    data: bytes


@dataclass(frozen=True)
class NewMinute:
    """A checked file ready to be stored."""

    id: str
    file_name: str | None
    media_type: str
    data: bytes
    text: str
    report: CheckReport


@dataclass(frozen=True)
class PutResult:
    """What a put did: its status, the minute's id and, when it replaced one, the earlier version's id."""

    status: PutStatus
    id: str
    replaced: str | None = None


@dataclass(frozen=True)
class DeleteResult:
    """The deleted version's id, and the earlier version made current again in its place, if any."""

    id: str
    restored: str | None = None  # the earlier version made current again


@dataclass(frozen=True)
class MinuteFilter:
    """List filters; unit names are compared by key (see service.schema.units)."""

    dang_bo: str | None = None
    chi_bo: str | None = None
    unit_id: str | None = None
    period: str | None = None  # "YYYY" or "YYYY-MM"
    date_from: date | None = None
    date_to: date | None = None
    meeting_type: str | None = None
    grade: str | None = None
    rule: str | None = None
    complete: bool | None = None
    include_superseded: bool = False


@dataclass(frozen=True)
class IndexJob:
    """One job of the index outbox, in ``seq`` order: a minute stored (upsert) or removed (delete)."""

    seq: int
    minute_id: str
    op: Literal["upsert", "delete"]


class UnitSummary(BaseModel):
    """A unit with current minutes: how many, and the dates of its first and last meeting."""

    model_config = ConfigDict(extra="forbid")

    unit_id: str
    dang_bo: str | None
    chi_bo: str | None
    minutes: int
    first_date: str | None
    last_date: str | None


class MinutesStore(ReviewStore, Protocol):
    """The archive: the source of truth. Every read takes an optional Scope."""

    def put(self, minute: NewMinute) -> PutResult:
        """Store a checked minute and queue its index job; a new upload of a current minute's meeting replaces it."""
        ...

    def has(self, minute_id: str) -> bool:
        """Whether a minute with this id is stored, in any unit and any version."""
        ...

    def get(self, minute_id: str, *, scope: Scope | None = None) -> StoredMinute | None:
        """The minute in full (current or not), or None when it is not stored in scope."""
        ...

    def original(self, minute_id: str, *, scope: Scope | None = None) -> Original | None:
        """The minute's original file, or None when it is not stored in scope."""
        ...

    def list_minutes(self, flt: MinuteFilter, *, scope: Scope | None = None, limit: int = 50,
             offset: int = 0) -> tuple[list[MinuteSummary], int]:
        """One page of the minutes the filter chooses in scope, newest meeting first, and their total."""
        ...

    def history(self, minute_id: str, *, scope: Scope | None = None) -> list[MinuteSummary]:
        """Every version of the minute's meeting, oldest first (empty when the minute is not in scope)."""
        ...

    def summaries(self, minute_ids: list[str], *, scope: Scope | None = None) -> dict[str, MinuteSummary]:
        """The summaries of those of ``minute_ids`` that exist in scope, current or not."""
        ...

    def reports(self, flt: MinuteFilter, *, scope: Scope | None = None
                ) -> list[tuple[MinuteSummary, CheckReport]]:
        """The summary and check report of every minute the filter chooses in scope, oldest meeting first."""
        ...

    def units(self, *, scope: Scope | None = None) -> list[UnitSummary]:
        """The units with current minutes in scope, each named as its latest minute spells it."""
        ...

    def delete(self, minute_id: str, *, scope: Scope | None = None) -> DeleteResult | None:
        """Delete one version (None when there is no such minute in scope)."""
        ...

    def current_ids(self) -> set[str]:
        """The ids of every current minute."""
        ...

    def pending_jobs(self, limit: int) -> list[IndexJob]:
        """The first ``limit`` jobs waiting in the outbox, in queue order."""
        ...

    def finish_jobs(self, seqs: list[int]) -> None:
        """Remove finished jobs, by sequence number, from the outbox."""
        ...

    def pending_count(self) -> int:
        """How many jobs wait in the outbox."""
        ...

    def enqueue_all(self) -> int:
        """Queue an upsert job for every current minute; return how many were queued."""
        ...

    def acquire_lease(self, name: str, owner: str, ttl_s: float, *, steal_from: str | None = None) -> bool:
        """Take or renew a named lease (one index drainer across processes and machines)."""
        ...

    def lease_owner(self, name: str) -> str | None:
        """Who holds the named lease, or None when nobody holds it unexpired."""
        ...

    def release_lease(self, name: str, owner: str) -> None:
        """Give up the named lease, if ``owner`` still holds it."""
        ...

    def close(self) -> None:
        """Close the store's connections."""
        ...
