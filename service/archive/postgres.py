"""The PostgreSQL dialect, for an archive shared by several machines (psycopg 3)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class PostgresDialect:
    """The Dialect for a PostgreSQL server, through psycopg 3."""

    name = "postgresql"
    blob = "BYTEA"
    serial_pk = "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"

    def __init__(self, url: str) -> None:
        # Accept SQLAlchemy-style URLs too ("postgresql+psycopg://…").
        scheme, _, rest = url.partition("://")
        self.url = f"postgresql://{rest}" if scheme.startswith("postgres") else url

    def connect(self) -> Any:
        """A new autocommit connection (10 s to connect)."""
        import psycopg

        return psycopg.connect(self.url, autocommit=True, connect_timeout=10)

    @contextmanager
    def transaction(self, conn: Any, *, write: bool) -> Iterator[None]:
        """One transaction; a write one runs at READ COMMITTED so each statement sees what earlier writers committed."""
        with conn.transaction():
            if write:
                # Writers serialise on ``lock`` and then read what the one before them committed: that
                # needs each statement's own snapshot, whatever the server's default isolation is.
                conn.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            yield

    def lock(self, cur: Any, key: str) -> None:
        """Take a transaction-scoped advisory lock on the key's hash."""
        cur.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (key,))

    def sql(self, statement: str) -> str:
        """The statement with ``?`` placeholders as ``%s`` and literal ``%`` doubled."""
        return statement.replace("%", "%%").replace("?", "%s")

    def is_unique_violation(self, exc: BaseException) -> bool:
        """Whether ``exc`` is psycopg's UniqueViolation."""
        import psycopg

        return isinstance(exc, psycopg.errors.UniqueViolation)

    def is_unavailable(self, exc: BaseException) -> bool:
        """Whether ``exc`` is an OperationalError: the server cannot be reached or the connection was lost."""
        import psycopg

        return isinstance(exc, psycopg.OperationalError)
