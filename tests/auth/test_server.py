"""The served service (uvicorn as `minutes serve` runs it): slow clients, many clients, forwarded headers."""

from __future__ import annotations

import logging
import socket
import time
from datetime import date

import httpx
import pytest

from service.settings import ServerSettings
from tests.auth.world import World, build_world, minute_bytes
from tests.live import live_server


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("served"))


def _serve(world: World, **server: object):  # type: ignore[no-untyped-def]
    settings = world.settings.model_copy(update={"server": ServerSettings(**server)})  # type: ignore[arg-type]
    return live_server(world.app, settings)


def _connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while True:
        try:
            got = sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not got:
            break
        chunks.append(got)
    return b"".join(chunks)


def test_headers_sent_a_byte_at_a_time_are_cut_off_with_408(world: World) -> None:
    with _serve(world, header_timeout_s=1.0) as url:
        sock = _connect(url)
        start = time.monotonic()
        try:
            for ch in b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ":
                sock.sendall(bytes([ch]))
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = _read_all(sock)
        sock.close()
        assert answer.startswith(b"HTTP/1.1 408"), answer[:80]
        assert time.monotonic() - start < 8


def test_a_connection_that_sends_nothing_is_closed(world: World) -> None:
    with _serve(world, header_timeout_s=1.0) as url:
        sock = _connect(url)
        start = time.monotonic()
        assert _read_all(sock).startswith(b"HTTP/1.1 408")
        assert time.monotonic() - start < 5
        sock.close()


def test_a_slow_body_is_cut_off(world: World) -> None:
    with _serve(world, body_timeout_s=1.0) as url:
        sock = _connect(url)
        sock.sendall(b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                     b"Authorization: Bearer " + world.keys["quantri"].encode() + b"\r\nContent-Length: 1000\r\n\r\nB")
        start = time.monotonic()
        _read_all(sock)
        assert time.monotonic() - start < 6
        sock.close()
        # the server still answers others
        assert httpx.get(f"{url}/v1/health").status_code == 200


def _closed_at_once(url: str) -> bool:
    """A connection the server closes on arrival: end of file within a second, nothing sent."""
    sock = _connect(url)
    sock.settimeout(1.0)
    try:
        return sock.recv(100) == b""
    except TimeoutError:
        return False  # still open: the server kept it
    finally:
        sock.close()


def test_connections_past_the_limit_are_closed_and_the_service_keeps_answering(world: World) -> None:
    with _serve(world, max_connections=4, header_timeout_s=30) as url:
        assert not _closed_at_once(url)  # under the limit a connection stays open
        idle = [_connect(url) for _ in range(4)]
        time.sleep(0.3)
        assert _closed_at_once(url)
        for s in idle:
            s.close()
        time.sleep(0.3)
        assert httpx.get(f"{url}/v1/health").status_code == 200


def test_one_address_cannot_take_every_connection(world: World) -> None:
    with _serve(world, max_connections=100, max_connections_per_client=3, header_timeout_s=30) as url:
        idle = [_connect(url) for _ in range(3)]
        time.sleep(0.3)
        assert _closed_at_once(url)
        for s in idle:
            s.close()
        time.sleep(0.3)
        assert not _closed_at_once(url)


def _export_ip(world: World, url: str, forwarded: str) -> str | None:
    r = httpx.get(f"{url}/v1/exports/records.csv", headers={**world.h("quantri"), "X-Forwarded-For": forwarded})
    assert r.status_code == 200
    events = httpx.get(f"{url}/v1/audit-log", params={"action": "export", "limit": 1}, headers=world.h("quantri"))
    return events.json()["data"][0]["ip"]


def test_forwarded_addresses_are_believed_only_from_configured_proxies(world: World) -> None:
    with _serve(world) as url:
        assert _export_ip(world, url, "203.0.113.9") == "127.0.0.1"
    with _serve(world, trusted_proxies=["127.0.0.1"]) as url:
        assert _export_ip(world, url, "203.0.113.9") == "203.0.113.9"


class _Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_a_client_leaving_mid_upload_logs_one_line_and_stores_nothing(world: World) -> None:
    data = minute_bytes("A1", date(2024, 9, 5))
    body = (b"--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
            b"Content-Type: text/plain\r\n\r\n" + data + b"\r\n--XX--\r\n")
    keep = _Keep()
    with _serve(world) as url:
        # attached once the server has configured logging (which resets the handlers of its loggers)
        for name in ("uvicorn.error", "minutes"):
            logging.getLogger(name).addHandler(keep)
        try:
            count = httpx.get(f"{url}/v1/minutes", headers=world.h("quantri")).json()["count"]
            for _ in range(3):
                sock = _connect(url)
                sock.sendall(b"POST /v1/minutes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                             + world.keys["quantri"].encode()
                             + b"\r\nContent-Type: multipart/form-data; boundary=XX\r\nContent-Length: "
                             + str(len(body)).encode() + b"\r\n\r\n" + body[: len(body) // 2])
                time.sleep(0.3)
                sock.close()
            time.sleep(0.5)
            assert httpx.get(f"{url}/v1/minutes", headers=world.h("quantri")).json()["count"] == count
        finally:
            for name in ("uvicorn.error", "minutes"):
                logging.getLogger(name).removeHandler(keep)
    assert not [r for r in keep.records if r.exc_info], [r.getMessage() for r in keep.records]
    assert sum("went away" in r.getMessage() for r in keep.records) == 3
