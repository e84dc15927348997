from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from service.archive.archive import Archive, open_archive
from service.archive.chunks import CHUNKS_VERSION, make_chunks
from service.archive.indexer import LEASE
from service.errors import MinutesError
from service.search.base import Chunk, SearchQuery
from service.search.memory import MemoryIndex
from service.settings import Settings
from tests.archive.factory import make_minute


class FlakyIndex(MemoryIndex):
    """A MemoryIndex whose next ``fail`` writes raise, as a crashed or unreachable index would."""

    fail = 0

    def upsert(self, chunks: list[Chunk]) -> None:
        if self.fail:
            self.fail -= 1
            raise ConnectionError("index unreachable")
        super().upsert(chunks)


@pytest.fixture()
def archive(tmp_path: Path) -> Iterator[Archive]:
    a = open_archive(Settings(data_dir=tmp_path), index=FlakyIndex())
    yield a
    a.close()


def _ingest(a: Archive, name: str, **kw: object) -> str:
    r = a.ingest_bytes(make_minute(**kw).encode(), name)  # type: ignore[arg-type]
    assert r.minute_id is not None
    return r.minute_id


def _indexed(a: Archive) -> set[str]:
    assert isinstance(a.index, MemoryIndex)
    return a.index.minute_ids()


def test_drain_indexes_every_stored_minute(archive: Archive) -> None:
    ids = {_ingest(archive, f"{m}.txt", day=date(2024, m, 5)) for m in (1, 2, 3)}
    assert archive.index.count() == 0 and archive.store.pending_count() == 3
    assert archive.indexer.drain() == 3
    assert _indexed(archive) == ids and archive.store.pending_count() == 0
    agreement = archive.indexer.agreement()
    assert agreement.agree and agreement.indexed_chunks == agreement.expected_chunks > 3


def test_draining_again_changes_nothing(archive: Archive) -> None:
    mid = _ingest(archive, "a.txt")
    archive.indexer.drain()
    before = archive.index.count()
    archive.store.enqueue_all()
    archive.indexer.drain()
    assert archive.index.count() == before and _indexed(archive) == {mid}


def test_a_corrected_version_replaces_the_old_chunks(archive: Archive) -> None:
    old = _ingest(archive, "v1.txt")
    archive.indexer.drain()
    new = _ingest(archive, "v2.txt", topic="nuôi cá lồng trên sông")
    archive.indexer.drain()
    assert _indexed(archive) == {new}
    hits = archive.index.search(SearchQuery(text="nuôi cá lồng", mode="sparse"))
    assert hits and {h.minute_id for h in hits} == {new}
    archive.delete(new)
    archive.indexer.drain()
    assert _indexed(archive) == {old}, "deleting the correction brings the earlier version back"


def test_index_failure_keeps_jobs_until_a_later_drain(archive: Archive) -> None:
    ids = {_ingest(archive, f"{m}.txt", day=date(2024, m, 5)) for m in (1, 2)}
    assert isinstance(archive.index, FlakyIndex)
    archive.index.fail = 1
    with pytest.raises(ConnectionError):
        archive.indexer.drain()
    assert archive.store.pending_count() == 2, "jobs leave the outbox only once the index took them"
    waiting = archive.indexer.agreement()
    assert not waiting.agree and waiting.state == "pending", "jobs still waiting are pending, not a mismatch"
    archive.indexer.drain()
    assert _indexed(archive) == ids and archive.indexer.agreement().agree


def test_chunks_cut_by_an_older_version_are_outdated_until_reindexed(tmp_path: Path) -> None:
    from dataclasses import replace

    index = MemoryIndex()
    a = open_archive(Settings(data_dir=tmp_path), index=index)
    ids = [_ingest(a, f"{m}.txt", day=date(2024, m, 5)) for m in (1, 2)]
    a.indexer.drain()
    assert a.indexer.agreement().state == "agree"
    stored = a.store.get(ids[0])
    assert stored is not None
    index.upsert([replace(c, version=CHUNKS_VERSION - 1) for c in make_chunks(ids[0], stored.report, stored.text)])
    agreement = a.indexer.agreement()
    assert agreement.state == "outdated" and agreement.outdated == {ids[0]} and not agreement.agree
    _ingest(a, "3.txt", day=date(2024, 3, 5))  # a new minute waiting in the outbox: still outdated
    busy = a.indexer.agreement()
    assert busy.pending_jobs == 1 and busy.state == "outdated"
    assert a.indexer.reindex() == 3
    assert a.indexer.agreement().state == "agree"
    a.close()


def test_reindex_rebuilds_a_lost_index_and_drops_orphans(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    a = open_archive(settings, index=MemoryIndex())
    ids = {_ingest(a, f"{m}.txt", day=date(2024, m, 5)) for m in (1, 2, 3)}
    a.indexer.drain()
    expected = a.index.count()
    report = a.store.get(next(iter(ids)))
    assert report is not None
    a.close()

    fresh = MemoryIndex()
    fresh.upsert(make_chunks("f" * 64, report.report, report.text))  # a minute the archive does not hold
    b = open_archive(settings, index=fresh)
    assert b.indexer.agreement().state == "mismatch"
    assert b.indexer.reindex() == 3
    assert fresh.minute_ids() == ids and fresh.count() == expected and b.indexer.agreement().agree
    b.close()


def test_one_drainer_at_a_time_and_a_dead_ones_lease_is_taken_over(archive: Archive) -> None:
    mid = _ingest(archive, "a.txt")
    other = f"{socket.gethostname()}:{os.getpid()}:other"  # a live process (this one) already draining
    assert archive.store.acquire_lease(LEASE, other, 60)
    assert archive.indexer.drain() == 0 and archive.store.pending_count() == 1
    with pytest.raises(MinutesError) as err:
        archive.indexer.reindex()
    assert err.value.code == "INDEX_BUSY"
    archive.store.release_lease(LEASE, other)

    gone = subprocess.Popen(["true"])
    gone.wait()
    dead = f"{socket.gethostname()}:{gone.pid}:killed"
    assert archive.store.acquire_lease(LEASE, dead, 60)
    assert archive.indexer.drain() == 1 and _indexed(archive) == {mid}
    assert archive.store.lease_owner(LEASE) is None


def test_an_empty_index_over_a_filled_archive_is_refilled(tmp_path: Path) -> None:
    """A new index layout or model starts an empty collection; opening the archive queues every current minute."""
    settings = Settings(data_dir=tmp_path)
    first = open_archive(settings, index=MemoryIndex())
    ids = {_ingest(first, f"{i}.txt", topic=t, day=date(2024, 3 + i, 5))
           for i, t in enumerate(["nuôi cá lồng", "làm đường bê tông"])}
    first.indexer.drain()
    first.close()

    filled = MemoryIndex()
    again = open_archive(settings, index=filled)
    try:
        assert again.store.pending_count() == len(ids)
        assert again.indexer.drain() == len(ids)
        assert _indexed(again) == ids and again.indexer.agreement().agree
    finally:
        again.close()
    third = open_archive(settings, index=filled)  # the index holds the minutes: nothing to queue
    try:
        assert third.store.pending_count() == 0
    finally:
        third.close()
    empty = open_archive(Settings(data_dir=tmp_path / "new"), index=MemoryIndex())  # nothing stored: nothing to do
    try:
        assert empty.store.pending_count() == 0
    finally:
        empty.close()
