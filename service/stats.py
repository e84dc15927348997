"""Statistics for the dashboard, computed by SQL aggregates over the archive.

Attendance and absences live inside each stored report, so the figures read a
compact copy of what they need: ``stat_minutes`` (one row per stored minute: unit,
period, date, grade, points, completeness, type flags, attendance rate),
``stat_absences`` (named absentees) and ``stat_units`` (every chi bộ seen, with its
first month), beside the archive's own ``minute_rules``. A stored minute never
changes (its id is the hash of its bytes), so a row, once written, stays right.
Before each query the copy is brought up to date: new minutes are added (an index
range over ``received_at``; every few minutes a full anti-join), a deletion is seen
when the row counts differ, and a superseded version is left out through a partial
index of the archive's non-current minutes. The copy can always be dropped and rebuilt.

All figures respect a Scope, like every other read of the archive.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from service.archive.audit import STREAK_LIMIT, UNEXCUSED_LIMIT, member_key, months_between
from service.archive.connection import Database, Dialect
from service.database import scope_clause
from service.errors import ErrorCode, InputError
from service.schema.period import quarter_of, require_month, shift
from service.schema.units import Scope, unit_key

GRADE_VI = {"tot": "Tốt", "kha": "Khá", "trung_binh": "Trung bình", "kem": "Kém"}
DEFAULT_MONTHS = 12
MAX_MONTHS = 120
_SYNC_BATCH = 1000
_FULL_EVERY = 300.0  # seconds between syncs that look at every minute
_LATE_MARGIN = 600.0  # a minute stored up to this long before the last sync is still looked at
_ANALYZE_AFTER = 1000  # minutes added in one sync before the planner's statistics are refreshed


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UnitMonth(_Out):
    period: str
    meetings: int
    regular: bool
    thematic: bool
    attendance: float | None = Field(description="Mean attendance rate (0..1) of the month's meetings.")


class UnitRow(_Out):
    unit_id: str
    dang_bo: str | None
    chi_bo: str | None
    meetings: int
    attendance: float | None
    months: list[UnitMonth]
    missed_months: list[str] = Field(description="Months of the period with no regular meeting.")
    quarters_without_thematic: list[str]


class MonthRow(_Out):
    period: str
    meetings: int
    regular: int
    thematic: int
    units_met: int = Field(description="Chi bộ that held a regular meeting this month.")
    units_total: int
    attendance: float | None


class QuarterRow(_Out):
    quarter: str
    thematic_meetings: int
    units_met: int = Field(description="Chi bộ that held at least one thematic meeting this quarter.")
    units_total: int


class GradeRow(_Out):
    grade: str
    label: str
    count: int


class RuleRow(_Out):
    rule: str
    severity: str
    title: str | None
    minutes: int
    share: float = Field(description="Share of the period's minutes that break the rule.")


class AbsenceRow(_Out):
    member: str
    unit_id: str
    chi_bo: str | None
    longest_excused_streak: int
    current_excused_streak: int
    unexcused: int
    last_absent: str | None
    flagged: bool = Field(description="Breaks a rule: more than 3 excused absences in a row in a year, or "
                                      "2 or more unexcused absences in a year.")
    minute_ids: list[str]


class Overview(_Out):
    minutes: int
    complete: int
    incomplete: int
    points: float | None


class Dashboard(_Out):
    dang_bo: str | None
    unit_id: str | None
    period_from: str
    period_to: str
    months: list[str]
    overview: Overview
    units: list[UnitRow]
    per_month: list[MonthRow]
    per_quarter: list[QuarterRow]
    grades: list[GradeRow]
    rules: list[RuleRow]
    absences: list[AbsenceRow]


@dataclass(frozen=True)
class StatsFilter:
    """Which minutes the figures cover: a đảng bộ (by key) or one unit, over months [period_from, period_to]."""

    period_from: str
    period_to: str
    dang_bo_key: str | None = None
    unit_id: str | None = None


@lru_cache(maxsize=1)
def rule_titles() -> dict[str, str]:
    from service.rules.ruleset import load_ruleset

    titles: dict[str, str] = {}
    for name in ("HD09", "HD12", "HD42"):
        for spec in load_ruleset(name).rules.values():
            titles[spec.id] = spec.title
    from service.archive.audit import RULES

    titles.update({rid: r.title for rid, r in RULES.items()})
    return titles


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


class Stats:
    """Dashboard figures over one archive database."""

    def __init__(self, dialect: Dialect) -> None:
        self.db = Database(dialect)
        self._sync_lock = threading.Lock()
        self._last_sync = 0.0
        self._last_full = -float(_FULL_EVERY)
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
                # New minutes are found by when they arrived; superseded ones through a small partial index.
                "CREATE INDEX IF NOT EXISTS stat_minutes_received ON minutes (received_at)",
                "CREATE INDEX IF NOT EXISTS stat_minutes_superseded ON minutes (id) WHERE is_current = 0",
            ):
                cur.execute(stmt)

    def close(self) -> None:
        self.db.close()

    # keeping the copy in step

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
            self._forget_reviewed(since)
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

    def _drop_orphans(self) -> None:
        with self.db.tx(write=True) as cur:
            for table, col, key in (("stat_absences", "id", "minute_id"), ("stat_minutes", "id", "minute_id"),
                                    ("stat_units", "unit_id", "unit_id")):
                self.db.run(cur, f"DELETE FROM {table} WHERE NOT EXISTS "
                            f"(SELECT 1 FROM minutes m WHERE m.{col} = {table}.{key})")

    def _forget_reviewed(self, since: str | None) -> None:
        """Drop the copy of minutes reviewed since ``since`` (all reviewed ones when None): _fill copies them anew."""
        recent = " WHERE at >= ?" if since else ""
        with self.db.tx(write=True) as cur:
            for table in ("stat_absences", "stat_minutes"):
                self.db.run(cur, f"DELETE FROM {table} WHERE minute_id IN (SELECT minute_id FROM minute_reviews"
                            f"{recent})", [since] if since else [])

    def _fill(self, since: str | None) -> int:
        added = 0
        recent = ("(m.received_at >= ? OR m.id IN (SELECT r.minute_id FROM minute_reviews r WHERE r.at >= ?)) AND "
                  if since else "")
        while True:
            with self.db.tx() as cur:
                rows = self.db.run(cur, f"""SELECT m.id, m.report, m.unit_id, m.dang_bo_key, m.chi_bo_key, m.dang_bo,
                    m.chi_bo, m.period, m.meeting_date, m.grade, m.points, m.complete FROM minutes m
                    WHERE {recent}NOT EXISTS (SELECT 1 FROM stat_minutes f WHERE f.minute_id = m.id) LIMIT ?""",
                                   [*([since, since] if since else []), _SYNC_BATCH]).fetchall()
            if not rows:
                break
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
            with self.db.tx(write=True) as cur:
                self.db.run_many(cur, "INSERT INTO stat_minutes (minute_id, unit_id, dang_bo_key, period, day, grade, "
                                 "points, complete, regular, thematic, chi_uy, rate_pm, present, named_all) VALUES "
                                 "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", facts)
                self.db.run_many(cur, "INSERT INTO stat_absences (minute_id, member_key, member, excused) "
                                 "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", absences)
                self._merge_units(cur, units)
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

    # the filter

    def default_filter(self, *, scope: Scope | None, dang_bo: str | None = None, unit_id: str | None = None,
                       period_from: str | None = None, period_to: str | None = None) -> StatsFilter:
        """The last 12 months up to the newest minute in view (not past this month, not before the oldest)."""
        dkey = unit_key(dang_bo, "dang_bo") if dang_bo else None
        for p in (period_from, period_to):
            require_month(p)
        if period_to is None:
            this_month = datetime.now(UTC).strftime("%Y-%m")
            if period_from is not None:
                period_to = max(period_from, min(this_month, shift(period_from, DEFAULT_MONTHS - 1)))
            else:
                self.sync()
                clause, params = scope_clause(scope, dang_bo_col="m.dang_bo_key", unit_col="m.unit_id")
                extra, extra_params = _unit_where(dkey, unit_id)
                with self.db.tx() as cur:
                    oldest, newest = self.db.run(
                        cur, f"SELECT MIN(m.period), MAX(m.period) FROM stat_minutes m WHERE m.period <= ? AND "
                        f"{clause}{extra}{_CURRENT}", [this_month, *params, *extra_params]).fetchone()
                period_to = newest or this_month
                if period_from is None and oldest:
                    period_from = max(oldest, shift(period_to, -(DEFAULT_MONTHS - 1)))
        if period_from is None:
            period_from = shift(period_to, -(DEFAULT_MONTHS - 1))
        if period_from > period_to:
            raise InputError(ErrorCode.INVALID_PERIOD, "Tháng bắt đầu phải trước tháng kết thúc.", status=422)
        if len(months_between(period_from, period_to)) > MAX_MONTHS:
            raise InputError(ErrorCode.INVALID_PERIOD, f"Khoảng thời gian dài quá {MAX_MONTHS} tháng.", status=422)
        return StatsFilter(period_from=period_from, period_to=period_to, dang_bo_key=dkey, unit_id=unit_id)

    def _where(self, flt: StatsFilter, scope: Scope | None) -> tuple[str, list[Any]]:
        """Current minutes in the filter and scope, over ``stat_minutes m``."""
        clause, params = scope_clause(scope, dang_bo_col="m.dang_bo_key", unit_col="m.unit_id")
        extra, extra_params = _unit_where(flt.dang_bo_key, flt.unit_id)
        return (f"m.period >= ? AND m.period <= ? AND {clause}{extra}{_CURRENT}",
                [flt.period_from, flt.period_to, *params, *extra_params])

    # the figures

    def units(self, flt: StatsFilter, *, scope: Scope | None) -> list[UnitRow]:
        """Each chi bộ in view (any that has a minute) with its months in the period."""
        self.sync()
        return self._units(flt, scope)[0]

    def _units(self, flt: StatsFilter, scope: Scope | None
               ) -> tuple[list[UnitRow], dict[str, dict[str, tuple[int, int, int, int, float | None]]]]:
        where, params = self._where(flt, scope)
        clause, sparams = scope_clause(scope, dang_bo_col="u.dang_bo_key", unit_col="u.unit_id")
        extra, extra_params = _unit_where(flt.dang_bo_key, flt.unit_id, alias="u")
        with self.db.tx() as cur:
            known = self.db.run(cur, f"""SELECT u.unit_id, u.dang_bo, u.chi_bo, u.first_period FROM stat_units u
                WHERE {clause}{extra} AND EXISTS (SELECT 1 FROM stat_minutes x WHERE x.unit_id = u.unit_id)""",
                                [*sparams, *extra_params]).fetchall()
            cells = self.db.run(cur, f"""SELECT m.unit_id, m.period, COUNT(*), MAX(m.regular), MAX(m.thematic),
                SUM(CASE WHEN m.rate_pm IS NOT NULL THEN 1 ELSE 0 END), AVG(m.rate_pm)
                FROM stat_minutes m WHERE {where} AND m.chi_uy = 0 GROUP BY m.unit_id, m.period""", params).fetchall()
        grid: dict[str, dict[str, tuple[int, int, int, int, float | None]]] = defaultdict(dict)
        for uid, period, n, regular, thematic, rated, avg in cells:
            grid[uid][period] = (int(n), int(regular), int(thematic), int(rated),
                                 float(avg) / 1000 if avg is not None else None)
        months = months_between(flt.period_from, flt.period_to)
        quarters = _whole_quarters(months)
        names = {uid: (d, c) for uid, d, c, _ in known}
        first = {uid: p for uid, _, _, p in known}
        rows: list[dict[str, Any]] = []
        for uid in set(names) | set(grid):
            cells_of = grid.get(uid, {})
            # Months before a chi bộ's first minute in the archive are not counted as missed.
            since = first.get(uid) or flt.period_from
            rated = [(c[3], c[4]) for c in cells_of.values() if c[4] is not None]
            weight = sum(w for w, _ in rated)
            d, c = names.get(uid, (None, None))
            rows.append({
                "unit_id": uid, "dang_bo": d, "chi_bo": c, "meetings": sum(x[0] for x in cells_of.values()),
                "attendance": round(sum(w * a for w, a in rated) / weight, 4) if weight else None,
                "months": [{"period": p, "meetings": x[0], "regular": bool(x[1]), "thematic": bool(x[2]),
                            "attendance": round(x[4], 4) if x[4] is not None else None}
                           for p, x in sorted(cells_of.items())],
                "missed_months": [p for p in months if p >= since and not cells_of.get(p, (0, 0))[1]],
                "quarters_without_thematic": [q for q, ms in quarters.items() if ms[0] >= since
                                              and not any(cells_of.get(p, (0, 0, 0))[2] for p in ms)]})
        rows.sort(key=lambda r: (unit_key(r["dang_bo"], "dang_bo") or "", unit_key(r["chi_bo"], "chi_bo") or "",
                                 r["unit_id"]))
        # One validation in pydantic-core is much cheaper than a Python object per cell.
        return _UNIT_ROWS.validate_python(rows), grid

    def meetings(self, flt: StatsFilter, *, scope: Scope | None) -> tuple[list[MonthRow], list[QuarterRow]]:
        """Meetings held per month (and how many chi bộ met) and thematic meetings per quarter."""
        self.sync()
        units, grid = self._units(flt, scope)
        return _per_month(flt, units, grid), _per_quarter(flt, units, grid)

    def grades(self, flt: StatsFilter, *, scope: Scope | None) -> tuple[list[GradeRow], Overview]:
        self.sync()
        where, params = self._where(flt, scope)
        with self.db.tx() as cur:
            rows = self.db.run(cur, f"SELECT m.grade, m.complete, COUNT(*), SUM(m.points) FROM stat_minutes m "
                               f"WHERE {where} GROUP BY m.grade, m.complete", params).fetchall()
        counts: dict[str, int] = defaultdict(int)
        complete = total = points = 0
        for grade, done, n, pts in rows:
            counts[grade] += int(n)
            total += int(n)
            complete += int(n) if done else 0
            points += int(pts or 0)
        grades = [GradeRow(grade=g, label=label, count=counts.get(g, 0)) for g, label in GRADE_VI.items()]
        return grades, Overview(minutes=total, complete=complete, incomplete=total - complete,
                                points=round(points / total, 1) if total else None)

    def rules(self, flt: StatsFilter, *, scope: Scope | None, limit: int = 10) -> list[RuleRow]:
        """The most broken rules in the period, by how many minutes break them."""
        self.sync()
        where, params = self._where(flt, scope)
        with self.db.tx() as cur:
            total = int(self.db.run(cur, f"SELECT COUNT(*) FROM stat_minutes m WHERE {where}", params).fetchone()[0])
            rows = self.db.run(cur, f"SELECT r.rule, MAX(r.severity), COUNT(*) FROM stat_minutes m "
                               f"JOIN minute_rules r ON r.minute_id = m.minute_id WHERE {where} GROUP BY r.rule "
                               "ORDER BY COUNT(*) DESC, r.rule LIMIT ?", [*params, limit]).fetchall()
        titles = rule_titles()
        return [RuleRow(rule=r, severity=s, title=titles.get(r), minutes=int(n),
                        share=round(int(n) / total, 4) if total else 0.0) for r, s, n in rows]

    def absences(self, flt: StatsFilter, *, scope: Scope | None, limit: int = 50) -> list[AbsenceRow]:
        """Members whose absences form a streak or repeat (see service.archive.audit), worst first."""
        self.sync()
        where, params = self._where(flt, scope)
        with self.db.tx() as cur:
            absent = self.db.run(cur, f"""SELECT a.minute_id, a.member_key, a.member, a.excused
                FROM stat_minutes m JOIN stat_absences a ON a.minute_id = m.minute_id
                WHERE {where} AND m.chi_uy = 0""", params).fetchall()
            units = sorted({u for u, in self.db.run(cur, f"""SELECT DISTINCT m.unit_id FROM stat_minutes m
                JOIN stat_absences a ON a.minute_id = m.minute_id WHERE {where} AND m.chi_uy = 0""",
                                                    params).fetchall()})
            meetings: list[tuple[str, str, str, int]] = []
            names: dict[str, str | None] = {}
            for start in range(0, len(units), 500):
                part = units[start:start + 500]
                inside = f" AND m.unit_id IN ({', '.join('?' * len(part))})"
                meetings += self.db.run(cur, f"""SELECT m.unit_id, m.minute_id, m.day, m.named_all
                    FROM stat_minutes m WHERE {where} AND m.chi_uy = 0{inside}""", [*params, *part]).fetchall()
                names.update(self.db.run(cur, "SELECT unit_id, chi_bo FROM stat_units WHERE unit_id IN "
                                         f"({', '.join('?' * len(part))})", part).fetchall())
        meetings.sort(key=lambda m: (m[0], m[2] or "", m[1]))
        by_minute: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
        for mid, key, name, excused in absent:
            by_minute[mid].append((key, name, int(excused)))
        return _streaks(meetings, by_minute, names)[:limit]

    def dashboard(self, flt: StatsFilter, *, scope: Scope | None) -> Dashboard:
        self.sync()
        units, grid = self._units(flt, scope)
        names = {u.dang_bo for u in units if u.dang_bo}
        dang_bo = min(names) if flt.dang_bo_key and names else None
        grades, overview = self.grades(flt, scope=scope)
        return Dashboard.model_construct(
            dang_bo=dang_bo, unit_id=flt.unit_id, period_from=flt.period_from, period_to=flt.period_to,
            months=months_between(flt.period_from, flt.period_to), overview=overview, units=units,
            per_month=_per_month(flt, units, grid), per_quarter=_per_quarter(flt, units, grid), grades=grades,
            rules=self.rules(flt, scope=scope), absences=self.absences(flt, scope=scope))


_UNIT_ROWS = TypeAdapter(list[UnitRow])
_CURRENT = " AND m.minute_id NOT IN (SELECT id FROM minutes WHERE is_current = 0)"


def _unit_where(dkey: str | None, uid: str | None, *, alias: str = "m") -> tuple[str, list[Any]]:
    sql, params = "", []
    if dkey:
        sql += f" AND {alias}.dang_bo_key = ?"
        params.append(dkey)
    if uid:
        sql += f" AND {alias}.unit_id = ?"
        params.append(uid)
    return sql, params


def _whole_quarters(months: list[str]) -> dict[str, list[str]]:
    """Quarters wholly inside the months, each with its three months."""
    out: dict[str, list[str]] = defaultdict(list)
    for p in months:
        out[quarter_of(p)].append(p)
    return {q: ms for q, ms in out.items() if len(ms) == 3}


def _per_month(flt: StatsFilter, units: list[UnitRow],
               grid: dict[str, dict[str, tuple[int, int, int, int, float | None]]]) -> list[MonthRow]:
    rows = []
    for p in months_between(flt.period_from, flt.period_to):
        cells = [g[p] for g in grid.values() if p in g]
        rated = [(c[3], c[4]) for c in cells if c[4] is not None]
        weight = sum(w for w, _ in rated)
        rows.append(MonthRow(period=p, meetings=sum(c[0] for c in cells), regular=sum(c[1] for c in cells),
                             thematic=sum(c[2] for c in cells), units_met=sum(1 for c in cells if c[1]),
                             units_total=len(units),
                             attendance=round(sum(w * a for w, a in rated) / weight, 4) if weight else None))
    return rows


def _per_quarter(flt: StatsFilter, units: list[UnitRow],
                 grid: dict[str, dict[str, tuple[int, int, int, int, float | None]]]) -> list[QuarterRow]:
    quarters: dict[str, list[str]] = defaultdict(list)
    for p in months_between(flt.period_from, flt.period_to):
        quarters[quarter_of(p)].append(p)
    rows = []
    for q, ms in quarters.items():
        n = met = 0
        for g in grid.values():
            held = sum(1 for p in ms if p in g and g[p][2])
            n += held
            met += 1 if held else 0
        rows.append(QuarterRow(quarter=q, thematic_meetings=n, units_met=met, units_total=len(units)))
    return rows


@dataclass
class _Run:
    name: str
    unit_id: str
    chi_bo: str | None
    year: str = ""
    streak: int = 0
    longest: int = 0
    unexcused: dict[str, int] | None = None
    last: str | None = None
    ids: list[str] | None = None
    worst_ids: list[str] | None = None


def _streaks(meetings: Iterable[tuple[str, str, str, int]], by_minute: dict[str, list[tuple[str, str, int]]],
             chi_bo: dict[str, str | None]) -> list[AbsenceRow]:
    """Excused-absence streaks and unexcused absences per year, member by member within each chi bộ.

    ``meetings`` are (unit id, minute id, date, all absentees named), in date order per unit. A streak
    grows with each meeting the member is excused from; a meeting that names all its absentees and
    not this member as excused ends it; it does not run across the new year.
    """
    runs: dict[str, dict[str, _Run]] = defaultdict(dict)  # unit id → member key → run
    active: dict[str, set[str]] = defaultdict(set)  # unit id → members with a streak going on
    for uid, mid, day, named_all in meetings:
        year = (day or "")[:4]
        here = {key: (name, excused) for key, name, excused in by_minute.get(mid, [])}
        members, going = runs[uid], active[uid]
        for key in [k for k in going if members[k].year != year]:
            members[key].streak, members[key].ids = 0, []
            going.discard(key)
        for key, (name, excused) in here.items():
            run = members.get(key)
            if run is None:
                run = members[key] = _Run(name=name, unit_id=uid, chi_bo=chi_bo.get(uid), unexcused={}, ids=[],
                                          worst_ids=[])
            run.last = day
            if excused:
                if run.year != year:
                    run.streak, run.ids = 0, []
                run.year = year
                run.streak += 1
                run.ids = [*(run.ids or []), mid]
                if run.streak > run.longest:
                    run.longest, run.worst_ids = run.streak, list(run.ids)
                going.add(key)
            else:
                assert run.unexcused is not None
                run.unexcused[year] = run.unexcused.get(year, 0) + 1
        if named_all:
            for key in [k for k in going if not (k in here and here[k][1])]:
                members[key].streak, members[key].ids = 0, []
                going.discard(key)
    out = []
    for run in (r for members in runs.values() for r in members.values()):
        unexcused = max((run.unexcused or {}).values(), default=0)
        if run.longest < STREAK_LIMIT and unexcused < UNEXCUSED_LIMIT:
            continue
        out.append(AbsenceRow(member=run.name, unit_id=run.unit_id, chi_bo=run.chi_bo,
                              longest_excused_streak=run.longest, current_excused_streak=run.streak,
                              unexcused=unexcused, last_absent=run.last,
                              flagged=run.longest > STREAK_LIMIT or unexcused >= UNEXCUSED_LIMIT,
                              minute_ids=run.worst_ids or []))
    out.sort(key=lambda r: (not r.flagged, -r.longest_excused_streak, -r.unexcused, r.chi_bo or "", r.member))
    return out


def open_stats(store: Any) -> Stats:
    """Statistics over the database of an archive SqlStore."""
    return Stats(store.d)
