"""Dashboard figures over the compact copy of the archive (service.reporting.stat_tables).

All figures respect a Scope, like every other read of the archive.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter

from service.database import scope_clause
from service.errors import ErrorCode, InputError
from service.reporting.figures import (
    DEFAULT_MONTHS,
    MAX_MONTHS,
    AbsenceRow,
    Dashboard,
    GradeRow,
    MonthRow,
    Overview,
    QuarterRow,
    RuleRow,
    StatsFilter,
    UnitRow,
    rule_titles,
)
from service.reporting.stat_tables import StatTables
from service.reporting.streaks import absence_order, absence_rows
from service.schema.labels import GRADE_VI
from service.schema.period import months_between, quarter_of, require_month, shift
from service.schema.units import Scope, unit_key

_MEMO_SIZE = 64  # dashboards kept per archive state (one per caller scope and filter in use)
_PARTS_SIZE = 2048  # đảng bộ shares kept (one per đảng bộ, counter and period in use)
_ABSENCES = 50  # members listed on a dashboard


@dataclass
class _Grades:
    counts: dict[str, int] = field(default_factory=dict)
    total: int = 0
    complete: int = 0
    points: int = 0

    def add(self, other: _Grades) -> None:
        for grade, n in other.counts.items():
            self.counts[grade] = self.counts.get(grade, 0) + n
        self.total += other.total
        self.complete += other.complete
        self.points += other.points


@dataclass(frozen=True)
class _Part:
    """The figures of some minutes, in sums that add up across parts."""

    units: list[UnitRow]
    grid: dict[str, dict[str, tuple[int, int, int, int, float | None]]]
    grades: _Grades
    rules: dict[str, tuple[str, int]]  # rule → (severity, minutes breaking it)
    minutes: int
    absences: list[AbsenceRow]  # the worst _ABSENCES: the worst of several parts are among theirs


class Stats(StatTables):
    """Dashboard figures over one archive database.

    A dashboard is computed once per state of the archive: until a minute is stored,
    replaced, deleted or reviewed, the same scope and filter get the same figures back
    from memory (``archive_state`` tells the states apart with four indexed lookups).
    """

    def archive_state(self) -> tuple[Any, ...]:
        """What changes whenever the figures could: minutes stored or deleted, versions replaced, reviews
        (counted too: one may commit late under a lower number), and the copy's own counters."""
        with self.db.tx() as cur:
            row = self.db.run(cur, "SELECT (SELECT COUNT(*) FROM minutes), (SELECT MAX(received_at) FROM minutes), "
                              "(SELECT COUNT(*) FROM minutes WHERE is_current = 0), "
                              "(SELECT MAX(seq) FROM minute_reviews), (SELECT COUNT(*) FROM minute_reviews), "
                              "(SELECT SUM(version) FROM stat_versions)").fetchone()
        return tuple(row)

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
        # One validation in pydantic-core is much cheaper than a Python object per cell.
        units = _UNIT_ROWS.validate_python(rows)
        units.sort(key=_unit_order)  # the order _assemble keeps across đảng bộ
        return units, grid

    def meetings(self, flt: StatsFilter, *, scope: Scope | None) -> tuple[list[MonthRow], list[QuarterRow]]:
        """Meetings held per month (and how many chi bộ met) and thematic meetings per quarter."""
        self.sync()
        units, grid = self._units(flt, scope)
        return _per_month(flt, units, grid), _per_quarter(flt, units, grid)

    def grades(self, flt: StatsFilter, *, scope: Scope | None) -> tuple[list[GradeRow], Overview]:
        """Minutes per grade and the overview of the filter's minutes within ``scope``."""
        self.sync()
        return _grade_rows(self._grade_counts(flt, scope))

    def _grade_counts(self, flt: StatsFilter, scope: Scope | None) -> _Grades:
        where, params = self._where(flt, scope)
        with self.db.tx() as cur:
            rows = self.db.run(cur, f"SELECT m.grade, m.complete, COUNT(*), SUM(m.points) FROM stat_minutes m "
                               f"WHERE {where} GROUP BY m.grade, m.complete", params).fetchall()
        g = _Grades()
        for grade, done, n, pts in rows:
            g.counts[grade] = g.counts.get(grade, 0) + int(n)
            g.total += int(n)
            g.complete += int(n) if done else 0
            g.points += int(pts or 0)
        return g

    def rules(self, flt: StatsFilter, *, scope: Scope | None, limit: int = 10) -> list[RuleRow]:
        """The most broken rules in the period, by how many minutes break them."""
        self.sync()
        return _rule_rows(*self._rule_counts(flt, scope), limit)

    def _rule_counts(self, flt: StatsFilter, scope: Scope | None) -> tuple[dict[str, tuple[str, int]], int]:
        """How many minutes break each rule (with its severity), and how many minutes are in view."""
        where, params = self._where(flt, scope)
        with self.db.tx() as cur:
            total = int(self.db.run(cur, f"SELECT COUNT(*) FROM stat_minutes m WHERE {where}", params).fetchone()[0])
            rows = self.db.run(cur, f"SELECT r.rule, MAX(r.severity), COUNT(*) FROM stat_minutes m "
                               f"JOIN minute_rules r ON r.minute_id = m.minute_id WHERE {where} GROUP BY r.rule",
                               params).fetchall()
        return {r: (s, int(n)) for r, s, n in rows}, total

    def absences(self, flt: StatsFilter, *, scope: Scope | None, limit: int = 50) -> list[AbsenceRow]:
        """Members whose absences form a streak or repeat (see service.archive.audit), worst first."""
        self.sync()
        return self._absences(flt, scope, limit)

    def _absences(self, flt: StatsFilter, scope: Scope | None, limit: int) -> list[AbsenceRow]:
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
        return absence_rows(meetings, by_minute, names)[:limit]

    def dashboard(self, flt: StatsFilter, *, scope: Scope | None) -> Dashboard:
        """Every figure of the dashboard for the filter, within the scope."""
        self.sync()  # first: what the copy catches up on moves its counters, and so the key
        key = (self.archive_state(), flt, scope)
        with self._memo_lock:
            found = self._memo.get(key)
        if isinstance(found, Dashboard):
            return found
        board = self._dashboard(flt, scope)
        with self._memo_lock:
            if len(self._memo) >= _MEMO_SIZE or any(k[0] != key[0] for k in self._memo):
                self._memo.clear()  # an older state of the archive: nothing in it is current
            self._memo[key] = board
        return board

    def _dashboard(self, flt: StatsFilter, scope: Scope | None) -> Dashboard:
        """The dashboard computed (the copy is in step: ``dashboard`` has synced)."""
        keys = self._dang_bo_in_view(flt, scope)
        if keys:
            return self._assemble(flt, [self._part(flt, k, v) for k, v in keys])
        return self._assemble(flt, [self._compute(flt, scope)])

    def _dang_bo_in_view(self, flt: StatsFilter, scope: Scope | None) -> list[tuple[str, int]] | None:
        """The đảng bộ a dashboard is made of (with their counters), when it is made of whole ones; else None."""
        if flt.unit_id or (scope is not None and scope.units):
            return None
        versions = self.versions()
        if flt.dang_bo_key:
            allowed = scope is None or flt.dang_bo_key in scope.dang_bo
            return [(flt.dang_bo_key, versions[flt.dang_bo_key])] if allowed and flt.dang_bo_key in versions else None
        if "" in versions:
            return None  # minutes filed under no đảng bộ: computed as one
        keys = sorted(versions) if scope is None else sorted(k for k in scope.dang_bo if k in versions)
        return [(k, versions[k]) for k in keys]

    def _part(self, flt: StatsFilter, dang_bo_key: str, version: int) -> _Part:
        """One đảng bộ's share of a wider dashboard, kept while its counter stands."""
        key = (dang_bo_key, version, flt.period_from, flt.period_to)
        with self._memo_lock:
            found = self._parts.get(key)
        if isinstance(found, _Part):
            return found
        part = self._compute(replace(flt, dang_bo_key=dang_bo_key), None)
        with self._memo_lock:
            if len(self._parts) >= _PARTS_SIZE:
                self._parts.clear()
            self._parts[key] = part
        return part

    def _compute(self, flt: StatsFilter, scope: Scope | None) -> _Part:
        units, grid = self._units(flt, scope)
        rules, total = self._rule_counts(flt, scope)
        return _Part(units=units, grid=grid, grades=self._grade_counts(flt, scope), rules=rules, minutes=total,
                     absences=self._absences(flt, scope, _ABSENCES))

    def _assemble(self, flt: StatsFilter, parts: list[_Part]) -> Dashboard:
        """The dashboard of the parts together (one part: the dashboard itself)."""
        units = sorted((u for p in parts for u in p.units), key=_unit_order) if len(parts) > 1 else parts[0].units
        grid = {uid: cells for p in parts for uid, cells in p.grid.items()}
        grades = _Grades()
        rules: dict[str, tuple[str, int]] = {}
        for p in parts:
            grades.add(p.grades)
            for rule, (severity, n) in p.rules.items():
                old = rules.get(rule)
                rules[rule] = (max(severity, old[0]) if old else severity, n + (old[1] if old else 0))
        names = {u.dang_bo for u in units if u.dang_bo}
        grade_rows, overview = _grade_rows(grades)
        return Dashboard.model_construct(
            dang_bo=min(names) if flt.dang_bo_key and names else None, unit_id=flt.unit_id,
            period_from=flt.period_from, period_to=flt.period_to,
            months=months_between(flt.period_from, flt.period_to), overview=overview, units=units,
            per_month=_per_month(flt, units, grid), per_quarter=_per_quarter(flt, units, grid), grades=grade_rows,
            rules=_rule_rows(rules, sum(p.minutes for p in parts), 10),
            absences=sorted((a for p in parts for a in p.absences), key=absence_order)[:_ABSENCES])




_UNIT_ROWS = TypeAdapter(list[UnitRow])


def _unit_order(u: UnitRow) -> tuple[str, str, str]:
    return unit_key(u.dang_bo, "dang_bo") or "", unit_key(u.chi_bo, "chi_bo") or "", u.unit_id


def _grade_rows(g: _Grades) -> tuple[list[GradeRow], Overview]:
    grades = [GradeRow(grade=k, label=label, count=g.counts.get(k, 0)) for k, label in GRADE_VI.items()]
    return grades, Overview(minutes=g.total, complete=g.complete, incomplete=g.total - g.complete,
                            points=round(g.points / g.total, 1) if g.total else None)


def _rule_rows(counts: dict[str, tuple[str, int]], total: int, limit: int) -> list[RuleRow]:
    titles = rule_titles()
    top = sorted(counts.items(), key=lambda kv: (-kv[1][1], kv[0]))[:limit]
    return [RuleRow(rule=r, severity=s, title=titles.get(r), minutes=n,
                    share=round(n / total, 4) if total else 0.0) for r, (s, n) in top]
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



def open_stats(store: Any) -> Stats:
    """Statistics over the database of an archive SqlStore."""
    return Stats(store.d)
