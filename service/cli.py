"""The `minutes` command: check minutes, serve the API, list the rules."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from service.errors import ErrorCode, MinutesError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Đọc và kiểm tra biên bản sinh hoạt chi bộ.")

_SEVERITY_VI = {"error": "LỖI", "warning": "CẢNH BÁO", "info": "THÔNG TIN"}
_GRADE_VI = {"tot": "Tốt", "kha": "Khá", "trung_binh": "Trung bình", "kem": "Kém"}


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
    paths: Annotated[list[str], typer.Argument(help="Tệp biên bản (.txt); '-' đọc từ đầu vào chuẩn.")],
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
    typer.echo(f"   Điểm {report.score.points}/100 · xếp loại {_GRADE_VI[report.score.grade.value]}"
               f" · {'đầy đủ' if report.complete else 'CHƯA ĐẦY ĐỦ'}")
    for f in report.findings:
        typer.echo(f"   - {_SEVERITY_VI[f.severity.value]} {f.rule}: {f.message}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Địa chỉ lắng nghe.")] = None,
    port: Annotated[int | None, typer.Option(help="Cổng.")] = None,
) -> None:
    """Chạy dịch vụ HTTP (API và tài liệu OpenAPI tại /docs)."""
    import uvicorn

    from service.api.app import create_app
    from service.settings import get_settings

    settings = get_settings()
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port,
                log_level="info")


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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
