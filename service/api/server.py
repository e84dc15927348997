"""Serving the app with uvicorn, with limits on slow and numerous clients.

``server_config`` is what `minutes serve` runs and what the tests start: the
headers of a request must arrive within ``server.header_timeout_s`` of its first
byte (else 408 and the connection is closed), its body within
``server.body_timeout_s``; past ``server.max_connections`` open connections, or
``server.max_connections_per_client`` from one address, a new one is closed at once,
and requests past that many at once are answered 503.
Forwarded headers (X-Forwarded-For, -Proto) are believed only from the addresses
in ``server.trusted_proxies``; by default the peer's own address is the client's.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from service.settings import ServerSettings, Settings

log = logging.getLogger("minutes.server")

_TIMEOUT = h11.Response(status_code=408, headers=[(b"content-type", b"text/plain; charset=utf-8"),
                                                  (b"connection", b"close"), (b"content-length", b"0")])


def _peer(connection: object) -> str | None:
    client = getattr(connection, "client", None)
    return str(client[0]) if client else None


class GuardedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with header and body deadlines and a cap on open connections."""

    header_timeout_s = 10.0
    body_timeout_s = 120.0
    max_connections = 512
    max_per_client = 64

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Close the new connection at once past the connection caps; else start the headers deadline."""
        self._deadline: asyncio.TimerHandle | None = None
        self._phase: str | None = None
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            log.warning("too many open connections (%d): closing the newest", len(self.connections))
            transport.close()
            return
        peer = self.client[0] if self.client else None
        if peer is not None and sum(_peer(c) == peer for c in self.connections) > self.max_per_client:
            log.warning("too many open connections from %s: closing the newest", peer)
            transport.close()
            return
        self._enter("headers")  # a connection that sends nothing is closed like a slow one

    def connection_lost(self, exc: Exception | None) -> None:
        """Cancel any pending deadline."""
        self._enter(None)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Hand the bytes to h11, then arm the deadline of the phase the client is now in."""
        super().data_received(data)
        self._watch()

    def on_response_complete(self) -> None:
        """After a response, arm the deadline of the phase the client is in (none while it is idle)."""
        super().on_response_complete()
        self._watch()

    def _watch(self) -> None:
        """Arm the deadline of the phase the client is in: sending headers, sending a body, or neither."""
        if self.transport.is_closing():
            return
        state = self.conn.their_state
        if state is h11.SEND_BODY:
            self._enter("body")
        elif state is h11.IDLE and self.conn.trailing_data[0]:
            self._enter("headers")
        else:
            self._enter(None)

    def _enter(self, phase: str | None) -> None:
        if phase == self._phase:
            return
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self._phase = phase
        if phase is not None:
            limit = self.header_timeout_s if phase == "headers" else self.body_timeout_s
            self._deadline = self.loop.call_later(limit, self._too_slow, phase, limit)

    def _too_slow(self, phase: str, limit: float) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        peer = self.client[0] if self.client else "?"
        log.info("closing a connection from %s: request %s not received within %.0f s", peer, phase, limit)
        if phase == "headers" and self.conn.our_state is h11.IDLE:
            try:
                self.transport.write(self.conn.send(_TIMEOUT) + (self.conn.send(h11.EndOfMessage()) or b""))
            except h11.LocalProtocolError:
                pass
        self.transport.close()


def _protocol(server: ServerSettings) -> type[GuardedH11Protocol]:
    return type("ConfiguredH11Protocol", (GuardedH11Protocol,), {
        "header_timeout_s": server.header_timeout_s, "body_timeout_s": server.body_timeout_s,
        "max_connections": server.max_connections, "max_per_client": server.max_connections_per_client})


def _log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging, with the service's own ``minutes.*`` loggers on the same console."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["minutes"] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    return config


def server_config(app: Any, settings: Settings, *, host: str, port: int, log_level: str = "info") -> uvicorn.Config:
    """The uvicorn configuration of the service (see the module doc)."""
    server = settings.server
    trusted = [a.strip() for a in server.trusted_proxies if a.strip()]
    return uvicorn.Config(
        app, host=host, port=port, log_level=log_level, log_config=_log_config(log_level), http=_protocol(server),
        proxy_headers=bool(trusted), forwarded_allow_ips=trusted or None,
        # uvicorn's limit counts connections too; the protocol caps those, so this one bites on requests.
        limit_concurrency=server.max_connections + 1, timeout_keep_alive=server.keep_alive_s,
        h11_max_incomplete_event_size=64 * 1024, server_header=False)
