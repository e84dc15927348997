"""The API documentation: Swagger UI served from a Python package, never from a CDN.

``server.docs`` chooses who sees it: signed-in users (the default; /docs and
/openapi.json go through the same access check as every route), anyone, or nobody.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

DOCS_PATHS = ("/docs", "/openapi.json")

_PAGE = """<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>minutes · API</title>
<link rel="stylesheet" href="/static/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/static/docs/swagger-ui-bundle.js"></script>
<script src="/static/docs-init.js"></script>
</body>
</html>
"""


def install_docs(app: FastAPI) -> None:
    """Serve /docs and /openapi.json unless the settings turn them off."""
    if app.state.settings.server.docs == "off":
        return
    from swagger_ui_bundle import swagger_ui_path

    app.mount("/static/docs", StaticFiles(directory=swagger_ui_path), name="swagger-ui")

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(request: Request) -> JSONResponse:
        return JSONResponse(request.app.openapi())

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(_PAGE)
