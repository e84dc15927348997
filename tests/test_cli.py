import json

from typer.testing import CliRunner

from service.cli import app

runner = CliRunner()

MINUTE = "CHI BỘ THÔN A\nBIÊN BẢN SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 3 NĂM 2024\nChủ trì: đồng chí Nguyễn Văn An.\n"


def test_json_lines_in_input_order_and_bad_files_reported_on_stderr(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text(MINUTE, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"   \n")
    binary = tmp_path / "scan.bin"
    binary.write_bytes(bytes(range(256)) * 4)
    b = tmp_path / "b.txt"
    b.write_text(MINUTE.replace("THÔN A", "THÔN B"), encoding="utf-8")
    res = runner.invoke(app, ["check", str(a), str(empty), str(tmp_path / "missing.txt"), str(binary), str(b), "--json"])
    assert res.exit_code == 0
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert [x["source"] for x in lines] == [str(a), str(b)]
    assert lines[1]["record"]["meeting"]["chi_bo"].upper() == "CHI BỘ THÔN B"
    assert "[EMPTY_INPUT]" in res.stderr and "[FILE_NOT_FOUND]" in res.stderr and "[NOT_TEXT]" in res.stderr


def test_human_output_is_vietnamese(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text(MINUTE, encoding="utf-8")
    res = runner.invoke(app, ["check", str(a)])
    assert res.exit_code == 0
    assert "xếp loại" in res.stdout and "TIME-START" in res.stdout


def test_rules_listing():
    res = runner.invoke(app, ["rules", "--json"])
    assert res.exit_code == 0
    rows = [json.loads(x) for x in res.stdout.splitlines()]
    assert len(rows) == 31 and sum(r["points"] for r in rows) == 100
