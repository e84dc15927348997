"""/v1/units: the chi bộ in the archive and audits of each over time."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from service.api.routes.minutes import ArchiveDep, ScopeDep
from service.archive.audit import UnitAudit
from service.archive.base import UnitSummary

router = APIRouter(prefix="/v1", tags=["units"])



class UnitsResponse(BaseModel):
    """Các đơn vị trong phạm vi người gọi được xem."""

    ok: bool = True
    data: list[UnitSummary]
    count: int


class AuditResponse(BaseModel):
    """Kiểm tra một chi bộ qua các biên bản trong kho (các tiêu chí ARC-*)."""

    ok: bool = True
    data: UnitAudit


@router.get("/units", response_model=UnitsResponse)
def list_units(archive: ArchiveDep, scope: ScopeDep) -> UnitsResponse:
    """Các chi bộ có biên bản trong kho, với mã đơn vị và khoảng thời gian."""
    units = archive.units(scope=scope)
    return UnitsResponse(data=units, count=len(units))


@router.get("/units/{unit}/audit", response_model=AuditResponse)
def audit_unit(
    unit: str,
    archive: ArchiveDep,
    scope: ScopeDep,
    dang_bo: Annotated[str | None, Query(description="Đảng bộ, khi tên chi bộ trùng ở nhiều nơi.")] = None,
    period_from: Annotated[str | None, Query(alias="from", pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
                                             description="Từ tháng YYYY-MM.")] = None,
    period_to: Annotated[str | None, Query(alias="to", pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
                                           description="Đến tháng YYYY-MM.")] = None,
) -> AuditResponse:
    """Kiểm tra kho biên bản của một chi bộ (mã đơn vị hoặc tên): tiêu chí ARC-* và chuỗi vắng mặt."""
    return AuditResponse(data=archive.audit(unit, dang_bo=dang_bo, scope=scope, period_from=period_from,
                                            period_to=period_to))
