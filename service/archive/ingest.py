"""Ingest: check files and store them, one at a time or a whole tree in parallel.

Files are identified by the sha256 of their bytes, so a batch run again skips
what is already stored (it resumes where a killed run stopped). Checking runs
in worker processes; storing runs in the calling process, one transaction per
file. One bad file is reported and the batch goes on.
"""

from __future__ import annotations

import ctypes
import hashlib
import mimetypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from service.archive.base import MinutesStore, NewMinute, PutStatus
from service.archive.processes import process_alive
from service.archive.unit_names import Placement, UnitName, Uploader, place_minute
from service.documents.registry import SUFFIXES
from service.errors import ErrorCode, InputError, MinutesError
from service.schema.names import file_name_of
from service.schema.units import Scope, unit_id, unit_key
from service.settings import Settings

# What a folder walk picks up: the formats the document registry reads (a file named on the
# command line is always tried, and refused with a reason when it cannot be read).
MINUTE_SUFFIXES = SUFFIXES

_PR_SET_PDEATHSIG = 1

Status = Literal["stored", "replaced", "duplicate", "failed"]


@dataclass(frozen=True)
class FileResult:
    """What happened to one file."""

    path: str
    status: Status
    minute_id: str | None = None
    replaced: str | None = None
    code: str | None = None
    message: str | None = None
    note: str | None = None  # how the unit was decided, when not as the minute spells it


@dataclass
class IngestSummary:
    """The results of a batch, in the order the files were settled."""

    results: list[FileResult] = field(default_factory=list)

    @property
    def counts(self) -> Counter[str]:
        """How many files ended in each status."""
        return Counter(r.status for r in self.results)

    @property
    def failures(self) -> list[FileResult]:
        """The results of the files that failed."""
        return [r for r in self.results if r.status == "failed"]


def media_type_of(file_name: str | None) -> str:
    """The media type a file name suggests (``.docx`` included), else ``application/octet-stream``."""
    guessed = mimetypes.guess_type(file_name or "")[0]
    if guessed is None and (file_name or "").lower().endswith(".docx"):
        guessed = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return guessed or "application/octet-stream"


def content_id(data: bytes) -> str:
    """The id of a file's bytes: their sha256, in hex."""
    return hashlib.sha256(data).hexdigest()


def check_file_bytes(data: bytes, file_name: str | None, settings: Settings) -> NewMinute:
    """Check one file's bytes; raise MinutesError when it cannot be read as a minute."""
    from service.check import check_bytes

    file_name = file_name_of(file_name)
    report = check_bytes(data, source=file_name, settings=settings, include_text=True)
    text = report.text.content or ""
    return NewMinute(id=content_id(data), file_name=file_name, media_type=media_type_of(file_name), data=data,
                     text=text, report=report)


_STATUS: dict[PutStatus, Status] = {PutStatus.STORED: "stored", PutStatus.REPLACED: "replaced",
                                    PutStatus.DUPLICATE: "duplicate"}


@dataclass(frozen=True)
class _Named:
    dang_bo: str | None
    chi_bo: str | None


class KnownUnits:
    """The archive's units, read once for a batch and kept up to date as the batch stores minutes."""

    def __init__(self, store: MinutesStore) -> None:
        self.units: list[UnitName] = list(store.units())
        self._keys = {self._key(u.dang_bo, u.chi_bo) for u in self.units}

    @staticmethod
    def _key(dang_bo: str | None, chi_bo: str | None) -> tuple[str | None, str | None]:
        return unit_key(dang_bo, "dang_bo"), unit_key(chi_bo, "chi_bo")

    def add(self, dang_bo: str | None, chi_bo: str | None) -> None:
        """Count a unit the batch has just stored a minute of among the known ones."""
        key = self._key(dang_bo, chi_bo)
        if key not in self._keys:
            self._keys.add(key)
            self.units.append(_Named(dang_bo, chi_bo))


def place(minute: NewMinute, uploader: Uploader, archive: Sequence[UnitName]) -> tuple[NewMinute, Placement]:
    """File the minute under a known unit (unit_names.place_minute); the record names that unit."""
    m = minute.report.record.meeting
    placement = place_minute(m.dang_bo, m.chi_bo, registry=uploader.registry, archive=archive,
                             own=uploader.own, chosen=uploader.chosen)
    if not placement.differs(m.dang_bo, m.chi_bo):
        return minute, placement
    meeting = m.model_copy(update={"dang_bo": placement.dang_bo, "chi_bo": placement.chi_bo})
    record = minute.report.record.model_copy(update={"meeting": meeting})
    return replace(minute, report=minute.report.model_copy(update={"record": record})), placement


def store_minute(store: MinutesStore, minute: NewMinute, path: str, *, uploader: Uploader | None = None,
                 scope: Scope | None = None, known: KnownUnits | None = None, own_id: bool = False) -> FileResult:
    """Place the minute (see ``place``), refuse it outside ``scope``, store it.

    ``known``: the archive's units as a batch keeps them (read from the store when not given).
    ``own_id``: the id is derived from the content and the unit the minute is placed in (the
    same bytes may then be kept once per unit).
    """
    minute, placement = place(minute, uploader or Uploader(), known.units if known else store.units())
    dkey, ckey = unit_key(placement.dang_bo, "dang_bo"), unit_key(placement.chi_bo, "chi_bo")
    if scope is not None:
        if not (dkey or ckey) or not scope.allows(dkey, unit_id(dkey, ckey)):
            raise outside_scope(placement.dang_bo, placement.chi_bo)
    if own_id:
        minute = replace(minute, id=content_id(minute.data + f"\x1f{unit_id(dkey, ckey)}".encode()))
    put = store.put(minute)
    if known is not None:
        known.add(placement.dang_bo, placement.chi_bo)
    return FileResult(path=path, status=_STATUS[put.status], minute_id=put.id, replaced=put.replaced,
                      note=placement.note)


def outside_scope(dang_bo: str | None, chi_bo: str | None) -> MinutesError:
    """The FORBIDDEN_UNIT error (403) for a minute of a unit outside the caller's scope."""
    read = f" (biên bản ghi: {chi_bo or 'không rõ chi bộ'} — {dang_bo or 'không rõ đảng bộ'})" if dang_bo or chi_bo \
        else ""
    return MinutesError(ErrorCode.FORBIDDEN_UNIT, f"Biên bản thuộc đơn vị ngoài phạm vi của tài khoản{read}; "
                        "không lưu.", status=403)


def failed(path: str, err: MinutesError) -> FileResult:
    """The failed result of a file, from the error that stopped it."""
    return FileResult(path=path, status="failed", code=err.code.value, message=err.message)


def walk(paths: Iterable[str]) -> Iterator[tuple[str, MinutesError | None]]:
    """Every file to ingest under ``paths``, in a stable order, or why a path cannot be used."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith(".") and Path(name).suffix.lower() in MINUTE_SUFFIXES:
                        yield os.path.join(root, name), None
        elif p.is_file():
            yield raw, None
        else:
            yield raw, MinutesError(ErrorCode.FILE_NOT_FOUND, f"Không tìm thấy tệp hoặc thư mục: {raw}")


def read_file(path: str, settings: Settings) -> bytes:
    """The file's bytes; raises PAYLOAD_TOO_LARGE above the upload limit, FILE_UNREADABLE when it cannot be read."""
    try:
        size = os.path.getsize(path)
        if size > settings.limits.max_upload_bytes:
            raise InputError(ErrorCode.PAYLOAD_TOO_LARGE,
                             f"Tệp quá lớn ({size:,} byte); giới hạn là {settings.limits.max_upload_bytes:,} byte.",
                             status=413)
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as e:
        raise MinutesError(ErrorCode.FILE_UNREADABLE, f"Không đọc được tệp {path}: {e.strerror}") from e


_worker_settings: Settings | None = None


def _init_worker(settings: Settings) -> None:
    global _worker_settings
    _worker_settings = settings


def _watch(pid: int) -> None:
    while process_alive(pid):
        time.sleep(0.5)
    os._exit(1)


def _start_worker(settings: Settings, batch_pid: int) -> None:
    """Worker set-up: exit when the batch process is gone (a killed batch leaves no orphans)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    threading.Thread(target=_watch, args=(batch_pid,), name="batch-watch", daemon=True).start()
    _init_worker(settings)


def _check_in_worker(data: bytes, file_name: str) -> NewMinute | tuple[str, str]:
    assert _worker_settings is not None
    try:
        return check_file_bytes(data, file_name, _worker_settings)
    except MinutesError as e:
        return (e.code.value, e.message)
    except Exception as e:  # noqa: BLE001 - one broken file must not stop the batch
        return (ErrorCode.INTERNAL.value, f"Lỗi không lường trước khi đọc tệp: {type(e).__name__}: {e}")


class _Checkers:
    """A process pool for the checker, rebuilt if a worker dies; inline when workers <= 1."""

    def __init__(self, workers: int, settings: Settings) -> None:
        self.workers = workers
        self.settings = settings
        _init_worker(settings)
        self.pool = self._new()

    def _new(self) -> ProcessPoolExecutor | None:
        if self.workers <= 1:
            return None
        # A fork server starts workers from a clean process: they inherit neither the index's
        # locked files nor the locks of threads running here (the index pump).
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["service.check", "service.archive.ingest"])
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx, initializer=_start_worker,
                                   initargs=(self.settings, os.getpid()))

    def submit(self, data: bytes, name: str) -> Future[NewMinute | tuple[str, str]]:
        if self.pool is None:
            done: Future[NewMinute | tuple[str, str]] = Future()
            done.set_result(_check_in_worker(data, name))
            return done
        return self.pool.submit(_check_in_worker, data, name)

    def result(self, fut: Future[NewMinute | tuple[str, str]]) -> NewMinute | tuple[str, str]:
        try:
            return fut.result()
        except Exception as e:  # noqa: BLE001 - a worker that died takes only its own file down
            if isinstance(e, BrokenProcessPool) and self.pool is not None:
                self.pool.shutdown(wait=False, cancel_futures=True)
                self.pool = self._new()
            return (ErrorCode.INTERNAL.value, f"Tiến trình đọc tệp bị dừng bất thường: {type(e).__name__}")

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def ingest_paths(store: MinutesStore, paths: Iterable[str], *, settings: Settings, workers: int = 1,
                 uploader: Uploader | None = None,
                 on_result: Callable[[FileResult], None] | None = None,
                 on_total: Callable[[int], None] | None = None) -> IngestSummary:
    """Check and store every file under ``paths``; files already stored are not checked again.

    ``uploader`` carries the unit tree each minute is placed against (see ``place``).
    """
    files = list(walk(paths))
    if on_total:
        on_total(len(files))
    summary = IngestSummary()

    def emit(r: FileResult) -> None:
        summary.results.append(r)
        if on_result:
            on_result(r)

    def settle(path: str, outcome: NewMinute | tuple[str, str]) -> None:
        if isinstance(outcome, tuple):
            emit(FileResult(path=path, status="failed", code=outcome[0], message=outcome[1]))
            return
        try:
            emit(store_minute(store, outcome, path, uploader=uploader, known=known))
        except MinutesError as e:
            emit(failed(path, e))

    known = KnownUnits(store)
    checkers = _Checkers(workers, settings)
    in_flight: list[tuple[str, Future[NewMinute | tuple[str, str]]]] = []
    try:
        for path, error in files:
            if error is not None:
                emit(failed(path, error))
                continue
            try:
                data = read_file(path, settings)
            except MinutesError as e:
                emit(failed(path, e))
                continue
            mid = content_id(data)
            if store.has(mid):
                emit(FileResult(path=path, status="duplicate", minute_id=mid))
                continue
            in_flight.append((path, checkers.submit(data, os.path.basename(path))))
            # Keep a bounded window in flight, settled in submission order.
            while in_flight and (checkers.pool is None or len(in_flight) >= workers * 4):
                p, fut = in_flight.pop(0)
                settle(p, checkers.result(fut))
        while in_flight:
            p, fut = in_flight.pop(0)
            settle(p, checkers.result(fut))
    finally:
        checkers.close()
    return summary
