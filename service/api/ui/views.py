"""The reviewer pages, in Vietnamese, server-rendered; each has a JSON twin (``?format=json``).

Pages call the same use cases as the API (the archive, the search index, the
statistics, the exports), through the caller's scope set by ``access``.
"""

from __future__ import annotations

import math
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from service.api.deps import CSRF_FIELD, SESSION_COOKIE, AccountsDep, PrincipalDep, forbidden_unit
from service.api.routes.minutes import (
    MAX_FILES_PER_REQUEST,
    ArchiveDep,
    ScopeDep,
    _drain_quietly,
    store_photos,
    store_upload,
    uploader_for,
)
from service.api.routes.stats import StatsDep
from service.api.ui import charts
from service.api.ui.render import principal_of, render, wants_json
from service.api.ui.search import run_search
from service.archive.base import MinuteFilter
from service.auth.accounts import Accounts
from service.auth.audit import audit_event, client_ip
from service.auth.principal import Permission, Role, Unit
from service.auth.secrets import new_token, same
from service.auth.units import UNIT_ID
from service.errors import ErrorCode, Forbidden, InputError, MinutesError
from service.exports import audit_report
from service.schema.labels import GRADE_VI, MEETING_TYPE_LABEL, SECTION_VI
from service.schema.period import parse_day, require_month, require_period
from service.schema.units import unit_key
from service.settings import Settings

router = APIRouter(include_in_schema=False)

LOGIN_CSRF_COOKIE = "minutes_login_csrf"
PER_PAGE = 20


def _safe_next(target: str | None) -> str:
    """Only paths on this site: "/x" but not "//host" or "/\\host"."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/tong-quan"


def _cookie_args(request: Request) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    return {"httponly": True, "samesite": "lax", "secure": settings.auth.cookie_secure, "path": "/"}


# signing in and out

@router.get("/")
def home(request: Request) -> Response:
    """Send a signed-in user to the dashboard, anyone else to the sign-in page."""
    principal = principal_of(request)
    return RedirectResponse("/tong-quan" if principal and principal.user else "/dang-nhap", status_code=303)


def _sign_in_page(request: Request, *, error: MinutesError | None = None, name: str = "",
                  next_url: str | None = None) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_token()
    status = error.status if error else 200
    if error is not None and wants_json(request):
        from service.api.errors import error_response

        return error_response(error)
    resp = render(request, "sign_in.html", data={"signed_in": False, "csrf_token": token}, status=status,
                  error=error, name=name, next_url=_safe_next(next_url), login_csrf=token)
    resp.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, **_cookie_args(request))
    if error is not None and error.headers:
        resp.headers.update(error.headers)
    return resp


@router.get("/dang-nhap")
def sign_in_form(request: Request, next: str | None = None) -> Response:  # noqa: A002 - the query name
    """The sign-in page; a user already signed in goes straight to ``next``."""
    principal = principal_of(request)
    if principal is not None and principal.user is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _sign_in_page(request, next_url=next)


@router.post("/dang-nhap")
async def sign_in(request: Request, accounts: AccountsDep) -> Response:
    """Check the sign-in form and start a session (a cookie), then go to ``next``; a refusal shows on the form."""
    form = await request.form()
    name, password = str(form.get("name") or "").strip(), str(form.get("password") or "")
    next_url = str(form.get("next") or "") or None
    sent, kept = str(form.get(CSRF_FIELD) or ""), request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    if not sent or not kept or not same(sent, kept):
        return _sign_in_page(request, name=name, next_url=next_url, error=Forbidden(
            ErrorCode.CSRF_FAILED, "Biểu mẫu đăng nhập đã cũ; hãy thử lại."))
    if not name or not password:
        return _sign_in_page(request, name=name, next_url=next_url, error=InputError(
            ErrorCode.INVALID_BODY, "Nhập tên đăng nhập và mật khẩu.", status=422))
    try:
        principal, token = await run_in_threadpool(accounts.sign_in, name, password, ip=client_ip(request))
    except MinutesError as e:
        return _sign_in_page(request, name=name, next_url=next_url, error=e)
    settings: Settings = request.app.state.settings
    max_age = int(settings.auth.session_max_hours * 3600)
    if wants_json(request):
        from service.api.routes.auth import user_out

        assert principal.user is not None
        resp: Response = render(request, "sign_in.html", data={"signed_in": True, "user": user_out(principal.user),
                                                                "csrf_token": principal.csrf})
    else:
        resp = RedirectResponse(_safe_next(next_url), status_code=303)
    resp.set_cookie(SESSION_COOKIE, token, max_age=max_age, **_cookie_args(request))
    resp.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return resp


@router.post("/dang-xuat")
async def sign_out(request: Request, accounts: AccountsDep, principal: PrincipalDep) -> Response:
    """End the session and go back to the sign-in page."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await run_in_threadpool(accounts.sign_out, token, principal.user, ip=client_ip(request))
    resp: Response = RedirectResponse("/dang-nhap", status_code=303)
    if wants_json(request):
        resp = render(request, "sign_in.html", data={"signed_in": False})
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


# uploading

def _unit_choices(request: Request, accounts: Accounts) -> list[Unit]:
    """Chi bộ of the unit tree an uploader may file a minute under (none for a clerk: their own)."""
    principal = principal_of(request)
    user = principal.user if principal else None
    if user is not None and user.role == Role.CLERK:
        return []
    scope = principal.scope if principal else None
    return sorted((u for u in accounts.store.units()
                   if u.chi_bo and (scope is None or scope.allows(u.dang_bo_key, u.id))), key=lambda u: u.label)


@router.get("/tai-len")
def upload_form(request: Request, accounts: AccountsDep) -> Response:
    """The upload page: the size and file limits, and the chi bộ the uploader may file a minute under."""
    settings: Settings = request.app.state.settings
    return render(request, "upload.html", data={"max_upload_bytes": settings.limits.max_upload_bytes,
                                                "max_files": MAX_FILES_PER_REQUEST},
                  max_bytes=settings.limits.max_upload_bytes, max_files=MAX_FILES_PER_REQUEST, results=None,
                  units=_unit_choices(request, accounts))


class UploadRow(BaseModel):
    """The outcome of one uploaded file, as the upload page lists it."""

    file_name: str | None
    status: str
    id: str | None = None
    replaced: str | None = None
    code: str | None = None
    message: str | None = None
    note: str | None = None


@router.post("/tai-len")
async def upload(request: Request, archive: ArchiveDep, scope: ScopeDep, accounts: AccountsDep,
                 background: BackgroundTasks) -> Response:
    """The same upload as POST /v1/minutes, for the form without script: one result per file."""
    settings: Settings = request.app.state.settings
    form = await request.form(max_files=MAX_FILES_PER_REQUEST, max_fields=MAX_FILES_PER_REQUEST + 5)
    files = [v for v in form.getlist("file") if isinstance(v, UploadFile) and (v.filename or v.size)]
    if not files:
        raise InputError(ErrorCode.INVALID_BODY, "Chưa chọn tệp biên bản nào.", status=422)
    chosen = form.get("unit")
    chosen = chosen if isinstance(chosen, str) and chosen else None
    if chosen is not None and (not UNIT_ID.match(chosen) or chosen not in
                               {u.id for u in _unit_choices(request, accounts)}):
        raise forbidden_unit()
    uploader = await run_in_threadpool(uploader_for, request, archive, chosen)
    rows: list[UploadRow] = []
    if form.get("combine") and len(files) > 1:  # photos of one minute's pages, in the order chosen
        r = await store_photos(request, archive, scope, files, uploader=uploader)
        rows.append(UploadRow(file_name=r.path, status=r.status, id=r.minute_id, replaced=r.replaced,
                              code=r.code, message=r.message, note=r.note))
        files = []
    for f in files:
        r = await store_upload(request, archive, scope, f, uploader=uploader)
        rows.append(UploadRow(file_name=r.path or f.filename, status=r.status, id=r.minute_id, replaced=r.replaced,
                              code=r.code, message=r.message, note=r.note))
    if any(r.status in ("stored", "replaced") for r in rows):
        background.add_task(_drain_quietly, archive)
    return render(request, "upload.html", data={"data": [r.model_dump() for r in rows]},
                  max_bytes=settings.limits.max_upload_bytes, max_files=MAX_FILES_PER_REQUEST, results=rows,
                  units=_unit_choices(request, accounts))


# minutes

@router.get("/bien-ban")
def minutes_list(
    request: Request, archive: ArchiveDep, scope: ScopeDep,
    dang_bo: str | None = None, chi_bo: str | None = None, unit_id: str | None = None,
    period: Annotated[str | None, Query(max_length=7, description="YYYY hoặc YYYY-MM")] = None,
    grade: str | None = None, rule: Annotated[str | None, Query(max_length=40)] = None,
    complete: bool | None = None, page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    """The stored minutes, filtered by unit, period, grade, rule and completeness, a page at a time."""
    require_period(period)
    flt = MinuteFilter(dang_bo=dang_bo or None, chi_bo=chi_bo or None, unit_id=unit_id or None, period=period or None,
                       grade=grade or None, rule=rule or None, complete=complete)
    rows, total = archive.list_minutes(flt, scope=scope, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    query = {k: v for k, v in {"dang_bo": dang_bo, "chi_bo": chi_bo, "unit_id": unit_id, "period": period,
                                "grade": grade, "rule": rule,
                                "complete": None if complete is None else str(complete).lower()}.items() if v}
    pages = max(1, math.ceil(total / PER_PAGE))
    return render(request, "minutes.html", data={"data": [r.model_dump() for r in rows], "count": total,
                                                 "page": page, "pages": pages},
                  rows=rows, total=total, page=page, pages=pages, query=query, qs=urlencode(query))


# search

@router.get("/tim-kiem")
def search_page(
    request: Request, archive: ArchiveDep, principal: PrincipalDep,
    q: Annotated[str, Query(max_length=500)] = "",
    dang_bo: str | None = None, chi_bo: str | None = None,
    date_from: Annotated[str | None, Query(max_length=10)] = None,
    date_to: Annotated[str | None, Query(max_length=10)] = None,
    type: str | None = None, section: str | None = None,  # noqa: A002 - the query name
    rule: Annotated[str | None, Query(max_length=40)] = None,
    grade: Annotated[str | None, Query(max_length=12)] = None,
    group: bool = False,
    mode: Annotated[str, Query(pattern="^(hybrid|dense|sparse)$")] = "hybrid",
    page: Annotated[int, Query(ge=1, le=100)] = 1,
) -> Response:
    """Search results for ``q`` with the filters applied, a page at a time; no search without a query."""
    start, end = parse_day(date_from), parse_day(date_to)
    result = run_search(archive, principal, q, dang_bo=dang_bo or None, chi_bo=chi_bo or None,
                        date_from=start.isoformat() if start else None, date_to=end.isoformat() if end else None,
                        meeting_type=type or None, section=section or None, rule=rule or None,
                        grade=grade or None, group=group, mode=mode, page=page) if q.strip() else None
    query = {k: v for k, v in {"q": q, "dang_bo": dang_bo, "chi_bo": chi_bo,
                                "date_from": start.isoformat() if start else None,
                                "date_to": end.isoformat() if end else None, "type": type,
                                "section": section, "rule": rule, "grade": grade, "group": "1" if group else None,
                                "mode": mode if mode != "hybrid" else None}.items() if v}
    narrowed = [f"{label} {value}" for label, value in (
        ("đảng bộ", dang_bo), ("chi bộ", chi_bo), ("từ ngày", query.get("date_from")),
        ("đến ngày", query.get("date_to")), ("loại", MEETING_TYPE_LABEL.get(type or "", type)),
        ("phần", SECTION_VI.get(section or "", section)), ("tiêu chí", rule),
        ("xếp loại", GRADE_VI.get(grade or "", grade))) if value]
    return render(request, "search.html", data=result, result=result, q=q, query=query, qs=urlencode(query),
                  narrowed=narrowed,
                  page=page)


# the dashboard and the audit report

@router.get("/tong-quan")
def dashboard(
    request: Request, stats: StatsDep, archive: ArchiveDep, scope: ScopeDep, principal: PrincipalDep,
    dang_bo: str | None = None, unit_id: str | None = None,
    period_from: Annotated[str | None, Query(alias="from", max_length=7)] = None,
    period_to: Annotated[str | None, Query(alias="to", max_length=7)] = None,
) -> Response:
    """The dashboard: meetings, attendance, thematic meetings and grades of a đảng bộ or unit over months.

    A user other than an admin sees their own đảng bộ unless another is asked for. The page also lists
    the minutes returned to their clerks and, for reviewers, how often each rule's finding was dismissed.
    """
    user = principal.user
    assert user is not None
    if dang_bo is None and user.role != Role.ADMIN and user.unit is not None:
        dang_bo = user.unit.dang_bo
    flt = stats.default_filter(scope=scope, dang_bo=dang_bo or None, unit_id=unit_id or None,
                               period_from=period_from or None, period_to=period_to or None)
    board = stats.dashboard(flt, scope=scope)
    if board.dang_bo is None and dang_bo:
        board = board.model_copy(update={"dang_bo": dang_bo})
    dang_bos = sorted({u.dang_bo for u in archive.units(scope=scope) if u.dang_bo},
                      key=lambda n: unit_key(n, "dang_bo") or "")
    query = {k: v for k, v in {"dang_bo": dang_bo, "unit_id": unit_id, "from": flt.period_from,
                                "to": flt.period_to}.items() if v}
    grade_counts = {g.grade: g.count for g in board.grades}
    from service.review.review import dismissals, returned_minutes

    dismissed = dismissals(archive, scope=scope) if principal.can(Permission.REVIEW) else []
    returned = sorted(archive.store.summaries(returned_minutes(archive, scope=scope), scope=scope).values(),
                      key=lambda m: (m.date or "", m.id))
    notes = archive.store.statuses([m.id for m in returned])
    return render(request, "dashboard.html", data=board, board=board, dang_bos=dang_bos, query=query,
                  returned=[(m, notes[m.id][1]) for m in returned], dismissed=dismissed,
                  qs=urlencode(query), heatmap=charts.attendance_heatmap(board.units, board.months),
                  meetings_svg=charts.meetings_chart(board.per_month),
                  attendance_svg=charts.attendance_line(board.per_month),
                  quarters_svg=charts.quarters_chart(board.per_quarter),
                  grades_svg=charts.grades_chart(grade_counts),
                  can_export=principal.can(Permission.EXPORT))


@router.get("/bao-cao/{unit_id}")
def audit_report_page(
    unit_id: str, request: Request, archive: ArchiveDep, scope: ScopeDep, principal: PrincipalDep,
    period_from: Annotated[str | None, Query(alias="from", max_length=7)] = None,
    period_to: Annotated[str | None, Query(alias="to", max_length=7)] = None,
) -> Response:
    """The printable audit report of one chi bộ (print to PDF from the browser)."""
    for p in (period_from, period_to):
        require_month(p or None)
    report = audit_report(archive, unit_id, scope=scope, period_from=period_from or None,
                          period_to=period_to or None,
                          by=principal.user.name if principal.user else None)
    audit_event(request, "export", target="audit_report", unit_id=report.unit_id, dang_bo=report.dang_bo,
                detail={"from": report.period_from, "to": report.period_to, "minutes": len(report.minutes)})
    return render(request, "report.html", data=report, r=report)
