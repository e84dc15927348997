"""The conversion queue: files that need a converter (PDF, scans, Word) wait their turn fairly.

Plain text is read at once. Any other file takes one of ``documents.workers`` slots
while it converts (OCR included). Slots go to the waiting caller who holds the
fewest, oldest first, and one caller holds at most ``documents.share`` of them, so
one reviewer's three 40-page PDFs leave a slot to everyone else. Each caller may
have at most ``documents.pages_per_user`` pages queued or converting; past that the
upload is refused with QUEUE_FULL (429) and nothing is lost. ``GET /v1/queue`` tells
a waiting caller where their files stand, and how many pages of a converting one are read.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from service.documents import progress
from service.documents.registry import sniff
from service.errors import ErrorCode, InputError
from service.settings import DocumentSettings

T = TypeVar("T")

_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![a-z])")
_PDF_BYTES_PER_PAGE = 150_000  # for PDFs whose page objects are compressed


def estimate_pages(data: bytes, fmt: str, max_pages: int) -> int:
    """Pages a file will cost to convert, estimated without parsing it: at least 1, at most ``max_pages``."""
    if fmt == "pdf":
        found = len(_PDF_PAGE.findall(data))
        pages = found or math.ceil(len(data) / _PDF_BYTES_PER_PAGE)
    elif fmt == "tiff":
        pages = max(1, data.count(b"\x00\x01\x01\x00") or 1)
    else:
        pages = 1
    return max(1, min(pages, max_pages))


@dataclass
class _Ticket:
    owner: str
    pages: int
    name: str | None
    seq: int
    since: float
    ready: asyncio.Future[None] = field(repr=False, default_factory=lambda: asyncio.get_running_loop().create_future())
    done: int = 0  # pages read so far (written by the converting thread, read for /v1/queue)
    total: int | None = None  # pages to read, once the converter knows

    def advance(self, done: int, total: int) -> None:
        self.done, self.total = done, total


@dataclass(frozen=True)
class QueueEntry:
    """One of a caller's files in the conversion queue, as ``GET /v1/queue`` reports it."""

    name: str | None
    pages: int
    state: str  # "converting" or "waiting"
    position: int | None  # 1 = next to start, among all waiting files
    waited_s: float
    done: int = 0  # pages read so far
    total: int | None = None  # pages to read, once known (``pages`` is the estimate before)


class ConversionQueue:
    """Fair slots for conversions (see the module doc); lives on the event loop."""

    def __init__(self, settings: DocumentSettings) -> None:
        self.slots = max(1, settings.workers)
        self.per_owner = max(1, math.floor(self.slots * settings.share))
        self.pages_per_owner = settings.pages_per_user
        self._waiting: list[_Ticket] = []
        self._running: list[_Ticket] = []
        self._seq = itertools.count()
        self._starts = itertools.count()
        self._last_start: dict[str, int] = {}  # owner → when they last got a slot

    def _held(self, owner: str) -> int:
        return sum(1 for t in self._running if t.owner == owner)

    def _pages(self, owner: str) -> int:
        return sum(t.pages for t in (*self._running, *self._waiting) if t.owner == owner)

    def _order(self) -> list[_Ticket]:
        """Waiting tickets in the order they would start: fewest slots held, then longest since a start, then oldest."""
        held: dict[str, int] = {}
        for t in self._running:
            held[t.owner] = held.get(t.owner, 0) + 1
        last = dict(self._last_start)
        order: list[_Ticket] = []
        pending = list(self._waiting)
        turn = 1 << 62  # simulated starts come after every real one
        while pending:
            best = min(pending, key=lambda t: (held.get(t.owner, 0), last.get(t.owner, -1), t.seq))
            order.append(best)
            pending.remove(best)
            held[best.owner] = held.get(best.owner, 0) + 1
            last[best.owner] = turn
            turn += 1
        return order

    def _start_next(self) -> None:
        while len(self._running) < self.slots:
            startable = [t for t in self._order() if self._held(t.owner) < self.per_owner]
            if not startable:
                return
            t = startable[0]
            self._waiting.remove(t)
            self._running.append(t)
            if len(self._last_start) > 10_000:
                self._last_start.clear()
            self._last_start[t.owner] = next(self._starts)
            if not t.ready.done():
                t.ready.set_result(None)

    @asynccontextmanager
    async def turn(self, owner: str, pages: int, name: str | None = None) -> AsyncIterator[_Ticket]:
        """Wait for a slot, hold it for the block, give it back (also when the caller goes away)."""
        if self._pages(owner) + pages > self.pages_per_owner and (self._running or self._waiting):
            mine = self._pages(owner)
            raise InputError(ErrorCode.QUEUE_FULL,
                             f"Bạn đang có {mine} trang chờ chuyển đổi hoặc nhận dạng (tối đa "
                             f"{self.pages_per_owner}); hãy đợi các tệp trước xong rồi gửi tiếp.",
                             status=429, headers={"Retry-After": str(max(5, mine))})
        ticket = _Ticket(owner=owner, pages=pages, name=name, seq=next(self._seq), since=time.monotonic())
        self._waiting.append(ticket)
        self._start_next()
        try:
            await ticket.ready
            yield ticket
        finally:
            if ticket in self._waiting:
                self._waiting.remove(ticket)
            if ticket in self._running:
                self._running.remove(ticket)
            self._start_next()

    def entries(self, owner: str) -> list[QueueEntry]:
        """The owner's files: converting first, then waiting with their place in the line."""
        now = time.monotonic()
        out = [QueueEntry(t.name, t.pages, "converting", None, round(now - t.since, 1), t.done, t.total)
               for t in self._running if t.owner == owner]
        for pos, t in enumerate(self._order(), 1):
            if t.owner == owner:
                out.append(QueueEntry(t.name, t.pages, "waiting", pos, round(now - t.since, 1)))
        return out

    def load(self) -> tuple[int, int]:
        """(files converting, files waiting), all callers."""
        return len(self._running), len(self._waiting)


def _queue(app: Any) -> ConversionQueue:
    queue: ConversionQueue | None = getattr(app.state, "conversion_queue", None)
    if queue is None:  # made on the event loop, on first use
        queue = ConversionQueue(app.state.settings.documents)
        app.state.conversion_queue = queue
    return queue


def owner_of(request: Request) -> str:
    """Whose share a conversion counts against: the signed-in user, else the client's address."""
    principal = getattr(request.state, "principal", None)
    user = getattr(principal, "user", None)
    if user is not None:
        return f"user:{user.id}"
    return f"ip:{request.client.host if request.client else '?'}"


async def in_turn(request: Request, data: bytes, name: str | None, call: Callable[[], T]) -> T:
    """Run ``call`` (which converts ``data``) in a thread, after waiting its turn when the file needs a converter."""
    docs: DocumentSettings = request.app.state.settings.documents

    def size_up() -> tuple[str, int]:  # reads up to the whole body: off the event loop
        fmt = sniff(data)
        return fmt, (0 if fmt == "txt" else estimate_pages(data, fmt, docs.max_pages))

    fmt, pages = await run_in_threadpool(size_up)
    if fmt == "txt":
        return await run_in_threadpool(call)
    async with _queue(request.app).turn(owner_of(request), pages, name) as ticket:
        def reading() -> T:
            with progress.reporting_to(ticket.advance):
                return call()

        return await run_in_threadpool(reading)


def queue_of(request: Request) -> ConversionQueue:
    """The app's conversion queue, made on first use."""
    return _queue(request.app)
