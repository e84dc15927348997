"""The month's submissions page: which chi bộ have sent their minute, and who to call."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from service.api.deps import PrincipalDep
from service.api.routes.minutes import ArchiveDep, ScopeDep
from service.api.routes.review import PeriodQuery, _submissions
from service.api.ui.render import render
from service.auth.principal import Permission
from service.schema.labels import SUBMISSION_STATE_VI
from service.schema.period import period_vi

router = APIRouter(include_in_schema=False)


@router.get("/nop-bien-ban")
def submissions_page(request: Request, archive: ArchiveDep, scope: ScopeDep, principal: PrincipalDep,
                     period: PeriodQuery = None) -> Response:
    """Per chi bộ: the month's minute submitted, returned, approved or missing; the quarter's thematic meeting."""
    result = _submissions(request, archive, scope, period)
    return render(request, "submissions.html", data=result, result=result, states=SUBMISSION_STATE_VI,
                  quarter=period_vi(result.quarter),
                  can_export=principal.can(Permission.EXPORT))
