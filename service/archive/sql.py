"""SqlStore: the MinutesStore on a SQL database (SQLite or PostgreSQL).

Both databases run the same statements; a small Dialect supplies the connection,
the transaction start and the few type names that differ. Every write is one
transaction: the minute row, its original bytes, its broken rules and its index
job commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any

from service.archive.base import (
    STORE_SCHEMA_VERSION,
    DeleteResult,
    MinuteFilter,
    MinuteSummary,
    NewMinute,
    Original,
    PutResult,
    PutStatus,
    StoredMinute,
    UnitSummary,
)
from service.archive.connection import Database, Dialect
from service.archive.filters import Where, minute_where
from service.archive.outbox import OutboxTables, now_iso
from service.archive.reviews import ReviewTables, review_schema
from service.errors import ErrorCode, MinutesError
from service.schema.report import CheckReport, Severity
from service.schema.units import Scope, unit_id, unit_key

_SUMMARY_COLS = ("id, file_name, media_type, size, received_at, dang_bo, chi_bo, unit_id, meeting_date, "
                 "period, meeting_type, grade, points, complete, version, is_current, replaces, superseded_by")

_PUT_RETRIES = 10


def _schema(d: Dialect) -> list[str]:
    return [
        "CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE IF NOT EXISTS minutes (
            id TEXT PRIMARY KEY,
            file_name TEXT,
            media_type TEXT NOT NULL,
            size INTEGER NOT NULL,
            received_at TEXT NOT NULL,
            dang_bo TEXT,
            chi_bo TEXT,
            dang_bo_key TEXT,
            chi_bo_key TEXT,
            unit_id TEXT NOT NULL,
            meeting_date TEXT,
            period TEXT,
            meeting_type TEXT,
            grade TEXT NOT NULL,
            points INTEGER NOT NULL,
            complete INTEGER NOT NULL,
            version_key TEXT,
            version INTEGER NOT NULL,
            is_current INTEGER NOT NULL,
            replaces TEXT,
            superseded_by TEXT,
            text TEXT NOT NULL,
            report TEXT NOT NULL
        )""",
        "CREATE UNIQUE INDEX IF NOT EXISTS minutes_one_current ON minutes (version_key) WHERE is_current = 1",
        "CREATE INDEX IF NOT EXISTS minutes_unit ON minutes (unit_id, meeting_date)",
        "CREATE INDEX IF NOT EXISTS minutes_dang_bo ON minutes (dang_bo_key, meeting_date)",
        "CREATE INDEX IF NOT EXISTS minutes_date ON minutes (meeting_date)",
        f"CREATE TABLE IF NOT EXISTS originals (id TEXT PRIMARY KEY, data {d.blob} NOT NULL)",
        """CREATE TABLE IF NOT EXISTS minute_rules (
            minute_id TEXT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL,
            PRIMARY KEY (minute_id, rule))""",
        "CREATE INDEX IF NOT EXISTS minute_rules_rule ON minute_rules (rule)",
        f"""CREATE TABLE IF NOT EXISTS index_jobs (
            seq {d.serial_pk}, minute_id TEXT NOT NULL, op TEXT NOT NULL, queued_at TEXT NOT NULL)""",
        "CREATE TABLE IF NOT EXISTS leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires DOUBLE PRECISION "
        "NOT NULL)",
        *review_schema(d.serial_pk),
    ]


def _period(report: CheckReport) -> str | None:
    m = report.record.meeting
    if m.period.year and m.period.month:
        return f"{m.period.year:04d}-{m.period.month:02d}"
    if m.date:
        return m.date[:7]
    return None


def _version_key(dang_bo_key: str | None, chi_bo_key: str | None, report: CheckReport) -> str | None:
    """Same unit, meeting date and meeting type: a later upload is a correction.

    The type is part of the key because a chi bộ may hold a regular and a thematic
    meeting (or a chi ủy meeting) on the same day, each with its own minute.
    """
    m = report.record.meeting
    if not m.date or not (dang_bo_key or chi_bo_key):
        return None
    kind = m.type.value if m.type else "unknown"
    return f"{dang_bo_key or ''}\x1f{chi_bo_key or ''}\x1f{m.date}\x1f{kind}"


def _summary(row: Sequence[Any], rules: list[str]) -> MinuteSummary:
    return MinuteSummary(
        id=row[0], file_name=row[1], media_type=row[2], size=row[3], received_at=row[4], dang_bo=row[5],
        chi_bo=row[6], unit_id=row[7], date=row[8], period=row[9], meeting_type=row[10], grade=row[11],
        points=row[12], complete=bool(row[13]), version=row[14], current=bool(row[15]), replaces=row[16],
        superseded_by=row[17], rules=rules)


class SqlStore(ReviewTables, OutboxTables):
    """MinutesStore over a DB-API connection per thread."""

    def __init__(self, dialect: Dialect) -> None:
        self.d = dialect
        self.db = Database(dialect)
        with self._tx(write=True) as cur:
            for stmt in _schema(dialect):
                cur.execute(stmt)
            cur.execute(self.d.sql("SELECT value FROM store_meta WHERE key = 'schema_version'"))
            row = cur.fetchone()
            if row is None:
                cur.execute(self.d.sql("INSERT INTO store_meta (key, value) VALUES ('schema_version', ?)"),
                            (str(STORE_SCHEMA_VERSION),))
            elif int(row[0]) > STORE_SCHEMA_VERSION:
                raise MinutesError(ErrorCode.STORE_UNAVAILABLE,
                                   "Kho biên bản được tạo bởi phiên bản mới hơn của chương trình.", status=503)
            elif int(row[0]) < STORE_SCHEMA_VERSION:  # the new tables exist now; older programs must stop
                cur.execute(self.d.sql("UPDATE store_meta SET value = ? WHERE key = 'schema_version'"),
                            (str(STORE_SCHEMA_VERSION),))

    # connections and transactions

    def _tx(self, *, write: bool = False) -> AbstractContextManager[Any]:
        return self.db.tx(write=write)

    def _exec(self, cur: Any, statement: str, params: Sequence[Any] = ()) -> Any:
        return self.db.run(cur, statement, params)

    def close(self) -> None:
        """Close the connections of every thread."""
        self.db.close()

    # writes

    def put(self, minute: NewMinute) -> PutResult:
        """Store the minute, its original, broken rules and index job in one transaction.

        A new upload of a current minute's meeting replaces it. Colliding writers are retried;
        after 10 tries STORE_CONFLICT (409) is raised.
        """
        for _ in range(_PUT_RETRIES):
            try:
                return self._put_once(minute)
            except _Retry:
                continue
            except Exception as e:
                if self.d.is_unique_violation(e):
                    continue
                raise
        raise MinutesError(ErrorCode.STORE_CONFLICT,
                           "Nhiều bản của cùng một biên bản được gửi cùng lúc; hãy gửi lại.", status=409)

    def _put_once(self, minute: NewMinute) -> PutResult:
        report = minute.report.model_copy(deep=True)
        report.text.content = None
        meeting = report.record.meeting
        dkey = unit_key(meeting.dang_bo, "dang_bo")
        ckey = unit_key(meeting.chi_bo, "chi_bo")
        vkey = _version_key(dkey, ckey, report)
        broken = {f.rule: f.severity.value for f in report.findings
                  if f.severity in (Severity.ERROR, Severity.WARNING)}
        with self._tx(write=True) as cur:
            self.d.lock(cur, vkey or minute.id)
            if self._exec(cur, "SELECT 1 FROM minutes WHERE id = ?", (minute.id,)).fetchone():
                return PutResult(PutStatus.DUPLICATE, minute.id)
            old: tuple[str, int] | None = None
            if vkey is not None:
                old = self._exec(cur, "SELECT id, version FROM minutes WHERE version_key = ? AND is_current = 1",
                                 (vkey,)).fetchone()
            now = now_iso()
            if old is not None:
                cur = self._exec(cur, "UPDATE minutes SET is_current = 0, superseded_by = ? "
                                 "WHERE id = ? AND is_current = 1", (minute.id, old[0]))
                if cur.rowcount != 1:
                    raise _Retry()
                self._exec(cur, "INSERT INTO index_jobs (minute_id, op, queued_at) VALUES (?, 'delete', ?)",
                           (old[0], now))
            cur = self._exec(cur, f"""INSERT INTO minutes ({_SUMMARY_COLS}, dang_bo_key, chi_bo_key, version_key,
                text, report) VALUES ({', '.join('?' * 23)}) ON CONFLICT (id) DO NOTHING""", (
                minute.id, minute.file_name, minute.media_type, len(minute.data), now, meeting.dang_bo,
                meeting.chi_bo, unit_id(dkey, ckey), meeting.date, _period(report),
                meeting.type.value if meeting.type else None, report.score.grade.value, report.score.points,
                int(report.complete), (old[1] + 1) if old else 1, 1, old[0] if old else None, None,
                dkey, ckey, vkey, minute.text, report.model_dump_json(by_alias=True)))
            if cur.rowcount != 1:
                raise _Retry()
            self._exec(cur, "INSERT INTO originals (id, data) VALUES (?, ?)", (minute.id, minute.data))
            for rule, severity in sorted(broken.items()):
                self._exec(cur, "INSERT INTO minute_rules (minute_id, rule, severity) VALUES (?, ?, ?)",
                           (minute.id, rule, severity))
            self._exec(cur, "INSERT INTO index_jobs (minute_id, op, queued_at) VALUES (?, 'upsert', ?)",
                       (minute.id, now))
        if old is not None:
            return PutResult(PutStatus.REPLACED, minute.id, replaced=old[0])
        return PutResult(PutStatus.STORED, minute.id)

    def delete(self, minute_id: str, *, scope: Scope | None = None) -> DeleteResult | None:
        """Delete one version with its rows and queue its removal from the index (None when not in scope).

        The chain of versions is relinked around it; when it was current, the version it
        replaced becomes current again.
        """
        w = Where()
        w.add("id = ?", minute_id)
        w.scope(scope)
        with self._tx(write=True) as cur:
            row = self._exec(cur, f"SELECT is_current, replaces, superseded_by FROM minutes{w.sql()}",
                             w.params).fetchone()
            if row is None:
                return None
            is_current, replaces, superseded_by = bool(row[0]), row[1], row[2]
            now = now_iso()
            for table, col in (("minute_rules", "minute_id"), ("minute_reviews", "minute_id"),
                               ("readings", "minute_id"), ("originals", "id"), ("minutes", "id")):
                self._exec(cur, f"DELETE FROM {table} WHERE {col} = ?", (minute_id,))
            self._exec(cur, "INSERT INTO index_jobs (minute_id, op, queued_at) VALUES (?, 'delete', ?)",
                       (minute_id, now))
            # Keep the chain of versions whole around the removed one.
            self._exec(cur, "UPDATE minutes SET replaces = ? WHERE replaces = ?", (replaces, minute_id))
            restored = None
            if superseded_by is not None:
                self._exec(cur, "UPDATE minutes SET superseded_by = ? WHERE superseded_by = ?",
                           (superseded_by, minute_id))
            elif is_current and replaces is not None:
                prev = self._exec(cur, "UPDATE minutes SET is_current = 1, superseded_by = NULL "
                                  "WHERE id = ? AND superseded_by = ?", (replaces, minute_id))
                if prev.rowcount == 1:
                    restored = replaces
                    self._exec(cur, "INSERT INTO index_jobs (minute_id, op, queued_at) VALUES (?, 'upsert', ?)",
                               (replaces, now))
        return DeleteResult(minute_id, restored)

    # reads

    def has(self, minute_id: str) -> bool:
        """Whether a minute with this id is stored, in any unit and any version."""
        with self._tx() as cur:
            return self._exec(cur, "SELECT 1 FROM minutes WHERE id = ?", (minute_id,)).fetchone() is not None

    def _rules(self, cur: Any, ids: list[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {i: [] for i in ids}
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            rows = self._exec(cur, f"SELECT minute_id, rule FROM minute_rules WHERE minute_id IN "
                              f"({', '.join('?' * len(part))}) ORDER BY rule", part).fetchall()
            for mid, rule in rows:
                out[mid].append(rule)
        return out

    def get(self, minute_id: str, *, scope: Scope | None = None) -> StoredMinute | None:
        """The minute in full (current or not), or None when it is not stored in scope."""
        w = Where()
        w.add("id = ?", minute_id)
        w.scope(scope)
        with self._tx() as cur:
            row = self._exec(cur, f"SELECT {_SUMMARY_COLS}, text, report FROM minutes{w.sql()}",
                             w.params).fetchone()
            if row is None:
                return None
            rules = self._rules(cur, [minute_id])[minute_id]
        report = CheckReport.model_validate_json(row[-1])
        return StoredMinute(summary=_summary(row, rules), text=row[-2], report=report)

    def original(self, minute_id: str, *, scope: Scope | None = None) -> Original | None:
        """The minute's original file, or None when it is not stored in scope."""
        w = Where()
        w.add("m.id = ?", minute_id)
        w.scope(scope)
        with self._tx() as cur:
            row = self._exec(cur, f"SELECT m.file_name, m.media_type, o.data FROM minutes m "
                             f"JOIN originals o ON o.id = m.id{w.sql()}", w.params).fetchone()
        if row is None:
            return None
        return Original(file_name=row[0], media_type=row[1], data=bytes(row[2]))

    def list_minutes(self, flt: MinuteFilter, *, scope: Scope | None = None, limit: int = 50,
             offset: int = 0) -> tuple[list[MinuteSummary], int]:
        """One page of the minutes the filter chooses in scope, newest meeting first, and their total."""
        w = minute_where(flt, scope)
        with self._tx() as cur:
            total = self._exec(cur, f"SELECT COUNT(*) FROM minutes{w.sql()}", w.params).fetchone()[0]
            rows = self._exec(cur, f"SELECT {_SUMMARY_COLS} FROM minutes{w.sql()} "
                              "ORDER BY meeting_date DESC NULLS LAST, received_at DESC, id LIMIT ? OFFSET ?",
                              [*w.params, limit, offset]).fetchall()
            rules = self._rules(cur, [r[0] for r in rows])
        return [_summary(r, rules[r[0]]) for r in rows], int(total)

    def summaries(self, minute_ids: list[str], *, scope: Scope | None = None) -> dict[str, MinuteSummary]:
        """The summaries of those of ``minute_ids`` that exist in scope, current or not."""
        ids = list(dict.fromkeys(minute_ids))
        out: dict[str, MinuteSummary] = {}
        with self._tx() as cur:
            for start in range(0, len(ids), 500):
                part = ids[start:start + 500]
                w = Where()
                w.add(f"id IN ({', '.join('?' * len(part))})", *part)
                w.scope(scope)
                rows = self._exec(cur, f"SELECT {_SUMMARY_COLS} FROM minutes{w.sql()}", w.params).fetchall()
                rules = self._rules(cur, [r[0] for r in rows])
                out.update((r[0], _summary(r, rules[r[0]])) for r in rows)
        return out

    def history(self, minute_id: str, *, scope: Scope | None = None) -> list[MinuteSummary]:
        """Every version of the minute's meeting, oldest first (empty when the minute is not in scope)."""
        w = Where()
        w.add("id = ?", minute_id)
        w.scope(scope)
        with self._tx() as cur:
            row = self._exec(cur, f"SELECT version_key FROM minutes{w.sql()}", w.params).fetchone()
            if row is None:
                return []
            if row[0] is None:
                rows = self._exec(cur, f"SELECT {_SUMMARY_COLS} FROM minutes WHERE id = ?", (minute_id,)).fetchall()
            else:
                rows = self._exec(cur, f"SELECT {_SUMMARY_COLS} FROM minutes WHERE version_key = ? "
                                  "ORDER BY version, received_at", (row[0],)).fetchall()
            rules = self._rules(cur, [r[0] for r in rows])
        return [_summary(r, rules[r[0]]) for r in rows]

    def reports(self, flt: MinuteFilter, *, scope: Scope | None = None
                ) -> list[tuple[MinuteSummary, CheckReport]]:
        """The summary and check report of every minute the filter chooses in scope, oldest meeting first."""
        w = minute_where(flt, scope)
        with self._tx() as cur:
            rows = self._exec(cur, f"SELECT {_SUMMARY_COLS}, report FROM minutes{w.sql()} "
                              "ORDER BY meeting_date, received_at, id", w.params).fetchall()
            rules = self._rules(cur, [r[0] for r in rows])
        return [(_summary(r, rules[r[0]]), CheckReport.model_validate_json(r[-1])) for r in rows]

    def units(self, *, scope: Scope | None = None) -> list[UnitSummary]:
        """The units with current minutes in scope, each named as its latest minute spells it."""
        w = Where()
        w.add("is_current = 1")
        w.add("(dang_bo_key IS NOT NULL OR chi_bo_key IS NOT NULL)")
        w.scope(scope)
        with self._tx() as cur:
            rows = self._exec(cur, f"""SELECT unit_id, COUNT(*), MIN(meeting_date), MAX(meeting_date),
                MAX(dang_bo), MAX(chi_bo) FROM minutes{w.sql()} GROUP BY unit_id ORDER BY MAX(dang_bo_key),
                MAX(chi_bo_key)""", w.params).fetchall()
            # Show each unit under the spelling of its latest minute.
            names: dict[str, tuple[str | None, str | None]] = {}
            for uid, dang_bo, chi_bo in self._exec(
                    cur, f"SELECT unit_id, dang_bo, chi_bo FROM minutes{w.sql()} "
                    "ORDER BY meeting_date NULLS FIRST, received_at", w.params).fetchall():
                names[uid] = (dang_bo, chi_bo)
        return [UnitSummary(unit_id=r[0], minutes=int(r[1]), first_date=r[2], last_date=r[3],
                            dang_bo=names.get(r[0], (r[4], r[5]))[0], chi_bo=names.get(r[0], (r[4], r[5]))[1])
                for r in rows]

    def current_ids(self) -> set[str]:
        """The ids of every current minute."""
        with self._tx() as cur:
            return {r[0] for r in self._exec(cur, "SELECT id FROM minutes WHERE is_current = 1").fetchall()}


class _Retry(Exception):
    """Another writer got there first; run the transaction again."""
