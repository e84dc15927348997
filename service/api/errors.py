"""Every error, FastAPI's own included, as one JSON shape with a stable code."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.headers import house_headers
from service.errors import ErrorCode, MinutesError
from service.schema.errors import ErrorBody
from service.settings import Settings

log = logging.getLogger("minutes.api")


def error_response(err: MinutesError) -> JSONResponse:
    """The error as a JSON response, with its status and headers."""
    return JSONResponse(err.body(), status_code=err.status, headers=err.headers or None)


class BodyLimit:
    """Refuse request bodies over the limit before they are read into memory."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse (413) a declared length over the limit; raise PAYLOAD_TOO_LARGE once a body read passes it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        too_big = MinutesError(ErrorCode.PAYLOAD_TOO_LARGE,
                               f"Dữ liệu gửi lên vượt giới hạn {self.limit:,} byte.", status=413)
        if length is not None and length.isdigit() and int(length) > self.limit:
            await error_response(too_big)(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    raise too_big
            return msg

        await self.app(scope, limited, send)


def allowed_methods(request: Request) -> str:
    """The methods some route of the app answers at this request's path (for ``Allow``)."""
    allowed = [m for m in _METHODS
               if any(r.matches({**request.scope, "method": m})[0] == Match.FULL for r in request.app.router.routes)]
    return ", ".join(allowed)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


# Statuses any route may answer with the error shape, documented on every operation.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text} for status, text in (
        (400, "Dữ liệu gửi lên không đọc được (JSON hỏng, tệp hỏng, …)."),
        (401, "Chưa đăng nhập, khóa API sai hoặc hết hạn."),
        (403, "Không có quyền, hoặc đơn vị ngoài phạm vi của tài khoản."),
        (404, "Không có thứ được hỏi (hoặc nằm ngoài phạm vi được xem)."),
        (409, "Xung đột: đã có, hoặc nhiều bản gửi cùng lúc."),
        (413, "Dữ liệu gửi lên vượt giới hạn."),
        (415, "Kiểu dữ liệu không được nhận."),
        (422, "Dữ liệu hoặc tham số không hợp lệ."),
        (429, "Quá nhiều lần thử, hoặc hàng chờ chuyển đổi của người dùng đã đầy."),
        (503, "Cơ sở dữ liệu hoặc chỉ mục tạm thời không dùng được."),
    )
}


def install_error_handlers(app: FastAPI, settings: Settings) -> None:
    """Answer every error in the JSON error shape (a client gone away: a bare 400), and limit request bodies."""
    @app.exception_handler(MinutesError)
    async def _minutes(_: Request, exc: MinutesError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errs = [f"{'.'.join(str(p) for p in e.get('loc', []))}: {e.get('msg')}" for e in exc.errors()]
        return error_response(MinutesError(ErrorCode.INVALID_BODY,
                                           "Dữ liệu gửi lên không đúng định dạng yêu cầu.",
                                           status=422, errors=errs))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            err = MinutesError(ErrorCode.NOT_FOUND, "Không có địa chỉ này.", status=404)
        elif exc.status_code == 405:
            err = MinutesError(ErrorCode.METHOD_NOT_ALLOWED, "Phương thức không được hỗ trợ ở địa chỉ này.",
                               status=405, headers={"Allow": allowed_methods(request)})
        else:
            err = MinutesError(ErrorCode.INVALID_BODY, str(exc.detail), status=exc.status_code)
        return error_response(err)

    @app.exception_handler(ClientDisconnect)
    async def _gone(request: Request, _: ClientDisconnect) -> Response:
        # The client closed the connection mid-request: one line, no traceback; nothing was stored.
        log.info("client went away during %s %s", request.method, request.url.path)
        return Response(status_code=400)

    @app.exception_handler(Exception)
    async def _internal(_: Request, exc: Exception) -> JSONResponse:
        # Answered by the outermost middleware, outside SecurityHeaders: the headers come with it.
        return error_response(MinutesError(ErrorCode.INTERNAL, "Lỗi nội bộ của dịch vụ.", status=500,
                                           headers=house_headers()))

    app.add_middleware(BodyLimit, limit=settings.limits.max_upload_bytes)
