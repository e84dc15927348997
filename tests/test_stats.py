"""Dashboard statistics against figures worked out by hand from the stored reports."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from service.archive.base import MinuteFilter
from service.archive.ingest import check_file_bytes
from service.archive.sql import SqlStore
from service.archive.stores import open_store
from service.reporting.figures import StatsFilter
from service.reporting.stats import Stats, open_stats
from service.schema.units import Scope, unit_id, unit_key
from service.settings import Settings
from tests.archive.conftest import pg_server, pg_url  # noqa: F401 - shared PostgreSQL fixtures
from tests.archive.factory import make_minute

_SETTINGS = Settings()
DB_A, DB_B = "Đảng bộ xã An Phú", "Đảng bộ xã Bình Minh"
C1, C2, C3 = "Chi bộ Thôn Một", "Chi bộ Thôn Hai", "Chi bộ Ấp Ba"


def _put(store: SqlStore, name: str, **kw: object) -> str:
    minute = check_file_bytes(make_minute(**kw).encode("utf-8"), name, _SETTINGS)  # type: ignore[arg-type]
    store.put(minute)
    return minute.id


def _fill(store: SqlStore) -> dict[str, list[str]]:
    """C1 meets Jan–Jun 2024 (thematic in Feb; Nam absent with reason Jan–Apr, then present);
    C2 meets Jan, Mar and Jun (no thematic; Hà absent without reason twice); C3 (đảng bộ B) meets Jan."""
    ids: dict[str, list[str]] = {"C1": [], "C2": [], "C3": []}
    for m in range(1, 7):
        ids["C1"].append(_put(store, f"c1-{m}.txt", dang_bo=DB_A, chi_bo=C1, day=date(2024, m, 5),
                              kind="chuyen_de" if m == 2 else "thuong_ky",
                              excused=[("Lê Văn Nam", "ốm")] if m <= 4 else [], total=10))
    for m, unexcused in ((1, ["Trần Thị Hà"]), (3, ["Trần Thị Hà"]), (6, [])):
        ids["C2"].append(_put(store, f"c2-{m}.txt", dang_bo=DB_A, chi_bo=C2, day=date(2024, m, 7),
                              unexcused=unexcused, total=20))
    ids["C3"].append(_put(store, "c3-1.txt", dang_bo=DB_B, chi_bo=C3, day=date(2024, 1, 9), total=12))
    return ids


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    url = f"sqlite:///{tmp_path / 'a.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    s = open_store(url)
    yield s
    s.close()


@pytest.fixture()
def stats(store: SqlStore) -> Iterator[Stats]:
    st = open_stats(store)
    yield st
    st.close()


def _uid(d: str, c: str) -> str:
    return unit_id(unit_key(d, "dang_bo"), unit_key(c, "chi_bo"))


H1 = StatsFilter(period_from="2024-01", period_to="2024-06")


def test_attendance_meetings_and_quarters_per_chi_bo(store: SqlStore, stats: Stats) -> None:
    _fill(store)
    units = {u.chi_bo: u for u in stats.units(H1, scope=None)}
    assert set(units) == {C1, C2, C3}
    c1, c2 = units[C1], units[C2]
    assert c1.meetings == 6 and c2.meetings == 3
    rates = {m.period: m.attendance for m in c1.months}
    assert rates["2024-01"] == pytest.approx(0.9) and rates["2024-05"] == pytest.approx(1.0)
    assert c1.attendance == pytest.approx((0.9 * 4 + 1.0 * 2) / 6, abs=1e-4)
    assert c1.missed_months == ["2024-02"]  # February's meeting was thematic only
    assert c2.missed_months == ["2024-02", "2024-04", "2024-05"]
    assert c1.quarters_without_thematic == ["2024-Q2"] and c2.quarters_without_thematic == ["2024-Q1", "2024-Q2"]
    per_month, per_quarter = stats.meetings(H1, scope=None)
    jan = per_month[0]
    assert (jan.period, jan.meetings, jan.units_met, jan.units_total) == ("2024-01", 3, 3, 3)
    feb = per_month[1]
    assert (feb.regular, feb.thematic, feb.units_met) == (0, 1, 0)
    assert [(q.quarter, q.thematic_meetings, q.units_met) for q in per_quarter] == [("2024-Q1", 1, 1),
                                                                                    ("2024-Q2", 0, 0)]


def test_grades_and_rules_match_the_reports(store: SqlStore, stats: Stats) -> None:
    _fill(store)
    reports = store.reports(MinuteFilter())
    grades, overview = stats.grades(H1, scope=None)
    assert {g.grade: g.count for g in grades if g.count} == dict(Counter(s.grade for s, _ in reports))
    assert overview.minutes == 10 and overview.incomplete == sum(1 for s, _ in reports if not s.complete)
    expected = Counter(rule for s, _ in reports for rule in s.rules)
    got = stats.rules(H1, scope=None, limit=50)
    assert {r.rule: r.minutes for r in got} == dict(expected)
    assert [r.minutes for r in got] == sorted((r.minutes for r in got), reverse=True)
    assert all(r.title for r in got)


def test_absence_streaks_and_repeats(store: SqlStore, stats: Stats) -> None:
    _fill(store)
    rows = {r.member: r for r in stats.absences(H1, scope=None)}
    nam, ha = rows["Lê Văn Nam"], rows["Trần Thị Hà"]
    assert (nam.longest_excused_streak, nam.current_excused_streak, nam.flagged) == (4, 0, True)
    assert nam.chi_bo == C1 and len(nam.minute_ids) == 4
    assert (ha.unexcused, ha.flagged) == (2, True)
    # a window that holds only three of Nam's absences shows a streak at the limit, not over it
    q1 = stats.absences(StatsFilter(period_from="2024-01", period_to="2024-03"), scope=None)
    assert [(r.member, r.longest_excused_streak, r.flagged) for r in q1 if r.member == "Lê Văn Nam"] == [
        ("Lê Văn Nam", 3, False)]


def test_scope_and_filters_limit_every_figure(store: SqlStore, stats: Stats) -> None:
    _fill(store)
    only_a = Scope(dang_bo=frozenset({unit_key(DB_A, "dang_bo") or ""}))
    board = stats.dashboard(H1, scope=only_a)
    assert {u.chi_bo for u in board.units} == {C1, C2} and board.overview.minutes == 9
    one = Scope(units=frozenset({_uid(DB_A, C2)}))
    board = stats.dashboard(H1, scope=one)
    assert [u.chi_bo for u in board.units] == [C2] and board.overview.minutes == 3
    assert {r.member for r in board.absences} == {"Trần Thị Hà"}
    assert stats.dashboard(H1, scope=Scope()).overview.minutes == 0
    by_filter = stats.dashboard(StatsFilter("2024-01", "2024-06", dang_bo_key=unit_key(DB_B, "dang_bo")), scope=None)
    assert [u.chi_bo for u in by_filter.units] == [C3] and by_filter.dang_bo is not None


def test_deleted_and_corrected_minutes_leave_the_figures(store: SqlStore, stats: Stats) -> None:
    ids = _fill(store)
    assert stats.dashboard(H1, scope=None).overview.minutes == 10
    store.delete(ids["C3"][0])
    # a corrected June minute for C2 replaces the old one: still one meeting that month
    _put(store, "c2-6-sua.txt", dang_bo=DB_A, chi_bo=C2, day=date(2024, 6, 7), total=20,
         note="Bổ sung: đã hoàn thành kế hoạch.")
    board = stats.dashboard(H1, scope=None)
    assert board.overview.minutes == 9 and {u.chi_bo for u in board.units} == {C1, C2}
    assert [m.meetings for m in board.per_month if m.period == "2024-06"] == [2]


def test_the_default_period_ends_at_the_newest_minute(store: SqlStore, stats: Stats) -> None:
    _fill(store)
    flt = stats.default_filter(scope=None)
    assert (flt.period_from, flt.period_to) == ("2024-01", "2024-06")  # not before the oldest minute
    _put(store, "cu.txt", dang_bo=DB_A, chi_bo=C1, day=date(2022, 5, 5))
    flt = stats.default_filter(scope=None)
    assert (flt.period_from, flt.period_to) == ("2023-07", "2024-06")  # twelve months
    # months before a chi bộ's first minute are not missed meetings
    units = {u.chi_bo: u for u in stats.units(StatsFilter("2023-10", "2024-06"), scope=None)}
    assert units[C2].missed_months == ["2024-02", "2024-04", "2024-05"]
    assert units[C1].missed_months[:3] == ["2023-10", "2023-11", "2023-12"]  # C1 has a minute from 2022
    with pytest.raises(Exception) as bad:
        stats.default_filter(scope=None, period_from="2024-06", period_to="2024-01")
    assert getattr(bad.value, "code", None) is not None and bad.value.code.value == "INVALID_PERIOD"  # type: ignore[attr-defined]


def test_a_dashboard_is_kept_until_the_archive_changes(store: SqlStore, stats: Stats) -> None:
    ids = _fill(store)
    first = stats.dashboard(H1, scope=None)
    assert stats.dashboard(H1, scope=None) is first  # nothing changed: the same figures, not computed again
    assert stats.dashboard(H1, scope=Scope(dang_bo=frozenset({unit_key(DB_B, "dang_bo")}))) is not first
    _put(store, "c3-2.txt", dang_bo=DB_B, chi_bo=C3, day=date(2024, 2, 9), total=12)
    added = stats.dashboard(H1, scope=None)
    assert added is not first and added.overview.minutes == first.overview.minutes + 1
    assert store.delete(ids["C2"][0]) is not None
    assert stats.dashboard(H1, scope=None).overview.minutes == first.overview.minutes


def test_a_district_dashboard_made_of_its_dang_bo_equals_one_computed_whole(store: SqlStore, stats: Stats) -> None:
    _fill(store)
    stats.sync()
    assert set(stats.versions()) == {unit_key(DB_A, "dang_bo"), unit_key(DB_B, "dang_bo")}
    whole = stats._assemble(H1, [stats._compute(H1, None)])
    assert stats.dashboard(H1, scope=None).model_dump() == whole.model_dump()
    before = stats.versions()
    _put(store, "c3-3.txt", dang_bo=DB_B, chi_bo=C3, day=date(2024, 3, 9), total=12, unexcused=["Lý Văn Út"])
    board = stats.dashboard(H1, scope=None)
    after = stats.versions()
    assert after[unit_key(DB_B, "dang_bo")] > before[unit_key(DB_B, "dang_bo")]
    assert after[unit_key(DB_A, "dang_bo")] == before[unit_key(DB_A, "dang_bo")]  # its share is not computed again
    assert board.model_dump() == stats._assemble(H1, [stats._compute(H1, None)]).model_dump()
    assert board.overview.minutes == whole.overview.minutes + 1
    a_only = StatsFilter(period_from=H1.period_from, period_to=H1.period_to, dang_bo_key=unit_key(DB_A, "dang_bo"))
    reviewer = Scope(dang_bo=frozenset({unit_key(DB_A, "dang_bo")}))
    assert stats.dashboard(a_only, scope=reviewer).model_dump() == \
        stats._assemble(a_only, [stats._compute(a_only, reviewer)]).model_dump()
    assert unit_key(stats.dashboard(a_only, scope=reviewer).dang_bo, "dang_bo") == unit_key(DB_A, "dang_bo")


APPROVED = '"approved"'  # a status review's value, as JSON
_OVERRIDE = {"sqlite": "", "postgresql": "OVERRIDING SYSTEM VALUE "}  # numbers given, as if committed in this order


def test_a_review_committed_late_under_a_lower_number_still_reaches_the_figures(store: SqlStore,
                                                                                 stats: Stats) -> None:
    ids = _fill(store)
    with store._tx(write=True) as cur:  # two reviews numbered 10 and 12, as reviewers' transactions commit
        for seq, mid in ((10, ids["C1"][0]), (12, ids["C1"][1])):
            store._exec(cur, "INSERT INTO minute_reviews (seq, minute_id, kind, subject, value, previous, note, "
                        f"author, at) {_OVERRIDE[store.d.name]}VALUES (?, ?, 'status', 'status', ?, NULL, NULL, 'a', ?)",
                        (seq, mid, APPROVED, "2024-07-01T00:00:00+00:00"))
    before = stats.dashboard(H1, scope=None)
    versions = stats.versions()
    stats.sync()
    assert stats.versions() == versions, "copying the same figures again moves no counter"
    late = ids["C2"][0]
    with store._tx(write=True) as cur:  # number 11 commits last, having lowered the minute's points
        store._exec(cur, "UPDATE minutes SET points = points - 40 WHERE id = ?", (late,))
        store._exec(cur, "INSERT INTO minute_reviews (seq, minute_id, kind, subject, value, previous, note, "
                    f"author, at) {_OVERRIDE[store.d.name]}VALUES (11, ?, 'status', 'status', ?, NULL, NULL, 'a', ?)",
                    (late, APPROVED, "2024-07-01T00:00:00+00:00"))
    after = stats.dashboard(H1, scope=None)
    assert after.overview.points is not None and before.overview.points is not None
    assert after.overview.points < before.overview.points
    assert after.model_dump() == stats._assemble(H1, [stats._compute(H1, None)]).model_dump()
