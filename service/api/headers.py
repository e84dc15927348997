"""Response headers every answer carries: no caching of archive data, no sniffing, no framing, a strict CSP."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Scripts and styles come only from this site (no inline code, no CDN); nothing frames the pages.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
# Swagger UI sets style attributes in the markup it builds.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

_ALWAYS = (
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "same-origin"),
)


def house_headers() -> dict[str, str]:
    """The headers for an answer made outside the middleware (the last-resort 500)."""
    return {**dict(_ALWAYS), "content-security-policy": CSP, "cache-control": "no-store"}


class SecurityHeaders:
    """Add the house headers to every HTTP response.

    Everything but the static assets is ``Cache-Control: no-store``: pages and JSON
    show one person's units, and a shared cache or the browser's history must not
    keep them. Headers a route set itself are kept.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, adding the house headers to its response (the API docs get a looser CSP)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        static = path.startswith("/static/")
        csp = DOCS_CSP if path == "/docs" or path.startswith("/static/docs/") else CSP

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _ALWAYS:
                    headers.setdefault(name, value)
                headers.setdefault("content-security-policy", csp)
                if not static:
                    headers.setdefault("cache-control", "no-store")
            await send(message)

        await self.app(scope, receive, with_headers)
