"""The HTTP application: built by create_app(settings), nothing heavy at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute

from service import __version__
from service.api.deps import access
from service.api.docs import install_docs
from service.api.errors import ERROR_RESPONSES, install_error_handlers
from service.api.headers import SecurityHeaders
from service.api.openapi import install_openapi
from service.api.routes import auth, check, exports, health, minutes, queue, review, search, stats, units
from service.api.ui import install_ui
from service.settings import Settings, get_settings


def _operation_id(route: APIRoute) -> str:
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


@asynccontextmanager
async def _close_archive(app: FastAPI) -> AsyncIterator[None]:
    yield
    for name in ("stats", "accounts", "archive", "index"):
        opened = getattr(app.state, name, None)
        if opened is not None:
            opened.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    """The FastAPI app for ``settings`` (default: from the environment): API routes, docs, pages and middleware."""
    settings = settings or get_settings()
    app = FastAPI(
        title="minutes",
        version=__version__,
        description="Đọc, trích xuất và kiểm tra biên bản sinh hoạt chi bộ.",
        generate_unique_id_function=_operation_id,
        lifespan=_close_archive,
        docs_url=None, redoc_url=None, openapi_url=None,  # served by install_docs, from a package, behind sign-in
        dependencies=[Depends(access)],  # authentication, permission, CSRF and unit scope for every route
    )
    app.state.settings = settings
    install_error_handlers(app, settings)
    app.include_router(check.router, responses=ERROR_RESPONSES)
    app.include_router(health.router, responses=ERROR_RESPONSES)
    app.include_router(minutes.router, responses=ERROR_RESPONSES)
    app.include_router(units.router, responses=ERROR_RESPONSES)
    app.include_router(search.router, responses=ERROR_RESPONSES)
    app.include_router(stats.router, responses=ERROR_RESPONSES)
    app.include_router(exports.router, responses=ERROR_RESPONSES)
    app.include_router(auth.router, responses=ERROR_RESPONSES)
    app.include_router(queue.router, responses=ERROR_RESPONSES)
    app.include_router(review.router, responses=ERROR_RESPONSES)
    install_openapi(app)
    install_docs(app)
    install_ui(app)
    app.add_middleware(SecurityHeaders)
    return app
