"""The compact copy of the archive that the figures read, kept in step with it.

Attendance and absences live inside each stored report, so the figures read a
compact copy of what they need: ``stat_minutes`` (one row per stored minute: unit,
period, date, grade, points, completeness, type flags, attendance rate),
``stat_absences`` (named absentees) and ``stat_units`` (every chi bộ seen, with its
first month), beside the archive's own ``minute_rules``. A stored minute never
changes (its id is the hash of its bytes), so a row, once written, stays right.
Before each query the copy is brought up to date: new minutes are added (an index
range over ``received_at``; every few minutes a full anti-join), a deletion is seen
when the row counts differ, a reviewed minute is copied anew, and a superseded
version is left out through a partial index of the archive's non-current minutes.
The copy can always be dropped and rebuilt.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from typing import Any

from service.archive.audit import member_key
from service.archive.connection import Database, Dialect

_SYNC_BATCH = 1000
_FULL_EVERY = 300.0  # seconds between syncs that look at every minute
_LATE_MARGIN = 600.0  # a minute stored up to this long before the last sync is still looked at
_ANALYZE_AFTER = 1000  # minutes added in one sync before the planner's statistics are refreshed


def _facts_of(report_json: str | bytes) -> tuple[tuple[Any, ...], list[tuple[str, str, int]]]:
    """(fact row without the id, absences as (member key, name, excused)) of one stored report."""
    rec = json.loads(report_json)["record"]
    meeting, att = rec.get("meeting") or {}, rec.get("attendance") or {}
    mtype, combined = meeting.get("type"), bool(meeting.get("combined_thematic"))
    regular = mtype in ("thuong_ky", None) or combined
    thematic = mtype == "chuyen_de" or combined
    rate = att.get("rate")
    excused = [a["name"] for a in att.get("absent_excused") or [] if a.get("name")]
    unexcused = [a["name"] for a in att.get("absent_unexcused") or [] if a.get("name")]
    exc_n, unexc_n = att.get("absent_excused_count"), att.get("absent_unexcused_count")
    named_all = (exc_n is None or exc_n <= len(excused)) and (unexc_n is None or unexc_n <= len(unexcused))
    absences: dict[tuple[str, int], str] = {}
    for name in excused:
        absences.setdefault((member_key(name), 1), name)
    for name in unexcused:
        absences.setdefault((member_key(name), 0), name)
    row = (int(regular), int(thematic), int(mtype == "chi_uy"),
           round(float(rate) * 1000) if isinstance(rate, int | float) else None,
           att.get("present"), int(named_all))
    return row, [(k, n, e) for (k, e), n in absences.items() if k]



_REVIEW_OVERLAP = 64  # reviews below the last one seen that may still commit (PostgreSQL numbers at insert);
# one later by more is caught by the full sync every few minutes
_MINUTE_COLS = ("m.id, m.report, m.unit_id, m.dang_bo_key, m.chi_bo_key, m.dang_bo, m.chi_bo, m.period, "
                "m.meeting_date, m.grade, m.points, m.complete")
_FACT_COLS = ("minute_id, unit_id, dang_bo_key, period, day, grade, points, complete, regular, thematic, chi_uy, "
              "rate_pm, present, named_all")


def _copy_rows(rows: list[Any]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]],
                                         dict[str, tuple[str | None, str | None, str | None, str | None]]]:
    """The copy's rows (facts, absences, chi bộ) of archive rows selected with _MINUTE_COLS."""
    facts: list[tuple[Any, ...]] = []
    absences: list[tuple[Any, ...]] = []
    units: dict[str, tuple[str | None, str | None, str | None, str | None]] = {}
    for mid, report, uid, dkey, ckey, dang_bo, chi_bo, period, day, grade, points, complete in rows:
        row, absent = _facts_of(report)
        facts.append((mid, uid, dkey, period, day or period, grade, points, complete, *row))
        absences.extend((mid, *a) for a in absent)
        if ckey is not None:
            old = units.get(uid)
            firsts = [p for p in (period, old[3] if old else None) if p]
            units[uid] = (dkey, dang_bo, chi_bo, min(firsts) if firsts else None)
    return facts, absences, units


class StatTables:
    """The copy's tables over one archive database, and ``sync`` to keep them in step."""

    def __init__(self, dialect: Dialect) -> None:
        self.db = Database(dialect)
        self._sync_lock = threading.Lock()
        self._memo_lock = threading.Lock()
        self._memo: dict[tuple[Any, ...], Any] = {}  # see Stats.dashboard
        self._parts: dict[tuple[Any, ...], Any] = {}  # see Stats._part
        self._last_sync = 0.0
        self._last_full = -float(_FULL_EVERY)
        self._reviews: tuple[int, int] = (0, 0)  # (count, last sequence) of the reviews in the copy
        self._recent: set[int] = set()  # sequence numbers near the last one, already in the copy
        with self.db.tx(write=True) as cur:
            for stmt in (
                """CREATE TABLE IF NOT EXISTS stat_minutes (
                    minute_id TEXT PRIMARY KEY, unit_id TEXT NOT NULL, dang_bo_key TEXT, period TEXT,
                    day TEXT, grade TEXT NOT NULL, points INTEGER NOT NULL, complete INTEGER NOT NULL,
                    regular INTEGER NOT NULL, thematic INTEGER NOT NULL, chi_uy INTEGER NOT NULL, rate_pm INTEGER,
                    present INTEGER, named_all INTEGER NOT NULL)""",
                "CREATE INDEX IF NOT EXISTS stat_minutes_period ON stat_minutes (period)",
                "CREATE INDEX IF NOT EXISTS stat_minutes_dang_bo ON stat_minutes (dang_bo_key, period)",
                "CREATE INDEX IF NOT EXISTS stat_minutes_unit ON stat_minutes (unit_id, period)",
                """CREATE TABLE IF NOT EXISTS stat_absences (
                    minute_id TEXT NOT NULL, member_key TEXT NOT NULL, member TEXT NOT NULL, excused INTEGER NOT NULL,
                    PRIMARY KEY (minute_id, member_key, excused))""",
                """CREATE TABLE IF NOT EXISTS stat_units (
                    unit_id TEXT PRIMARY KEY, dang_bo_key TEXT, dang_bo TEXT, chi_bo TEXT, first_period TEXT)""",
                "CREATE INDEX IF NOT EXISTS stat_units_dang_bo ON stat_units (dang_bo_key)",
                # One counter per đảng bộ ('' for minutes of none), moved on whenever its copied rows change.
                "CREATE TABLE IF NOT EXISTS stat_versions (dang_bo_key TEXT PRIMARY KEY, version BIGINT NOT NULL)",
                # New minutes are found by when they arrived; superseded ones through a small partial index.
                "CREATE INDEX IF NOT EXISTS stat_minutes_received ON minutes (received_at)",
                "CREATE INDEX IF NOT EXISTS stat_minutes_superseded ON minutes (id) WHERE is_current = 0",
            ):
                cur.execute(stmt)

    def close(self) -> None:
        """Close the tables' database connection."""
        self.db.close()

    def sync(self) -> int:
        """Bring the copy up to date with the archive; returns how many minutes were added.

        The first call in a process, and one call every few minutes after, looks at every
        minute; the others only at minutes received lately. Deleted minutes are dropped
        as soon as the row counts of the archive and the copy differ.
        """
        with self._sync_lock:
            started = time.time()
            full = started - self._last_full >= _FULL_EVERY
            since = None if full else datetime.fromtimestamp(self._last_sync - _LATE_MARGIN, UTC).isoformat(
                timespec="seconds")
            if full:
                self._count_every_dang_bo()
            self._recopy_reviewed(full)
            added = self._fill(since)
            if added >= _ANALYZE_AFTER:
                # Fresh table statistics let the planner pick the period indexes over full scans.
                with self.db.tx(write=True) as cur:
                    for table in ("stat_minutes", "stat_absences", "stat_units", "minute_rules"):
                        self.db.run(cur, f"ANALYZE {table}")
            self._last_sync = started
            if full:
                self._last_full = started
            with self.db.tx() as cur:
                archived = int(self.db.run(cur, "SELECT COUNT(*) FROM minutes").fetchone()[0])
                copied = int(self.db.run(cur, "SELECT COUNT(*) FROM stat_minutes").fetchone()[0])
            if archived != copied or full:
                self._drop_orphans()
        return added

    def _bump(self, cur: Any, dang_bo_keys: set[str | None]) -> None:
        """Move on the counters of the đảng bộ whose copied rows changed (see ``versions``)."""
        for key in sorted(k or "" for k in dang_bo_keys):
            self.db.run(cur, "INSERT INTO stat_versions (dang_bo_key, version) VALUES (?, 1) ON CONFLICT "
                        "(dang_bo_key) DO UPDATE SET version = stat_versions.version + 1", (key,))

    def _count_every_dang_bo(self) -> None:
        """Give a counter to each đảng bộ in the copy that has none (a copy made before counters were kept)."""
        with self.db.tx(write=True) as cur:
            self.db.run(cur, "INSERT INTO stat_versions (dang_bo_key, version) SELECT DISTINCT "
                        "COALESCE(dang_bo_key, ''), 1 FROM stat_minutes WHERE COALESCE(dang_bo_key, '') NOT IN "
                        "(SELECT dang_bo_key FROM stat_versions) ON CONFLICT DO NOTHING")

    def versions(self) -> dict[str, int]:
        """Each đảng bộ's counter ('' for minutes of none): figures computed at the same counter still hold."""
        with self.db.tx() as cur:
            return {k: int(v) for k, v in self.db.run(cur, "SELECT dang_bo_key, version FROM stat_versions")}

    def _drop_orphans(self) -> None:
        with self.db.tx(write=True) as cur:
            gone = {k for k, in self.db.run(cur, "SELECT DISTINCT dang_bo_key FROM stat_minutes s WHERE NOT EXISTS "
                                            "(SELECT 1 FROM minutes m WHERE m.id = s.minute_id)").fetchall()}
            for table, col, key in (("stat_absences", "id", "minute_id"), ("stat_minutes", "id", "minute_id"),
                                    ("stat_units", "unit_id", "unit_id")):
                self.db.run(cur, f"DELETE FROM {table} WHERE NOT EXISTS "
                            f"(SELECT 1 FROM minutes m WHERE m.{col} = {table}.{key})")
            self._bump(cur, gone)

    def _recopy_reviewed(self, full: bool) -> None:
        """Copy anew the minutes reviewed since the last sync (every reviewed one on a full sync).

        New reviews are seen by the count and the last sequence number of the reviews (a review
        committed late, under a lower number, changes the count); the recent ones are copied
        again, each replaced in one transaction and only when its figures changed, so no other
        process ever sees it missing and no counter moves for nothing.
        """
        with self.db.tx() as cur:
            count, last = self.db.run(cur, "SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM minute_reviews").fetchone()
        state = (int(count), int(last))
        if state == self._reviews and not full:
            return
        low = 0 if full else max(0, self._reviews[1] - _REVIEW_OVERLAP)
        with self.db.tx() as cur:
            found = self.db.run(cur, "SELECT seq, minute_id FROM minute_reviews WHERE seq > ?", (low,)).fetchall()
        ids = sorted({mid for seq, mid in found if full or int(seq) not in self._recent})
        for start in range(0, len(ids), _SYNC_BATCH):
            self._recopy(ids[start:start + _SYNC_BATCH])
        self._reviews = state
        self._recent = {int(seq) for seq, _ in found if int(seq) > state[1] - _REVIEW_OVERLAP}

    def _recopy(self, ids: list[str]) -> None:
        """Replace the copied rows of these minutes where their figures changed; move their đảng bộ on."""
        marks = ", ".join("?" * len(ids))
        with self.db.tx(write=True) as cur:
            rows = self.db.run(cur, f"SELECT {_MINUTE_COLS} FROM minutes m WHERE m.id IN ({marks})", ids).fetchall()
            facts, absences, units = _copy_rows(rows)
            old_facts = {r[0]: tuple(r) for r in self.db.run(
                cur, f"SELECT {_FACT_COLS} FROM stat_minutes WHERE minute_id IN ({marks})", ids).fetchall()}
            old_absent: dict[str, set[tuple[Any, ...]]] = {}
            for r in self.db.run(cur, "SELECT minute_id, member_key, member, excused FROM stat_absences "
                                 f"WHERE minute_id IN ({marks})", ids).fetchall():
                old_absent.setdefault(r[0], set()).add(tuple(r))
            new_absent: dict[str, set[tuple[Any, ...]]] = {}
            for a in absences:
                new_absent.setdefault(a[0], set()).add(tuple(a))
            changed = [f for f in facts if old_facts.get(f[0]) != tuple(f)
                       or old_absent.get(f[0], set()) != new_absent.get(f[0], set())]
            if not changed:
                return
            moved = [f[0] for f in changed]
            moved_marks = ", ".join("?" * len(moved))
            keys = {old_facts[m][2] for m in moved if m in old_facts} | {f[2] for f in changed}
            for table in ("stat_absences", "stat_minutes"):
                self.db.run(cur, f"DELETE FROM {table} WHERE minute_id IN ({moved_marks})", moved)
            moved_set = set(moved)
            self._insert(cur, changed, [a for a in absences if a[0] in moved_set], units)
            self._bump(cur, keys)

    def _insert(self, cur: Any, facts: list[tuple[Any, ...]], absences: list[tuple[Any, ...]],
                units: dict[str, tuple[str | None, str | None, str | None, str | None]]) -> None:
        self.db.run_many(cur, f"INSERT INTO stat_minutes ({_FACT_COLS}) VALUES "
                         "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", facts)
        self.db.run_many(cur, "INSERT INTO stat_absences (minute_id, member_key, member, excused) "
                         "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", absences)
        self._merge_units(cur, units)

    def _fill(self, since: str | None) -> int:
        """Copy the minutes missing from the copy: all of them, or those received since ``since``."""
        added = 0
        recent = "m.received_at >= ? AND " if since else ""
        while True:
            with self.db.tx() as cur:
                rows = self.db.run(cur, f"""SELECT {_MINUTE_COLS} FROM minutes m
                    WHERE {recent}NOT EXISTS (SELECT 1 FROM stat_minutes f WHERE f.minute_id = m.id) LIMIT ?""",
                                   [*([since] if since else []), _SYNC_BATCH]).fetchall()
            if not rows:
                break
            facts, absences, units = _copy_rows(rows)
            with self.db.tx(write=True) as cur:
                self._insert(cur, facts, absences, units)
                self._bump(cur, {row[3] for row in rows})
            added += len(rows)
            if len(rows) < _SYNC_BATCH:
                break
        return added

    def _merge_units(self, cur: Any, units: dict[str, tuple[str | None, str | None, str | None, str | None]]
                     ) -> None:
        """Keep one row per chi bộ ever seen, with the earliest month it has a minute for."""
        ids = sorted(units)
        known: dict[str, str | None] = {}
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            for uid, first in self.db.run(cur, "SELECT unit_id, first_period FROM stat_units WHERE unit_id IN "
                                          f"({', '.join('?' * len(part))})", part).fetchall():
                known[uid] = first
        for uid in ids:
            dkey, dang_bo, chi_bo, first = units[uid]
            if uid not in known:
                self.db.run(cur, "INSERT INTO stat_units (unit_id, dang_bo_key, dang_bo, chi_bo, first_period) "
                            "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", (uid, dkey, dang_bo, chi_bo, first))
            elif first and (known[uid] is None or first < (known[uid] or "")):
                self.db.run(cur, "UPDATE stat_units SET first_period = ? WHERE unit_id = ?", (first, uid))
