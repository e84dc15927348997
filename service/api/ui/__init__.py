"""The pages: sign-in, upload, minutes, search, dashboard, audit report, submissions, account, admin."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles


def install_ui(app: FastAPI) -> None:
    """Mount the pages, their static files and the page-aware error handler on ``app``."""
    from service.api.ui import accounts, minute, submissions
    from service.api.ui.render import STATIC, install_page_errors
    from service.api.ui.views import router

    app.include_router(router)
    app.include_router(minute.router)
    app.include_router(submissions.router)
    app.include_router(accounts.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_page_errors(app, app.state.settings.limits.max_upload_bytes)
