"""Every error, FastAPI's own included, as one JSON shape with a stable code."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import ErrorCode, MinutesError
from service.settings import Settings


def error_response(err: MinutesError) -> JSONResponse:
    return JSONResponse(err.body(), status_code=err.status, headers=err.headers or None)


class BodyLimit:
    """Refuse request bodies over the limit before they are read into memory."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
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


def install_error_handlers(app: FastAPI, settings: Settings) -> None:
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
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            err = MinutesError(ErrorCode.NOT_FOUND, "Không có địa chỉ này.", status=404)
        elif exc.status_code == 405:
            err = MinutesError(ErrorCode.METHOD_NOT_ALLOWED, "Phương thức không được hỗ trợ ở địa chỉ này.",
                               status=405)
        else:
            err = MinutesError(ErrorCode.INVALID_BODY, str(exc.detail), status=exc.status_code)
        return error_response(err)

    @app.exception_handler(Exception)
    async def _internal(_: Request, exc: Exception) -> JSONResponse:
        return error_response(MinutesError(ErrorCode.INTERNAL, "Lỗi nội bộ của dịch vụ.", status=500))

    app.add_middleware(BodyLimit, limit=settings.limits.max_upload_bytes)
