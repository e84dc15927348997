"""The HTTP application: built by create_app(settings), nothing heavy at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute

from service import __version__
from service.api.deps import access
from service.api.errors import install_error_handlers
from service.api.routes import auth, check, exports, health, minutes, search, stats, units
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
    settings = settings or get_settings()
    app = FastAPI(
        title="minutes",
        version=__version__,
        description="Đọc, trích xuất và kiểm tra biên bản sinh hoạt chi bộ.",
        generate_unique_id_function=_operation_id,
        lifespan=_close_archive,
        dependencies=[Depends(access)],  # authentication, permission, CSRF and unit scope for every route
    )
    app.state.settings = settings
    install_error_handlers(app, settings)
    app.include_router(check.router)
    app.include_router(health.router)
    app.include_router(minutes.router)
    app.include_router(units.router)
    app.include_router(search.router)
    app.include_router(stats.router)
    app.include_router(exports.router)
    app.include_router(auth.router)
    install_ui(app)
    return app
