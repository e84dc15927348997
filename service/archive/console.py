"""What the `minutes ingest`, `reindex` and `audit` commands print (stdout for data, stderr for people)."""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict
from typing import TextIO

from service.archive.archive import Archive, default_index, open_archive
from service.archive.base import MinutesStore
from service.archive.indexer import IndexPump
from service.archive.ingest import FileResult, IngestSummary, ingest_paths
from service.archive.stores import open_store
from service.archive.unit_names import Uploader
from service.errors import MinutesError
from service.settings import Settings

_SHOWN_PER_CODE = 10


def run_ingest(paths: list[str], settings: Settings, *, workers: int, json_out: bool, progress: bool,
               uploader: Callable[[MinutesStore], Uploader] | None = None,
               audit: Callable[[MinutesStore, FileResult], None] | None = None, out: TextIO | None = None,
               err: TextIO | None = None) -> int:
    """Ingest files and folders; return the exit status (1 when a file failed).

    Each minute is filed under the unit it names, matched against the unit tree and the
    unit chosen that ``uploader`` gives for the open store (see unit_names.place_minute).
``audit`` hears of every file's outcome, as soon as it is settled.

    When the search index cannot be opened (held by a running service, or its model
    not built), the files are still stored: their index jobs wait in the archive.
    """
    from tqdm import tqdm

    out, err = out or sys.stdout, err or sys.stderr
    store = open_store(settings.archive_url())
    try:
        placing = uploader(store) if uploader is not None else Uploader()
    except MinutesError:
        store.close()
        raise
    archive: Archive | None = None
    index_error: Exception | None = None
    try:
        archive = Archive(store, default_index(settings), settings)
    except MinutesError as e:
        if e.status != 503:
            store.close()
            raise
        index_error = e
    bars: list[tqdm[None]] = []
    counts: dict[str, int] = defaultdict(int)

    def on_total(n: int) -> None:
        bars.append(tqdm(total=n, file=err, disable=not progress, unit=" tệp", desc="Nạp biên bản",
                         dynamic_ncols=True))

    def on_result(r: FileResult) -> None:
        counts[r.status] += 1
        if audit is not None:
            audit(store, r)
        if json_out:
            out.write(json.dumps(asdict(r), ensure_ascii=False) + "\n")
            out.flush()
        bar = bars[0]
        bar.update(1)
        bar.set_postfix_str(f"mới {counts['stored'] + counts['replaced']} · trùng {counts['duplicate']} · "
                            f"lỗi {counts['failed']}", refresh=False)

    def ingest() -> IngestSummary:
        return ingest_paths(store, paths, settings=settings, workers=workers, uploader=placing,
                            on_result=on_result, on_total=on_total)

    try:
        if archive is None:
            summary = ingest()
        else:
            with IndexPump(archive.indexer) as pump:
                summary = ingest()
            index_error = pump.error
            try:
                archive.indexer.drain()
                index_error = None
            except Exception as e:  # noqa: BLE001 - reported below; the outbox keeps the jobs
                index_error = e
        for bar in bars:
            bar.close()
        _print_summary(summary, store, archive, index_error, err)
    finally:
        if archive is not None:
            archive.close()
        else:
            store.close()
    return 1 if summary.failures else 0


def _print_summary(summary: IngestSummary, store: MinutesStore, archive: Archive | None,
                   index_error: Exception | None, err: TextIO) -> None:
    c = summary.counts
    err.write(f"Đã xử lý {len(summary.results)} tệp: {c['stored']} lưu mới, {c['replaced']} thay thế bản cũ, "
              f"{c['duplicate']} đã có trong kho, {c['failed']} lỗi.\n")
    pending = store.pending_count()
    if archive is not None and index_error is None and pending == 0:
        err.write(f"Chỉ mục tìm kiếm đã cập nhật ({archive.index.count()} đoạn).\n")
    else:
        reason = f" ({index_error})" if index_error else ""
        err.write(f"Chỉ mục tìm kiếm chưa cập nhật{reason}: {pending} việc chờ được giữ trong kho và sẽ được "
                  "làm khi dịch vụ nhận biên bản mới, khi chạy lại lệnh này hoặc `minutes reindex`.\n")
    by_code: dict[str, list[FileResult]] = defaultdict(list)
    for r in summary.failures:
        by_code[r.code or "INTERNAL"].append(r)
    if by_code:
        err.write("Tệp lỗi, theo loại lỗi:\n")
    for code, items in sorted(by_code.items(), key=lambda kv: -len(kv[1])):
        err.write(f"  [{code}] {len(items)} tệp\n")
        for r in items[:_SHOWN_PER_CODE]:
            err.write(f"    - {r.path}: {r.message}\n")
        if len(items) > _SHOWN_PER_CODE:
            err.write(f"    … và {len(items) - _SHOWN_PER_CODE} tệp khác.\n")


def run_reindex(settings: Settings, *, check_only: bool, err: TextIO | None = None) -> int:
    """Rebuild the search index from the archive, or with ``check_only`` only compare the two; return the exit status.

    The check fails (1) when the index disagrees with the archive or was cut by an older
    version; jobs that still wait are not a failure.
    """
    err = err or sys.stderr
    archive = open_archive(settings)
    try:
        if check_only:
            agreement = archive.indexer.agreement()
            err.write(f"Kho: {len(archive.store.current_ids())} biên bản, cần {agreement.expected_chunks} đoạn; "
                      f"chỉ mục có {agreement.indexed_chunks} đoạn; {agreement.pending_jobs} việc chờ.\n")
            if agreement.missing or agreement.orphans:
                err.write(f"Thiếu trong chỉ mục: {len(agreement.missing)} biên bản; "
                          f"thừa trong chỉ mục: {len(agreement.orphans)} biên bản.\n")
            state = agreement.state
            if state == "agree":
                err.write("Kho và chỉ mục khớp nhau.\n")
            elif state == "outdated":
                err.write(f"Chỉ mục có {len(agreement.outdated)} biên bản được cắt đoạn theo cách của phiên bản "
                          "cũ, nên tìm kiếm chưa dùng được những gì phiên bản này ghi thêm vào chỉ mục; chạy "
                          "`minutes reindex` để dựng lại chỉ mục.\n")
            elif state == "pending":
                err.write(f"Chỉ mục đang chờ cập nhật: {agreement.pending_jobs} việc chờ (biên bản mới nạp, vừa "
                          "xóa, hoặc chỉ mục mới dựng lại), không phải lỗi: dịch vụ đang chạy sẽ làm xong; "
                          "`minutes reindex` làm ngay.\n")
            else:
                err.write("Kho và chỉ mục CHƯA khớp; chạy `minutes reindex` để dựng lại chỉ mục.\n")
            return 1 if state in ("mismatch", "outdated") else 0
        n = archive.indexer.reindex()
        err.write(f"Đã dựng lại chỉ mục từ {n} biên bản ({archive.index.count()} đoạn).\n")
        return 0
    finally:
        archive.close()


def run_audit(unit: str, settings: Settings, *, dang_bo: str | None, period_from: str | None,
              period_to: str | None, json_out: bool, out: TextIO | None = None) -> int:
    """Audit one unit and print its findings and members' absences, as text or one JSON object; return 0."""
    out = out or sys.stdout
    archive = open_archive(settings)
    try:
        result = archive.audit(unit, dang_bo=dang_bo, period_from=period_from, period_to=period_to)
    finally:
        archive.close()
    if json_out:
        out.write(result.model_dump_json() + "\n")
        return 0
    out.write(f"== {result.chi_bo or '(không rõ chi bộ)'} — {result.dang_bo or '(không rõ đảng bộ)'} "
              f"[{result.unit_id}]\n")
    out.write(f"   {result.minutes} biên bản, từ {result.period_from} đến {result.period_to}\n")
    for f in result.findings:
        out.write(f"   - {'LỖI' if f.severity == 'error' else 'CẢNH BÁO'} {f.rule}: {f.message}\n")
    streaks = [m for m in result.members if m.longest_excused_streak > 1 or m.unexcused]
    if streaks:
        out.write("   Vắng mặt của đảng viên (dài nhất liên tiếp có lý do / không lý do):\n")
        for m in streaks:
            out.write(f"     {m.member}: {m.longest_excused_streak} kỳ liên tiếp; {m.excused} lần có lý do, "
                      f"{m.unexcused} lần không lý do\n")
    return 0
