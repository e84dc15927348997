"""The PostgreSQL dialect, for an archive shared by several machines (psycopg 3)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class PostgresDialect:
    name = "postgresql"
    blob = "BYTEA"
    serial_pk = "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"

    def __init__(self, url: str) -> None:
        # Accept SQLAlchemy-style URLs too ("postgresql+psycopg://…").
        scheme, _, rest = url.partition("://")
        self.url = f"postgresql://{rest}" if scheme.startswith("postgres") else url

    def connect(self) -> Any:
        import psycopg

        return psycopg.connect(self.url, autocommit=True, connect_timeout=10)

    @contextmanager
    def transaction(self, conn: Any, *, write: bool) -> Iterator[None]:
        with conn.transaction():
            if write:
                # Writers serialise on ``lock`` and then read what the one before them committed: that
                # needs each statement's own snapshot, whatever the server's default isolation is.
                conn.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            yield

    def lock(self, cur: Any, key: str) -> None:
        cur.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (key,))

    def sql(self, statement: str) -> str:
        return statement.replace("%", "%%").replace("?", "%s")

    def is_unique_violation(self, exc: BaseException) -> bool:
        import psycopg

        return isinstance(exc, psycopg.errors.UniqueViolation)

    def is_unavailable(self, exc: BaseException) -> bool:
        import psycopg

        return isinstance(exc, psycopg.OperationalError)
