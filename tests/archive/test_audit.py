from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from service.archive.archive import Archive, open_archive
from service.archive.audit import member_key
from service.errors import MinutesError
from service.search.memory import MemoryIndex
from service.settings import Settings
from tests.archive.factory import make_minute


@pytest.fixture()
def archive(tmp_path: Path) -> Iterator[Archive]:
    a = open_archive(Settings(data_dir=tmp_path), index=MemoryIndex())
    yield a
    a.close()


def add(a: Archive, y: int, m: int, **kw: object) -> str:
    r = a.ingest_bytes(make_minute(day=date(y, m, 5), **kw).encode(), f"{y}-{m}-{kw.get('kind', '')}.txt")  # type: ignore[arg-type]
    assert r.status == "stored", r
    assert r.minute_id is not None
    return r.minute_id


def rules(audit: object) -> list[tuple[str, str | None]]:
    return [(f.rule, f.period) for f in audit.findings]  # type: ignore[attr-defined]


def test_a_month_without_a_regular_meeting_is_a_gap(archive: Archive) -> None:
    for m in (1, 2, 4):
        add(archive, 2024, m)
    add(archive, 2024, 2, kind="chuyen_de", topic="học tập và làm theo tư tưởng Hồ Chí Minh")
    result = archive.audit("Chi bộ Thôn Đông Hòa")
    assert (result.period_from, result.period_to) == ("2024-01", "2024-04")
    assert ("ARC-MONTHLY-GAP", "2024-03") in rules(result)
    assert [p for r, p in rules(result) if r == "ARC-MONTHLY-GAP"] == ["2024-03"]
    gap = next(f for f in result.findings if f.rule == "ARC-MONTHLY-GAP")
    assert gap.severity == "error" and "3/2024" in gap.message


def test_thematic_meetings_are_judged_per_whole_quarter(archive: Archive) -> None:
    for m in range(1, 8):
        add(archive, 2024, m)
    add(archive, 2024, 2, kind="chuyen_de", topic="học tập và làm theo tư tưởng Hồ Chí Minh")
    quarters = [p for r, p in rules(archive.audit("Chi bộ Thôn Đông Hòa")) if r == "ARC-THEMATIC-QUARTER"]
    assert quarters == ["2024-Q2"], "Q1 had one; Q3 is not over in the archive"
    later = archive.audit("Chi bộ Thôn Đông Hòa", period_to="2024-09")
    assert [p for r, p in rules(later) if r == "ARC-THEMATIC-QUARTER"] == ["2024-Q2", "2024-Q3"]
    assert [p for r, p in rules(later) if r == "ARC-MONTHLY-GAP"] == ["2024-08", "2024-09"]


def test_more_than_three_excused_absences_in_a_row(archive: Archive) -> None:
    tu = [("Nguyễn Văn Tư", "đi làm ăn xa")]
    ids = [add(archive, 2024, m, excused=tu) for m in (1, 2, 3, 4)]
    add(archive, 2024, 5)
    add(archive, 2024, 6, excused=tu)
    result = archive.audit("Chi bộ Thôn Đông Hòa")
    streak = [f for f in result.findings if f.rule == "ARC-ABSENT-STREAK"]
    assert len(streak) == 1 and streak[0].member == "Nguyễn Văn Tư" and streak[0].minute_ids == ids
    member = next(m for m in result.members if m.member == "Nguyễn Văn Tư")
    assert (member.excused, member.longest_excused_streak, member.current_excused_streak) == (5, 4, 1)


def test_three_in_a_row_or_across_the_new_year_is_not_a_streak(archive: Archive) -> None:
    tu = [("Nguyễn Văn Tư", "ốm")]
    for y, m in ((2023, 11), (2023, 12), (2024, 1), (2024, 2)):
        add(archive, y, m, excused=tu)
    add(archive, 2024, 3)
    for m in (4, 5, 6):
        add(archive, 2024, m, excused=tu)
    result = archive.audit("Chi bộ Thôn Đông Hòa")
    assert not [f for f in result.findings if f.rule == "ARC-ABSENT-STREAK"]


def test_two_unexcused_absences_in_a_year(archive: Archive) -> None:
    add(archive, 2023, 12, unexcused=["Hà Văn Sáu"])
    first = add(archive, 2024, 1, unexcused=["Hà Văn Sáu"])
    add(archive, 2024, 2)
    second = add(archive, 2024, 3, unexcused=["Hà Văn Sáu"])
    result = archive.audit("Chi bộ Thôn Đông Hòa")
    repeat = [f for f in result.findings if f.rule == "ARC-UNEXCUSED-REPEAT"]
    assert [(f.period, f.minute_ids) for f in repeat] == [("2024", [first, second])]
    assert repeat[0].severity == "error"


def test_units_are_found_by_id_or_name_and_ambiguity_is_refused(archive: Archive) -> None:
    add(archive, 2024, 1)
    add(archive, 2024, 1, dang_bo="Đảng bộ xã Bình An")
    with pytest.raises(MinutesError) as err:
        archive.audit("Chi bộ Thôn Đông Hòa")
    assert err.value.code == "AMBIGUOUS_UNIT" and err.value.status == 409 and len(err.value.errors) == 2
    one = archive.audit("thôn đông hòa", dang_bo="ĐẢNG BỘ XÃ BÌNH AN")
    assert archive.audit(one.unit_id).unit_id == one.unit_id
    with pytest.raises(MinutesError) as err:
        archive.audit("Chi bộ Không Có")
    assert err.value.code == "UNIT_NOT_FOUND" and err.value.status == 404


def test_member_names_compare_without_titles_or_case() -> None:
    assert member_key("Đ/c  Nguyễn Văn  Tư") == member_key("nguyễn văn tư") == member_key("đồng chí Nguyễn Văn Tư")
