"""The single-minute rules. Each check returns its breaches; texts come from the rule set."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from service.nlp.cues import lexicon
from service.nlp.extract import Evidence
from service.nlp.fields import unreadable
from service.nlp.text import Doc
from service.schema.record import MeetingType, Record

Span = tuple[int, int]


@dataclass
class Breach:
    """One breach of a rule: the values for its message, and where it shows."""

    values: dict[str, Any] = field(default_factory=dict)
    span: Span | None = None


@dataclass
class Context:
    """What a check reads: the normalised text, the record, the reader's evidence and the rule set's thresholds."""

    doc: Doc
    record: Record
    evidence: Evidence
    thresholds: dict[str, float]


Check = Callable[[Context], Iterator[Breach]]
_CHECKS: dict[str, Check] = {}


def rule(rule_id: str) -> Callable[[Check], Check]:
    """Register the decorated function as the check of ``rule_id``."""
    def deco(fn: Check) -> Check:
        _CHECKS[rule_id] = fn
        return fn
    return deco


def checks() -> dict[str, Check]:
    """Every registered check by rule id."""
    return dict(_CHECKS)


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def duration_minutes(record: Record) -> int | None:
    """The meeting's length in minutes from its start and end times (past midnight counts on)."""
    m = record.meeting
    if not (m.start_time and m.end_time):
        return None
    d = _minutes(m.end_time) - _minutes(m.start_time)
    return d if d >= 0 else d + 24 * 60


# -- header, time, place ---------------------------------------------------

@rule("HDR-UNIT")
def _unit(c: Context) -> Iterator[Breach]:
    if not (c.record.meeting.chi_bo or c.record.meeting.dang_bo):
        yield Breach()


@rule("HDR-DATE")
def _date(c: Context) -> Iterator[Breach]:
    if not c.record.meeting.date and not unreadable(c.record, "date"):
        yield Breach()


@rule("HDR-TYPE")
def _type(c: Context) -> Iterator[Breach]:
    if c.record.meeting.type is None:
        yield Breach()


@rule("TIME-START")
def _start(c: Context) -> Iterator[Breach]:
    if not c.record.meeting.start_time and not unreadable(c.record, "start_time"):
        yield Breach()


@rule("TIME-END")
def _end(c: Context) -> Iterator[Breach]:
    if not c.record.meeting.end_time and not unreadable(c.record, "end_time"):
        yield Breach()


@rule("TIME-DURATION")
def _duration(c: Context) -> Iterator[Breach]:
    d = duration_minutes(c.record)
    if d is None:
        return
    combined = c.record.meeting.combined_thematic
    limit = int(c.thresholds["min_duration_combined_minutes" if combined else "min_duration_minutes"])
    if d < limit:
        yield Breach({"minutes": d, "limit": limit}, c.evidence.spans.get("end_time"))


@rule("LOC")
def _loc(c: Context) -> Iterator[Breach]:
    if not c.record.meeting.location and not unreadable(c.record, "location"):
        yield Breach()


# -- attendance --------------------------------------------------------------

@rule("ATT-MISSING")
def _att_missing(c: Context) -> Iterator[Breach]:
    a = c.record.attendance
    missing = []
    if a.total is None and not unreadable(c.record, "total"):
        missing.append("tổng số đảng viên của chi bộ")
    if a.present is None and not unreadable(c.record, "present"):
        missing.append("số đảng viên có mặt")
    if missing:
        yield Breach({"missing": " và ".join(missing)})


def _reconciled(c: Context, accounted: int) -> bool:
    """Present + absent fits the minute under a reading of its exempt members the text allows.

    Whether exempt members who stayed away count as absent is the one figure minutes leave
    unsaid most often; a sum that any split of them explains, or that equals the "phải dự"
    the minute states, is not a contradiction.
    """
    a, spans = c.record.attendance, c.evidence.spans
    if a.total is None or "attendance.exempt_split" in spans:
        return False  # the minute says which exempt members came: its sum can be checked
    base = a.total - (a.temporary_out or 0) + (a.temporary_in or 0)
    must = spans.get("attendance.must_attend")
    if must and int(c.doc.text[must[0]:must[1]]) == accounted and base - (a.exempt or 0) <= accounted <= base:
        return True
    gap = base - accounted
    if a.exempt:
        return 0 <= gap <= a.exempt
    return a.exempt is None and gap > 0 and "attendance.exempt_cue" in spans


@rule("ATT-SUM")
def _att_sum(c: Context) -> Iterator[Breach]:
    a = c.record.attendance
    sp = c.evidence.spans
    if a.official is not None and a.probationary is not None and a.total is not None \
            and a.official + a.probationary != a.total:
        yield Breach({"detail": f"{a.official} chính thức + {a.probationary} dự bị ≠ tổng số {a.total}"},
                     sp.get("attendance.total"))
    if a.expected is not None and a.present is not None and (
            a.absent_excused_count is not None or a.absent_unexcused_count is not None):
        absent = (a.absent_excused_count or 0) + (a.absent_unexcused_count or 0)
        if a.present + absent != a.expected and not _reconciled(c, a.present + absent):
            yield Breach({"detail": f"có mặt {a.present} + vắng {absent} ≠ {a.expected} đảng viên phải dự"},
                         sp.get("attendance.present"))
    for count, names, label in (
        (a.absent_excused_count, [x for x in a.absent_excused if x.name], "vắng có lý do"),
        (a.absent_unexcused_count, [x for x in a.absent_unexcused if x.name], "vắng không lý do"),
    ):
        if count is not None and len(names) > count:
            yield Breach({"detail": f"ghi {count} đồng chí {label} nhưng nêu tên {len(names)} đồng chí"})


@rule("ATT-ABSENT-NAMES")
def _att_names(c: Context) -> Iterator[Breach]:
    a = c.record.attendance
    count = (a.absent_excused_count or 0) + (a.absent_unexcused_count or 0)
    named = sum(1 for x in a.absent_excused if x.name) + sum(1 for x in a.absent_unexcused if x.name)
    if count > named:
        yield Breach({"count": count, "named": named}, c.evidence.spans.get("attendance.absent_excused_count"))


@rule("ATT-ABSENT-REASON")
def _att_reason(c: Context) -> Iterator[Breach]:
    for x in c.record.attendance.absent_excused:
        if x.name and not x.reason:
            yield Breach({"name": x.name})


@rule("ATT-UNEXCUSED")
def _att_unexcused(c: Context) -> Iterator[Breach]:
    a = c.record.attendance
    n = max(a.absent_unexcused_count or 0, len(a.absent_unexcused))
    if n > 0:
        yield Breach({"count": n}, c.evidence.spans.get("attendance.absent_unexcused_count"))


@rule("ATT-RATE")
def _att_rate(c: Context) -> Iterator[Breach]:
    a = c.record.attendance
    limit = c.thresholds["max_attendance_rate_flagged"]
    if a.rate is not None and a.rate <= limit + 1e-9:
        yield Breach({"rate": f"{a.rate * 100:.1f}".replace(".", ","), "present": a.present,
                      "expected": a.expected, "limit": f"{limit * 100:g}"},
                     c.evidence.spans.get("attendance.present"))


@rule("ATT-QUORUM")
def _att_quorum(c: Context) -> Iterator[Breach]:
    a = c.record.attendance
    if a.voting_base is None or a.present is None or a.voting_base <= 0:
        return
    present_official = a.present_official
    if present_official is None:
        present_official = a.present - (a.probationary or 0) - (a.temporary_in or 0)
        present_official = max(0, min(present_official, a.voting_base))
    if present_official <= a.voting_base * c.thresholds["quorum_share"]:
        yield Breach({"present": present_official, "base": a.voting_base},
                     c.evidence.spans.get("attendance.present"))


# -- roles, agenda, discussion ---------------------------------------------

@rule("ROLE-CHAIR")
def _chair(c: Context) -> Iterator[Breach]:
    if c.record.meeting.chair is None and not unreadable(c.record, "chair"):
        yield Breach()


@rule("ROLE-SECRETARY")
def _secretary(c: Context) -> Iterator[Breach]:
    if c.record.meeting.secretary is None and not unreadable(c.record, "secretary"):
        yield Breach()


@rule("AGENDA")
def _agenda(c: Context) -> Iterator[Breach]:
    if not c.evidence.agenda and not c.evidence.agenda_heads:
        yield Breach()


@rule("DISC-SPEAKERS")
def _speakers(c: Context) -> Iterator[Breach]:
    if not c.record.discussion:
        yield Breach()


# -- conclusion, resolution, vote --------------------------------------------

@rule("CONCL")
def _concl(c: Context) -> Iterator[Breach]:
    if not c.evidence.conclusions:
        yield Breach()


def _conclusion_has_tasks(c: Context) -> bool:

    for a, b in c.evidence.conclusions:
        seg = c.doc.fold[a:b]
        if re.search(r"giao (?:cho )?(?:dong chi|d/c|dc)|phan cong (?:dong chi|d/c)|nhiem vu (?:thang|trong thang|cu the)", seg):
            return True
    return False


@rule("RES-MISSING")
def _res_missing(c: Context) -> Iterator[Breach]:
    if c.record.meeting.type != MeetingType.THUONG_KY:
        return
    if not c.record.resolutions and not _conclusion_has_tasks(c):
        yield Breach()


@rule("RES-TASK-OWNER")
def _res_owner(c: Context) -> Iterator[Breach]:
    for r in c.record.resolutions:
        orphans = [t for t in r.tasks if not t.assignee]
        if orphans:
            yield Breach({"count": len(orphans)}, orphans[0].span)


@rule("VOTE-MISSING")
def _vote_missing(c: Context) -> Iterator[Breach]:
    for r in c.record.resolutions:
        if r.vote is None and not unreadable(c.record, "vote"):
            yield Breach(span=r.span)


@rule("VOTE-INVALID")
def _vote_invalid(c: Context) -> Iterator[Breach]:
    a = c.record.attendance
    for r in c.record.resolutions:
        v = r.vote
        if v is None:
            continue
        base = a.voting_base
        if v.for_ is not None and base:
            if v.for_ * 2 <= base:
                yield Breach({"detail": f"{v.for_} phiếu tán thành không quá một nửa "
                                        f"{base} đảng viên có quyền biểu quyết"}, v.span)
                continue
        cast = sum(x or 0 for x in (v.for_, v.against, v.abstain))
        if v.for_ is not None and a.present is not None and cast > a.present:
            yield Breach({"detail": f"tổng số phiếu {cast} lớn hơn số đảng viên có mặt {a.present}"}, v.span)
            continue
        voters_max = a.present_official
        if voters_max is None and a.present is not None and a.probationary:
            voters_max = a.present - a.probationary - (a.temporary_in or 0)
        if c.evidence.probationary_voted or (
                v.for_ is not None and voters_max is not None and cast > voters_max and voters_max > 0):
            yield Breach({"detail": "có đảng viên dự bị (không có quyền biểu quyết) được tính vào kết quả"}, v.span)


# -- criticism, read-back, signatures, placeholders --------------------------

@rule("CRIT-MISSING")
def _crit(c: Context) -> Iterator[Breach]:
    if not c.record.criticism:
        yield Breach()


@rule("READBACK")
def _readback(c: Context) -> Iterator[Breach]:
    if not c.record.minutes_read_back:
        yield Breach()


@rule("SIGN")
def _sign(c: Context) -> Iterator[Breach]:
    s = c.record.signatures
    who = []
    if not s.secretary and not unreadable(c.record, "signature_secretary"):
        who.append("thư ký")
    if not s.chair and not unreadable(c.record, "signature_chair"):
        who.append("chủ trì (T/M chi bộ)")
    if who:
        yield Breach({"who": " và ".join(who)},
                     (c.evidence.signature_start, len(c.doc.text)) if c.evidence.signature_start is not None else None)


@rule("FIELD-UNREADABLE")
def _unreadable(c: Context) -> Iterator[Breach]:
    labels = lexicon().labels
    for name, reading in c.record.fields.items():
        if unreadable(c.record, name):
            yield Breach({"field": labels.get(name, name), "cue": (reading.cue or "").strip()}, reading.span)


@rule("DOC-MULTIPLE")
def _multiple(c: Context) -> Iterator[Breach]:
    others = c.evidence.extent.others if c.evidence.extent else ()
    if others:
        a, b, title = others[0]
        yield Breach({"count": len(others) + 1, "title": title}, (a, b))


@rule("DOC-HEADER-ONLY")
def _header_only(c: Context) -> Iterator[Breach]:
    if c.evidence.extent and c.evidence.extent.header_only:
        yield Breach({}, None)


@rule("DOC-TRUNCATED")
def _truncated(c: Context) -> Iterator[Breach]:
    cut = c.evidence.extent.cut_at if c.evidence.extent else None
    if cut:
        a, b = cut
        yield Breach({"snippet": c.doc.text[max(a, b - 60):b]}, (a, b))


@rule("PLACEHOLDER")
def _placeholder(c: Context) -> Iterator[Breach]:
    for a, b in c.evidence.placeholders:
        line = c.doc.line_at(a)
        snippet = c.doc.text[max(line.start, a - 30):min(line.end, b + 10)].strip()
        yield Breach({"snippet": snippet}, (a, b))
