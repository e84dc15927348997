"""What an app opens once and shares between requests (archive, statistics, accounts)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from fastapi import Request

T = TypeVar("T")

# Re-entrant: opening one shared object may open another (statistics open the archive first).
_open_lock = threading.RLock()


def shared(request: Request, name: str, open_: Callable[[], T]) -> T:
    """``app.state.<name>``, made by ``open_`` on first use, once even under concurrent requests."""
    state = request.app.state
    value: T | None = getattr(state, name, None)
    if value is None:
        with _open_lock:
            value = getattr(state, name, None)
            if value is None:
                value = open_()
                setattr(state, name, value)
    return value
