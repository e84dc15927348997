"""Who has sent this month's minute: per chi bộ, submitted, returned, approved or missing.

The chi bộ come from the unit tree (every chi bộ a user was created for, so a chi bộ
that never sent anything is listed) and from the archive. A month wants a regular
meeting's minute; a quarter wants a thematic meeting (a chuyên đề minute, or a regular
meeting combined with one), judged once the quarter's last month is asked for.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.archive.archive import Archive
from service.archive.base import MinuteFilter, MinuteSummary
from service.archive.reviews import MinuteStatus
from service.auth.principal import Role
from service.auth.store import AuthStore
from service.schema.labels import SUBMISSION_STATE_VI
from service.schema.period import VIETNAM, require_month
from service.schema.report import CheckReport
from service.schema.units import Scope

State = Literal["missing", "submitted", "returned", "approved"]
_RANK = {"returned": 0, "submitted": 1, "approved": 2}


class KnownUnit(BaseModel):
    """A chi bộ of the unit tree, with the clerks to call about it."""

    unit_id: str
    dang_bo: str | None
    chi_bo: str | None
    clerks: list[str] = Field(default_factory=list)


class UnitSubmission(BaseModel):
    """Where one chi bộ stands for the month: state, minute, reviewer's note, thematic meeting, whom to call."""

    model_config = ConfigDict(extra="forbid")

    unit_id: str
    dang_bo: str | None
    chi_bo: str | None
    state: State = Field(description="missing (no minute of a meeting this month), submitted, returned or approved.")
    minute_id: str | None = Field(None, description="The month's minute (the one needing most attention).")
    date: str | None = None
    note: str | None = Field(None, description="The reviewer's comment when returned.")
    thematic: bool | None = Field(None, description="Whether the quarter has a thematic meeting; null until the "
                                  "quarter's last month.")
    clerks: list[str] = Field(default_factory=list, description="User names of the chi bộ's clerks (who to call).")
    last_date: str | None = Field(None, description="The chi bộ's latest meeting on record.")


class Submissions(BaseModel):
    """Every chi bộ in scope for a month, and how many are in each state."""

    model_config = ConfigDict(extra="forbid")

    period: str
    quarter: str
    units: list[UnitSubmission]
    counts: dict[str, int] = Field(description="Units per state, and `thematic_missing`.")

    def reminders(self) -> list[UnitSubmission]:
        """Who to call: chi bộ with no minute, a returned one, or no thematic meeting in the quarter."""
        return [u for u in self.units if u.state in ("missing", "returned") or u.thematic is False]


def known_units(store: AuthStore) -> list[tuple[KnownUnit, str | None]]:
    """The chi bộ of the unit tree, each with its clerks and its đảng bộ key."""
    clerks: dict[str, list[str]] = {}
    for user in store.users():
        if user.role is Role.CLERK and user.active and user.unit is not None:
            clerks.setdefault(user.unit.id, []).append(user.name)
    return [(KnownUnit(unit_id=u.id, dang_bo=u.dang_bo, chi_bo=u.chi_bo, clerks=clerks.get(u.id, [])), u.dang_bo_key)
            for u in store.units() if u.level == "chi_bo"]


def _is_thematic(summary: MinuteSummary, report: CheckReport) -> bool:
    return summary.meeting_type == "chuyen_de" or report.record.meeting.combined_thematic


def _in_scope(unit: KnownUnit, dang_bo_key: str | None, scope: Scope | None) -> bool:
    return scope is None or unit.unit_id in scope.units or (dang_bo_key is not None and dang_bo_key in scope.dang_bo)


def submissions(archive: Archive, period: str, *, known: Iterable[tuple[KnownUnit, str | None]] = (),
                scope: Scope | None = None) -> Submissions:
    """The state of every chi bộ in scope for month ``period`` (YYYY-MM).

    ``known`` is the unit tree: each chi bộ with its đảng bộ key (for the scope test).
    """
    require_month(period)
    year, month = int(period[:4]), int(period[5:7])
    q = (month - 1) // 3
    last_month = q * 3 + 3
    # By the month each minute is for (its title's month, else its date's): a December meeting held
    # on 3 January still counts for December.
    rows = [row for m in range(q * 3 + 1, last_month + 1)
            for row in archive.store.reports(MinuteFilter(period=f"{year:04d}-{m:02d}"), scope=scope)]
    statuses = archive.store.statuses([s.id for s, _ in rows])
    units: dict[str, UnitSubmission] = {}
    for u, dkey in known:
        if _in_scope(u, dkey, scope):
            units[u.unit_id] = UnitSubmission(unit_id=u.unit_id, dang_bo=u.dang_bo, chi_bo=u.chi_bo, state="missing",
                                              clerks=sorted(u.clerks))
    for a in archive.units(scope=scope):
        if a.chi_bo and a.unit_id not in units:
            units[a.unit_id] = UnitSubmission(unit_id=a.unit_id, dang_bo=a.dang_bo, chi_bo=a.chi_bo, state="missing")
        if a.unit_id in units:
            units[a.unit_id].last_date = a.last_date
    quarter_over = month == last_month
    thematic: set[str] = set()
    for s, r in rows:
        if s.unit_id not in units or s.meeting_type == "chi_uy":
            continue
        if _is_thematic(s, r):
            thematic.add(s.unit_id)
        if s.period != period:
            continue
        status, note = statuses[s.id]
        state: State = "submitted" if status is MinuteStatus.SUBMITTED else status.value  # type: ignore[assignment]
        row = units[s.unit_id]
        if row.state == "missing" or _RANK[state] < _RANK[row.state]:
            row.state, row.minute_id, row.date, row.note = state, s.id, s.date, note
    for row in units.values():
        row.thematic = (row.unit_id in thematic) if quarter_over else None
    ordered = sorted(units.values(), key=lambda x: (x.dang_bo or "", x.chi_bo or "", x.unit_id))
    counts = {k: sum(1 for x in ordered if x.state == k) for k in SUBMISSION_STATE_VI}
    counts["thematic_missing"] = sum(1 for x in ordered if x.thematic is False)
    return Submissions(period=period, quarter=f"{year}-Q{q + 1}", units=ordered, counts=counts)


REMINDER_COLUMNS = ["Đảng bộ", "Chi bộ", "Mã đơn vị", "Tháng", "Tình trạng", "Nhận xét khi trả lại",
                    "Sinh hoạt chuyên đề trong quý", "Văn thư (gọi nhắc)", "Lần họp gần nhất"]


def reminder_rows(result: Submissions) -> list[list[object]]:
    """One row per chi bộ to call, for CSV or XLSX."""
    return [[u.dang_bo, u.chi_bo, u.unit_id, result.period, SUBMISSION_STATE_VI[u.state], u.note,
             {True: "có", False: "chưa có", None: "(quý chưa hết)"}[u.thematic], ", ".join(u.clerks) or None,
             u.last_date] for u in result.reminders()]


def this_month() -> str:
    """The current month in Vietnam (UTC+7)."""
    from datetime import datetime

    return datetime.now(VIETNAM).strftime("%Y-%m")
