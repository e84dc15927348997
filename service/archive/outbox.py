"""The index outbox and leases: what the indexer still has to do, and who may do it.

Each stored or deleted minute leaves an index job in the same transaction as the
minute itself; the indexer takes jobs in order and finishes them once the search
index agrees. A lease lets one process at a time drain the outbox.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from service.archive.base import IndexJob


def now_iso() -> str:
    """Now, as the archive writes times: UTC, ISO 8601, whole seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class OutboxTables:
    """The outbox and leases on the archive's SQL database (mixed into SqlStore)."""

    if TYPE_CHECKING:  # SqlStore's
        def _tx(self, *, write: bool = False) -> AbstractContextManager[Any]: ...

        def _exec(self, cur: Any, statement: str, params: Sequence[Any] = ()) -> Any: ...

    def pending_jobs(self, limit: int) -> list[IndexJob]:
        """The first ``limit`` jobs waiting in the outbox, in queue order."""
        with self._tx() as cur:
            rows = self._exec(cur, "SELECT seq, minute_id, op FROM index_jobs ORDER BY seq LIMIT ?",
                              (limit,)).fetchall()
        return [IndexJob(int(r[0]), r[1], r[2]) for r in rows]

    def finish_jobs(self, seqs: list[int]) -> None:
        """Remove finished jobs, by sequence number, from the outbox."""
        if not seqs:
            return
        with self._tx(write=True) as cur:
            for start in range(0, len(seqs), 500):
                part = seqs[start:start + 500]
                self._exec(cur, f"DELETE FROM index_jobs WHERE seq IN ({', '.join('?' * len(part))})", part)

    def pending_count(self) -> int:
        """How many jobs wait in the outbox."""
        with self._tx() as cur:
            return int(self._exec(cur, "SELECT COUNT(*) FROM index_jobs").fetchone()[0])

    def acquire_lease(self, name: str, owner: str, ttl_s: float, *, steal_from: str | None = None) -> bool:
        """Take (or renew) the named lease unless another owner (other than ``steal_from``) holds it unexpired."""
        now = time.time()
        with self._tx(write=True) as cur:
            cur = self._exec(cur, "INSERT INTO leases (name, owner, expires) VALUES (?, ?, ?) "
                             "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires = excluded.expires "
                             "WHERE leases.owner = ? OR leases.owner = ? OR leases.expires < ?",
                             (name, owner, now + ttl_s, owner, steal_from or owner, now))
            return int(cur.rowcount) == 1

    def lease_owner(self, name: str) -> str | None:
        """Who holds the named lease, or None when nobody holds it unexpired."""
        with self._tx() as cur:
            row = self._exec(cur, "SELECT owner FROM leases WHERE name = ? AND expires >= ?",
                             (name, time.time())).fetchone()
        return None if row is None else str(row[0])

    def release_lease(self, name: str, owner: str) -> None:
        """Give up the named lease, if ``owner`` still holds it."""
        with self._tx(write=True) as cur:
            self._exec(cur, "DELETE FROM leases WHERE name = ? AND owner = ?", (name, owner))

    def enqueue_all(self) -> int:
        """Queue an upsert job for every current minute; return how many were queued."""
        with self._tx(write=True) as cur:
            cur = self._exec(cur, "INSERT INTO index_jobs (minute_id, op, queued_at) "
                             "SELECT id, 'upsert', ? FROM minutes WHERE is_current = 1", (now_iso(),))
            return int(cur.rowcount)
