"""Reviews of stored minutes: field corrections and finding states, kept as history.

Every change is one row of ``minute_reviews`` (a corrected field, or a finding
accepted, dismissed or reopened) with who, when and why; nothing is overwritten.
The reader's own report is kept in ``readings`` the first time a minute is
reviewed, and the minute's row then carries the reviewed report, so lists,
statistics, exports and search filters all see the corrected values. The event,
the reviewed report, the broken rules and the index job commit together.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from service.errors import ErrorCode, MinutesError
from service.schema.report import CheckReport, FindingState, Severity
from service.schema.units import Scope


def review_schema(serial_pk: str) -> list[str]:
    """The statements that create the review tables, with the dialect's auto-numbered key."""
    return [
        f"""CREATE TABLE IF NOT EXISTS minute_reviews (
            seq {serial_pk}, minute_id TEXT NOT NULL, kind TEXT NOT NULL, subject TEXT NOT NULL,
            value TEXT, previous TEXT, note TEXT, author TEXT NOT NULL, at TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS minute_reviews_minute ON minute_reviews (minute_id, seq)",
        "CREATE INDEX IF NOT EXISTS minute_reviews_subject ON minute_reviews (kind, subject)",
        "CREATE TABLE IF NOT EXISTS readings (minute_id TEXT PRIMARY KEY, report TEXT NOT NULL)",
    ]


class ReviewKind(StrEnum):
    """What a review event changes: a field, a finding's state or the minute's review status."""

    FIELD = "field"
    FINDING = "finding"
    STATUS = "status"  # the minute returned to its clerk, or approved


class MinuteStatus(StrEnum):
    """Where a minute stands with its reviewer."""

    SUBMITTED = "submitted"  # uploaded (or a new version of a returned one), not yet reviewed
    RETURNED = "returned"  # sent back to the clerk with comments; a new version answers it
    APPROVED = "approved"


class ReviewEvent(BaseModel):
    """One change a person made to a minute's reading."""

    model_config = ConfigDict(extra="forbid")

    seq: int
    kind: ReviewKind
    subject: str = Field(description="The field's path (``meeting.chair.name``) or the finding's rule.")
    value: Any = Field(description="The corrected value (null: the minute has none), or the finding's new state.")
    previous: Any = Field(None, description="The value or state before this change.")
    reverted: bool = Field(False, description="A correction taken back: the reader's value stands again.")
    note: str | None = Field(None, description="Why (required to dismiss a finding).")
    author: str
    at: str


@dataclass(frozen=True)
class NewEvent:
    """A review event to save; ``reverted`` takes back an earlier correction of the field."""

    kind: ReviewKind
    subject: str
    value: Any
    previous: Any
    note: str | None
    reverted: bool = False


def current_corrections(events: Sequence[ReviewEvent]) -> dict[str, Any]:
    """The corrected value of every field, latest change first; reverted fields drop out."""
    out: dict[str, Any] = {}
    for e in events:
        if e.kind is ReviewKind.FIELD:
            if e.reverted:
                out.pop(e.subject, None)
            else:
                out[e.subject] = e.value
    return out


def finding_states(events: Sequence[ReviewEvent]) -> dict[str, tuple[FindingState, str | None]]:
    """The latest state and note of every finding rule a person has judged."""
    out: dict[str, tuple[FindingState, str | None]] = {}
    for e in events:
        if e.kind is ReviewKind.FINDING:
            out[e.subject] = (FindingState(e.value), e.note)
    return {rule: s for rule, s in out.items() if s[0] is not FindingState.OPEN}


def status_of(value: Any) -> MinuteStatus:
    """The status a status event's value holds: ``{"status": …, "comments": {…}}``."""
    return MinuteStatus(value["status"] if isinstance(value, dict) else value)


class ReviewStore(Protocol):
    """Review events, readings and review statuses of stored minutes (part of every MinutesStore)."""

    def review_events(self, minute_id: str) -> list[ReviewEvent]:
        """Every review event of the minute, oldest first."""
        ...

    def reading(self, minute_id: str) -> CheckReport | None:
        """The reader's own report, before any review (None when never reviewed)."""
        ...

    def save_review(self, minute_id: str, events: list[NewEvent], report: CheckReport | None, *, author: str,
                    seen: int) -> int:
        """Store the events and the reviewed report (None: unchanged); Stale when a review came after ``seen``."""
        ...

    def statuses(self, minute_ids: list[str]) -> dict[str, tuple[MinuteStatus, str | None]]:
        """The review status and its comment of each of ``minute_ids`` (submitted when never set)."""
        ...

    def with_status(self, status: MinuteStatus, *, scope: Scope | None = None) -> list[str]:
        """Current minutes in scope whose latest review status is ``status`` (never submitted: no review)."""
        ...

    def dismissals(self, *, scope: Scope | None = None) -> list[tuple[str, int]]:
        """Each finding rule with how many current minutes in scope have it dismissed, most first."""
        ...

    def corrected_ids(self, *, scope: Scope | None = None) -> list[str]:
        """Current minutes in scope with any field review event (a reverted one too), by meeting date."""
        ...


class Stale(Exception):
    """Another review of the same minute was saved meanwhile: read and recompute again."""


class ReviewTables:
    """ReviewStore on the archive's SQL database (mixed into SqlStore)."""

    d: Any

    if TYPE_CHECKING:  # SqlStore's
        def _tx(self, *, write: bool = False) -> AbstractContextManager[Any]: ...

        def _exec(self, cur: Any, statement: str, params: Sequence[Any] = ()) -> Any: ...

    def review_events(self, minute_id: str) -> list[ReviewEvent]:
        """Every review event of the minute, oldest first; a reverted correction carries no value."""
        with self._tx() as cur:
            rows = self._exec(cur, "SELECT seq, kind, subject, value, previous, note, author, at FROM minute_reviews "
                              "WHERE minute_id = ? ORDER BY seq", (minute_id,)).fetchall()
        out = []
        for seq, kind, subject, value, previous, note, author, at in rows:
            v = json.loads(value) if value is not None else None
            reverted = isinstance(v, dict) and v.get("reverted") is True
            out.append(ReviewEvent(seq=int(seq), kind=ReviewKind(kind), subject=subject,
                                   value=None if reverted else v, reverted=reverted,
                                   previous=json.loads(previous) if previous is not None else None,
                                   note=note, author=author, at=at))
        return out

    def reading(self, minute_id: str) -> CheckReport | None:
        """The reader's own report, before any review (None when never reviewed)."""
        with self._tx() as cur:
            row = self._exec(cur, "SELECT report FROM readings WHERE minute_id = ?", (minute_id,)).fetchone()
        return None if row is None else CheckReport.model_validate_json(row[0])

    def save_review(self, minute_id: str, events: list[NewEvent], report: CheckReport | None, *, author: str,
                    seen: int) -> int:
        """Store the events and the reviewed report (None: unchanged); return the minute's latest event seq.

        Raises Stale when a review came after ``seen``, REVIEW_CONFLICT when the minute is no
        longer current or its corrected meeting is another current minute's, and MINUTE_NOT_FOUND
        when it was deleted.
        """
        from service.archive.outbox import now_iso

        now = now_iso()
        with self._tx(write=True) as cur:
            self.d.lock(cur, f"review\x1f{minute_id}")
            # Taking the row (an update of nothing) waits for an upload or a deletion of the same minute
            # under way, and then sees whether it is still there and still current.
            if self._exec(cur, "UPDATE minutes SET is_current = is_current WHERE id = ? AND is_current = 1",
                          (minute_id,)).rowcount != 1:
                found = self._exec(cur, "SELECT 1 FROM minutes WHERE id = ?", (minute_id,)).fetchone()
                raise _superseded() if found else MinutesError(ErrorCode.MINUTE_NOT_FOUND, "Biên bản đã bị xoá.",
                                                               status=404)
            last = self._exec(cur, "SELECT MAX(seq) FROM minute_reviews WHERE minute_id = ?",
                              (minute_id,)).fetchone()[0]
            if int(last or 0) != seen:
                raise Stale()
            for e in events:
                value: Any = {"reverted": True} if e.reverted else e.value
                self._exec(cur, "INSERT INTO minute_reviews (minute_id, kind, subject, value, previous, note, "
                           "author, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           (minute_id, e.kind.value, e.subject, json.dumps(value, ensure_ascii=False),
                            json.dumps(e.previous, ensure_ascii=False), e.note, author, now))
            if report is not None:
                self._write_report(cur, minute_id, report, now=now)
            return int(self._exec(cur, "SELECT MAX(seq) FROM minute_reviews WHERE minute_id = ?",
                                  (minute_id,)).fetchone()[0])

    def _write_report(self, cur: Any, minute_id: str, report: CheckReport, *, now: str) -> None:
        """The reviewed report in the minute's row, its broken rules and an index job; the reading kept once.

        The row keeps the version key of its reading, so that the next upload of the same
        meeting, read as this one was, still replaces it; a corrected date or type that
        names another current minute's meeting is refused.
        """
        from service.archive.sql import _period, _version_key

        row = self._exec(cur, "SELECT report, dang_bo_key, chi_bo_key, version_key FROM minutes WHERE id = ?",
                         (minute_id,)).fetchone()
        target = _version_key(row[1], row[2], report)
        if target is not None and target != row[3] and self._exec(
                cur, "SELECT 1 FROM minutes WHERE is_current = 1 AND id <> ? AND version_key = ?",
                (minute_id, target)).fetchone():
            raise MinutesError(ErrorCode.REVIEW_CONFLICT, "Chi bộ đã có một biên bản khác cùng ngày và cùng loại sinh "
                               "hoạt; không thể sửa ngày hoặc loại thành trùng với biên bản đó.", status=409)
        report = report.model_copy(deep=True)
        report.text.content = None
        m = report.record.meeting
        broken = {f.rule: f.severity.value for f in report.findings
                  if f.severity in (Severity.ERROR, Severity.WARNING) and f.state is not FindingState.DISMISSED}
        self._exec(cur, "INSERT INTO readings (minute_id, report) VALUES (?, ?) ON CONFLICT (minute_id) DO NOTHING",
                   (minute_id, row[0]))
        self._exec(cur, "UPDATE minutes SET report = ?, grade = ?, points = ?, complete = ?, meeting_date = ?, "
                   "period = ?, meeting_type = ? WHERE id = ?",
                   (report.model_dump_json(by_alias=True), report.score.grade.value, report.score.points,
                    int(report.complete), m.date, _period(report), m.type.value if m.type else None, minute_id))
        self._exec(cur, "DELETE FROM minute_rules WHERE minute_id = ?", (minute_id,))
        for rule, severity in sorted(broken.items()):
            self._exec(cur, "INSERT INTO minute_rules (minute_id, rule, severity) VALUES (?, ?, ?)",
                       (minute_id, rule, severity))
        self._exec(cur, "INSERT INTO index_jobs (minute_id, op, queued_at) VALUES (?, 'upsert', ?)",
                   (minute_id, now))

    def statuses(self, minute_ids: list[str]) -> dict[str, tuple[MinuteStatus, str | None]]:
        """The review status and its comment of each of ``minute_ids`` (submitted when never set)."""
        out: dict[str, tuple[MinuteStatus, str | None]] = dict.fromkeys(minute_ids, (MinuteStatus.SUBMITTED, None))
        with self._tx() as cur:
            for start in range(0, len(minute_ids), 500):
                part = minute_ids[start:start + 500]
                rows = self._exec(cur, f"SELECT minute_id, value, note FROM minute_reviews WHERE kind = 'status' "
                                  f"AND minute_id IN ({', '.join('?' * len(part))}) ORDER BY seq", part).fetchall()
                for mid, value, note in rows:
                    out[mid] = (status_of(json.loads(value)), note)
        return out

    def _latest(self, kind: ReviewKind, scope: Scope | None) -> list[tuple[str, str, Any]]:
        """(minute, subject, value) of the latest event of ``kind`` per subject of each current minute in scope."""
        from service.archive.filters import Where

        w = Where()
        w.add("is_current = 1")
        w.scope(scope)
        with self._tx() as cur:
            rows = self._exec(cur, f"""SELECT r.minute_id, r.subject, r.value FROM minute_reviews r
                WHERE r.kind = ? AND r.minute_id IN (SELECT id FROM minutes{w.sql()}) AND r.seq = (
                    SELECT MAX(r2.seq) FROM minute_reviews r2 WHERE r2.minute_id = r.minute_id
                    AND r2.kind = r.kind AND r2.subject = r.subject)""", [kind.value, *w.params]).fetchall()
        return [(mid, subject, json.loads(value)) for mid, subject, value in rows]

    def with_status(self, status: MinuteStatus, *, scope: Scope | None = None) -> list[str]:
        """Current minutes in scope whose latest review status is ``status`` (never submitted: no review)."""
        return [mid for mid, _, value in self._latest(ReviewKind.STATUS, scope) if status_of(value) is status]

    def dismissals(self, *, scope: Scope | None = None) -> list[tuple[str, int]]:
        """Each finding rule with how many current minutes in scope have it dismissed, most first."""
        counts: dict[str, int] = {}
        for _, rule, value in self._latest(ReviewKind.FINDING, scope):
            if value == FindingState.DISMISSED.value:
                counts[rule] = counts.get(rule, 0) + 1
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def corrected_ids(self, *, scope: Scope | None = None) -> list[str]:
        """Current minutes in scope with any field review event (a reverted one too), by meeting date."""
        from service.archive.filters import Where

        w = Where()
        w.add("is_current = 1")
        w.add("id IN (SELECT minute_id FROM minute_reviews WHERE kind = 'field')")
        w.scope(scope)
        with self._tx() as cur:
            return [r[0] for r in self._exec(cur, f"SELECT id FROM minutes{w.sql()} ORDER BY meeting_date, id",
                                             w.params).fetchall()]


def _superseded() -> MinutesError:
    return MinutesError(ErrorCode.REVIEW_CONFLICT, "Biên bản này đã có phiên bản mới hơn; hãy sửa phiên bản hiện "
                        "hành.", status=409)

