"""Reviewing stored minutes: corrections and finding states, on SQLite and on PostgreSQL."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from service.archive.archive import Archive, open_archive
from service.archive.base import MinuteFilter
from service.errors import MinutesError
from service.review.review import Correction, correct_fields, dismissals, judge_finding, labeled_cases, minute_review
from service.schema.corrections import parse_value
from service.schema.report import FindingState
from service.schema.units import Scope
from service.search.memory import MemoryIndex
from service.settings import Settings
from tests.archive.factory import make_minute


@pytest.fixture(params=["sqlite", "postgres"])
def archive(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Archive]:
    url = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    a = open_archive(Settings(data_dir=tmp_path, store_url=url), index=MemoryIndex())
    yield a
    a.close()


def _store(archive: Archive, text: str, name: str = "a.txt") -> str:
    r = archive.ingest_bytes(text.encode(), name)
    assert r.minute_id is not None
    return r.minute_id


def _without_chair(day: date = date(2024, 3, 5), **kw: object) -> str:
    """A minute that names its chair nowhere (neither in the header nor under the signatures)."""
    text = make_minute(day=day, **kw)  # type: ignore[arg-type]
    return "\n".join(line.replace("Trần Văn Hùng", "") if "Phạm Thị Lan  " in line else line
                     for line in text.splitlines() if not line.startswith("* Chủ trì"))


def test_a_corrected_chair_clears_the_finding_and_keeps_what_was_read(archive: Archive) -> None:
    text = "\n".join(line for line in _without_chair().splitlines() if not line.startswith("Buổi sinh hoạt kết thúc"))
    mid = _store(archive, text)
    before = archive.get(mid).report
    assert before.record.meeting.chair is None and {"FIELD-UNREADABLE", "TIME-END"} <= {f.rule for f in before.findings}

    review = correct_fields(archive, mid, [Correction("meeting.chair.name", "  Trần  Văn Hùng ", "máy đọc sót"),
                                           Correction("meeting.end_time", "21g00")], author="kiemtra-a")
    after = review.report
    assert after.record.meeting.chair is not None and after.record.meeting.chair.name == "Trần Văn Hùng"
    assert after.record.meeting.end_time == "21:00"
    assert not {"FIELD-UNREADABLE", "TIME-END"} & {f.rule for f in after.findings}
    assert after.score.points > before.score.points
    fixed = {c.field: c for c in review.corrected}
    c = fixed["meeting.chair.name"]
    assert (c.value, c.read, c.reason, c.author) == ("Trần Văn Hùng", None, "máy đọc sót", "kiemtra-a")
    # the archive's summary, rule filter and the stored report all follow the corrected record
    stored = archive.get(mid)
    assert stored.summary.points == after.score.points and "TIME-END" not in stored.summary.rules
    assert archive.list_minutes(MinuteFilter(rule="TIME-END"))[1] == 0
    assert archive.store.reading(mid) == before, "the reader's own report is kept"
    assert archive.store.pending_count() >= 1, "the index is told"


def test_reverting_brings_back_the_reading_and_the_history_keeps_both(archive: Archive) -> None:
    mid = _store(archive, _without_chair())
    correct_fields(archive, mid, [Correction("meeting.chair.name", "Trần Văn Hùng")], author="a")
    review = correct_fields(archive, mid, [Correction("meeting.chair.name", revert=True)], author="b")
    assert review.corrected == [] and review.report.record.meeting.chair is None
    assert "FIELD-UNREADABLE" in {f.rule for f in review.report.findings}
    assert [(e.subject, e.value, e.reverted, e.author) for e in review.history] == [
        ("meeting.chair.name", "Trần Văn Hùng", False, "a"), ("meeting.chair.name", None, True, "b")]
    assert review.history[1].previous == "Trần Văn Hùng"


def test_taking_back_an_unknown_field_is_refused(archive: Archive) -> None:
    mid = _store(archive, make_minute())
    for field in ("", "meeting.unit"):
        with pytest.raises(MinutesError) as err:
            correct_fields(archive, mid, [Correction(field, revert=True)], author="a")
        assert err.value.code == "INVALID_CORRECTION"


def test_attendance_corrections_recompute_rate_and_findings(archive: Archive) -> None:
    mid = _store(archive, make_minute(total=15))
    review = correct_fields(archive, mid, [Correction("attendance.present", "9")], author="a")
    att = review.report.record.attendance
    assert att.present == 9 and att.rate == pytest.approx(9 / 15, abs=1e-4)
    assert {"ATT-RATE", "ATT-SUM"} & {f.rule for f in review.report.findings}


def test_a_date_correction_keeps_the_month_the_title_names(archive: Archive) -> None:
    mid = _store(archive, make_minute(day=date(2024, 3, 5)))  # "SINH HOẠT CHI BỘ … THÁNG 3 NĂM 2024"
    correct_fields(archive, mid, [Correction("meeting.date", "08/03/2024")], author="a")
    s = archive.get(mid).summary
    assert (s.date, s.period) == ("2024-03-08", "2024-03")
    assert archive.list_minutes(MinuteFilter(date_from=date(2024, 3, 8), date_to=date(2024, 3, 8)))[1] == 1
    # the next upload of the same meeting, read with the date as before, still replaces it
    again = archive.ingest_bytes(make_minute(day=date(2024, 3, 5), note="Bản sửa.").encode(), "v2.txt")
    assert again.status == "replaced" and again.replaced == mid


def test_a_date_that_collides_with_another_minute_is_refused_and_nothing_changes(archive: Archive) -> None:
    mid = _store(archive, make_minute(day=date(2024, 3, 5)))
    _store(archive, make_minute(day=date(2024, 4, 5)), "b.txt")
    with pytest.raises(MinutesError) as err:
        correct_fields(archive, mid, [Correction("meeting.date", "2024-04-05")], author="a")
    assert err.value.code == "REVIEW_CONFLICT" and err.value.status == 409
    assert archive.get(mid).summary.date == "2024-03-05" and archive.store.review_events(mid) == []


def test_dismissed_findings_leave_the_score_and_are_counted_per_rule(archive: Archive) -> None:
    mid = _store(archive, _without_chair())
    before = archive.get(mid).report
    with pytest.raises(MinutesError) as err:
        judge_finding(archive, mid, "SIGN", FindingState.DISMISSED, "  ", author="a")
    assert err.value.code == "INVALID_REVIEW" and "lý do" in err.value.message
    review = judge_finding(archive, mid, "SIGN", FindingState.DISMISSED, "biên bản có ghi, máy đọc sai",
                           author="kiemtra-a")
    [f] = [f for f in review.report.findings if f.rule == "SIGN"]
    assert f.state is FindingState.DISMISSED and f.note == "biên bản có ghi, máy đọc sai"
    assert review.report.score.points > before.score.points
    assert "SIGN" not in archive.get(mid).summary.rules
    assert [(d.rule, d.dismissed) for d in dismissals(archive)] == [("SIGN", 1)]
    assert dismissals(archive, scope=Scope(units=frozenset({"x"}))) == []
    # accepting instead keeps it in the score; reopening takes it back to open
    review = judge_finding(archive, mid, "SIGN", FindingState.ACCEPTED, None, author="kiemtra-a")
    assert review.report.score.points == before.score.points and dismissals(archive) == []
    with pytest.raises(MinutesError) as err:
        judge_finding(archive, mid, "SIGN-NOT-A-FINDING", FindingState.ACCEPTED, None, author="a")
    assert err.value.code == "INVALID_REVIEW"


def test_judgements_survive_a_later_correction(archive: Archive) -> None:
    mid = _store(archive, make_minute(unexcused=["Hà Văn Tư"]))
    judge_finding(archive, mid, "ATT-UNEXCUSED", FindingState.DISMISSED, "đồng chí đã báo vắng", author="a")
    review = correct_fields(archive, mid, [Correction("meeting.location", "Hội trường thôn")], author="b")
    [f] = [f for f in review.report.findings if f.rule == "ATT-UNEXCUSED"]
    assert f.state is FindingState.DISMISSED


def test_reviews_are_scoped_and_limited_to_the_current_version(archive: Archive) -> None:
    mid = _store(archive, _without_chair())
    outside = Scope(units=frozenset({"other"}))
    with pytest.raises(MinutesError) as err:
        correct_fields(archive, mid, [Correction("meeting.chair.name", "X Y")], author="a", scope=outside)
    assert err.value.status == 404
    with pytest.raises(MinutesError):
        minute_review(archive, mid, scope=outside)
    newer = _store(archive, make_minute(), "v2.txt")  # same unit, date and type: a new version
    assert newer != mid
    with pytest.raises(MinutesError) as err:
        correct_fields(archive, mid, [Correction("meeting.chair.name", "X Y")], author="a")
    assert err.value.code == "REVIEW_CONFLICT"


def test_concurrent_corrections_are_all_kept(archive: Archive) -> None:
    mid = _store(archive, _without_chair())
    fields = [("meeting.chair.name", "Trần Văn Hùng"), ("meeting.location", "Hội trường"),
              ("meeting.end_time", "21:30"), ("attendance.total", "16")]
    errors: list[BaseException] = []

    def run(path: str, value: str) -> None:
        try:
            correct_fields(archive, mid, [Correction(path, value)], author=path)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=f) for f in fields]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    review = minute_review(archive, mid)
    assert {c.field for c in review.corrected} == {p for p, _ in fields}
    assert review.report.record.meeting.chair is not None and review.report.record.meeting.location == "Hội trường"


def test_deleting_a_minute_deletes_its_reviews(archive: Archive) -> None:
    mid = _store(archive, _without_chair())
    correct_fields(archive, mid, [Correction("meeting.chair.name", "Trần Văn Hùng")], author="a")
    archive.delete(mid)
    assert archive.store.review_events(mid) == [] and archive.store.reading(mid) is None


def test_corrections_export_as_labeled_cases(archive: Archive) -> None:
    mid = _store(archive, _without_chair())
    _store(archive, make_minute(day=date(2024, 4, 5)), "untouched.txt")
    correct_fields(archive, mid, [Correction("meeting.chair.name", "Trần Văn Hùng"),
                                  Correction("attendance.present", 14)], author="a")
    z = zipfile.ZipFile(io.BytesIO(labeled_cases(archive)))
    names = sorted(z.namelist())
    assert names == [f"{mid[:16]}.json", f"{mid[:16]}.txt"]
    label = json.loads(z.read(f"{mid[:16]}.json"))
    assert label["expect"] == {"record.attendance.present": 14, "record.meeting.chair.name": "Trần Văn Hùng"}
    assert z.read(f"{mid[:16]}.txt").decode() == archive.get(mid).text
    assert labeled_cases(archive, scope=Scope(units=frozenset({"other"}))) != b""
    assert zipfile.ZipFile(io.BytesIO(labeled_cases(archive, scope=Scope(units=frozenset({"o"}))))).namelist() == []


@pytest.mark.parametrize(("path", "raw", "value"), [
    ("meeting.date", "5/4/2024", "2024-04-05"), ("meeting.date", "2024-04-05", "2024-04-05"),
    ("meeting.start_time", "19h30", "19:30"), ("meeting.start_time", "7 giờ", "07:00"),
    ("attendance.present", " 12 ", 12), ("attendance.present", 12, 12), ("minutes_read_back", "có", True),
    ("minutes_read_back", False, False), ("meeting.type", "chuyên đề", "chuyen_de"),
    ("meeting.chair.name", "Nguyễn Văn Hạnh", "Nguyễn Văn Hạnh"),
    ("meeting.chair.name", "Nguyễn Văn Hạnh", "Nguyễn Văn Hạnh"), ("meeting.location", "", None),
])
def test_values_are_checked_and_normalised(path: str, raw: object, value: object) -> None:
    assert parse_value(path, raw) == value


@pytest.mark.parametrize(("path", "raw"), [
    ("meeting.date", "31/02/2024"), ("meeting.date", "1/1/1800"), ("meeting.start_time", "25:00"),
    ("attendance.present", "-3"), ("attendance.present", "mười"), ("attendance.present", True),
    ("attendance.present", "١٢"), ("meeting.type", "họp mặt"), ("meeting.chair.name", "A\u202eB"),
    ("meeting.chair.name", "x" * 400), ("record.meeting.chair", "X"), ("minutes_read_back", "có lẽ"),
])
def test_bad_values_are_refused_in_vietnamese(path: str, raw: object) -> None:
    with pytest.raises(MinutesError) as err:
        parse_value(path, raw)
    assert err.value.code == "INVALID_CORRECTION" and err.value.status == 400


def test_a_returned_minute_waits_for_a_new_version_which_can_be_compared(archive: Archive) -> None:
    from service.archive.reviews import MinuteStatus
    from service.review.review import compare_versions, returned_minutes, set_status

    mid = _store(archive, make_minute(unexcused=["Hà Văn Tư"]))
    with pytest.raises(MinutesError) as err:
        set_status(archive, mid, MinuteStatus.RETURNED, "", author="kiemtra-a")
    assert err.value.code == "INVALID_REVIEW", "returning needs a comment"
    with pytest.raises(MinutesError):
        set_status(archive, mid, MinuteStatus.RETURNED, "ghi lý do", comments={"not a field": "x"}, author="a")
    review = set_status(archive, mid, MinuteStatus.RETURNED, "ghi rõ lý do vắng",
                        comments={"attendance.absent_unexcused_count": "đồng chí Tư có báo vắng?",
                                  "ATT-UNEXCUSED": "xác minh"}, author="kiemtra-a")
    assert review.status is MinuteStatus.RETURNED and review.status_note == "ghi rõ lý do vắng"
    assert review.comments["ATT-UNEXCUSED"] == "xác minh"
    assert returned_minutes(archive) == [mid]
    assert returned_minutes(archive, scope=Scope(units=frozenset({"other"}))) == []
    assert archive.get(mid).report == review.report, "a status changes no finding"
    # the clerk's new version answers the return: it is submitted, the old one is history
    new = _store(archive, make_minute(excused=[("Hà Văn Tư", "đi công tác")]), "sua.txt")
    assert returned_minutes(archive) == []
    assert minute_review(archive, new).status is MinuteStatus.SUBMITTED
    diff = compare_versions(archive, new)
    assert (diff.before, diff.after) == (mid, new)
    assert "ATT-UNEXCUSED" in diff.findings_removed
    assert {c.field for c in diff.fields} >= {"attendance.absent_excused_count", "attendance.absent_unexcused_count"}
    assert any(line.startswith("+") and "đi công tác" in line for line in diff.text)
    assert compare_versions(archive, mid, new).before == mid, "either order gives earlier → later"
    approved = set_status(archive, new, MinuteStatus.APPROVED, None, author="kiemtra-a")
    assert approved.status is MinuteStatus.APPROVED
    with pytest.raises(MinutesError) as err:
        set_status(archive, mid, MinuteStatus.APPROVED, None, author="a")
    assert err.value.code == "REVIEW_CONFLICT", "only the current version changes status"
    lone = _store(archive, make_minute(day=date(2024, 5, 5)), "lone.txt")
    with pytest.raises(MinutesError) as err:
        compare_versions(archive, lone)
    assert err.value.status == 422


def test_statistics_follow_a_review(archive: Archive) -> None:
    from service.reporting.figures import StatsFilter
    from service.reporting.stats import open_stats

    mid = _store(archive, _without_chair())
    stats = open_stats(archive.store)
    try:
        flt = StatsFilter(period_from="2024-03", period_to="2024-03")
        _, before = stats.grades(flt, scope=None)
        board = stats.dashboard(flt, scope=None)
        judge_finding(archive, mid, "SIGN", FindingState.DISMISSED, "có chữ ký ở bản gốc", author="a")
        _, after = stats.grades(flt, scope=None)
        assert after.points == archive.get(mid).summary.points and after.points != before.points
        assert stats.dashboard(flt, scope=None).overview.points == after.points != board.overview.points
    finally:
        stats.close()


def test_a_review_keeps_the_unit_the_minute_was_filed_under_and_the_spans(archive: Archive) -> None:
    first = _store(archive, make_minute(day=date(2024, 1, 5)))
    assert archive.get(first).summary.chi_bo == "Chi bộ Thôn Đông Hòa"
    # the same chi bộ in the other tone-mark style and capitals: filed under the known spelling
    text = make_minute(day=date(2024, 2, 5), unexcused=["Hà Văn Tư"]).replace("Chi bộ Thôn Đông Hòa",
                                                                              "chi bộ thôn Đông Hoà")
    mid = _store(archive, text, "b.txt")
    stored = archive.get(mid)
    review = judge_finding(archive, mid, "ATT-UNEXCUSED", FindingState.ACCEPTED, None, author="a")
    assert review.report.record.meeting.chi_bo == stored.report.record.meeting.chi_bo
    assert review.report.text.sha256 == stored.report.text.sha256
    assert [f.span for f in review.report.findings] == [f.span for f in stored.report.findings]


def test_a_correction_after_approval_puts_the_minute_up_for_review_again(archive: Archive) -> None:
    from service.archive.reviews import MinuteStatus
    from service.review.review import set_status

    mid = _store(archive, make_minute())
    assert set_status(archive, mid, MinuteStatus.APPROVED, None, author="k").status is MinuteStatus.APPROVED
    review = correct_fields(archive, mid, [Correction("attendance.present", "10")], author="clerk")
    assert review.status is MinuteStatus.SUBMITTED
    # judging a finding does not undo an approval
    set_status(archive, mid, MinuteStatus.APPROVED, None, author="k")
    rule = review.report.findings[0].rule
    assert judge_finding(archive, mid, rule, FindingState.ACCEPTED, None, author="k").status is MinuteStatus.APPROVED


def test_submissions_count_a_minute_for_the_month_it_is_for(archive: Archive) -> None:
    from service.review.submissions import submissions

    # the December minute of a chi bộ, held on 3 January
    text = make_minute(day=date(2025, 1, 3)).replace("THƯỜNG KỲ THÁNG 1 NĂM 2025", "THƯỜNG KỲ THÁNG 12 NĂM 2024")
    mid = _store(archive, text)
    assert archive.get(mid).summary.period == "2024-12"
    december = submissions(archive, "2024-12")
    assert [(u.state, u.minute_id) for u in december.units] == [("submitted", mid)]
    assert december.units[0].thematic is False and december.quarter == "2024-Q4"
    january = submissions(archive, "2025-01")
    assert [u.state for u in january.units] == ["missing"] and january.units[0].thematic is None


def test_a_change_made_meanwhile_to_the_same_field_is_not_overwritten(archive: Archive) -> None:
    mid = _store(archive, make_minute())
    seen = minute_review(archive, mid).revision  # both reviewers open the minute
    correct_fields(archive, mid, [Correction("meeting.location", "Hội trường A")], author="kiemtra-a", base=seen)
    with pytest.raises(MinutesError) as err:
        correct_fields(archive, mid, [Correction("meeting.location", "Hội trường B")], author="kiemtra-b", base=seen)
    assert err.value.code == "REVIEW_CONFLICT" and err.value.status == 409
    assert any("kiemtra-a" in e and "Hội trường A" in e for e in err.value.errors)
    # another field changed meanwhile is no conflict; without a base the later change simply lands
    correct_fields(archive, mid, [Correction("meeting.end_time", "21:30")], author="kiemtra-b", base=seen)
    review = correct_fields(archive, mid, [Correction("meeting.location", "Hội trường B")], author="kiemtra-b")
    assert review.report.record.meeting.location == "Hội trường B" and review.revision == 3
