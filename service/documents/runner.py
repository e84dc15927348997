"""Convert one file, in a worker process with a time limit and a memory limit.

Plain text is decoded in-process. Everything else runs in a child of a fork server
(started once, with the converters preloaded): the child gets its own process
group and an address-space limit, and is killed with everything it started
(Tesseract, LibreOffice) when the time is up. A crash in a parser for untrusted
files (pdfium, Pillow, lxml) then costs one request, not the server.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from functools import lru_cache
from multiprocessing.connection import Connection
from typing import Any

from service.documents import progress
from service.documents.base import Document
from service.documents.registry import register_converters, sniff
from service.errors import ConversionError, ErrorCode, InputError, MinutesError
from service.settings import DocumentSettings, Limits, Settings

_PRELOAD = ["service.documents.registry", "service.documents.image", "service.documents.pdf",
            "service.documents.word", "service.documents.legacy_word", "service.nlp.legacy"]


def convert_document(data: bytes, *, settings: Settings) -> Document:
    """Read a file of any supported format into a Document (the format is sniffed)."""
    fmt = sniff(data)
    if fmt == "txt" or not settings.documents.isolate:
        return convert_here(fmt, data, settings.documents, settings.limits)
    return convert_isolated(fmt, data, settings.documents, settings.limits)


def convert_here(fmt: str, data: bytes, settings: DocumentSettings, limits: Limits) -> Document:
    """Convert in this process with the converter registered for ``fmt``."""
    return register_converters(limits)[fmt].convert(data, settings=settings)


@lru_cache(maxsize=1)
def _context() -> Any:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(_PRELOAD)
    return ctx


def _child(conn: Connection, fmt: str, data: bytes, settings: dict[str, Any], limits: dict[str, Any]) -> None:
    os.setsid()
    import resource

    doc_settings = DocumentSettings.model_validate(settings)
    cap = doc_settings.memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY else min(cap, hard), hard))
    try:
        with progress.reporting_to(lambda done, total: conn.send(("pages", (done, total)))):
            doc = convert_here(fmt, data, doc_settings, Limits.model_validate(limits))
        conn.send(("ok", doc))
    except MinutesError as e:
        conn.send(("error", (type(e).__name__, e.code.value, e.message, e.status, e.errors)))
    except MemoryError:
        conn.send(("error", ("ConversionError", ErrorCode.DOCUMENT_TOO_LARGE.value,
                             f"Tệp cần quá {doc_settings.memory_mb} MiB bộ nhớ để đọc.", 413, [])))
    except Exception as e:  # a parser failing on a malformed file
        conn.send(("error", ("ConversionError", ErrorCode.CORRUPT_FILE.value,
                             "Tệp bị hỏng hoặc không đúng định dạng, không đọc được.", 422,
                             [f"{type(e).__name__}: {e}"[:300]])))
    finally:
        conn.close()


def _rebuild(kind: str, code: str, message: str, status: int, errors: list[str]) -> MinutesError:
    from service.documents.ocr import OcrUnavailable

    cls: type[MinutesError] = {"ConversionError": ConversionError, "InputError": InputError,
                               "OcrUnavailable": OcrUnavailable}.get(kind, MinutesError)
    return cls(ErrorCode(code), message, status=status, errors=errors)


def convert_isolated(fmt: str, data: bytes, settings: DocumentSettings, limits: Limits) -> Document:
    """Convert in a child process; raises CONVERSION_TIMEOUT when it overruns.

    The child's page reports reach this thread's progress listener as they come.
    """
    ctx = _context()
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, fmt, data, settings.model_dump(), limits.model_dump()),
                       daemon=True)
    proc.start()
    send.close()
    deadline = time.monotonic() + settings.timeout_s
    try:
        while True:
            if not recv.poll(max(0.0, deadline - time.monotonic())):
                _kill(proc.pid)
                raise ConversionError(
                    ErrorCode.CONVERSION_TIMEOUT,
                    f"Đọc tệp mất quá {settings.timeout_s:.0f} giây nên đã dừng; tệp quá nặng hoặc bị hỏng.")
            try:
                status, payload = recv.recv()
            except (EOFError, OSError) as e:
                raise ConversionError(ErrorCode.CORRUPT_FILE,
                                      "Bộ đọc tệp dừng bất thường (tệp hỏng hoặc quá nặng).",
                                      errors=[f"exit code {proc.exitcode}"]) from e
            if status != "pages":
                break
            progress.report(*payload)
    finally:
        recv.close()
        proc.join(5)
        if proc.is_alive():
            _kill(proc.pid)
            proc.join(5)
    if status == "ok":
        doc: Document = payload
        return doc
    raise _rebuild(*payload)


def _kill(pid: int | None) -> None:
    if pid is None:
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
