"""Rendering for the reviewer pages: Jinja2 templates, JSON twins and errors as pages.

Every page answers JSON instead of HTML when asked with ``?format=json`` (or a
``.json`` suffix on its path, or ``Accept: application/json``); the JSON is the
same data the template shows. Errors on pages are pages too: a caller who is not
signed in is sent to the sign-in page, anything else gets a short Vietnamese
explanation with the same status code and error code as the API would give.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel
from starlette.types import ASGIApp, Receive, Scope, Send

from service.api.errors import error_response
from service.auth.principal import Permission, Principal
from service.errors import ErrorCode, MinutesError
from service.schema.labels import GRADE_VI, MEETING_TYPE_LABEL, ROLE_VI, SECTION_VI, SEVERITY_VI
from service.schema.period import VIETNAM

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


def _date_vi(value: str | None) -> str:
    if not value:
        return "—"
    parts = value[:10].split("-")
    if len(parts) == 3:
        return f"{parts[2]}/{parts[1]}/{parts[0]}"
    if len(parts) == 2:
        return f"{int(parts[1])}/{parts[0]}"
    return value


def _percent(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%".replace(".", ",")


def _datetime_vi(value: str | None) -> str:
    """An ISO timestamp as Vietnam reads it: dd/mm/yyyy HH:MM in Asia/Ho_Chi_Minh."""
    if not value:
        return "—"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def _ts(value: int | None) -> str:
    return datetime.fromtimestamp(value, VIETNAM).strftime("%d/%m/%Y %H:%M") if value else "—"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja2 environment of the page templates, with the Vietnamese date and number filters."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(date_vi=_date_vi, datetime_vi=_datetime_vi, percent=_percent, ts=_ts, urlquote=lambda s: quote(str(s or "")))
    env.globals.update(GRADE_VI=GRADE_VI, TYPE_VI=MEETING_TYPE_LABEL, SEVERITY_VI=SEVERITY_VI, SECTION_VI=SECTION_VI,
                       ROLE_VI=ROLE_VI, Permission=Permission)
    return env


def wants_json(request: Request) -> bool:
    """Whether the caller asked for JSON: ``?format=json``, a ``.json`` path or ``Accept: application/json``."""
    if request.query_params.get("format") == "json" or request.url.path.endswith(".json"):
        return True
    accept = request.headers.get("accept", "")
    return accept.startswith("application/json")


def is_page(request: Request) -> bool:
    """A request for an HTML page (not the API, not a JSON twin)."""
    path = request.url.path
    return not (path.startswith("/v1/") or path.startswith("/static/") or path in ("/openapi.json", "/docs")
                or wants_json(request))


def principal_of(request: Request) -> Principal | None:
    """The caller ``access`` found, if any."""
    return getattr(request.state, "principal", None)


def render(request: Request, template: str, *, data: BaseModel | dict[str, Any] | None = None,
           status: int = 200, **context: Any) -> Response:
    """The page, or its JSON twin (``data``) when asked for JSON."""
    if wants_json(request):
        payload = data.model_dump(mode="json", by_alias=True) if isinstance(data, BaseModel) else data or {}
        return JSONResponse({"ok": True, **jsonable_encoder(payload)}, status_code=status)
    principal = principal_of(request)
    html = environment().get_template(template).render(
        request=request, me=principal.user if principal else None, principal=principal,
        csrf=principal.csrf if principal else None, data=data, **context)
    return HTMLResponse(html, status_code=status)


def sign_in_url(request: Request) -> str:
    """The sign-in page, with a ``next`` that brings the caller back to this request's page."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/dang-nhap?next={quote(target, safe='')}"


def error_page(request: Request, err: MinutesError) -> Response:
    """The error as an HTML page, with its status and headers."""
    principal = principal_of(request)
    html = environment().get_template("error.html").render(
        request=request, me=principal.user if principal else None, principal=principal,
        csrf=principal.csrf if principal else None, error=err)
    return HTMLResponse(html, status_code=err.status, headers=err.headers or None)


class PageBodyLimit:
    """A page's oversized form gets the 413 as a page (the API's body limit answers JSON)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a page request whose declared length is over the limit with the 413 page; pass the rest on."""
        if scope["type"] == "http":
            request = Request(scope)
            length = request.headers.get("content-length", "")
            if length.isdigit() and int(length) > self.limit and is_page(request):
                err = MinutesError(ErrorCode.PAYLOAD_TOO_LARGE,
                                   f"Dữ liệu gửi lên vượt giới hạn {self.limit:,} byte.", status=413)
                await error_page(request, err)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def install_page_errors(app: FastAPI, limit: int) -> None:
    """Errors on pages become pages; the API keeps its JSON error shape."""

    async def _handler(request: Request, exc: Exception) -> Response:
        err = exc if isinstance(exc, MinutesError) else MinutesError(ErrorCode.INTERNAL, "Lỗi nội bộ của dịch vụ.",
                                                                    status=500)
        if not is_page(request):
            return error_response(err)
        if err.status == 401:
            return RedirectResponse(sign_in_url(request), status_code=303)
        if err.code == ErrorCode.PASSWORD_CHANGE_REQUIRED:
            return RedirectResponse("/tai-khoan", status_code=303)
        return error_page(request, err)

    async def _invalid(request: Request, exc: Exception) -> Response:
        errs = [f"{'.'.join(str(p) for p in e.get('loc', []))}: {e.get('msg')}"
                for e in getattr(exc, "errors", list)()]
        return await _handler(request, MinutesError(ErrorCode.INVALID_BODY,
                                                    "Dữ liệu gửi lên không đúng định dạng yêu cầu.", status=422,
                                                    errors=errs))

    app.add_exception_handler(MinutesError, _handler)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_middleware(PageBodyLimit, limit=limit)
