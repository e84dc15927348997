"""Ingest: check files and store them, one at a time or a whole tree in parallel.

Files are identified by the sha256 of their bytes, so a batch run again skips
what is already stored (it resumes where a killed run stopped). Checking runs
in worker processes; storing runs in the calling process, one transaction per
file. One bad file is reported and the batch goes on.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from service.archive.base import MinutesStore, NewMinute, PutStatus
from service.errors import ErrorCode, InputError, MinutesError
from service.settings import Settings

# What a folder walk picks up; a file named on the command line is always tried.
MINUTE_SUFFIXES = frozenset({".txt", ".text", ".md", ".docx", ".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff",
                             ".bmp", ".webp"})

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


@dataclass
class IngestSummary:
    results: list[FileResult] = field(default_factory=list)

    @property
    def counts(self) -> Counter[str]:
        return Counter(r.status for r in self.results)

    @property
    def failures(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "failed"]


def media_type_of(file_name: str | None) -> str:
    guessed = mimetypes.guess_type(file_name or "")[0]
    if guessed is None and (file_name or "").lower().endswith(".docx"):
        guessed = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return guessed or "application/octet-stream"


def content_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_file_bytes(data: bytes, file_name: str | None, settings: Settings) -> NewMinute:
    """Check one file's bytes; raise MinutesError when it cannot be read as a minute."""
    from service.check import check_bytes

    report = check_bytes(data, source=file_name, settings=settings, include_text=True)
    text = report.text.content or ""
    return NewMinute(id=content_id(data), file_name=file_name, media_type=media_type_of(file_name), data=data,
                     text=text, report=report)


_STATUS: dict[PutStatus, Status] = {PutStatus.STORED: "stored", PutStatus.REPLACED: "replaced",
                                    PutStatus.DUPLICATE: "duplicate"}


def store_minute(store: MinutesStore, minute: NewMinute, path: str) -> FileResult:
    put = store.put(minute)
    return FileResult(path=path, status=_STATUS[put.status], minute_id=put.id, replaced=put.replaced)


def failed(path: str, err: MinutesError) -> FileResult:
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


def _check_in_worker(data: bytes, file_name: str) -> NewMinute | tuple[str, str]:
    assert _worker_settings is not None
    try:
        return check_file_bytes(data, file_name, _worker_settings)
    except MinutesError as e:
        return (e.code.value, e.message)
    except Exception as e:  # noqa: BLE001 - one broken file must not stop the batch
        return (ErrorCode.INTERNAL.value, f"Lỗi không lường trước khi đọc tệp: {type(e).__name__}: {e}")


def ingest_paths(store: MinutesStore, paths: Iterable[str], *, settings: Settings, workers: int = 1,
                 on_result: Callable[[FileResult], None] | None = None,
                 on_total: Callable[[int], None] | None = None) -> IngestSummary:
    """Check and store every file under ``paths``; files already stored are skipped unread by the checker."""
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
            emit(store_minute(store, outcome, path))
        except MinutesError as e:
            emit(failed(path, e))

    def new_pool() -> ProcessPoolExecutor | None:
        if workers <= 1:
            return None
        return ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(settings,))

    def wait(path: str, fut: Future[NewMinute | tuple[str, str]]) -> None:
        nonlocal pool
        try:
            outcome = fut.result()
        except Exception as e:  # noqa: BLE001 - a worker that died takes only its own file down
            if isinstance(e, BrokenProcessPool) and pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
                pool = new_pool()
            outcome = (ErrorCode.INTERNAL.value, f"Tiến trình đọc tệp bị dừng bất thường: {type(e).__name__}")
        settle(path, outcome)

    pool = new_pool()
    _init_worker(settings)
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
            name = os.path.basename(path)
            if pool is None:
                settle(path, _check_in_worker(data, name))
                continue
            in_flight.append((path, pool.submit(_check_in_worker, data, name)))
            # Keep a bounded window in flight, settled in submission order.
            while len(in_flight) >= workers * 4:
                wait(*in_flight.pop(0))
        while in_flight:
            wait(*in_flight.pop(0))
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return summary
