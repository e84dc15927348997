"""Short transactions on the archive's database, for the tables that live beside it.

Users, keys, sessions, the audit log and the statistics' derived facts are kept in
the same database as the archive (the same ``store_url``: SQLite in the data
directory by default, PostgreSQL by URL), through the archive's own dialects, so
a deployment has one database to back up and one to point at.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from service.archive.sql import Dialect
from service.archive.units import Scope
from service.errors import ErrorCode, InputError, MinutesError


def dialect_for(url: str) -> Dialect:
    """The dialect for ``sqlite:///PATH`` or ``postgresql://…`` (as the archive reads them)."""
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
        if rows:
            cur.executemany(self.d.sql(statement), [tuple(r) for r in rows])

    def close(self) -> None:
        with self._lock:
            for conn in self._conns:
                try:
                    conn.close()
                except Exception:  # noqa: BLE001 - closing is best effort
                    pass
            self._conns.clear()
        self._local = threading.local()


def scope_clause(scope: Scope | None, *, dang_bo_col: str = "dang_bo_key", unit_col: str = "unit_id"
                 ) -> tuple[str, list[Any]]:
    """SQL limiting rows to a Scope: ``("1 = 1", [])`` for everything, ``("1 = 0", [])`` for nothing."""
    if scope is None:
        return "1 = 1", []
    terms: list[str] = []
    params: list[Any] = []
    if scope.dang_bo:
        terms.append(f"{dang_bo_col} IN ({', '.join('?' * len(scope.dang_bo))})")
        params.extend(sorted(scope.dang_bo))
    if scope.units:
        terms.append(f"{unit_col} IN ({', '.join('?' * len(scope.units))})")
        params.extend(sorted(scope.units))
    return ("(" + " OR ".join(terms) + ")", params) if terms else ("1 = 0", [])
