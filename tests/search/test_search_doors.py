"""The search doors: GET /v1/search and `minutes search`, on a real archive with the embedded index."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.api.app import create_app
from service.archive.archive import open_archive
from service.cli import app as cli_app
from service.settings import SearchSettings, Settings, get_settings
from tests.archive.factory import make_minute

MINUTES = {
    "lua.txt": make_minute(chi_bo="Chi bộ Thôn Đông", day=date(2024, 3, 5),
                           topic="chuyển đổi đất trồng lúa kém hiệu quả sang trồng cây ăn quả"),
    "duong.txt": make_minute(chi_bo="Chi bộ Thôn Tây", day=date(2023, 6, 10),
                             topic="bê tông hóa đường giao thông nông thôn, nhân dân hiến đất",
                             criticism="Chi bộ phê bình đồng chí Lê Văn Nam vắng sinh hoạt ba tháng không lý do."),
    "bhyt.txt": make_minute(chi_bo="Chi bộ Xóm Bến", dang_bo="Đảng bộ xã Bình Minh", day=date(2025, 1, 20),
                            topic="vận động nhân dân tham gia bảo hiểm y tế"),
}


def _settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, search=SearchSettings(backend="edge", embedder="hash"))


@pytest.fixture()
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(_settings(tmp_path))) as c:
        r = c.post("/v1/minutes", files=[("file", (n, t.encode(), "text/plain")) for n, t in MINUTES.items()])
        assert r.status_code == 201, r.text
        yield c


def _error(resp: Any, status: int, code: str) -> None:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["ok"] is False and body["code"] == code and body["error"]


def test_search_finds_the_minute_and_describes_the_hit(client: TestClient) -> None:
    r = client.get("/v1/search", params={"q": "chuyển đổi đất trồng lúa"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ok"] is True and body["mode"] == "hybrid" and body["count"] == len(body["data"]) > 0
    top = body["data"][0]
    assert top["file_name"] == "lua.txt" and top["chi_bo"] == "Chi bộ Thôn Đông" and top["date"] == "2024-03-05"
    assert top["section"] in ("resolution", "report", "discussion", "conclusion", "criticism")
    a, b = top["span"]
    assert b - a == len(top["snippet"])
    marked = [top["snippet"][x:y].lower() for x, y in top["highlights"]]
    assert any("lúa" in m for m in marked)
    minute = client.get(f"/v1/minutes/{top['minute_id']}/text")  # the normalised text the span points into
    assert minute.status_code == 200 and minute.text[a:b] == top["snippet"]


def test_query_without_diacritics_and_each_mode(client: TestClient) -> None:
    for mode in ("hybrid", "dense", "sparse"):
        r = client.get("/v1/search", params={"q": "bao hiem y te", "mode": mode})
        assert r.status_code == 200 and r.json()["data"][0]["file_name"] == "bhyt.txt", mode


def test_filters_and_paging(client: TestClient) -> None:
    def files(**params: Any) -> set[str]:
        r = client.get("/v1/search", params={"q": "chi bộ", "limit": 50, **params})
        assert r.status_code == 200, r.text
        return {h["file_name"] for h in r.json()["data"]}

    assert files() == set(MINUTES)
    assert files(chi_bo="Thôn Tây") == {"duong.txt"}
    assert files(dang_bo="ĐẢNG BỘ XÃ BÌNH MINH") == {"bhyt.txt"}
    assert files(date_from="2024", date_to="2024-12-31") == {"lua.txt"}
    criticism = client.get("/v1/search", params={"q": "phê bình", "limit": 50, "section": "criticism"}).json()["data"]
    assert criticism and all(h["section"] == "criticism" for h in criticism)
    assert {h["file_name"] for h in criticism} <= set(MINUTES)
    page1 = client.get("/v1/search", params={"q": "chi bộ", "limit": 2}).json()
    page2 = client.get("/v1/search", params={"q": "chi bộ", "limit": 2, "offset": 2}).json()
    assert page1["next_offset"] == 2 and page2["offset"] == 2
    assert not {h["chunk_id"] for h in page1["data"]} & {h["chunk_id"] for h in page2["data"]}


def test_bad_search_input_gets_a_coded_error(client: TestClient) -> None:
    _error(client.get("/v1/search", params={"q": "  "}), 422, "INVALID_QUERY")
    _error(client.get("/v1/search", params={"q": "x" * 501}), 422, "INVALID_QUERY")
    _error(client.get("/v1/search", params={"q": "lúa", "mode": "fuzzy"}), 422, "INVALID_BODY")
    _error(client.get("/v1/search", params={"q": "lúa", "section": "opening"}), 422, "INVALID_FILTER")
    _error(client.get("/v1/search", params={"q": "lúa", "meeting_type": "họp"}), 422, "INVALID_FILTER")
    _error(client.get("/v1/search", params={"q": "lúa", "date_from": "05/03/2024"}), 400, "INVALID_FILTER")
    _error(client.get("/v1/search", params={"q": "lúa", "limit": 0}), 422, "INVALID_BODY")


@pytest.fixture()
def hash_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The CLI reads settings from the environment, through a cached get_settings()."""
    env = {"MINUTES_SEARCH__BACKEND": "edge", "MINUTES_SEARCH__EMBEDDER": "hash"}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    yield env
    get_settings.cache_clear()


def test_cli_search_prints_json_lines(tmp_path: Path, hash_env: dict[str, str]) -> None:
    settings = _settings(tmp_path)
    archive = open_archive(settings)
    try:
        for name, text in MINUTES.items():
            archive.ingest_bytes(text.encode(), name)
        archive.indexer.drain()
    finally:
        archive.close()
    runner = CliRunner()
    env = hash_env
    res = runner.invoke(cli_app, ["search", "phê bình vắng sinh hoạt", "--json", "--data-dir", str(tmp_path),
                                  "--limit", "3"], env=env)
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.splitlines() if x.strip()]
    assert 1 <= len(lines) <= 3
    for hit in lines:
        assert {"minute_id", "file_name", "chi_bo", "date", "section", "snippet", "score"} <= set(hit)
    assert lines[0]["file_name"] == "duong.txt" and lines[0]["section"] == "criticism"
    text = runner.invoke(cli_app, ["search", "bảo hiểm y tế", "--data-dir", str(tmp_path)], env=env)
    assert text.exit_code == 0 and "bhyt.txt" in text.stdout and "[" in text.stdout
    bad = runner.invoke(cli_app, ["search", "lúa", "--mode", "fuzzy", "--data-dir", str(tmp_path)], env=env)
    assert bad.exit_code == 2 and "INVALID_QUERY" in bad.output
    empty = runner.invoke(cli_app, ["search", " ", "--data-dir", str(tmp_path)], env=env)
    assert empty.exit_code == 2 and "INVALID_QUERY" in empty.output


def _search(client: TestClient, **params: Any) -> dict[str, Any]:
    r = client.get("/v1/search", params={"limit": 50, **params})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_search_never_shows_a_superseded_or_deleted_minute(client: TestClient) -> None:
    before = _search(client, q="chuyển đổi đất trồng lúa")
    old = next(h["minute_id"] for h in before["data"] if h["file_name"] == "lua.txt")
    corrected = make_minute(chi_bo="Chi bộ Thôn Đông", day=date(2024, 3, 5),
                            topic="chuyển đổi đất trồng lúa kém hiệu quả sang trồng cây ăn quả",
                            note="Bổ sung: đã trồng thử 2 ha dưa hấu.")
    r = client.post("/v1/minutes", files=[("file", ("lua-v2.txt", corrected.encode(), "text/plain"))])
    assert r.status_code == 201, r.text
    after = _search(client, q="chuyển đổi đất trồng lúa")
    shown = {h["minute_id"] for h in after["data"]}
    assert old not in shown and any(h["file_name"] == "lua-v2.txt" for h in after["data"])
    assert after["total"] == len(after["data"])
    bhyt = next(h["minute_id"] for h in _search(client, q="bảo hiểm y tế")["data"] if h["file_name"] == "bhyt.txt")
    assert client.delete(f"/v1/minutes/{bhyt}").status_code == 200
    assert bhyt not in {h["minute_id"] for h in _search(client, q="bảo hiểm y tế")["data"]}


def test_total_grouping_and_a_page_past_the_end(client: TestClient) -> None:
    every = _search(client, q="chi bộ")
    assert every["total"] == every["count"] == len(every["data"]) > len(MINUTES)
    grouped = _search(client, q="chi bộ", group=True)
    ids = [h["minute_id"] for h in grouped["data"]]
    assert len(ids) == len(set(ids)) == grouped["total"] == len(MINUTES)
    small = _search(client, q="chi bộ", limit=2)
    assert small["count"] == 2 and small["total"] == every["total"] and small["next_offset"] == 2
    past = _search(client, q="chi bộ", offset=every["total"] + 5)
    assert past["data"] == [] and past["total"] == every["total"] and "trang này" in past["message"]
    none = _search(client, q="xyzzy qwerty")
    assert none["data"] == [] or none["total"] == len(none["data"])


def test_filters_on_findings_and_grade_and_resolution_details(client: TestClient) -> None:
    absent = make_minute(chi_bo="Chi bộ Thôn Nam", day=date(2024, 5, 7), unexcused=["Lê Văn Tư"],
                         topic="nạo vét kênh mương nội đồng")
    assert client.post("/v1/minutes", files=[("file", ("vang.txt", absent.encode(), "text/plain"))]).status_code == 201
    by_rule = _search(client, q="chi bộ", rule="att-unexcused")
    assert by_rule["data"] and {h["file_name"] for h in by_rule["data"]} == {"vang.txt"}
    graded = _search(client, q="chi bộ", grade="tot")
    assert graded["data"] and all(h["grade"] == "tot" for h in graded["data"])
    _error(client.get("/v1/search", params={"q": "lúa", "rule": "NO-SUCH-RULE"}), 422, "INVALID_FILTER")
    _error(client.get("/v1/search", params={"q": "lúa", "grade": "xuất sắc"}), 422, "INVALID_FILTER")
    res = _search(client, q="vận động thêm 10 hộ", section="resolution", chi_bo="Thôn Đông")
    hit = res["data"][0]
    assert hit["meeting_type"] == "thuong_ky" and hit["vote"]["for"] == 15
    assert {t["assignee"] for t in hit["tasks"]} >= {"Lê Văn Nam"}


def test_odd_queries_get_an_answer_not_a_crash(client: TestClient) -> None:
    for q in ("x", "title:lúa AND đảng*", "'; DROP TABLE minutes; --", "lúa " * 120, "membership fees",
              "chuyen doi dat trong lua"):
        r = client.get("/v1/search", params={"q": q})
        assert r.status_code == 200, (q, r.text)
    _error(client.get("/v1/search", params={"q": "😀🎉"}), 422, "INVALID_QUERY")
    _error(client.get("/v1/search", params={"q": "lúa", "offset": 5000}), 422, "INVALID_BODY")
    _error(client.get("/v1/search", params={"q": "lúa", "unknown_filter": "x", "limit": "mười"}), 422,
           "INVALID_BODY")


def test_unaccented_query_reports_its_reading_and_marks_the_accented_words(client: TestClient) -> None:
    body = _search(client, q="chuyen doi dat trong lua")
    assert body["language"] == "vi-ascii" and body["restored"] and "chuyển đổi" in body["restored"]
    top = body["data"][0]
    marked = [top["snippet"][a:b].lower() for a, b in top["highlights"]]
    assert any("chuyển đổi" in m for m in marked)
