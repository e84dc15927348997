"""MinutesStoreContract: the behaviour every MinutesStore backend must show.

A backend's test module subclasses it and supplies a ``store`` fixture (and a
``reopen`` fixture that opens a second store on the same database).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest

from service.archive.base import MinuteFilter, MinutesStore, NewMinute, PutStatus
from service.archive.ingest import check_file_bytes
from service.schema.units import Scope, unit_id, unit_key
from service.settings import Settings
from tests.archive.factory import make_minute

_SETTINGS = Settings()


def minute(name: str = "a.txt", **kw: object) -> NewMinute:
    return check_file_bytes(make_minute(**kw).encode("utf-8"), name, _SETTINGS)  # type: ignore[arg-type]


class MinutesStoreContract:
    store: MinutesStore

    # storing and reading back

    def test_put_then_get_returns_everything_stored(self, store: MinutesStore) -> None:
        m = minute("bien-ban-thang-3.txt")
        assert store.put(m).status == PutStatus.STORED
        got = store.get(m.id)
        assert got is not None
        assert got.summary.id == m.id and got.summary.file_name == "bien-ban-thang-3.txt"
        assert got.summary.chi_bo == "Chi bộ Thôn Đông Hòa" and got.summary.date == "2024-03-05"
        assert got.summary.period == "2024-03" and got.summary.meeting_type == "thuong_ky"
        assert got.summary.unit_id == unit_id(unit_key("Đảng bộ xã An Phú", "dang_bo"),
                                              unit_key("Chi bộ Thôn Đông Hòa", "chi_bo"))
        assert got.text == m.text and got.report.record == m.report.record
        assert got.report.text.content is None, "the text is stored once, not inside the report"
        original = store.original(m.id)
        assert original is not None and original.data == m.data and original.media_type == "text/plain"

    def test_unknown_id_is_none(self, store: MinutesStore) -> None:
        assert store.get("0" * 64) is None and store.original("0" * 64) is None
        assert store.delete("0" * 64) is None and store.history("0" * 64) == []

    def test_same_bytes_twice_store_once(self, store: MinutesStore) -> None:
        m = minute()
        assert store.put(m).status == PutStatus.STORED
        again = store.put(m)
        assert again.status == PutStatus.DUPLICATE and again.id == m.id
        rows, total = store.list_minutes(MinuteFilter(include_superseded=True))
        assert total == 1 and [r.id for r in rows] == [m.id]
        assert store.pending_count() == 1

    def test_data_survives_reopening(self, store: MinutesStore, reopen: Callable[[], MinutesStore]) -> None:
        m = minute()
        store.put(m)
        store.close()
        other = reopen()
        try:
            got = other.get(m.id)
            assert got is not None and got.text == m.text
        finally:
            other.close()

    # corrected versions

    def test_corrected_version_replaces_and_keeps_history(self, store: MinutesStore) -> None:
        first = minute("v1.txt")
        second = minute("v2.txt", note="Bổ sung: đã trồng thử 2 ha dưa hấu.")
        assert first.id != second.id
        store.put(first)
        put = store.put(second)
        assert put.status == PutStatus.REPLACED and put.replaced == first.id
        rows, total = store.list_minutes(MinuteFilter())
        assert total == 1 and rows[0].id == second.id and rows[0].version == 2 and rows[0].replaces == first.id
        old = store.get(first.id)
        assert old is not None and not old.summary.current and old.summary.superseded_by == second.id
        assert store.original(first.id) is not None, "the earlier version's file is kept"
        assert [h.id for h in store.history(second.id)] == [first.id, second.id]
        assert store.list_minutes(MinuteFilter(include_superseded=True))[1] == 2

    def test_other_date_or_unit_is_not_a_correction(self, store: MinutesStore) -> None:
        store.put(minute("a.txt"))
        assert store.put(minute("b.txt", day=date(2024, 4, 2))).status == PutStatus.STORED
        assert store.put(minute("c.txt", chi_bo="Chi bộ Thôn Tây")).status == PutStatus.STORED
        assert store.put(minute("d.txt", dang_bo="Đảng bộ xã Bình An")).status == PutStatus.STORED
        assert store.put(minute("e.txt", kind="chuyen_de")).status == PutStatus.STORED, \
            "a thematic meeting on the day of the regular one has its own minute"
        assert store.list_minutes(MinuteFilter())[1] == 5

    def test_reuploading_an_old_version_changes_nothing(self, store: MinutesStore) -> None:
        first, second = minute("v1.txt"), minute("v2.txt", note="Sửa lỗi chính tả.")
        store.put(first)
        store.put(second)
        assert store.put(first).status == PutStatus.DUPLICATE
        assert [r.id for r in store.list_minutes(MinuteFilter())[0]] == [second.id]

    def test_deleting_the_current_version_restores_the_previous(self, store: MinutesStore) -> None:
        first, second = minute("v1.txt"), minute("v2.txt", note="Bản sửa.")
        store.put(first)
        store.put(second)
        done = store.delete(second.id)
        assert done is not None and done.restored == first.id
        assert store.get(second.id) is None and store.original(second.id) is None
        got = store.get(first.id)
        assert got is not None and got.summary.current and got.summary.superseded_by is None

    def test_deleting_a_middle_version_keeps_the_chain(self, store: MinutesStore) -> None:
        v1, v2, v3 = minute("v1.txt"), minute("v2.txt", note="Bản 2."), minute("v3.txt", note="Bản 3.")
        for m in (v1, v2, v3):
            store.put(m)
        done = store.delete(v2.id)
        assert done is not None and done.restored is None
        assert [h.id for h in store.history(v3.id)] == [v1.id, v3.id]
        got1, got3 = store.get(v1.id), store.get(v3.id)
        assert got1 is not None and got1.summary.superseded_by == v3.id
        assert got3 is not None and got3.summary.replaces == v1.id and got3.summary.current

    # listing

    def test_filters_and_paging(self, store: MinutesStore) -> None:
        store.put(minute("a.txt", day=date(2023, 1, 5)))
        store.put(minute("b.txt", day=date(2023, 2, 6), kind="chuyen_de"))
        store.put(minute("c.txt", day=date(2024, 1, 4), unexcused=["Hà Văn Sáu"]))
        store.put(minute("d.txt", day=date(2024, 2, 3), chi_bo="Chi bộ Thôn Tây", dang_bo="Đảng bộ xã Bình An"))

        def names(**kw: object) -> list[str | None]:
            return [r.file_name for r in store.list_minutes(MinuteFilter(**kw))[0]]  # type: ignore[arg-type]

        assert names() == ["d.txt", "c.txt", "b.txt", "a.txt"], "newest meeting first"
        assert names(dang_bo="ĐẢNG BỘ XÃ AN PHÚ") == ["c.txt", "b.txt", "a.txt"], "names compared by key"
        assert names(chi_bo="thôn tây") == ["d.txt"]
        assert names(period="2023") == ["b.txt", "a.txt"] and names(period="2024-01") == ["c.txt"]
        assert names(date_from=date(2023, 2, 1), date_to=date(2024, 1, 31)) == ["c.txt", "b.txt"]
        assert names(meeting_type="chuyen_de") == ["b.txt"]
        assert names(rule="ATT-UNEXCUSED") == ["c.txt"]
        graded = store.list_minutes(MinuteFilter(grade="tot"))[0]
        assert graded and all(r.grade == "tot" for r in graded)
        page, total = store.list_minutes(MinuteFilter(), limit=2, offset=1)
        assert total == 4 and [r.file_name for r in page] == ["c.txt", "b.txt"]
        c = store.list_minutes(MinuteFilter(rule="ATT-UNEXCUSED"))[0][0]
        assert "ATT-UNEXCUSED" in c.rules

    def test_units_group_spellings_of_one_chi_bo(self, store: MinutesStore) -> None:
        store.put(minute("a.txt", day=date(2024, 1, 4)))
        store.put(minute("b.txt", day=date(2024, 2, 3), chi_bo="CHI BỘ THÔN ĐÔNG HOÀ"))
        store.put(minute("c.txt", chi_bo="Chi bộ Thôn Tây"))
        units = {u.unit_id: u for u in store.units()}
        assert len(units) == 2
        east = units[unit_id(unit_key("Đảng bộ xã An Phú", "dang_bo"), unit_key("Chi bộ Thôn Đông Hòa", "chi_bo"))]
        assert east.minutes == 2 and east.first_date == "2024-01-04" and east.last_date == "2024-02-03"

    # access scoping

    def test_scope_limits_every_read_and_delete(self, store: MinutesStore) -> None:
        a = minute("a.txt")
        b = minute("b.txt", chi_bo="Chi bộ Thôn Tây", dang_bo="Đảng bộ xã Bình An")
        store.put(a)
        store.put(b)
        assert a.report.record.meeting.dang_bo is not None
        only_an_phu = Scope(dang_bo=frozenset({unit_key("Đảng bộ xã An Phú", "dang_bo") or ""}))
        only_b = Scope(units=frozenset({unit_id(unit_key("Đảng bộ xã Bình An", "dang_bo"),
                                                unit_key("Chi bộ Thôn Tây", "chi_bo"))}))
        nothing = Scope()
        assert [r.id for r in store.list_minutes(MinuteFilter(), scope=only_an_phu)[0]] == [a.id]
        assert [r.id for r in store.list_minutes(MinuteFilter(), scope=only_b)[0]] == [b.id]
        assert store.list_minutes(MinuteFilter(), scope=nothing) == ([], 0)
        assert store.get(b.id, scope=only_an_phu) is None and store.original(b.id, scope=only_an_phu) is None
        assert store.history(b.id, scope=only_an_phu) == []
        assert [u.chi_bo for u in store.units(scope=only_b)] == ["Chi bộ Thôn Tây"]
        assert store.reports(MinuteFilter(), scope=only_b)[0][0].id == b.id
        assert store.delete(b.id, scope=only_an_phu) is None and store.has(b.id)

    # the index outbox

    def test_every_write_queues_an_index_job(self, store: MinutesStore) -> None:
        first, second = minute("v1.txt"), minute("v2.txt", note="Bản sửa.")
        store.put(first)
        store.put(second)
        jobs = store.pending_jobs(10)
        assert [(j.minute_id, j.op) for j in jobs] == [(first.id, "upsert"), (first.id, "delete"),
                                                     (second.id, "upsert")]
        store.finish_jobs([j.seq for j in jobs[:2]])
        assert [j.minute_id for j in store.pending_jobs(10)] == [second.id]
        store.delete(second.id)
        assert [(j.minute_id, j.op) for j in store.pending_jobs(10)][1:] == [(second.id, "delete"),
                                                                             (first.id, "upsert")]
        assert store.enqueue_all() == 1 and store.current_ids() == {first.id}

    def test_a_lease_has_one_owner_until_released_or_expired(self, store: MinutesStore) -> None:
        assert store.acquire_lease("drain", "a", 60) and store.acquire_lease("drain", "a", 60), "renewable"
        assert not store.acquire_lease("drain", "b", 60) and store.lease_owner("drain") == "a"
        assert store.acquire_lease("drain", "b", 60, steal_from="a") and store.lease_owner("drain") == "b"
        store.release_lease("drain", "a")
        assert store.lease_owner("drain") == "b", "only the owner releases"
        store.release_lease("drain", "b")
        assert store.lease_owner("drain") is None and store.acquire_lease("drain", "c", -1)
        assert store.lease_owner("drain") is None and store.acquire_lease("drain", "d", 60), "an expired lease lapses"

    def test_a_failed_write_leaves_nothing_behind(self, store: MinutesStore, monkeypatch: pytest.MonkeyPatch
                                                  ) -> None:
        m = minute()
        real = store._exec  # type: ignore[attr-defined]

        def failing(cur: object, statement: str, params: object = ()) -> object:
            if statement.startswith("INSERT INTO index_jobs"):
                raise RuntimeError("disk full")
            return real(cur, statement, params)

        monkeypatch.setattr(store, "_exec", failing)
        with pytest.raises(RuntimeError):
            store.put(m)
        monkeypatch.setattr(store, "_exec", real)
        assert not store.has(m.id) and store.original(m.id) is None
        assert store.pending_count() == 0 and store.list_minutes(MinuteFilter(include_superseded=True))[1] == 0
        assert store.put(m).status == PutStatus.STORED

    # concurrency

    def test_concurrent_puts_of_one_file_store_it_once(self, store: MinutesStore) -> None:
        m = minute()
        results: list[PutStatus] = []
        barrier = threading.Barrier(8)

        def put() -> None:
            barrier.wait()
            try:
                results.append(store.put(m).status)
            except BaseException as e:  # noqa: BLE001 - shows up as a missing result
                results.append(e)  # type: ignore[arg-type]

        threads = [threading.Thread(target=put) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == [PutStatus.DUPLICATE] * 7 + [PutStatus.STORED]
        assert store.list_minutes(MinuteFilter(include_superseded=True))[1] == 1
        assert store.pending_count() == 1

    def test_concurrent_versions_leave_exactly_one_current(self, store: MinutesStore) -> None:
        versions = [minute(f"v{i}.txt", note=f"Bản sửa số {i}.") for i in range(6)]
        barrier = threading.Barrier(len(versions))
        errors: list[BaseException] = []

        def put(m: NewMinute) -> None:
            barrier.wait()
            try:
                store.put(m)
            except BaseException as e:  # noqa: BLE001 - collected and asserted below
                errors.append(e)

        threads = [threading.Thread(target=put, args=(m,)) for m in versions]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        current = store.list_minutes(MinuteFilter())[0]
        assert len(current) == 1
        history = store.history(current[0].id)
        assert sorted(h.id for h in history) == sorted(m.id for m in versions)
        assert [h.version for h in history] == list(range(1, 7))
