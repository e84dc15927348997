"""AuthStore: users, units, API keys, sessions, sign-in failures and the audit log in SQL.

The tables sit in the archive's database (SQLite by default, PostgreSQL by URL).
Times are whole seconds since the epoch (UTC).
"""

from __future__ import annotations

import hashlib
import time
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from service.archive.connection import Database, dialect_for
from service.auth.audit_log import AuditEvent, AuditLogTables, EventFilter, audit_log_schema
from service.auth.principal import Role, Unit, User, name_key
from service.errors import ErrorCode, MinutesError
from service.schema.units import Scope


def failure_key(name: str) -> str:
    """What the sign-in limiter stores for a name: a fixed-size digest of its key, never the name typed."""
    return hashlib.sha256(name_key(name[:1000]).encode()).hexdigest()


def now() -> int:
    """The time now, in whole seconds since the epoch."""
    return int(time.time())


@dataclass(frozen=True)
class KeyInfo:
    """An API key record, without its secret: owner, label, times and scope."""

    id: str
    user_id: str
    label: str | None
    created_at: int
    expires_at: int | None
    last_used_at: int | None
    revoked_at: int | None
    scope: str = "full"  # what the key may do beyond its owner's role: full, read or check (KEY_SCOPES)


@dataclass(frozen=True)
class SessionRow:
    """A stored session: its user, its CSRF token and its times."""

    user: User
    csrf: str
    created_at: int
    expires_at: int
    last_seen_at: int


class AuthStore(Protocol):
    """What access control needs from storage."""

    def save_unit(self, unit: Unit) -> Unit:
        """Store a unit unless one with its id exists; returns the stored unit."""
        ...

    def get_unit(self, unit_id: str) -> Unit | None:
        """The unit with this id, or None."""
        ...

    def units(self) -> list[Unit]:
        """Every unit, each đảng bộ before its chi bộ."""
        ...

    def add_user(self, name: str, role: Role, unit: Unit | None, password_hash: str | None, *,
                 must_change: bool = False) -> User:
        """Add a user; raises MinutesError (USER_EXISTS, 409) when the name, compared as names are, is taken."""
        ...

    def user_by_name(self, name: str) -> tuple[User, str | None] | None:
        """The user with this name (compared as names are) and their password hash, or None."""
        ...

    def get_user(self, user_id: str) -> User | None:
        """The user with this id, or None."""
        ...

    def users(self) -> list[User]:
        """Every user, by name."""
        ...

    def count_users(self) -> int:
        """How many users there are, disabled ones included."""
        ...

    def set_password(self, user_id: str, password_hash: str, *, must_change: bool = False) -> None:
        """Store a new password hash, and whether the user must choose their own at next sign-in."""
        ...

    def set_active(self, user_id: str, active: bool, *, keep_an_admin: bool = False) -> bool:
        """Enable or disable a user; with ``keep_an_admin``, never the last active admin (False then)."""
        ...

    def set_placement(self, user_id: str, role: Role, unit: Unit | None, *, keep_an_admin: bool = False) -> bool:
        """Give a user a role and unit; with ``keep_an_admin``, the last active admin stays one (False then)."""
        ...

    def add_key(self, key_id: str, user_id: str, label: str | None, secret_hash: str, expires_at: int | None,
                scope: str = "full") -> KeyInfo:
        """Store a new key, its secret as a digest only; returns its record."""
        ...

    def key_with_user(self, key_id: str) -> tuple[KeyInfo, str, User] | None:
        """A key's record, the digest of its secret and its owner, or None for an unknown id."""
        ...

    def keys(self, user_id: str | None = None) -> list[KeyInfo]:
        """The keys of one user, or of everyone, oldest first, revoked ones included."""
        ...

    def revoke_key(self, key_id: str) -> bool:
        """Mark a key revoked; False when it is unknown or already revoked."""
        ...

    def revoke_keys_of(self, user_id: str) -> int:
        """Revoke every key of a user not yet revoked; returns how many."""
        ...

    def touch_key(self, key_id: str, at: int) -> None:
        """Record when a key was last used."""
        ...

    def add_session(self, token_hash: str, user_id: str, csrf: str, expires_at: int, ip: str | None) -> None:
        """Store a new session under the digest of its token."""
        ...

    def session(self, token_hash: str) -> SessionRow | None:
        """The session stored under a token's digest, with its user, or None."""
        ...

    def extend_session(self, token_hash: str, expires_at: int, seen_at: int) -> None:
        """Set a session's expiry and when it was last seen."""
        ...

    def end_session(self, token_hash: str) -> None:
        """Delete one session."""
        ...

    def end_sessions_of(self, user_id: str) -> None:
        """Delete every session of a user."""
        ...

    def claim_attempt(self, name: str, ip: str | None, at: int, *, since: int, max_by_name: int, max_by_ip: int
                      ) -> int | None:
        """Count and record one sign-in attempt; None when it may go on, else the oldest counted failure's time."""
        ...

    def clear_failures(self, name: str) -> None:
        """Forget the sign-in failures recorded for a name (after a right password)."""
        ...

    def log(self, event: AuditEvent) -> None:
        """Append one event to the audit log."""
        ...

    def events(self, *, scope: Scope | None, action: str | None = None, limit: int = 100, offset: int = 0,
               where: EventFilter | None = None) -> tuple[list[AuditEvent], int]:
        """One page of audit events within ``scope``, newest first, and how many match in all."""
        ...

    def actions(self) -> list[str]:
        """The kinds of event the audit log holds."""
        ...

    def close(self) -> None:
        """Release the storage."""
        ...


def _schema(db: Database) -> list[str]:
    serial = db.d.serial_pk
    return [
        """CREATE TABLE IF NOT EXISTS auth_units (
            id TEXT PRIMARY KEY, level TEXT NOT NULL, dang_bo TEXT NOT NULL, chi_bo TEXT,
            dang_bo_key TEXT NOT NULL, chi_bo_key TEXT, created_at BIGINT NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS auth_users (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, name_key TEXT NOT NULL UNIQUE, role TEXT NOT NULL,
            unit_id TEXT, password_hash TEXT, active INTEGER NOT NULL, created_at BIGINT NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS auth_keys (
            id TEXT PRIMARY KEY, user_id TEXT NOT NULL, label TEXT, secret_hash TEXT NOT NULL,
            created_at BIGINT NOT NULL, expires_at BIGINT, last_used_at BIGINT, revoked_at BIGINT)""",
        "CREATE INDEX IF NOT EXISTS auth_keys_user ON auth_keys (user_id)",
        """CREATE TABLE IF NOT EXISTS auth_sessions (
            token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, csrf TEXT NOT NULL, created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL, last_seen_at BIGINT NOT NULL, ip TEXT)""",
        "CREATE INDEX IF NOT EXISTS auth_sessions_user ON auth_sessions (user_id)",
        f"""CREATE TABLE IF NOT EXISTS auth_failures (
            seq {serial}, name_key TEXT NOT NULL, ip TEXT, at BIGINT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS auth_failures_name ON auth_failures (name_key, at)",
        "CREATE INDEX IF NOT EXISTS auth_failures_ip ON auth_failures (ip, at)",
        *audit_log_schema(serial),
    ]


# Columns added after the first release: (table, column, definition); added in place to older databases.
_ADDED_COLUMNS = (
    ("auth_users", "must_change", "INTEGER NOT NULL DEFAULT 0"),
    ("auth_keys", "scope", "TEXT NOT NULL DEFAULT 'full'"),
)


def _add_columns(db: Database, cur: Any) -> None:
    for table, column, definition in _ADDED_COLUMNS:
        if db.d.name == "sqlite":
            have = {r[1] for r in db.run(cur, f"PRAGMA table_info({table})").fetchall()}
            if column not in have:
                db.run(cur, f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
        else:
            db.run(cur, f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {definition}")


_USER_COLS = ("u.id, u.name, u.role, u.active, u.created_at, n.id, n.level, n.dang_bo, n.chi_bo, n.dang_bo_key, "
              "n.chi_bo_key, u.must_change")
_USER_FROM = "auth_users u LEFT JOIN auth_units n ON n.id = u.unit_id"


def _user(row: Any, at: int = 0) -> User:
    unit = None
    if row[at + 5] is not None:
        unit = Unit(id=row[at + 5], level=row[at + 6], dang_bo=row[at + 7], chi_bo=row[at + 8],
                    dang_bo_key=row[at + 9], chi_bo_key=row[at + 10])
    return User(id=row[at], name=row[at + 1], role=Role(row[at + 2]), unit=unit, active=bool(row[at + 3]),
                created_at=int(row[at + 4]), must_change=bool(row[at + 11]))


def _key(row: Any) -> KeyInfo:
    return KeyInfo(id=row[0], user_id=row[1], label=row[2], created_at=int(row[3]), expires_at=row[4],
                   last_used_at=row[5], revoked_at=row[6], scope=row[7] or "full")


_KEY_COLS = "k.id, k.user_id, k.label, k.created_at, k.expires_at, k.last_used_at, k.revoked_at, k.scope"


class SqlAuthStore(AuditLogTables):
    """AuthStore over the archive's database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        with db.tx(write=True) as cur:
            for stmt in _schema(db):
                cur.execute(stmt)
            _add_columns(db, cur)

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    # units

    def save_unit(self, unit: Unit) -> Unit:
        """Store a unit unless one with its id exists; returns the stored unit."""
        with self.db.tx(write=True) as cur:
            self.db.run(cur, "INSERT INTO auth_units (id, level, dang_bo, chi_bo, dang_bo_key, chi_bo_key, created_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                        (unit.id, unit.level, unit.dang_bo, unit.chi_bo, unit.dang_bo_key, unit.chi_bo_key, now()))
        found = self.get_unit(unit.id)
        assert found is not None
        return found

    def get_unit(self, unit_id: str) -> Unit | None:
        """The unit with this id, or None."""
        with self.db.tx() as cur:
            row = self.db.run(cur, "SELECT id, level, dang_bo, chi_bo, dang_bo_key, chi_bo_key FROM auth_units "
                              "WHERE id = ?", (unit_id,)).fetchone()
        return Unit(*row) if row else None

    def units(self) -> list[Unit]:
        """Every unit, each đảng bộ before its chi bộ."""
        with self.db.tx() as cur:
            rows = self.db.run(cur, "SELECT id, level, dang_bo, chi_bo, dang_bo_key, chi_bo_key FROM auth_units "
                               "ORDER BY dang_bo_key, chi_bo_key NULLS FIRST").fetchall()
        return [Unit(*r) for r in rows]

    # users

    def add_user(self, name: str, role: Role, unit: Unit | None, password_hash: str | None, *,
                 must_change: bool = False) -> User:
        """Add a user; raises MinutesError (USER_EXISTS, 409) when the name, compared as names are, is taken."""
        uid = uuid.uuid4().hex
        clean = " ".join(unicodedata.normalize("NFC", name).split())
        try:
            with self.db.tx(write=True) as cur:
                self.db.run(cur, "INSERT INTO auth_users (id, name, name_key, role, unit_id, password_hash, active, "
                            "created_at, must_change) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
                            (uid, clean, name_key(name), role.value, unit.id if unit else None, password_hash, now(),
                             int(must_change)))
        except MinutesError:
            raise
        except Exception as e:
            if self.db.d.is_unique_violation(e):
                raise MinutesError(ErrorCode.USER_EXISTS, f"Đã có người dùng tên “{clean}”.", status=409) from e
            raise
        user = self.get_user(uid)
        assert user is not None
        return user

    def user_by_name(self, name: str) -> tuple[User, str | None] | None:
        """The user with this name (compared as names are) and their password hash, or None."""
        with self.db.tx() as cur:
            row = self.db.run(cur, f"SELECT {_USER_COLS}, u.password_hash FROM {_USER_FROM} WHERE u.name_key = ?",
                              (name_key(name),)).fetchone()
        return (_user(row), row[-1]) if row else None

    def get_user(self, user_id: str) -> User | None:
        """The user with this id, or None."""
        with self.db.tx() as cur:
            row = self.db.run(cur, f"SELECT {_USER_COLS} FROM {_USER_FROM} WHERE u.id = ?", (user_id,)).fetchone()
        return _user(row) if row else None

    def users(self) -> list[User]:
        """Every user, by name."""
        with self.db.tx() as cur:
            rows = self.db.run(cur, f"SELECT {_USER_COLS} FROM {_USER_FROM} ORDER BY u.name_key").fetchall()
        return [_user(r) for r in rows]

    def count_users(self) -> int:
        """How many users there are, disabled ones included."""
        with self.db.tx() as cur:
            return int(self.db.run(cur, "SELECT COUNT(*) FROM auth_users").fetchone()[0])

    def set_password(self, user_id: str, password_hash: str, *, must_change: bool = False) -> None:
        """Store a new password hash, and whether the user must choose their own at next sign-in."""
        with self.db.tx(write=True) as cur:
            self.db.run(cur, "UPDATE auth_users SET password_hash = ?, must_change = ? WHERE id = ?",
                        (password_hash, int(must_change), user_id))

    def set_active(self, user_id: str, active: bool, *, keep_an_admin: bool = False) -> bool:
        """Enable or disable a user; with ``keep_an_admin``, an active admin is disabled only while another
        active admin remains (False if not)."""
        with self.db.tx(write=True) as cur:
            if keep_an_admin and not active and not self._another_admin(cur, user_id):
                return False
            self.db.run(cur, "UPDATE auth_users SET active = ? WHERE id = ?", (int(active), user_id))
        return True

    def set_placement(self, user_id: str, role: Role, unit: Unit | None, *, keep_an_admin: bool = False) -> bool:
        """Give a user a role and unit; with ``keep_an_admin``, an active admin leaves the role only while
        another active admin remains (False if not)."""
        with self.db.tx(write=True) as cur:
            if keep_an_admin and role != Role.ADMIN and not self._another_admin(cur, user_id):
                return False
            self.db.run(cur, "UPDATE auth_users SET role = ?, unit_id = ? WHERE id = ?",
                        (role.value, unit.id if unit else None, user_id))
        return True

    def _another_admin(self, cur: Any, user_id: str) -> bool:
        """False when ``user_id`` is, as of now, an active admin and no other active admin exists.

        Read under a lock that every such change takes, so that two admins demoting each other at
        once cannot both succeed, and from the rows as they are, not as the caller last saw them.
        """
        self.db.d.lock(cur, "auth-admins")
        row = self.db.run(cur, "SELECT COUNT(*) FROM auth_users WHERE role = ? AND active = 1 AND id = ?",
                          (Role.ADMIN.value, user_id)).fetchone()
        if int(row[0]) == 0:
            return True  # not an active admin: nothing to keep
        row = self.db.run(cur, "SELECT COUNT(*) FROM auth_users WHERE role = ? AND active = 1 AND id <> ?",
                          (Role.ADMIN.value, user_id)).fetchone()
        return int(row[0]) > 0

    # API keys

    def add_key(self, key_id: str, user_id: str, label: str | None, secret_hash: str, expires_at: int | None,
                scope: str = "full") -> KeyInfo:
        """Store a new key, its secret as a digest only; returns its record."""
        at = now()
        with self.db.tx(write=True) as cur:
            self.db.run(cur, "INSERT INTO auth_keys (id, user_id, label, secret_hash, created_at, expires_at, scope) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)", (key_id, user_id, label, secret_hash, at, expires_at, scope))
        return KeyInfo(key_id, user_id, label, at, expires_at, None, None, scope)

    def key_with_user(self, key_id: str) -> tuple[KeyInfo, str, User] | None:
        """A key's record, the digest of its secret and its owner, or None for an unknown id."""
        with self.db.tx() as cur:
            row = self.db.run(cur, f"SELECT {_KEY_COLS}, k.secret_hash, {_USER_COLS} FROM auth_keys k "
                              "JOIN auth_users u ON u.id = k.user_id LEFT JOIN auth_units n ON n.id = u.unit_id "
                              "WHERE k.id = ?", (key_id,)).fetchone()
        if row is None:
            return None
        return _key(row), row[8], _user(row, 9)

    def keys(self, user_id: str | None = None) -> list[KeyInfo]:
        """The keys of one user, or of everyone, oldest first, revoked ones included."""
        where, params = ("WHERE k.user_id = ?", (user_id,)) if user_id else ("", ())
        with self.db.tx() as cur:
            rows = self.db.run(cur, f"SELECT {_KEY_COLS} FROM auth_keys k {where} ORDER BY k.created_at, k.id",
                               params).fetchall()
        return [_key(r) for r in rows]

    def revoke_key(self, key_id: str) -> bool:
        """Mark a key revoked; False when it is unknown or already revoked."""
        with self.db.tx(write=True) as cur:
            cur = self.db.run(cur, "UPDATE auth_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                              (now(), key_id))
            return bool(cur.rowcount)

    def revoke_keys_of(self, user_id: str) -> int:
        """Revoke every key of a user not yet revoked; returns how many."""
        with self.db.tx(write=True) as cur:
            cur = self.db.run(cur, "UPDATE auth_keys SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                              (now(), user_id))
            return int(cur.rowcount or 0)

    def touch_key(self, key_id: str, at: int) -> None:
        """Record when a key was last used."""
        with self.db.tx(write=True) as cur:
            self.db.run(cur, "UPDATE auth_keys SET last_used_at = ? WHERE id = ?", (at, key_id))

    # sessions

    def add_session(self, token_hash: str, user_id: str, csrf: str, expires_at: int, ip: str | None) -> None:
        """Store a new session under the digest of its token; expired sessions are deleted first."""
        at = now()
        with self.db.tx(write=True) as cur:
            self.db.run(cur, "DELETE FROM auth_sessions WHERE expires_at < ?", (at,))
            self.db.run(cur, "INSERT INTO auth_sessions (token_hash, user_id, csrf, created_at, expires_at, "
                        "last_seen_at, ip) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (token_hash, user_id, csrf, at, expires_at, at, ip))

    def session(self, token_hash: str) -> SessionRow | None:
        """The session stored under a token's digest, with its user, or None."""
        with self.db.tx() as cur:
            row = self.db.run(cur, f"SELECT s.csrf, s.created_at, s.expires_at, s.last_seen_at, {_USER_COLS} "
                              "FROM auth_sessions s JOIN auth_users u ON u.id = s.user_id "
                              "LEFT JOIN auth_units n ON n.id = u.unit_id WHERE s.token_hash = ?",
                              (token_hash,)).fetchone()
        if row is None:
            return None
        return SessionRow(user=_user(row, 4), csrf=row[0], created_at=int(row[1]), expires_at=int(row[2]),
                          last_seen_at=int(row[3]))

    def extend_session(self, token_hash: str, expires_at: int, seen_at: int) -> None:
        """Set a session's expiry and when it was last seen."""
        with self.db.tx(write=True) as cur:
            self.db.run(cur, "UPDATE auth_sessions SET expires_at = ?, last_seen_at = ? WHERE token_hash = ?",
                        (expires_at, seen_at, token_hash))

    def end_session(self, token_hash: str) -> None:
        """Delete one session."""
        with self.db.tx(write=True) as cur:
            self.db.run(cur, "DELETE FROM auth_sessions WHERE token_hash = ?", (token_hash,))

    def end_sessions_of(self, user_id: str) -> None:
        """Delete every session of a user."""
        with self.db.tx(write=True) as cur:
            self.db.run(cur, "DELETE FROM auth_sessions WHERE user_id = ?", (user_id,))

    # sign-in failures

    def claim_attempt(self, name: str, ip: str | None, at: int, *, since: int, max_by_name: int, max_by_ip: int
                      ) -> int | None:
        """Count one sign-in attempt against the limits and record it, in one serialised step.

        Returns None when the attempt may go on (it stays recorded as a failure until
        ``clear_failures`` after a right password), or the time of the oldest failure
        counted when a limit is reached (nothing recorded). Parallel attempts cannot
        all pass the check before any is counted.
        """
        key = failure_key(name)
        same_ip = "ip = ?" if ip else "ip IS NULL"
        with self.db.tx(write=True) as cur:
            self.db.d.lock(cur, "auth_failures")
            self.db.run(cur, "DELETE FROM auth_failures WHERE at < ?", (since,))
            by_name = self.db.run(cur, "SELECT COUNT(*), MIN(at) FROM auth_failures WHERE name_key = ? AND at >= ? "
                                  f"AND {same_ip}", (key, since, *([ip] if ip else []))).fetchone()
            by_ip = self.db.run(cur, "SELECT COUNT(*), MIN(at) FROM auth_failures WHERE ip = ? AND at >= ?",
                                (ip, since)).fetchone() if ip else (0, None)
            if int(by_name[0]) >= max_by_name or int(by_ip[0]) >= max_by_ip:
                return min((x for x in (by_name[1], by_ip[1]) if x is not None), default=at)
            self.db.run(cur, "INSERT INTO auth_failures (name_key, ip, at) VALUES (?, ?, ?)", (key, ip, at))
        return None

    def clear_failures(self, name: str) -> None:
        """Forget the sign-in failures recorded for a name (after a right password)."""
        with self.db.tx(write=True) as cur:
            self.db.run(cur, "DELETE FROM auth_failures WHERE name_key = ?", (failure_key(name),))


def open_auth_store(url: str) -> SqlAuthStore:
    """The auth tables in the database at ``url`` (the archive's store URL)."""
    return SqlAuthStore(Database(dialect_for(url)))
