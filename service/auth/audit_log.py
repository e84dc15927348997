"""The audit log's table: who did what, when, to which unit; written once, read newest first."""

from __future__ import annotations

import json
import time
import unicodedata
from dataclasses import dataclass
from typing import Any

from service.archive.connection import Database
from service.auth.principal import name_key
from service.database import scope_clause
from service.schema.units import Scope


def audit_log_schema(serial: str) -> list[str]:
    """The table and its indexes (``serial`` is the dialect's auto-increment key)."""
    return [
        f"""CREATE TABLE IF NOT EXISTS audit_log (
            seq {serial}, at BIGINT NOT NULL, action TEXT NOT NULL, actor TEXT, actor_id TEXT, role TEXT,
            target TEXT, unit_id TEXT, dang_bo_key TEXT, detail TEXT, ip TEXT, ok INTEGER NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at)",
        "CREATE INDEX IF NOT EXISTS audit_log_unit ON audit_log (dang_bo_key, unit_id)",
    ]


@dataclass(frozen=True)
class AuditEvent:
    """One audit log record: the action, who did it, to what and in which unit, from where, and whether it worked."""

    action: str  # sign_in, sign_in_failed, sign_out, upload, delete, export, key_create, key_revoke, user_add, …
    actor: str | None = None
    actor_id: str | None = None
    role: str | None = None
    target: str | None = None
    unit_id: str | None = None
    dang_bo_key: str | None = None
    detail: dict[str, Any] | None = None
    ip: str | None = None
    ok: bool = True
    at: int = 0
    seq: int = 0


@dataclass(frozen=True)
class EventFilter:
    """Narrowing of the audit log beyond the caller's scope: who, which unit, when, failed or not."""

    actor: str | None = None  # a user name, compared as names are
    unit_id: str | None = None
    since: int | None = None  # seconds since the epoch, inclusive
    until: int | None = None  # exclusive
    ok: bool | None = None


class AuditLogTables:
    """Writing and reading the audit log; mixed into the auth store, over its database."""

    db: Database

    def log(self, event: AuditEvent) -> None:
        """Append one event; it is stamped with the time now unless it has one."""
        with self.db.tx(write=True) as cur:
            self.db.run(cur, "INSERT INTO audit_log (at, action, actor, actor_id, role, target, unit_id, dang_bo_key, "
                        "detail, ip, ok) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (event.at or int(time.time()), event.action, event.actor, event.actor_id, event.role, event.target,
                         event.unit_id, event.dang_bo_key,
                         json.dumps(event.detail, ensure_ascii=False) if event.detail else None, event.ip,
                         int(event.ok)))

    def events(self, *, scope: Scope | None, action: str | None = None, limit: int = 100, offset: int = 0,
               where: EventFilter | None = None) -> tuple[list[AuditEvent], int]:
        """One page of events within ``scope`` (None: all), newest first, and how many match in all.

        ``action`` and ``where`` narrow it further; ``limit`` and ``offset`` choose the page.
        """
        parts: list[str] = []
        params: list[Any] = []
        if action:
            parts.append("action = ?")
            params.append(action)
        w = where or EventFilter()
        if w.actor:
            parts.append("(actor_id IN (SELECT id FROM auth_users WHERE name_key = ?) OR actor = ?)")
            params.extend((name_key(w.actor), " ".join(unicodedata.normalize("NFC", w.actor).split())))
        for clause, value in (("unit_id = ?", w.unit_id), ("at >= ?", w.since), ("at < ?", w.until),
                              ("ok = ?", None if w.ok is None else int(w.ok))):
            if value is not None:
                parts.append(clause)
                params.append(value)
        clause, scope_params = scope_clause(scope)
        parts.append(clause)
        params.extend(scope_params)
        sql_where = (" WHERE " + " AND ".join(parts)) if parts else ""
        with self.db.tx() as cur:
            total = int(self.db.run(cur, f"SELECT COUNT(*) FROM audit_log{sql_where}", params).fetchone()[0])
            rows = self.db.run(cur, "SELECT seq, at, action, actor, actor_id, role, target, unit_id, dang_bo_key, "
                               f"detail, ip, ok FROM audit_log{sql_where} ORDER BY seq DESC LIMIT ? OFFSET ?",
                               [*params, limit, offset]).fetchall()
        return [AuditEvent(seq=int(r[0]), at=int(r[1]), action=r[2], actor=r[3], actor_id=r[4], role=r[5], target=r[6],
                           unit_id=r[7], dang_bo_key=r[8], detail=json.loads(r[9]) if r[9] else None, ip=r[10],
                           ok=bool(r[11])) for r in rows], total


    def actions(self) -> list[str]:
        """The kinds of event the log holds (for a filter's choices)."""
        with self.db.tx() as cur:
            return [r[0] for r in self.db.run(cur, "SELECT DISTINCT action FROM audit_log ORDER BY action").fetchall()]
