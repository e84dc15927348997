"""Audits across one chi bộ's archive: the ARC-* rules and members' absence streaks.

Rules (contract rules.md, "Rules across a chi bộ's archive"):

- ARC-MONTHLY-GAP: a calendar month with no regular meeting (Điều lệ Art. 24(2)).
- ARC-THEMATIC-QUARTER: a quarter with no thematic meeting (HD 12-HD/BTCTW §II.2.2; HD 42).
- ARC-ABSENT-STREAK: a member absent with reason at more than 3 meetings in a row in a year
  (HD 12-HD/BTCTW criterion 1).
- ARC-UNEXCUSED-REPEAT: a member absent without reason at 2 or more meetings in a year.

How the archive is read:

- The audited span runs from the first to the last month the archive holds for the
  unit, unless the caller names one. Only quarters wholly inside the span are judged.
- A regular meeting is a "thường kỳ" minute, a combined regular + thematic session,
  or a minute whose type could not be told (so a missing label is not a missed month).
  A thematic meeting is a "chuyên đề" minute or a combined session.
- Absences come from the named absentees of every chi bộ meeting except chi ủy
  meetings. A streak of excused absences is ended by a meeting whose absentees are
  all named and that does not list the member as excused; a meeting that counts
  absentees without naming them all neither extends nor ends it. Streaks do not
  run across the new year.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from service.archive.base import MinuteSummary
from service.rules.ruleset import note_rules, threshold
from service.schema.period import is_month, month_vi, months_between
from service.schema.record import MeetingType
from service.schema.report import CheckReport, Severity

# The ARC rules, their texts and limits are data, beside every other rule (service/rules/rulesets.yaml).
RULES = note_rules("archive_rules")
STREAK_LIMIT = int(threshold("absent_streak_limit"))  # not absent with reason more often in a row in a year
UNEXCUSED_LIMIT = int(threshold("unexcused_repeat_limit"))  # absent without reason this often in a year


class ArchiveFinding(BaseModel):
    """One ARC rule broken: the month, quarter or year it is about, the member and the minutes involved."""

    model_config = ConfigDict(extra="forbid")

    rule: str
    severity: Severity
    message: str
    reference: str
    period: str | None = Field(None, description="YYYY-MM, YYYY-Qn or YYYY the finding is about.")
    member: str | None = None
    minute_ids: list[str] = Field(default_factory=list)


class Absence(BaseModel):
    """One meeting a member missed, with or without a reason."""

    model_config = ConfigDict(extra="forbid")

    minute_id: str
    date: str | None
    excused: bool
    reason: str | None = None


class MemberAbsences(BaseModel):
    """A member's absences over the audited span, with their streaks of excused ones."""

    model_config = ConfigDict(extra="forbid")

    member: str
    excused: int
    unexcused: int
    longest_excused_streak: int
    current_excused_streak: int
    absences: list[Absence]


class UnitPeriod(BaseModel):
    """One unit over months [period_from, period_to]: the head of every audit of a unit."""

    model_config = ConfigDict(extra="forbid")

    unit_id: str
    dang_bo: str | None
    chi_bo: str | None
    period_from: str | None
    period_to: str | None


class UnitAudit(UnitPeriod):
    """One unit's audit: the minutes in its span, the ARC findings and each absent member's record."""

    minutes: int
    findings: list[ArchiveFinding]
    members: list[MemberAbsences]


_TITLE = re.compile(r"^(?:đồng chí|đ/c|đ\.c|đc|đ/\s*c)\s*", re.IGNORECASE)


def member_key(name: str) -> str:
    """The key that tells members apart: NFC, without a title ("đồng chí", "đ/c"), single spaces, casefolded."""
    text = unicodedata.normalize("NFC", name).strip()
    text = _TITLE.sub("", text)
    return " ".join(text.split()).casefold()


def _is_regular(report: CheckReport) -> bool:
    m = report.record.meeting
    return m.type in (MeetingType.THUONG_KY, None) or m.combined_thematic


def _is_thematic(report: CheckReport) -> bool:
    m = report.record.meeting
    return m.type == MeetingType.CHUYEN_DE or m.combined_thematic


@dataclass
class _Member:
    name: str
    absences: list[Absence] = field(default_factory=list)
    streak: list[str] = field(default_factory=list)
    streak_year: str | None = None
    longest: int = 0
    flagged: set[str] = field(default_factory=set)


def audit_unit(unit_id: str, minutes: list[tuple[MinuteSummary, CheckReport]], *,
               period_from: str | None = None, period_to: str | None = None) -> UnitAudit:
    """Run the ARC rules over one unit's current minutes (any order)."""
    dated = sorted((m for m in minutes if m[0].period), key=lambda m: (m[0].date or m[0].period or "", m[0].id))
    periods = [s.period for s, _ in dated if s.period]
    lo = period_from or (min(periods) if periods else None)
    hi = period_to or (max(periods) if periods else None)
    in_span = [(s, r) for s, r in dated if lo and hi and s.period and lo <= s.period <= hi]
    findings: list[ArchiveFinding] = []

    if lo and hi:
        regular = {s.period for s, r in in_span if _is_regular(r)}
        for month in months_between(lo, hi):
            if month not in regular:
                findings.append(_finding("ARC-MONTHLY-GAP", {"month": month_vi(month)}, period=month))
        thematic = {s.period for s, r in in_span if _is_thematic(r)}
        months = months_between(lo, hi)
        for q_start in [p for p in months if int(p[5:7]) % 3 == 1]:
            quarter = months_between(q_start, f"{q_start[:4]}-{int(q_start[5:7]) + 2:02d}")
            if quarter[-1] > hi:
                continue
            if not thematic.intersection(quarter):
                q = (int(q_start[5:7]) - 1) // 3 + 1
                findings.append(_finding("ARC-THEMATIC-QUARTER", {"quarter": q, "year": q_start[:4]},
                                         period=f"{q_start[:4]}-Q{q}"))

    members: dict[str, _Member] = {}
    unexcused_by_year: dict[tuple[str, str], list[str]] = {}
    for s, r in in_span:
        if r.record.meeting.type == MeetingType.CHI_UY:
            continue
        year = (s.date or s.period or "")[:4]
        att = r.record.attendance
        named_excused = [a for a in att.absent_excused if a.name]
        complete = (att.absent_excused_count is None or att.absent_excused_count <= len(named_excused)) and (
            att.absent_unexcused_count is None
            or att.absent_unexcused_count <= len([a for a in att.absent_unexcused if a.name]))
        excused_now: set[str] = set()
        for a in named_excused:
            assert a.name is not None
            key = member_key(a.name)
            mem = members.setdefault(key, _Member(a.name))
            mem.absences.append(Absence(minute_id=s.id, date=s.date, excused=True, reason=a.reason))
            excused_now.add(key)
        for u in att.absent_unexcused:
            if not u.name:
                continue
            key = member_key(u.name)
            mem = members.setdefault(key, _Member(u.name))
            mem.absences.append(Absence(minute_id=s.id, date=s.date, excused=False))
            unexcused_by_year.setdefault((key, year), []).append(s.id)
        for key, mem in members.items():
            if mem.streak_year != year:
                mem.streak, mem.streak_year = [], year
            if key in excused_now:
                mem.streak.append(s.id)
                mem.longest = max(mem.longest, len(mem.streak))
                if len(mem.streak) > STREAK_LIMIT and year not in mem.flagged:
                    mem.flagged.add(year)
                    findings.append(_streak_finding(mem, year))
                elif len(mem.streak) > STREAK_LIMIT and year in mem.flagged:
                    _extend_streak_finding(findings, mem, year)
            elif complete:
                mem.streak = []

    for (key, year), ids in sorted(unexcused_by_year.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if len(ids) >= UNEXCUSED_LIMIT:
            name = members[key].name
            findings.append(_finding("ARC-UNEXCUSED-REPEAT", {"member": name, "count": len(ids), "year": year},
                                     period=year, member=name, minute_ids=ids))

    latest = max(minutes, key=lambda m: (m[0].date or "", m[0].received_at))[0] if minutes else None
    return UnitAudit(
        unit_id=unit_id, dang_bo=latest.dang_bo if latest else None, chi_bo=latest.chi_bo if latest else None,
        period_from=lo, period_to=hi, minutes=len(in_span),
        findings=sorted(findings, key=lambda f: (f.period or "", f.rule, f.member or "")),
        members=sorted((MemberAbsences(
            member=m.name, excused=sum(a.excused for a in m.absences),
            unexcused=sum(not a.excused for a in m.absences), longest_excused_streak=m.longest,
            current_excused_streak=len(m.streak), absences=m.absences) for m in members.values()),
            key=lambda x: (-x.longest_excused_streak, -x.unexcused, x.member)),
    )


def _extend_streak_finding(findings: list[ArchiveFinding], mem: _Member, year: str) -> None:
    """Grow the year's streak finding while the member keeps missing meetings."""
    for i, f in enumerate(findings):
        if f.rule == "ARC-ABSENT-STREAK" and f.member == mem.name and f.period == year:
            if len(mem.streak) > len(f.minute_ids):
                findings[i] = _streak_finding(mem, year)
            return


def _streak_finding(mem: _Member, year: str) -> ArchiveFinding:
    return _finding("ARC-ABSENT-STREAK", {"member": mem.name, "count": len(mem.streak), "year": year,
                                          "limit": STREAK_LIMIT}, period=year, member=mem.name,
                    minute_ids=list(mem.streak))


def _finding(rule: str, values: dict[str, object], *, period: str | None = None, member: str | None = None,
             minute_ids: list[str] | None = None) -> ArchiveFinding:
    spec = RULES[rule]
    return ArchiveFinding(rule=rule, severity=spec.severity, message=spec.text(**values),
                          reference=spec.reference or "", period=period, member=member, minute_ids=minute_ids or [])


def parse_period(value: str | None) -> str | None:
    """Accept YYYY-MM; anything else is refused by the caller."""
    return value if is_month(value) else None
