"""Database connections shared by the archive and the tables beside it.

``dialect_for(url)`` picks SQLite (``sqlite:///PATH``, the default) or PostgreSQL
(``postgresql://…``); ``Database`` keeps one connection per thread and runs short
transactions, turning a lost server into ``STORE_UNAVAILABLE`` (503).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from service.errors import ErrorCode, InputError, MinutesError


class Dialect(Protocol):
    """What differs between SQLite and PostgreSQL."""

    name: str
    blob: str
    serial_pk: str

    def connect(self) -> Any:
        """A new connection in autocommit mode; ``transaction`` opens the transactions."""
        ...

    @contextmanager
    def transaction(self, conn: Any, *, write: bool) -> Iterator[None]:
        """Run the block as one transaction on ``conn``: committed at its end, rolled back on an exception."""
        ...

    def sql(self, statement: str) -> str:
        """The statement, written with ``?`` placeholders, in the driver's own placeholder style."""
        ...

    def is_unique_violation(self, exc: BaseException) -> bool:
        """Whether ``exc`` is a unique-constraint violation (another writer stored the same row)."""
        ...

    def is_unavailable(self, exc: BaseException) -> bool:
        """Whether ``exc`` means the database cannot be reached or used now (reported as STORE_UNAVAILABLE)."""
        ...

    def lock(self, cur: Any, key: str) -> None:
        """Serialise writers of one key until the transaction ends."""
        ...


def dialect_for(url: str) -> Dialect:
    """The dialect for ``sqlite:///PATH`` (``sqlite:////abs/path`` for an absolute one) or ``postgresql://…``."""
    scheme, _, rest = url.partition("://")
    scheme = scheme.lower()
    if scheme == "sqlite":
        from service.archive.sqlite import SqliteDialect

        return SqliteDialect((rest[1:] if rest.startswith("/") else rest) or "archive.sqlite3")
    if scheme.startswith("postgres"):
        from service.archive.postgres import PostgresDialect

        return PostgresDialect(url)
    raise InputError(ErrorCode.INVALID_STORE_URL,
                     f"Địa chỉ kho biên bản không hợp lệ: “{url}” (dùng sqlite:///… hoặc postgresql://…).")


def _unavailable() -> MinutesError:
    return MinutesError(ErrorCode.STORE_UNAVAILABLE, "Không kết nối được cơ sở dữ liệu của kho biên bản.",
                        status=503)


class Database:
    """One connection per thread; ``tx()`` yields a cursor inside one transaction."""

    def __init__(self, dialect: Dialect) -> None:
        self.d = dialect
        self._local = threading.local()
        self._conns: list[Any] = []
        self._lock = threading.Lock()

    def _conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None or getattr(conn, "closed", False) or getattr(conn, "broken", False):
            try:
                conn = self.d.connect()
            except Exception as e:
                if self.d.is_unavailable(e):
                    raise _unavailable() from e
                raise
            self._local.conn = conn
            with self._lock:
                self._conns.append(conn)
        return conn

    @contextmanager
    def tx(self, *, write: bool = False) -> Iterator[Any]:
        """Yield a cursor in one transaction on this thread's connection; a lost database raises STORE_UNAVAILABLE."""
        conn = self._conn()
        try:
            with self.d.transaction(conn, write=write):
                cur = conn.cursor()
                try:
                    yield cur
                finally:
                    cur.close()
        except MinutesError:
            raise
        except Exception as e:
            if self.d.is_unavailable(e):
                self._local.conn = None
                raise _unavailable() from e
            raise

    def run(self, cur: Any, statement: str, params: Sequence[Any] = ()) -> Any:
        """Execute one statement written with ``?`` placeholders; returns the cursor."""
        cur.execute(self.d.sql(statement), tuple(params))
        return cur

    def run_many(self, cur: Any, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        """Execute one statement written with ``?`` placeholders once per row (nothing when there are none)."""
        if rows:
            cur.executemany(self.d.sql(statement), [tuple(r) for r in rows])

    def close(self) -> None:
        """Close the connections of every thread."""
        with self._lock:
            for conn in self._conns:
                try:
                    conn.close()
                except Exception:  # noqa: BLE001 - closing is best effort
                    pass
            self._conns.clear()
        self._local = threading.local()
