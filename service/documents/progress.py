"""Pages read so far by the conversion under way, for a user waiting on an upload.

A converter calls ``report(done, total)`` after each page it reads; whoever started the
conversion listens with ``reporting_to(sink)`` in the same thread. A conversion in a
worker process sends its reports back over its pipe (service.documents.runner).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Sink = Callable[[int, int], None]

_SINK: ContextVar[Sink | None] = ContextVar("minutes_pages_read", default=None)
log = logging.getLogger("minutes.documents")


def report(done: int, total: int) -> None:
    """Say that ``done`` of ``total`` pages are read; never fails the conversion."""
    sink = _SINK.get()
    if sink is None:
        return
    try:
        sink(done, total)
    except Exception:  # noqa: BLE001 - a listener gone away must not stop the reading
        log.debug("page progress not delivered", exc_info=True)


@contextmanager
def reporting_to(sink: Sink | None) -> Iterator[None]:
    """Send the reports of conversions run in this block (in this thread) to ``sink``."""
    token = _SINK.set(sink)
    try:
        yield
    finally:
        _SINK.reset(token)
