"""Open the MinutesStore a URL names: SQLite by default, PostgreSQL for a shared archive."""

from __future__ import annotations

from service.archive.sql import SqlStore
from service.errors import ErrorCode, InputError


def open_store(url: str) -> SqlStore:
    """``sqlite:///PATH`` or ``postgresql://user:pass@host:port/db``."""
    scheme = url.partition("://")[0].lower()
    if scheme == "sqlite":
        from service.archive.sqlite import SqliteDialect

        rest = url.partition("://")[2]
        # sqlite:///relative/file, sqlite:////absolute/file (as SQLAlchemy reads them)
        path = rest[1:] if rest.startswith("/") else rest
        return SqlStore(SqliteDialect(path or "archive.sqlite3"))
    if scheme.startswith("postgres"):
        from service.archive.postgres import PostgresDialect

        return SqlStore(PostgresDialect(url))
    raise InputError(ErrorCode.INVALID_STORE_URL,
                     f"Địa chỉ kho biên bản không hợp lệ: “{url}” (dùng sqlite:///… hoặc postgresql://…).")
