"""The figures a dashboard shows, and the filter that chooses their minutes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_MONTHS = 12
MAX_MONTHS = 120


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UnitMonth(_Out):
    """Một chi bộ trong một tháng: số cuộc họp, có họp thường kỳ, chuyên đề, tỷ lệ dự họp."""

    period: str
    meetings: int
    regular: bool
    thematic: bool
    attendance: float | None = Field(description="Mean attendance rate (0..1) of the month's meetings.")


class UnitRow(_Out):
    """Một chi bộ trong kỳ: số cuộc họp, tỷ lệ dự họp, từng tháng, tháng và quý còn thiếu."""

    unit_id: str
    dang_bo: str | None
    chi_bo: str | None
    meetings: int
    attendance: float | None
    months: list[UnitMonth]
    missed_months: list[str] = Field(description="Months of the period with no regular meeting.")
    quarters_without_thematic: list[str]


class MonthRow(_Out):
    """Một tháng trong kỳ: số cuộc họp thường kỳ và chuyên đề, số chi bộ đã họp, tỷ lệ dự họp."""

    period: str
    meetings: int
    regular: int
    thematic: int
    units_met: int = Field(description="Chi bộ that held a regular meeting this month.")
    units_total: int
    attendance: float | None


class QuarterRow(_Out):
    """Một quý: số cuộc sinh hoạt chuyên đề và số chi bộ đã sinh hoạt chuyên đề."""

    quarter: str
    thematic_meetings: int
    units_met: int = Field(description="Chi bộ that held at least one thematic meeting this quarter.")
    units_total: int


class GradeRow(_Out):
    """Số biên bản của một xếp loại."""

    grade: str
    label: str
    count: int


class RuleRow(_Out):
    """Một tiêu chí: số biên bản vi phạm và tỷ lệ trong kỳ."""

    rule: str
    severity: str
    title: str | None
    minutes: int
    share: float = Field(description="Share of the period's minutes that break the rule.")


class AbsenceRow(_Out):
    """Một đảng viên vắng: chuỗi vắng có lý do dài nhất và hiện tại, số lần vắng không lý do."""

    member: str
    unit_id: str
    chi_bo: str | None
    longest_excused_streak: int
    current_excused_streak: int
    unexcused: int
    last_absent: str | None
    flagged: bool = Field(description="Breaks a rule: more than 3 excused absences in a row in a year, or "
                                      "2 or more unexcused absences in a year.")
    minute_ids: list[str]


class Overview(_Out):
    """Tổng quan của kỳ: số biên bản, số đầy đủ và chưa đầy đủ, điểm trung bình."""

    minutes: int
    complete: int
    incomplete: int
    points: float | None


class Dashboard(_Out):
    """Bảng tổng hợp của một đảng bộ hoặc một chi bộ trong kỳ: tổng quan, từng chi bộ, tháng, quý, xếp loại, tiêu chí, vắng."""

    dang_bo: str | None
    unit_id: str | None
    period_from: str
    period_to: str
    months: list[str]
    overview: Overview
    units: list[UnitRow]
    per_month: list[MonthRow]
    per_quarter: list[QuarterRow]
    grades: list[GradeRow]
    rules: list[RuleRow]
    absences: list[AbsenceRow]


@dataclass(frozen=True)
class StatsFilter:
    """Which minutes the figures cover: a đảng bộ (by key) or one unit, over months [period_from, period_to]."""

    period_from: str
    period_to: str
    dang_bo_key: str | None = None
    unit_id: str | None = None


@lru_cache(maxsize=1)
def rule_titles() -> dict[str, str]:
    """Every rule's title by id, from all rule sets and the archive rules."""
    from service.rules.ruleset import load_ruleset, note_rules

    titles: dict[str, str] = {}
    for name in ("HD09", "HD12", "HD42"):
        for spec in load_ruleset(name).rules.values():
            titles[spec.id] = spec.title
    titles.update({rid: r.title for rid, r in note_rules("archive_rules").items()})
    return titles

