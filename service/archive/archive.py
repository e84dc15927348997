"""The Archive: the store, the index kept in step with it, and the use cases behind every door."""

from __future__ import annotations

from service.archive.audit import UnitAudit, audit_unit
from service.archive.base import (
    DeleteResult,
    MinuteFilter,
    MinutesStore,
    MinuteSummary,
    Original,
    StoredMinute,
    UnitSummary,
)
from service.archive.indexer import Indexer
from service.archive.ingest import FileResult, check_file_bytes, content_id, store_minute
from service.archive.stores import open_store
from service.archive.unit_names import Uploader
from service.errors import ErrorCode, MinutesError, NotFound
from service.schema.units import Scope, unit_key
from service.search.base import SearchIndex
from service.settings import Settings


def default_index(settings: Settings) -> SearchIndex:
    """The index the settings choose when none is handed in (service.search.factory)."""
    from service.search.factory import build_index

    return build_index(settings)


class Archive:
    """Stored minutes and their search index, for the API and the CLI alike."""

    def __init__(self, store: MinutesStore, index: SearchIndex, settings: Settings, *,
                 owns_index: bool = True) -> None:
        self.store = store
        self.index = index
        self.settings = settings
        self.owns_index = owns_index
        self.indexer = Indexer(store, index)

    def ingest_bytes(self, data: bytes, file_name: str | None, *, scope: Scope | None = None,
                     uploader: Uploader | None = None) -> FileResult:
        """Check, place and store one file; a stored duplicate the caller may see is reported, not checked again.

        The minute is filed under the known unit it names in any spelling (``uploader``:
        the unit tree, the clerk's own unit, a chosen unit; see unit_names.place_minute).
        With a ``scope``, a minute of a unit outside it is refused (FORBIDDEN_UNIT) and
        nothing is stored.
        """
        mid = content_id(data)
        if self.store.has(mid) and (scope is None or self.store.get(mid, scope=scope) is not None):
            return FileResult(path=file_name or mid, status="duplicate", minute_id=mid)
        minute = check_file_bytes(data, file_name, self.settings)
        # A caller limited to some units gets an id of the content and the unit it is filed in, so
        # that the answer never depends on whether the same bytes are kept in a unit they cannot see.
        return store_minute(self.store, minute, minute.file_name or mid, uploader=uploader, scope=scope,
                            own_id=scope is not None)

    def get(self, minute_id: str, *, scope: Scope | None = None) -> StoredMinute:
        """The minute in full, current or not; raises MINUTE_NOT_FOUND when it is not stored in scope."""
        found = self.store.get(minute_id, scope=scope)
        if found is None:
            raise _not_found(minute_id)
        return found

    def original(self, minute_id: str, *, scope: Scope | None = None) -> Original:
        """The minute's original file; raises MINUTE_NOT_FOUND when it is not stored in scope."""
        found = self.store.original(minute_id, scope=scope)
        if found is None:
            raise _not_found(minute_id)
        return found

    def list_minutes(self, flt: MinuteFilter, *, scope: Scope | None = None, limit: int = 50,
             offset: int = 0) -> tuple[list[MinuteSummary], int]:
        """One page of the minutes the filter chooses in scope, newest meeting first, and their total."""
        return self.store.list_minutes(flt, scope=scope, limit=limit, offset=offset)

    def history(self, minute_id: str, *, scope: Scope | None = None) -> list[MinuteSummary]:
        """Every version of the minute's meeting, oldest first (empty when the minute is not in scope)."""
        return self.store.history(minute_id, scope=scope)

    def delete(self, minute_id: str, *, scope: Scope | None = None) -> DeleteResult:
        """Delete one version (see MinutesStore.delete); raises MINUTE_NOT_FOUND when it is not in scope."""
        done = self.store.delete(minute_id, scope=scope)
        if done is None:
            raise _not_found(minute_id)
        return done

    def units(self, *, scope: Scope | None = None) -> list[UnitSummary]:
        """The units with current minutes in scope."""
        return self.store.units(scope=scope)

    def resolve_unit(self, unit: str, *, dang_bo: str | None = None, scope: Scope | None = None) -> UnitSummary:
        """A unit by its id, or by its chi bộ name (with the đảng bộ when the name recurs)."""
        units = self.store.units(scope=scope)
        by_id = [u for u in units if u.unit_id == unit]
        if by_id:
            return by_id[0]
        ckey = unit_key(unit, "chi_bo")
        dkey = unit_key(dang_bo, "dang_bo") if dang_bo else None
        found = [u for u in units if unit_key(u.chi_bo, "chi_bo") == ckey
                 and (dkey is None or unit_key(u.dang_bo, "dang_bo") == dkey)]
        if not found:
            raise NotFound(ErrorCode.UNIT_NOT_FOUND, f"Kho không có biên bản nào của đơn vị “{unit}”.")
        if len(found) > 1:
            raise MinutesError(ErrorCode.AMBIGUOUS_UNIT,
                               f"Có {len(found)} chi bộ tên “{unit}” ở các đảng bộ khác nhau; hãy ghi rõ đảng bộ "
                               "hoặc dùng mã đơn vị.", status=409,
                               errors=[f"{u.unit_id}: {u.chi_bo} — {u.dang_bo}" for u in found])
        return found[0]

    def audit(self, unit: str, *, dang_bo: str | None = None, scope: Scope | None = None,
              period_from: str | None = None, period_to: str | None = None) -> UnitAudit:
        """Run the ARC rules over the current minutes of the unit ``resolve_unit`` finds."""
        found = self.resolve_unit(unit, dang_bo=dang_bo, scope=scope)
        minutes = self.store.reports(MinuteFilter(unit_id=found.unit_id), scope=scope)
        return audit_unit(found.unit_id, minutes, period_from=period_from, period_to=period_to)

    def close(self) -> None:
        """Close the store, and the index when this archive opened it."""
        self.store.close()
        if self.owns_index:
            self.index.close()


def _not_found(minute_id: str) -> NotFound:
    return NotFound(ErrorCode.MINUTE_NOT_FOUND, f"Không có biên bản mã “{minute_id}” trong kho.")


def open_archive(settings: Settings, *, index: SearchIndex | None = None) -> Archive:
    """Open the store the settings name, on the given index (left open on close) or the default one.

    An empty index over a non-empty archive gets every current minute queued for indexing.
    """
    store = open_store(settings.archive_url())
    try:
        archive = (Archive(store, index, settings, owns_index=False) if index is not None
                   else Archive(store, default_index(settings), settings))
    except BaseException:
        store.close()
        raise
    try:
        archive.indexer.queue_if_index_empty()
    except BaseException:
        archive.close()
        raise
    return archive
