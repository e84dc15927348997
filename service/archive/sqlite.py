"""The SQLite dialect: the default archive, one file in the data directory."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from service.errors import ErrorCode, MinutesError

_UNAVAILABLE = ("locked", "unable to open", "disk i/o", "readonly", "no such table", "malformed")


_DAMAGED = ("malformed", "not a database", "corrupt")
_checked: set[Path] = set()
_check_lock = threading.Lock()


def corrupt_store(path: Path, detail: str) -> MinutesError:
    """The STORE_CORRUPT error (503) for a damaged archive file, with how to recover it."""
    return MinutesError(
        ErrorCode.STORE_CORRUPT,
        f"Cơ sở dữ liệu của kho {path} bị hỏng ({detail}); dịch vụ dừng lại để không mất thêm dữ liệu. "
        f"Cứu dữ liệu sang tệp mới: `minutes recover-store --data-dir {path.parent}`, rồi làm theo hướng dẫn "
        "lệnh đó in ra.", status=503)


def quick_check(conn: sqlite3.Connection, path: Path) -> None:
    """``PRAGMA quick_check``; a damaged file raises STORE_CORRUPT instead of losing data later."""
    try:
        rows = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.DatabaseError as e:
        if any(m in str(e).lower() for m in _DAMAGED):
            raise corrupt_store(path, str(e)) from e
        raise  # locked, unreadable, a full disk: not damage (Database turns these into STORE_UNAVAILABLE)
    if rows != ["ok"]:
        raise corrupt_store(path, "; ".join(str(r) for r in rows[:3]))


class SqliteDialect:
    """The Dialect for one SQLite file."""

    name = "sqlite"
    blob = "BLOB"
    serial_pk = "INTEGER PRIMARY KEY AUTOINCREMENT"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def connect(self) -> sqlite3.Connection:
        """A new autocommit connection in WAL mode with full sync; the file is checked once per process first."""
        conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
        key = self.path.resolve()
        if key not in _checked:  # once per file and process, before anything is read or written
            with _check_lock:
                if key not in _checked:
                    try:
                        quick_check(conn, self.path)
                    except MinutesError:
                        conn.close()
                        raise
                    _checked.add(key)
        # WAL lets readers work beside the one writer; FULL syncs every commit, so a
        # record whose upload was answered survives a crash or a power cut.
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA busy_timeout = 30000")
        return conn

    @contextmanager
    def transaction(self, conn: sqlite3.Connection, *, write: bool) -> Iterator[None]:
        """One transaction; a write one begins IMMEDIATE, taking the write lock up front."""
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def lock(self, cur: sqlite3.Cursor, key: str) -> None:
        """Nothing to do: BEGIN IMMEDIATE already admits one writer at a time."""

    def sql(self, statement: str) -> str:
        """The statement as it is: SQLite takes ``?`` placeholders."""
        return statement

    def is_unique_violation(self, exc: BaseException) -> bool:
        """Whether ``exc`` is a UNIQUE constraint failure."""
        return isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc)

    def is_unavailable(self, exc: BaseException) -> bool:
        """Whether ``exc`` means the file cannot be used now: locked, unopenable, read-only, failing or damaged."""
        return isinstance(exc, sqlite3.DatabaseError) and any(m in str(exc).lower() for m in _UNAVAILABLE)
