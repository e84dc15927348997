"""The `minutes` command: check minutes, serve the API, list the rules."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from service.errors import ErrorCode, MinutesError
from service.schema.labels import GRADE_VI, SEVERITY_VI, SUBMISSION_STATE_VI

if TYPE_CHECKING:
    from service.archive.base import MinutesStore
    from service.archive.ingest import FileResult
    from service.archive.unit_names import Uploader
    from service.settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Đọc và kiểm tra biên bản sinh hoạt chi bộ.")



def _read(path: str) -> bytes:
    p = Path(path)
    if not p.exists():
        raise MinutesError(ErrorCode.FILE_NOT_FOUND, f"Không tìm thấy tệp: {path}")
    if p.is_dir():
        raise MinutesError(ErrorCode.FILE_UNREADABLE, f"{path} là thư mục, không phải tệp biên bản.")
    try:
        return p.read_bytes()
    except OSError as e:
        raise MinutesError(ErrorCode.FILE_UNREADABLE, f"Không đọc được tệp {path}: {e.strerror}") from e


@app.command()
def check(
    paths: Annotated[list[str], typer.Argument(help="Tệp biên bản (.txt, .docx, .doc, .pdf, ảnh quét .png/.jpg/.tif); '-' đọc từ đầu vào chuẩn.")],
    json_out: Annotated[bool, typer.Option("--json", help="In mỗi báo cáo một dòng JSON (JSON Lines).")] = False,
    with_text: Annotated[bool, typer.Option("--with-text", help="Kèm văn bản đã chuẩn hóa trong báo cáo.")] = False,
    province: Annotated[str | None, typer.Option(help="Áp dụng bộ tiêu chí riêng của tỉnh.")] = None,
) -> None:
    """Kiểm tra từng biên bản; mỗi tệp một báo cáo, theo thứ tự."""
    from service.check import check_bytes
    from service.settings import get_settings

    settings = get_settings()
    failed = 0
    for path in paths:
        try:
            data = sys.stdin.buffer.read() if path == "-" else _read(path)
            report = check_bytes(data, source=path, settings=settings, include_text=with_text,
                                 province=province)
        except MinutesError as e:
            failed += 1
            typer.echo(f"{path}: [{e.code.value}] {e.message}", err=True)
            continue
        if json_out:
            sys.stdout.write(report.model_dump_json(by_alias=True) + "\n")
            sys.stdout.flush()
        else:
            _print_human(report)
    if failed and failed == len(paths) and not json_out:
        typer.echo(f"Không kiểm tra được tệp nào ({failed} tệp lỗi).", err=True)


def _print_human(report: object) -> None:
    from service.schema.report import CheckReport

    assert isinstance(report, CheckReport)
    m = report.record.meeting
    typer.echo(f"== {report.source}")
    typer.echo(f"   {m.chi_bo or '(không rõ chi bộ)'} · {m.date or '(không rõ ngày)'} · bộ tiêu chí {report.ruleset}")
    typer.echo(f"   Điểm {report.score.points}/100 · xếp loại {GRADE_VI[report.score.grade.value]}"
               f" · {'đầy đủ' if report.complete else 'CHƯA ĐẦY ĐỦ'}")
    for f in report.findings:
        typer.echo(f"   - {SEVERITY_VI[f.severity.value].upper()} {f.rule}: {f.message}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Địa chỉ lắng nghe.")] = None,
    port: Annotated[int | None, typer.Option(help="Cổng.")] = None,
    data_dir: Annotated[str | None, typer.Option("--data-dir", help="Thư mục dữ liệu; mặc định MINUTES_DATA_DIR "
                                                                     "hoặc ./data.")] = None,
) -> None:
    """Chạy dịch vụ HTTP (trang web, API và tài liệu OpenAPI tại /docs).

    Lần chạy đầu (chưa có người dùng) tạo tài khoản quản trị `admin` với mật khẩu ngẫu nhiên và in ra một lần.
    """
    import uvicorn

    from service.api.app import create_app
    from service.api.server import server_config
    from service.auth.console import announce_sign_in

    settings = _archive_settings(data_dir)
    host, port = host or settings.host, port or settings.port
    try:
        announce_sign_in(settings, host, port)
    except MinutesError as e:
        raise _fail(e) from e
    uvicorn.Server(server_config(create_app(settings), settings, host=host, port=port)).run()


@app.command()
def rules(json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Liệt kê các tiêu chí kiểm tra với mức độ, điểm và căn cứ."""
    from service.rules.ruleset import load_ruleset, ruleset_name_for

    rs = load_ruleset(ruleset_name_for(None))
    for spec in rs.rules.values():
        if json_out:
            typer.echo(json.dumps({"rule": spec.id, "severity": spec.severity.value, "points": spec.points,
                                   "title": spec.title, "reference": spec.reference}, ensure_ascii=False))
        else:
            typer.echo(f"{spec.id:18} {spec.severity.value:8} {spec.points:>2}  {spec.title}")


_DATA_DIR_HELP = "Thư mục dữ liệu (kho, chỉ mục); mặc định MINUTES_DATA_DIR hoặc ./data."


def _archive_settings(data_dir: str | None) -> Settings:
    from service.settings import get_settings

    settings = get_settings()
    return settings.model_copy(update={"data_dir": Path(data_dir)}) if data_dir else settings


def _fail(e: MinutesError) -> typer.Exit:
    typer.echo(f"[{e.code.value}] {e.message}", err=True)
    for line in e.errors:
        typer.echo(f"  {line}", err=True)
    return typer.Exit(2)


def _uploader(settings: Settings, store: MinutesStore, unit: str | None) -> Uploader:
    """The unit tree kept with the accounts, and the unit named by ``--unit`` (an id or "Đảng bộ X / Chi bộ Y")."""
    from service.auth.accounts import open_accounts
    from service.auth.units import uploader

    accounts = open_accounts(settings)
    try:
        return uploader(accounts.store, user=None, chosen=unit, archive_units=store.units)
    finally:
        accounts.close()


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Tệp hoặc thư mục biên bản (duyệt cả thư mục con).")],
    data_dir: Annotated[str | None, typer.Option("--data-dir", help=_DATA_DIR_HELP)] = None,
    workers: Annotated[int, typer.Option(min=1, help="Số tiến trình đọc tệp song song.")] = 2,
    json_out: Annotated[bool, typer.Option("--json", help="In kết quả từng tệp một dòng JSON.")] = False,
    progress: Annotated[bool | None, typer.Option("--progress/--no-progress",
                                                  help="Thanh tiến độ trên stderr (mặc định: khi là terminal).")
                        ] = None,
    unit: Annotated[str | None, typer.Option(
        "--unit", help="Lưu mọi biên bản vào chi bộ này: mã đơn vị hoặc “Đảng bộ … / Chi bộ …”.")] = None,
) -> None:
    """Nạp biên bản vào kho và cập nhật chỉ mục; chạy lại sẽ bỏ qua tệp đã nạp.

    Tên đơn vị trong biên bản được đối chiếu với cây đơn vị (không phân biệt dấu, chấp nhận lỗi
    nhận dạng chữ); khi cây đơn vị có đơn vị mà biên bản ghi đơn vị lạ, tệp bị từ chối
    (UNIT_UNKNOWN) thay vì tạo đơn vị mới: dùng --unit.
    """
    from service.archive.console import run_ingest

    settings = _archive_settings(data_dir)
    show = sys.stderr.isatty() if progress is None else progress
    try:
        with _upload_log(settings, unit) as audit:
            code = run_ingest(paths, settings, workers=workers, json_out=json_out, progress=show,
                              uploader=lambda store: _uploader(settings, store, unit), audit=audit)
    except MinutesError as e:
        raise _fail(e) from e
    raise typer.Exit(code)


@contextmanager
def _upload_log(settings: Settings, unit: str | None) -> Iterator[Callable[[MinutesStore, FileResult], None]]:
    """Each file's outcome into the audit log, as the upload page logs it, by the system user at the command line.

    A refused file is filed under the unit chosen with ``--unit`` (when given by its id).
    """

    from service.auth.accounts import open_accounts
    from service.auth.audit import console_actor, upload_detail, write_event
    from service.auth.units import UNIT_ID

    chosen = unit if unit and UNIT_ID.match(unit) else None
    actor = console_actor()
    accounts = open_accounts(settings)

    def log(store: MinutesStore, r: FileResult) -> None:
        if r.status == "failed":
            write_event(accounts, settings.data_dir, "upload", user=None, actor=actor, target=os.path.basename(r.path),
                        ok=False, unit_id=chosen, detail={"code": r.code})
        else:
            write_event(accounts, settings.data_dir, "upload", user=None, actor=actor, store=store,
                        minute_id=r.minute_id, detail=upload_detail(r, os.path.basename(r.path)))

    try:
        yield log
    finally:
        accounts.close()


@app.command()
def reindex(
    data_dir: Annotated[str | None, typer.Option("--data-dir", help=_DATA_DIR_HELP)] = None,
    check_only: Annotated[bool, typer.Option("--check", help="Chỉ so sánh kho với chỉ mục, không ghi gì.")] = False,
) -> None:
    """Dựng lại chỉ mục tìm kiếm từ kho biên bản."""
    from service.archive.console import run_reindex

    try:
        code = run_reindex(_archive_settings(data_dir), check_only=check_only)
    except MinutesError as e:
        raise _fail(e) from e
    raise typer.Exit(code)


@app.command("recover-store")
def recover_store(
    data_dir: Annotated[str | None, typer.Option("--data-dir", help=_DATA_DIR_HELP)] = None,
    out: Annotated[str | None, typer.Option(help="Tệp mới nhận dữ liệu cứu được (mặc định: bên cạnh tệp kho).")] = None,
) -> None:
    """Cứu dữ liệu của kho SQLite bị hỏng sang một tệp mới (tệp hỏng giữ nguyên)."""
    import time

    from service.archive.recovery import recover

    settings = _archive_settings(data_dir)
    url = settings.archive_url()
    if not url.startswith("sqlite:///"):
        raise _fail(MinutesError(ErrorCode.INVALID_STORE_URL, "Lệnh này chỉ dành cho kho SQLite; PostgreSQL có "
                                                               "công cụ sao lưu, khôi phục riêng."))
    src = Path(url.removeprefix("sqlite:///"))
    target = Path(out) if out else src.with_name(f"{src.stem}-recovered-{time.strftime('%Y%m%d-%H%M%S')}.sqlite3")
    try:
        got = recover(src, target)
    except MinutesError as e:
        raise _fail(e) from e
    typer.echo(f"Đã cứu dữ liệu sang {got.path} ({got.method}):", err=True)
    for table, n in sorted(got.rows.items()):
        typer.echo(f"  {table}: {n} dòng", err=True)
    if got.skipped:
        typer.echo(f"  {got.skipped} đoạn dữ liệu không đọc được đã bỏ qua.", err=True)
    typer.echo(f"Tiếp theo: dừng dịch vụ; đổi tên {src} thành {src.name}.hong (giữ lại); đổi tên {got.path.name} "
               f"thành {src.name}; chạy `minutes reindex` rồi `minutes serve`.", err=True)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Nội dung cần tìm, có dấu hoặc không dấu.")],
    mode: Annotated[str, typer.Option(help="hybrid (mặc định), dense (ngữ nghĩa) hoặc sparse (từ khóa).")
                    ] = "hybrid",
    dang_bo: Annotated[str | None, typer.Option("--dang-bo", help="Chỉ tìm trong đảng bộ này.")] = None,
    chi_bo: Annotated[str | None, typer.Option("--chi-bo", help="Chỉ tìm trong chi bộ này.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Từ ngày (YYYY, YYYY-MM, YYYY-MM-DD).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Đến ngày (YYYY, YYYY-MM, YYYY-MM-DD).")] = None,
    meeting_type: Annotated[str | None, typer.Option("--type", help="Loại buổi sinh hoạt, ví dụ thuong_ky.")
                            ] = None,
    section: Annotated[str | None, typer.Option(help="Phần biên bản: resolution, criticism, discussion, "
                                                     "report, conclusion.")] = None,
    rule: Annotated[str | None, typer.Option(help="Chỉ những biên bản vi phạm tiêu chí này, ví dụ RES-VOTE.")
                    ] = None,
    grade: Annotated[str | None, typer.Option(help="Chỉ những biên bản xếp loại: tot, kha, trung_binh, kem.")] = None,
    group: Annotated[bool, typer.Option("--group", help="Mỗi biên bản một kết quả (đoạn khớp nhất).")] = False,
    limit: Annotated[int, typer.Option(help="Số kết quả.")] = 10,
    offset: Annotated[int, typer.Option(help="Bỏ qua bao nhiêu kết quả đầu.")] = 0,
    data_dir: Annotated[str | None, typer.Option("--data-dir", help=_DATA_DIR_HELP)] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Mỗi kết quả một dòng JSON (JSON Lines).")] = False,
) -> None:
    """Tìm trong kho biên bản theo nội dung (kết hợp ngữ nghĩa và từ khóa)."""
    from service.archive.search import SearchRequest
    from service.archive.search_console import run_search

    if mode not in ("hybrid", "dense", "sparse"):
        raise _fail(MinutesError(ErrorCode.INVALID_QUERY, "Chế độ tìm phải là hybrid, dense hoặc sparse."))
    req = SearchRequest(text=query, mode=mode, dang_bo=dang_bo, chi_bo=chi_bo,  # type: ignore[arg-type]
                        date_from=date_from, date_to=date_to, meeting_type=meeting_type, section=section, rule=rule,
                        grade=grade, group=group, limit=limit, offset=offset)
    try:
        code = run_search(req, _archive_settings(data_dir), json_out=json_out)
    except MinutesError as e:
        raise _fail(e) from e
    raise typer.Exit(code)


@app.command()
def audit(
    unit: Annotated[str, typer.Argument(help="Tên chi bộ hoặc mã đơn vị.")],
    dang_bo: Annotated[str | None, typer.Option("--dang-bo", help="Đảng bộ, khi tên chi bộ trùng nhau.")] = None,
    period_from: Annotated[str | None, typer.Option("--from", help="Từ tháng (YYYY-MM).")] = None,
    period_to: Annotated[str | None, typer.Option("--to", help="Đến tháng (YYYY-MM).")] = None,
    data_dir: Annotated[str | None, typer.Option("--data-dir", help=_DATA_DIR_HELP)] = None,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Kiểm tra kho biên bản của một chi bộ theo thời gian (các tiêu chí ARC-*)."""
    from service.archive.console import run_audit

    try:
        code = run_audit(unit, _archive_settings(data_dir), dang_bo=dang_bo,
                         period_from=period_from, period_to=period_to, json_out=json_out)
    except MinutesError as e:
        raise _fail(e) from e
    raise typer.Exit(code)


@app.command()
def status(
    period: Annotated[str | None, typer.Option("--period", help="Tháng (YYYY-MM); mặc định tháng này.")] = None,
    reminders: Annotated[bool, typer.Option("--reminders", help="Chỉ những chi bộ cần nhắc (chưa nộp, bị trả lại, "
                                                                "thiếu chuyên đề).")] = False,
    csv_out: Annotated[bool, typer.Option("--csv", help="In dạng CSV (UTF-8) để mở bằng Excel.")] = False,
    data_dir: Annotated[str | None, typer.Option("--data-dir", help=_DATA_DIR_HELP)] = None,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Tình hình nộp biên bản của một tháng: mỗi chi bộ đã nộp, bị trả lại, đã duyệt hay chưa nộp."""
    from service.archive.archive import open_archive
    from service.auth.accounts import open_accounts
    from service.exports import to_csv
    from service.review.submissions import (
        REMINDER_COLUMNS,
        known_units,
        reminder_rows,
        submissions,
        this_month,
    )

    settings = _archive_settings(data_dir)
    try:
        archive = open_archive(settings)
        accounts = open_accounts(settings)
        try:
            result = submissions(archive, period or this_month(), known=known_units(accounts.store))
        finally:
            accounts.close()
            archive.close()
    except MinutesError as e:
        raise _fail(e) from e
    if json_out:
        sys.stdout.write(result.model_dump_json() + "\n")
        return
    if csv_out:
        sys.stdout.buffer.write(to_csv(REMINDER_COLUMNS, reminder_rows(result)))
        return
    units = result.reminders() if reminders else result.units
    typer.echo(f"== Tháng {result.period} ({result.quarter}): {len(result.units)} chi bộ · "
               + " · ".join(f"{SUBMISSION_STATE_VI[k]} {result.counts[k]}" for k in SUBMISSION_STATE_VI)
               + f" · thiếu chuyên đề {result.counts['thematic_missing']}")
    for u in units:
        thematic = {True: "", False: " · chưa có chuyên đề trong quý", None: ""}[u.thematic]
        clerks = f" · văn thư: {', '.join(u.clerks)}" if u.clerks else ""
        typer.echo(f"   {SUBMISSION_STATE_VI[u.state]:<22} {u.chi_bo or u.unit_id} — {u.dang_bo or ''}"
                   f"{' · ' + u.date if u.date else ''}{thematic}{clerks}")


from service.auth.console import keys_app, users_app  # noqa: E402 - after the commands above, in help order

app.add_typer(users_app, name="users")
app.add_typer(keys_app, name="keys")


def main() -> None:
    """Run the `minutes` command (the console script's entry point)."""
    app()


if __name__ == "__main__":
    main()
