"""The HTTP application: built by create_app(settings), nothing heavy at import."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.routing import APIRoute

from service import __version__
from service.api.errors import install_error_handlers
from service.api.routes import check, health
from service.settings import Settings, get_settings


def _operation_id(route: APIRoute) -> str:
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="minutes",
        version=__version__,
        description="Đọc, trích xuất và kiểm tra biên bản sinh hoạt chi bộ.",
        generate_unique_id_function=_operation_id,
    )
    app.state.settings = settings
    install_error_handlers(app, settings)
    app.include_router(check.router)
    app.include_router(health.router)
    return app
