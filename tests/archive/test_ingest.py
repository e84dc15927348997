from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.archive.base import MinuteFilter
from service.archive.ingest import content_id, ingest_paths
from service.archive.stores import open_store
from service.cli import app
from service.settings import Settings, get_settings
from tests.archive.factory import make_minute


@pytest.fixture(autouse=True)
def memory_index(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The CLI reads its settings from the environment: index in memory, no model."""
    monkeypatch.setenv("MINUTES_SEARCH__BACKEND", "memory")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    """A folder of minutes as a clerk's drive holds them: subfolders, a bad file, stray files."""
    root = tmp_path / "bien-ban"
    (root / "2024" / "quy-1").mkdir(parents=True)
    for m in (1, 2, 3):
        (root / "2024" / "quy-1" / f"thang-{m}.txt").write_text(make_minute(day=date(2024, m, 5)), encoding="utf-8")
    (root / "2024" / "thang-4.txt").write_text(make_minute(day=date(2024, 4, 5)), encoding="utf-8")
    (root / "2024" / "hong.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 50)
    (root / "2024" / "rong.txt").write_bytes(b"   \n")
    (root / "2024" / "ghi-chu.xlsx").write_bytes(b"PK\x03\x04\x00\x00" * 40)
    (root / ".an").mkdir()
    (root / ".an" / "x.txt").write_text(make_minute(day=date(2024, 9, 5)), encoding="utf-8")
    return root


def test_a_tree_is_walked_and_bad_files_do_not_stop_it(tree: Path, tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    summary = ingest_paths(store, [str(tree)], settings=Settings())
    by_name = {Path(r.path).name: r for r in summary.results}
    assert sorted(by_name) == ["hong.txt", "rong.txt", "thang-1.txt", "thang-2.txt", "thang-3.txt", "thang-4.txt"]
    assert by_name["hong.txt"].status == "failed" and by_name["hong.txt"].code == "NOT_TEXT"
    assert by_name["rong.txt"].status == "failed" and by_name["rong.txt"].code == "EMPTY_INPUT"
    assert by_name["thang-1.txt"].message is None and by_name["thang-1.txt"].status == "stored"
    assert summary.counts["stored"] == 4 and store.list_minutes(MinuteFilter())[1] == 4
    store.close()


def test_a_second_run_resumes_without_storing_twice(tree: Path, tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    first = tree / "2024" / "quy-1" / "thang-1.txt"
    ingest_paths(store, [str(first)], settings=Settings())
    summary = ingest_paths(store, [str(tree)], settings=Settings(), workers=2)
    statuses = {Path(r.path).name: r.status for r in summary.results}
    assert statuses["thang-1.txt"] == "duplicate"
    assert [statuses[f"thang-{m}.txt"] for m in (2, 3, 4)] == ["stored"] * 3
    assert store.list_minutes(MinuteFilter(include_superseded=True))[1] == 4
    assert store.has(content_id(first.read_bytes()))
    store.close()


def test_a_named_file_is_tried_whatever_its_suffix_and_a_missing_one_is_reported(tree: Path,
                                                                                  tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    summary = ingest_paths(store, [str(tree / "2024" / "ghi-chu.xlsx"), str(tree / "khong-co.txt")],
                           settings=Settings())
    first, missing = summary.results
    assert first.status == "failed" and first.code and first.message, "a spreadsheet is refused with a reason"
    assert (missing.status, missing.code) == ("failed", "FILE_NOT_FOUND")
    store.close()


def test_cli_ingest_prints_a_summary_by_error_code(tree: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = CliRunner().invoke(app, ["ingest", str(tree), "--data-dir", str(data), "--workers", "2", "--json",
                                      "--no-progress"])
    assert result.exit_code == 1, "a failed file makes the exit status 1"
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert len(lines) == 6 and {x["status"] for x in lines} == {"stored", "failed"}
    assert "4 lưu mới" in result.stderr and "2 lỗi" in result.stderr
    assert "[NOT_TEXT] 1 tệp" in result.stderr and "hong.txt" in result.stderr
    assert "[EMPTY_INPUT] 1 tệp" in result.stderr
    assert "Chỉ mục tìm kiếm đã cập nhật" in result.stderr
    again = CliRunner().invoke(app, ["ingest", str(tree / "2024" / "quy-1"), "--data-dir", str(data),
                                     "--no-progress"])
    assert again.exit_code == 0 and "3 đã có trong kho" in again.stderr
    check = CliRunner().invoke(app, ["reindex", "--check", "--data-dir", str(data)])
    assert check.exit_code == 0 and "khớp nhau" in check.stderr


def test_cli_reindex_and_audit(tree: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    CliRunner().invoke(app, ["ingest", str(tree / "2024"), "--data-dir", str(data), "--no-progress"])
    (data / "index" / "memory.json").unlink()
    lost = CliRunner().invoke(app, ["reindex", "--check", "--data-dir", str(data)])
    # opening the archive over an empty index queues every minute again: pending, not a mismatch
    assert lost.exit_code == 0 and "4 việc chờ" in lost.stderr and "CHƯA khớp" not in lost.stderr
    rebuilt = CliRunner().invoke(app, ["reindex", "--data-dir", str(data)])
    assert rebuilt.exit_code == 0 and "4 biên bản" in rebuilt.stderr
    assert CliRunner().invoke(app, ["reindex", "--check", "--data-dir", str(data)]).exit_code == 0
    # an index written before chunk versions were recorded: outdated, reindexing mends it
    saved = data / "index" / "memory.json"
    rows = json.loads(saved.read_text(encoding="utf-8"))
    saved.write_text(json.dumps([{k: v for k, v in r.items() if k != "version"} for r in rows]), encoding="utf-8")
    old = CliRunner().invoke(app, ["reindex", "--check", "--data-dir", str(data)])
    assert old.exit_code == 1 and "4 biên bản được cắt đoạn theo cách của phiên bản cũ" in old.stderr
    CliRunner().invoke(app, ["reindex", "--data-dir", str(data)])
    assert CliRunner().invoke(app, ["reindex", "--check", "--data-dir", str(data)]).exit_code == 0
    audit = CliRunner().invoke(app, ["audit", "Thôn Đông Hòa", "--data-dir", str(data), "--json"])
    assert audit.exit_code == 0
    body = json.loads(audit.stdout)
    assert body["period_from"] == "2024-01" and body["period_to"] == "2024-04" and body["minutes"] == 4
    missing = CliRunner().invoke(app, ["audit", "Chi bộ Không Có", "--data-dir", str(data)])
    assert missing.exit_code == 2 and "[UNIT_NOT_FOUND]" in missing.stderr
    # the month's submissions: March sent, May not; March closes a quarter without a thematic meeting
    march = CliRunner().invoke(app, ["status", "--period", "2024-03", "--data-dir", str(data)])
    assert march.exit_code == 0 and "đã nộp, chờ soát xét" in march.stdout and "Chi bộ Thôn Đông Hòa" in march.stdout
    assert "chưa có chuyên đề trong quý" in march.stdout
    may = CliRunner().invoke(app, ["status", "--period", "2024-05", "--data-dir", str(data), "--json"])
    assert [u["state"] for u in json.loads(may.stdout)["units"]] == ["missing"]
    calls = CliRunner().invoke(app, ["status", "--period", "2024-05", "--data-dir", str(data), "--csv"])
    assert calls.stdout.startswith("\ufeff") and "chưa nộp" in calls.stdout
    bad = CliRunner().invoke(app, ["status", "--period", "2024-5", "--data-dir", str(data)])
    assert bad.exit_code == 2 and "[INVALID_PERIOD]" in bad.stderr


def test_files_are_stored_while_the_index_is_down_and_indexed_later(tree: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("MINUTES_SEARCH__BACKEND", "edge")
    monkeypatch.setenv("MINUTES_SEARCH__MODEL_DIR", str(tmp_path / "no-model"))
    get_settings.cache_clear()
    down = CliRunner().invoke(app, ["ingest", str(tree / "2024" / "quy-1"), "--data-dir", str(data),
                                    "--no-progress"])
    assert down.exit_code == 0 and "3 lưu mới" in down.stderr
    assert "chưa cập nhật" in down.stderr and "3 việc chờ" in down.stderr

    monkeypatch.setenv("MINUTES_SEARCH__BACKEND", "memory")
    get_settings.cache_clear()
    up = CliRunner().invoke(app, ["ingest", str(tree / "2024" / "quy-1"), "--data-dir", str(data),
                                  "--no-progress"])
    assert up.exit_code == 0 and "3 đã có trong kho" in up.stderr and "đã cập nhật" in up.stderr
    assert CliRunner().invoke(app, ["reindex", "--check", "--data-dir", str(data)]).exit_code == 0


def test_cli_ingest_places_minutes_against_the_unit_tree(tmp_path: Path) -> None:
    data = tmp_path / "data"
    folder = tmp_path / "nap"
    folder.mkdir()
    (folder / "dong-hoa.txt").write_text(make_minute(chi_bo="CHỈ BỘ THÔN ĐÔNG HÒA"), encoding="utf-8")
    (folder / "bac-son.txt").write_text(make_minute(chi_bo="Chi bộ Thôn Bắc Sơn"), encoding="utf-8")
    runner = CliRunner()
    added = runner.invoke(app, ["users", "add", "vanthu", "--role", "clerk", "--unit",
                                "Đảng bộ xã An Phú / Chi bộ Thôn Đông Hòa", "--data-dir", str(data)])
    assert added.exit_code == 0, added.output
    result = runner.invoke(app, ["ingest", str(folder), "--data-dir", str(data), "--json", "--no-progress",
                                 "--workers", "1"])
    assert result.exit_code == 1
    rows = {Path(r["path"]).name: r for r in map(json.loads, result.stdout.splitlines())}
    assert rows["dong-hoa.txt"]["status"] == "stored" and "Chi bộ Thôn Đông Hòa" in rows["dong-hoa.txt"]["note"]
    assert rows["bac-son.txt"]["code"] == "UNIT_UNKNOWN" and "[UNIT_UNKNOWN]" in result.stderr
    again = runner.invoke(app, ["ingest", str(folder / "bac-son.txt"), "--data-dir", str(data), "--json",
                                "--no-progress", "--unit", "Đảng bộ xã An Phú / Chi bộ Thôn Bắc Sơn"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["status"] == "stored"
    store = open_store(f"sqlite:///{data / 'archive.sqlite3'}")
    try:
        assert sorted(u.chi_bo or "" for u in store.units()) == ["Chi bộ Thôn Bắc Sơn", "Chi bộ Thôn Đông Hòa"]
    finally:
        store.close()


def test_a_folder_walk_picks_up_what_the_reader_reads_and_nothing_else(tmp_path: Path) -> None:
    from service.archive.ingest import walk

    for name in ("a.txt", "b.docx", "c.doc", "d.rtf", "e.pdf", "f.png", "g.JPG", "h.tif", "i.bmp", "j.webp",
                 "k.xlsx", ".l.txt"):
        (tmp_path / name).write_bytes(b"x")
    found = sorted(Path(p).name for p, err in walk([str(tmp_path)]) if err is None)
    assert found == ["a.txt", "b.docx", "c.doc", "d.rtf", "e.pdf", "f.png", "g.JPG", "h.tif"]


def test_cli_ingest_writes_each_file_to_the_audit_log_as_the_upload_page_does(tree: Path, tmp_path: Path) -> None:
    from service.auth.accounts import open_accounts

    data = tmp_path / "data"
    result = CliRunner().invoke(app, ["ingest", str(tree / "2024"), "--data-dir", str(data), "--no-progress"])
    assert result.exit_code == 1
    settings = Settings(data_dir=data, search={"backend": "memory"})
    accounts = open_accounts(settings)
    try:
        events, total = accounts.store.events(scope=None, action="upload")
    finally:
        accounts.close()
    assert total == 6
    stored = [e for e in events if e.ok]
    failed = {e.target: e for e in events if not e.ok}  # the file name, as the upload page logs it
    assert len(stored) == 4 and all(e.actor and e.actor.endswith("(dòng lệnh)") for e in events)
    assert all(e.detail and e.detail["status"] == "stored" and e.unit_id for e in stored), "filed under the minute's unit"
    assert {e.detail["file_name"] for e in stored if e.detail} == {"thang-1.txt", "thang-2.txt", "thang-3.txt",
                                                                   "thang-4.txt"}
    assert failed["hong.txt"].detail == {"code": "NOT_TEXT"} and failed["rong.txt"].detail == {"code": "EMPTY_INPUT"}
