"""The review use cases behind every door: correct a field, judge a finding, read the history.

Each change is checked, the minute is checked again with every correction and
judgement so far (``check.recheck_text``), and the change, the new report and the
index job are stored together. Two people reviewing the same minute at once are
serialised: the later one is recomputed on top of the earlier one.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from service.archive.archive import Archive
from service.archive.base import StoredMinute
from service.archive.reviews import (
    MinuteStatus,
    NewEvent,
    ReviewEvent,
    ReviewKind,
    Stale,
    current_corrections,
    finding_states,
    status_of,
)
from service.errors import ErrorCode, InputError, MinutesError
from service.schema.corrections import FIELDS, parse_value, read_value, spec_of
from service.schema.report import CheckReport, FindingState
from service.schema.units import Scope

MAX_NOTE = 500
_TRIES = 5
_RULE = re.compile(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+")


@dataclass(frozen=True)
class Correction:
    """A person's correction of one field: a new value, or ``revert`` to the reader's."""

    field: str
    value: Any = None
    reason: str | None = None
    revert: bool = False


class CorrectedField(BaseModel):
    """A field whose value a person set, beside what the reader read."""

    model_config = ConfigDict(extra="forbid")

    field: str
    label: str
    value: Any
    read: Any = Field(description="What the reader read from the minute.")
    reason: str | None
    author: str
    at: str


class MinuteReview(BaseModel):
    """A minute's reviewed report, its corrected fields, its status and the whole history of changes."""

    model_config = ConfigDict(extra="forbid")

    minute_id: str
    report: CheckReport
    corrected: list[CorrectedField]
    history: list[ReviewEvent]
    status: MinuteStatus = Field(MinuteStatus.SUBMITTED, description="submitted, returned (to the clerk, with "
                                 "comments) or approved.")
    status_note: str | None = Field(None, description="The reviewer's comment with the latest status.")
    comments: dict[str, str] = Field(default_factory=dict, description="Comments on fields (their paths) or "
                                     "findings (their rules) sent with the latest return.")
    revision: int = Field(0, description="The number of the latest change; send it back as `base` so that a "
                          "change made meanwhile by someone else is refused (409) instead of overwritten.")


class RuleDismissals(BaseModel):
    """How many current minutes had a rule's finding dismissed."""

    model_config = ConfigDict(extra="forbid")

    rule: str
    dismissed: int = Field(description="Current minutes in which a reviewer dismissed this rule's finding.")


def clean_note(note: str | None, *, required: bool, what: str) -> str | None:
    """A note with its spaces collapsed (NFC), or None when empty.

    Raises INVALID_REVIEW for control or hidden characters, more than MAX_NOTE characters or, when
    ``required``, fewer than 3; ``what`` names the note in the message.
    """
    text = " ".join(unicodedata.normalize("NFC", note or "").split())
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in text):
        raise InputError(ErrorCode.INVALID_REVIEW, f"{what} có ký tự điều khiển hoặc ký tự ẩn.")
    if len(text) > MAX_NOTE:
        raise InputError(ErrorCode.INVALID_REVIEW, f"{what} dài quá {MAX_NOTE} ký tự.")
    if required and len(text) < 3:
        raise InputError(ErrorCode.INVALID_REVIEW, f"Hãy ghi {what.lower()} (ví dụ “biên bản có ghi, máy đọc sai”).")
    return text or None


def minute_review(archive: Archive, minute_id: str, *, scope: Scope | None = None,
                  stored: StoredMinute | None = None) -> MinuteReview:
    """The review of a minute (``stored``: the minute already read in scope, not read again)."""
    stored = stored or archive.get(minute_id, scope=scope)
    events = archive.store.review_events(minute_id)
    reading = archive.store.reading(minute_id) or stored.report
    return _review(minute_id, stored.report, reading, events)


def _review(minute_id: str, report: CheckReport, reading: CheckReport, events: list[ReviewEvent]) -> MinuteReview:
    latest: dict[str, ReviewEvent] = {}
    status: ReviewEvent | None = None
    for e in events:
        if e.kind is ReviewKind.FIELD:
            latest[e.subject] = e
            status = None  # a minute changed after it was returned or approved is up for review again
        elif e.kind is ReviewKind.STATUS:
            status = e
    corrected = [CorrectedField(field=path, label=spec_of(path).label, value=e.value,
                                read=read_value(reading.record, path), reason=e.note, author=e.author, at=e.at)
                 for path, e in latest.items() if not e.reverted]
    review = MinuteReview(minute_id=minute_id, report=report, corrected=corrected, history=events,
                          revision=events[-1].seq if events else 0)
    if status is not None:
        review.status, review.status_note = status_of(status.value), status.note
        review.comments = dict(status.value.get("comments") or {}) if isinstance(status.value, dict) else {}
    return review


def correct_fields(archive: Archive, minute_id: str, corrections: list[Correction], *, author: str,
                   scope: Scope | None = None, base: int | None = None) -> MinuteReview:
    """Set (or revert) fields of a minute's record; findings, score and grade follow."""
    archive.get(minute_id, scope=scope)  # another unit's minute is not found, whatever was sent
    if not corrections:
        raise InputError(ErrorCode.INVALID_CORRECTION, "Không có trường nào để sửa.")
    if len(corrections) > len(FIELDS):
        raise InputError(ErrorCode.INVALID_CORRECTION, f"Mỗi lần sửa được nhiều nhất {len(FIELDS)} trường.")
    parsed = [(spec_of(c.field).path, None if c.revert else parse_value(c.field, c.value), c.revert,
               clean_note(c.reason, required=False, what="Lý do sửa")) for c in corrections]
    if len({p[0] for p in parsed}) != len(parsed):
        raise InputError(ErrorCode.INVALID_CORRECTION, "Mỗi trường chỉ được sửa một lần trong một yêu cầu.")

    def events(report: CheckReport, reading: CheckReport, history: list[ReviewEvent]) -> list[NewEvent]:
        now = current_corrections(history)
        out = []
        for path, value, revert, note in parsed:
            before = read_value(report.record, path)
            if revert:
                if path in now:
                    out.append(NewEvent(ReviewKind.FIELD, path, None, before, note, reverted=True))
            elif path not in now and value == read_value(reading.record, path):
                continue  # the reader already has it
            elif path not in now or now[path] != value:
                out.append(NewEvent(ReviewKind.FIELD, path, value, before, note))
        return out

    return _change(archive, minute_id, events, author=author, scope=scope, base=base,
                   touches={(ReviewKind.FIELD, p[0]) for p in parsed})


def judge_finding(archive: Archive, minute_id: str, rule: str, state: FindingState, note: str | None, *,
                  author: str, scope: Scope | None = None, base: int | None = None) -> MinuteReview:
    """Accept, dismiss (with a reason) or reopen the finding of ``rule`` on a minute."""
    archive.get(minute_id, scope=scope)
    note = clean_note(note, required=state is FindingState.DISMISSED, what="Lý do")

    def events(report: CheckReport, reading: CheckReport, history: list[ReviewEvent]) -> list[NewEvent]:
        if not any(f.rule == rule for f in report.findings):
            raise InputError(ErrorCode.INVALID_REVIEW, f"Biên bản không có phát hiện “{rule[:40]}”.", status=422)
        now, now_note = finding_states(history).get(rule, (FindingState.OPEN, None))  # the history is the truth
        if now is state and now_note == note:
            return []
        return [NewEvent(ReviewKind.FINDING, rule, state.value, now.value, note)]

    return _change(archive, minute_id, events, author=author, scope=scope, base=base,
                   touches={(ReviewKind.FINDING, rule)})


def set_status(archive: Archive, minute_id: str, status: MinuteStatus, note: str | None, *, author: str,
               comments: dict[str, str] | None = None, scope: Scope | None = None, base: int | None = None
               ) -> MinuteReview:
    """Return a minute to its clerk (a comment is required; comments on fields or findings may go with it),
    approve it, or take it back to submitted. Only the current version changes status."""
    archive.get(minute_id, scope=scope)
    note = clean_note(note, required=status is MinuteStatus.RETURNED, what="Nhận xét")
    notes: dict[str, str] = {}
    for key, text in (comments or {}).items():
        if key not in FIELDS and not _RULE.fullmatch(key):
            raise InputError(ErrorCode.INVALID_REVIEW, f"“{key[:40]}” không phải là trường hay phát hiện của biên bản.")
        cleaned = clean_note(text, required=False, what=f"Nhận xét về {key}")
        if cleaned:
            notes[key] = cleaned
    if len(notes) > 40:
        raise InputError(ErrorCode.INVALID_REVIEW, "Nhiều nhất 40 nhận xét một lần.")

    def events(report: CheckReport, reading: CheckReport, history: list[ReviewEvent]) -> list[NewEvent]:
        now = _review(minute_id, report, reading, history)
        if now.status is status and now.status_note == note and now.comments == notes:
            return []
        return [NewEvent(ReviewKind.STATUS, "minute", {"status": status.value, "comments": notes}, now.status.value,
                         note)]

    return _change(archive, minute_id, events, author=author, scope=scope, recheck=False, base=base,
                   touches={(ReviewKind.STATUS, "minute")})


class FieldChange(BaseModel):
    """A field whose value differs between two versions of a minute."""

    model_config = ConfigDict(extra="forbid")

    field: str
    label: str
    before: Any
    after: Any


class VersionDiff(BaseModel):
    """What changed from one version of a minute to another: text, fields, findings, score."""

    model_config = ConfigDict(extra="forbid")

    before: str = Field(description="The earlier version's id.")
    after: str
    text: list[str] = Field(description="A unified diff of the two normalised texts, line by line.")
    fields: list[FieldChange]
    findings_added: list[str] = Field(description="Rules the later version breaks and the earlier did not.")
    findings_removed: list[str]
    points: tuple[int, int]


def compare_versions(archive: Archive, minute_id: str, other: str | None = None, *,
                     scope: Scope | None = None, max_lines: int = 400) -> VersionDiff:
    """The minute beside ``other`` (default: the version it replaced), earlier one first."""
    import difflib

    later = archive.get(minute_id, scope=scope)
    other = other or later.summary.replaces
    if other is None:
        raise InputError(ErrorCode.INVALID_REVIEW, "Biên bản này chỉ có một phiên bản; không có gì để so sánh.",
                         status=422)
    earlier = archive.get(other, scope=scope)
    if earlier.summary.version > later.summary.version:
        earlier, later = later, earlier
    lines = list(difflib.unified_diff(earlier.text.splitlines(), later.text.splitlines(), "trước", "sau",
                                      lineterm="", n=1))
    changes = [FieldChange(field=p, label=spec.label, before=read_value(earlier.report.record, p),
                           after=read_value(later.report.record, p)) for p, spec in FIELDS.items()]
    counts: tuple[tuple[str, str, Callable[[CheckReport], int]], ...] = (
        ("record.resolutions", "Số nghị quyết", lambda r: len(r.record.resolutions)),
        ("record.discussion", "Số ý kiến thảo luận", lambda r: len(r.record.discussion)),
        ("record.criticism", "Số ý kiến phê bình", lambda r: len(r.record.criticism)))
    changes += [FieldChange(field=p, label=label, before=fn(earlier.report), after=fn(later.report))
                for p, label, fn in counts]

    def broken(r: CheckReport) -> set[str]:
        return {f.rule for f in r.findings if f.state is not FindingState.DISMISSED}

    return VersionDiff(before=earlier.summary.id, after=later.summary.id, text=lines[:max_lines],
                       fields=[c for c in changes if c.before != c.after],
                       findings_added=sorted(broken(later.report) - broken(earlier.report)),
                       findings_removed=sorted(broken(earlier.report) - broken(later.report)),
                       points=(earlier.report.score.points, later.report.score.points))


def returned_minutes(archive: Archive, *, scope: Scope | None = None) -> list[str]:
    """Current minutes in scope waiting for their clerk's new version."""
    return archive.store.with_status(MinuteStatus.RETURNED, scope=scope)


Events = Callable[[CheckReport, CheckReport, list[ReviewEvent]], list[NewEvent]]


def _change(archive: Archive, minute_id: str, make: Events, *, author: str, scope: Scope | None,
            recheck: bool = True, base: int | None = None,
            touches: set[tuple[ReviewKind, str]] | None = None) -> MinuteReview:
    from service.check import recheck_text

    store = archive.store
    for _ in range(_TRIES):
        stored = archive.get(minute_id, scope=scope)
        if not stored.summary.current:
            raise MinutesError(ErrorCode.REVIEW_CONFLICT, "Biên bản này đã có phiên bản mới hơn; hãy sửa phiên bản "
                               "hiện hành.", status=409)
        history = store.review_events(minute_id)
        if base is not None:
            _refuse_overwrite(history, base, touches or set())
        reading = store.reading(minute_id) or stored.report
        new = make(stored.report, reading, history)
        if not new:
            return _review(minute_id, stored.report, reading, history)
        seen = history[-1].seq if history else 0
        planned = history + [ReviewEvent(seq=seen + i + 1, kind=e.kind, subject=e.subject, value=e.value,
                                         previous=e.previous, reverted=e.reverted, note=e.note, author=author, at="")
                             for i, e in enumerate(new)]
        report = recheck_text(stored.text, reading=reading, corrections=current_corrections(planned),
                              states=finding_states(planned), settings=archive.settings) if recheck else None
        try:
            store.save_review(minute_id, new, report, author=author, seen=seen)
        except Stale:
            continue
        return minute_review(archive, minute_id, scope=scope)
    raise MinutesError(ErrorCode.STORE_CONFLICT, "Nhiều người đang sửa cùng một biên bản; hãy thử lại.", status=409)


def _refuse_overwrite(history: list[ReviewEvent], base: int, touches: set[tuple[ReviewKind, str]]) -> None:
    """409 when someone changed the same field, finding or status after change ``base`` (what the caller saw)."""
    later = [e for e in history if e.seq > base and (e.kind, e.subject) in touches]
    if later:
        raise MinutesError(ErrorCode.REVIEW_CONFLICT, "Người khác vừa sửa đúng chỗ này sau khi bạn mở biên bản; hãy "
                           "xem lại thay đổi của họ rồi lưu lại.", status=409,
                           errors=[f"{e.author} ({e.at}): {e.subject} → "
                                   f"{'trả về giá trị máy đọc' if e.reverted else json.dumps(e.value, ensure_ascii=False)}"
                                   for e in later])


def dismissals(archive: Archive, *, scope: Scope | None = None) -> list[RuleDismissals]:
    """How often each rule's finding was dismissed: where the reader is wrong most."""
    return [RuleDismissals(rule=rule, dismissed=n) for rule, n in archive.store.dismissals(scope=scope)]


def labeled_cases(archive: Archive, *, scope: Scope | None = None, limit: int = 5000) -> bytes:
    """A zip of every corrected minute as a labeled case: ``ID.txt`` and ``ID.json``.

    The label's ``expect`` holds the fields people corrected (``record.`` paths) with
    their corrected values, and the fields the reader read that nobody changed are
    left out: only what a person confirmed becomes ground truth.
    """
    ids = archive.store.corrected_ids(scope=scope)
    if len(ids) > limit:
        raise MinutesError(ErrorCode.EXPORT_TOO_LARGE, f"Có {len(ids)} biên bản đã sửa; hãy lọc theo đơn vị "
                           f"(tối đa {limit}).", status=413)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for mid in ids:
            stored = archive.get(mid, scope=scope)
            corrected = current_corrections(archive.store.review_events(mid))
            if not corrected:
                continue
            case = mid[:16]
            label = {
                "id": case,
                "style": "Corrected by a reviewer in minutes",
                "rule_set": stored.report.ruleset,
                "source": stored.summary.file_name,
                "expect": {f"record.{path}": value for path, value in sorted(corrected.items())},
            }
            z.writestr(f"{case}.txt", stored.text)
            z.writestr(f"{case}.json", json.dumps(label, ensure_ascii=False, indent=2) + "\n")
    return buf.getvalue()
