"""/v1/stats: the figures behind the dashboard, per đảng bộ (or chi bộ) and period, scoped to the caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from service.api.routes.minutes import ScopeDep, get_archive
from service.api.state import shared
from service.reporting import figures as fig
from service.reporting.stats import Stats, open_stats
from service.schema.period import MONTH

router = APIRouter(prefix="/v1/stats", tags=["stats"])


def get_stats(request: Request) -> Stats:
    """The app's statistics reader, opened on first use on the archive's database."""
    return shared(request, "stats", lambda: open_stats(get_archive(request).store))


StatsDep = Annotated[Stats, Depends(get_stats)]


def stats_filter(
    stats: StatsDep,
    scope: ScopeDep,
    dang_bo: Annotated[str | None, Query(description="Đảng bộ (mặc định: mọi đơn vị được xem).")] = None,
    unit_id: Annotated[str | None, Query(description="Chỉ một chi bộ (mã đơn vị).")] = None,
    period_from: Annotated[str | None, Query(alias="from", pattern=MONTH, description="Từ tháng YYYY-MM.")] = None,
    period_to: Annotated[str | None, Query(alias="to", pattern=MONTH, description="Đến tháng YYYY-MM.")] = None,
) -> fig.StatsFilter:
    """Period defaults to the 12 months up to the newest minute in view."""
    return stats.default_filter(scope=scope, dang_bo=dang_bo, unit_id=unit_id, period_from=period_from,
                                period_to=period_to)


FilterDep = Annotated[fig.StatsFilter, Depends(stats_filter)]


class DashboardResponse(BaseModel):
    """Mọi số liệu của trang tổng quan."""

    ok: bool = True
    data: fig.Dashboard


class _Period(BaseModel):
    ok: bool = True
    period_from: str
    period_to: str


class AttendanceResponse(_Period):
    """Tỷ lệ dự họp theo chi bộ và tháng."""

    data: list[fig.UnitRow]


class MeetingsResponse(_Period):
    """Số buổi sinh hoạt theo tháng và sinh hoạt chuyên đề theo quý."""

    per_month: list[fig.MonthRow]
    per_quarter: list[fig.QuarterRow]


class GradesResponse(_Period):
    """Phân bố xếp loại và số biên bản đầy đủ / chưa đầy đủ."""

    overview: fig.Overview
    data: list[fig.GradeRow]


class RulesResponse(_Period):
    """Các tiêu chí bị vi phạm nhiều nhất."""

    data: list[fig.RuleRow]


class AbsencesResponse(_Period):
    """Đảng viên vắng nhiều kỳ liên tiếp hoặc vắng không lý do lặp lại."""

    data: list[fig.AbsenceRow]


def _json(model: BaseModel) -> Response:
    """A large answer serialised once by pydantic-core (the figures are typed already), not re-validated."""
    return Response(model.model_dump_json(), media_type="application/json")


@router.get("/dashboard", response_model=DashboardResponse)
def dashboard(stats: StatsDep, flt: FilterDep, scope: ScopeDep) -> Response:
    """Mọi số liệu của trang tổng quan một đảng bộ trong một lần gọi."""
    return _json(DashboardResponse.model_construct(data=stats.dashboard(flt, scope=scope)))


@router.get("/attendance", response_model=AttendanceResponse)
def attendance(stats: StatsDep, flt: FilterDep, scope: ScopeDep) -> Response:
    """Tỷ lệ dự họp của từng chi bộ theo tháng, các tháng không họp và các quý thiếu chuyên đề."""
    return _json(AttendanceResponse.model_construct(period_from=flt.period_from, period_to=flt.period_to,
                                                    data=stats.units(flt, scope=scope)))


@router.get("/meetings", response_model=MeetingsResponse)
def meetings(stats: StatsDep, flt: FilterDep, scope: ScopeDep) -> MeetingsResponse:
    """Số buổi sinh hoạt theo tháng (và số chi bộ đã họp), sinh hoạt chuyên đề theo quý."""
    per_month, per_quarter = stats.meetings(flt, scope=scope)
    return MeetingsResponse(period_from=flt.period_from, period_to=flt.period_to, per_month=per_month,
                            per_quarter=per_quarter)


@router.get("/grades", response_model=GradesResponse)
def grades(stats: StatsDep, flt: FilterDep, scope: ScopeDep) -> GradesResponse:
    """Phân bố xếp loại và số biên bản đầy đủ / chưa đầy đủ."""
    data, overview = stats.grades(flt, scope=scope)
    return GradesResponse(period_from=flt.period_from, period_to=flt.period_to, overview=overview, data=data)


@router.get("/rules", response_model=RulesResponse)
def rules(stats: StatsDep, flt: FilterDep, scope: ScopeDep,
          limit: Annotated[int, Query(ge=1, le=100)] = 10) -> RulesResponse:
    """Các tiêu chí bị vi phạm nhiều nhất."""
    return RulesResponse(period_from=flt.period_from, period_to=flt.period_to,
                         data=stats.rules(flt, scope=scope, limit=limit))


@router.get("/absences", response_model=AbsencesResponse)
def absences(stats: StatsDep, flt: FilterDep, scope: ScopeDep,
             limit: Annotated[int, Query(ge=1, le=500)] = 50) -> AbsencesResponse:
    """Đảng viên vắng có lý do nhiều kỳ liên tiếp hoặc vắng không lý do lặp lại."""
    return AbsencesResponse(period_from=flt.period_from, period_to=flt.period_to,
                            data=stats.absences(flt, scope=scope, limit=limit))
