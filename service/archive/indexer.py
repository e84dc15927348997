"""The Indexer drains the archive's outbox into the search index.

A job only names a minute; what to do is read from the archive when the job
runs: a current minute is (re)written to the index, anything else is removed
from it. Running a job twice therefore changes nothing, and a crash between
the archive write and the index write is healed by the next drain: the job is
deleted from the outbox only after the index has taken the change.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from service.archive.base import MinutesStore
from service.archive.chunks import CHUNKS_VERSION, make_chunks
from service.archive.processes import process_alive
from service.errors import ErrorCode, MinutesError
from service.search.base import Chunk, SearchIndex

LEASE = "index-drain"
LEASE_TTL_S = 300.0  # renewed every batch; a drainer on another machine that died frees it after this


def _dead_here(owner: str) -> bool:
    """Whether a lease owner ("host:pid:…") is a process of this machine that no longer runs."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    return host == socket.gethostname() and pid.isdigit() and not process_alive(int(pid))


@runtime_checkable
class EnumerableIndex(Protocol):
    """An index that can list the minutes it holds (used to find orphans)."""

    def minute_ids(self) -> set[str]:
        """The ids of the minutes that have chunks in the index."""
        ...


@runtime_checkable
class VersionedIndex(Protocol):
    """An index that knows which version of the cut made each minute's chunks."""

    def minute_versions(self) -> dict[str, int]:
        """Each indexed minute with the oldest version among its chunks."""
        ...


@dataclass
class Agreement:
    """How the archive and the index compare."""

    pending_jobs: int
    expected_chunks: int
    indexed_chunks: int
    missing: set[str] = field(default_factory=set)  # current minutes with no chunk in the index
    orphans: set[str] = field(default_factory=set)  # indexed minutes the archive has no current version of
    queued: set[str] = field(default_factory=set)  # minutes with a job waiting in the outbox
    outdated: set[str] = field(default_factory=set)  # current minutes cut by an older CHUNKS_VERSION

    @property
    def agree(self) -> bool:
        """Whether archive and index match exactly: no job waits and nothing is missing, orphaned or outdated."""
        return (self.pending_jobs == 0 and self.expected_chunks == self.indexed_chunks
                and not self.missing and not self.orphans and not self.outdated)

    @property
    def state(self) -> str:
        """"agree"; "pending" when every difference is a minute whose job still waits; "outdated" when the
        index holds every minute but some were cut by an older version; else "mismatch"."""
        if self.agree:
            return "agree"
        if (self.missing | self.orphans) - self.queued:
            return "mismatch"
        if self.outdated - self.queued:
            return "outdated"  # an older cut may also differ in its number of chunks
        return "pending" if self.pending_jobs else "mismatch"


class Indexer:
    """Keeps one SearchIndex in step with one MinutesStore."""

    def __init__(self, store: MinutesStore, index: SearchIndex, *, batch: int = 32) -> None:
        self.store = store
        self.index = index
        self.batch = batch
        self._lock = threading.Lock()
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def _chunks_for(self, ids: list[str]) -> tuple[list[Chunk], set[str]]:
        """Chunks of the ids that are current in the archive, and the ids that are not."""
        chunks: list[Chunk] = []
        gone: set[str] = set()
        for mid in ids:
            stored = self.store.get(mid)
            if stored is None or not stored.summary.current:
                gone.add(mid)
            else:
                chunks.extend(make_chunks(mid, stored.report, stored.text))
        return chunks, gone

    def drain(self, *, max_jobs: int | None = None) -> int:
        """Apply pending jobs in order; return how many were applied.

        One drainer works at a time, across processes and machines sharing the archive
        (a lease in the archive, renewed every batch): while another live process
        drains, this call returns 0 and leaves the jobs to it.
        """
        with self._lock:
            if not self._take_lease():
                return 0
            try:
                return self._drain_held(max_jobs)
            finally:
                self.store.release_lease(LEASE, self.owner)

    def _take_lease(self) -> bool:
        if self.store.acquire_lease(LEASE, self.owner, LEASE_TTL_S):
            return True
        holder = self.store.lease_owner(LEASE)
        if holder is not None and _dead_here(holder):
            # A killed process on this machine cannot renew; take its lease now rather than at expiry.
            return self.store.acquire_lease(LEASE, self.owner, LEASE_TTL_S, steal_from=holder)
        return False

    def _drain_held(self, max_jobs: int | None) -> int:
        done = 0
        while max_jobs is None or done < max_jobs:
            if done and not self.store.acquire_lease(LEASE, self.owner, LEASE_TTL_S):
                break
            jobs = self.store.pending_jobs(self.batch if max_jobs is None else min(self.batch, max_jobs - done))
            if not jobs:
                break
            ids = list(dict.fromkeys(j.minute_id for j in jobs))
            chunks, gone = self._chunks_for(ids)
            for mid in sorted(gone):
                self.index.delete_minute(mid)
            if chunks:
                self.index.upsert(chunks)
            self.store.finish_jobs([j.seq for j in jobs])
            done += len(jobs)
        return done

    def queue_if_index_empty(self) -> int:
        """Queue every current minute when the index holds nothing and the archive does.

        That is what a new index layout or model (a new collection) or a lost index
        directory looks like; the next drain then fills the index. Returns the jobs queued.
        """
        if self.index.count() or self.store.pending_count() or not self.store.current_ids():
            return 0
        return self.store.enqueue_all()

    def reindex(self) -> int:
        """Rebuild the index from the archive; return the number of minutes indexed."""
        with self._lock:
            if not self._take_lease():
                raise MinutesError(ErrorCode.INDEX_BUSY, "Một tiến trình khác đang cập nhật chỉ mục tìm kiếm; "
                                   "hãy chạy lại sau.", status=409)
            try:
                return self._rebuild()
            finally:
                self.store.release_lease(LEASE, self.owner)

    def _rebuild(self) -> int:
        # Jobs queued before the rebuild starts are satisfied by it; later ones are drained after.
        before = self.store.pending_jobs(10_000_000)
        current = self.store.current_ids()
        if isinstance(self.index, EnumerableIndex):
            for mid in sorted(self.index.minute_ids() - current):
                self.index.delete_minute(mid)
        ordered = sorted(current)
        for start in range(0, len(ordered), self.batch):
            self.store.acquire_lease(LEASE, self.owner, LEASE_TTL_S)
            part = ordered[start:start + self.batch]
            for mid in part:
                self.index.delete_minute(mid)
            chunks, _ = self._chunks_for(part)
            if chunks:
                self.index.upsert(chunks)
        for mid in {j.minute_id for j in before} - current:
            self.index.delete_minute(mid)
        self.store.finish_jobs([j.seq for j in before])
        self._drain_held(None)
        return len(current)

    def agreement(self) -> Agreement:
        """Compare what the archive says should be indexed with what the index holds."""
        current = self.store.current_ids()
        expected = 0
        for mid in current:
            stored = self.store.get(mid)
            if stored is not None:
                expected += len(make_chunks(mid, stored.report, stored.text, embedded=False))
        pending = self.store.pending_count()
        result = Agreement(pending_jobs=pending, expected_chunks=expected, indexed_chunks=self.index.count(),
                           queued={j.minute_id for j in self.store.pending_jobs(pending)} if pending else set())
        held: set[str] | None = None
        if isinstance(self.index, VersionedIndex):
            versions = self.index.minute_versions()  # one scan gives the minutes and their versions
            held = set(versions)
            result.outdated = {m for m in current & held if versions[m] < CHUNKS_VERSION}
        elif isinstance(self.index, EnumerableIndex):
            held = self.index.minute_ids()
        if held is not None:
            result.missing = current - held
            result.orphans = held - current
        return result


class IndexPump:
    """Drain an Indexer in a background thread while a batch is being stored.

    It waits until a full batch of jobs is pending (or ``max_wait_s`` has passed
    with some pending), so the index gets few, large writes. Index errors do not
    stop the batch: the jobs stay in the outbox, the pump tries again, and the
    last error is kept for the summary.
    """

    def __init__(self, indexer: Indexer, *, idle_s: float = 0.1, max_wait_s: float = 1.0) -> None:
        self.indexer = indexer
        self.idle_s = idle_s
        self.max_wait_s = max_wait_s
        self.applied = 0
        self.error: Exception | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="index-pump", daemon=True)

    def _run(self) -> None:
        last = time.monotonic()
        while not self._stop.is_set():
            try:
                pending = self.indexer.store.pending_count()
                due = pending >= self.indexer.batch or (pending and time.monotonic() - last >= self.max_wait_s)
                if due:
                    self.applied += self.indexer.drain(max_jobs=self.indexer.batch * 4)
                    last = time.monotonic()
                    self.error = None
                    continue
            except Exception as e:  # noqa: BLE001 - kept and reported; the outbox keeps the jobs
                self.error = e
                last = time.monotonic()
            self._stop.wait(self.idle_s)

    def __enter__(self) -> IndexPump:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
