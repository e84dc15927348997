"""Dashboard figures over the compact copy of the archive (service.reporting.stat_tables).

All figures respect a Scope, like every other read of the archive.
"""

from __future__ import annotations

from collections import defaultdict
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
from service.reporting.streaks import absence_rows
from service.schema.labels import GRADE_VI
from service.schema.period import months_between, quarter_of, require_month, shift
from service.schema.units import Scope, unit_key

_MEMO_SIZE = 64  # dashboards kept per archive state (one per caller scope and filter in use)


class Stats(StatTables):
    """Dashboard figures over one archive database.

    A dashboard is computed once per state of the archive: until a minute is stored,
    replaced, deleted or reviewed, the same scope and filter get the same figures back
    from memory (``archive_state`` tells the states apart with four indexed lookups).
    """

    def archive_state(self) -> tuple[Any, ...]:
        """What changes whenever the figures could: minutes stored or deleted, versions replaced, reviews."""
        with self.db.tx() as cur:
            row = self.db.run(cur, "SELECT (SELECT COUNT(*) FROM minutes), (SELECT MAX(received_at) FROM minutes), "
                              "(SELECT COUNT(*) FROM minutes WHERE is_current = 0), "
                              "(SELECT MAX(seq) FROM minute_reviews)").fetchone()
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
        return absence_rows(meetings, by_minute, names)[:limit]

    def dashboard(self, flt: StatsFilter, *, scope: Scope | None) -> Dashboard:
        """Every figure of the dashboard for the filter, within the scope."""
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



def open_stats(store: Any) -> Stats:
    """Statistics over the database of an archive SqlStore."""
    return Stats(store.d)
