"""Open the MinutesStore a URL names: SQLite by default, PostgreSQL for a shared archive."""

from __future__ import annotations

from service.archive.connection import dialect_for
from service.archive.sql import SqlStore


def open_store(url: str) -> SqlStore:
    """``sqlite:///PATH`` or ``postgresql://user:pass@host:port/db``."""
    return SqlStore(dialect_for(url))
