"""The archive doors: /v1/minutes and /v1/units, through the real app on a temporary data directory."""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import Request
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.schema.units import Scope, unit_key
from service.search.memory import MemoryIndex
from service.settings import SearchSettings, Settings
from tests.archive.factory import make_minute


def _settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, search=SearchSettings(backend="memory"))


def _bytes(**kw: Any) -> bytes:
    return make_minute(**kw).encode("utf-8")


@pytest.fixture()
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(_settings(tmp_path))) as c:
        yield c


def _assert_error(resp: Any, status: int, code: str) -> None:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["ok"] is False and body["status"] == status and body["code"] == code
    assert isinstance(body["error"], str) and body["error"]


def _upload(client: TestClient, *files: tuple[str, bytes]) -> Any:
    return client.post("/v1/minutes", files=[("file", (name, data, "text/plain")) for name, data in files])


def _indexed(client: TestClient) -> set[str]:
    index = client.app.state.index  # type: ignore[attr-defined]
    assert isinstance(index, MemoryIndex)
    return index.minute_ids()


def test_upload_then_read_every_view(client: TestClient) -> None:
    data = _bytes()
    r = _upload(client, ("Biên bản tháng 3.txt", data))
    assert r.status_code == 201, r.text
    body = r.json()
    mid = hashlib.sha256(data).hexdigest()
    assert body["ok"] and body["stored"] == 1 and body["data"][0] == {
        "file_name": "Biên bản tháng 3.txt", "status": "stored", "id": mid, "replaced": None, "code": None,
        "message": None, "note": None}

    detail = client.get(f"/v1/minutes/{mid}").json()["data"]
    assert detail["summary"]["chi_bo"] == "Chi bộ Thôn Đông Hòa" and detail["summary"]["date"] == "2024-03-05"
    assert detail["report"]["record"]["meeting"]["secretary"]["name"] == "Phạm Thị Lan"
    assert [v["id"] for v in detail["versions"]] == [mid]

    text = client.get(f"/v1/minutes/{mid}/text")
    assert text.headers["content-type"].startswith("text/plain") and "BIÊN BẢN" in text.text
    report = client.get(f"/v1/minutes/{mid}/report", params={"include_text": True}).json()
    assert report["text"]["content"] == text.text
    for f in report["findings"]:
        if f["span"]:
            assert 0 <= f["span"][0] <= f["span"][1] <= len(text.text)
    assert client.get(f"/v1/minutes/{mid}/record").json()["meeting"]["date"] == "2024-03-05"

    original = client.get(f"/v1/minutes/{mid}/original")
    assert original.content == data and original.headers["content-type"].startswith("text/plain")
    assert "filename*=UTF-8''Bi%C3%AAn%20b%E1%BA%A3n" in original.headers["content-disposition"]
    assert mid in _indexed(client), "the upload reaches the search index"


def test_the_same_file_again_is_not_stored_twice(client: TestClient) -> None:
    data = _bytes()
    assert _upload(client, ("a.txt", data)).status_code == 201
    again = _upload(client, ("copy.txt", data))
    assert again.status_code == 200 and again.json()["data"][0]["status"] == "duplicate"
    assert client.get("/v1/minutes").json()["count"] == 1


def test_many_files_in_one_request_and_one_bad_file(client: TestClient) -> None:
    r = _upload(client, ("1.txt", _bytes(day=date(2024, 1, 5))), ("hong.docx", b"\x00\x01\x02" * 100),
                ("2.txt", _bytes(day=date(2024, 2, 5))), ("rong.txt", b" \n"),
                ("english.txt", b"Minutes of the board meeting: the budget was approved by all members."))
    assert r.status_code == 201
    body = r.json()
    assert (body["count"], body["stored"], body["failed"]) == (5, 2, 3)
    assert [(o["file_name"], o["status"], o["code"]) for o in body["data"]] == [
        ("1.txt", "stored", None), ("hong.docx", "failed", "NOT_TEXT"), ("2.txt", "stored", None),
        ("rong.txt", "failed", "EMPTY_INPUT"), ("english.txt", "failed", "NOT_MINUTES")]
    assert all(o["message"] for o in body["data"] if o["status"] == "failed")


def test_upload_errors_have_the_error_shape(client: TestClient) -> None:
    _assert_error(_upload(client, ("hong.txt", b"\x00\x01" * 100)), 422, "NOT_TEXT")
    _assert_error(client.post("/v1/minutes", content=b"abc", headers={"content-type": "text/plain"}), 415,
                  "UNSUPPORTED_MEDIA_TYPE")
    _assert_error(client.post("/v1/minutes", data={"note": "x"}, files={"other": ("a.txt", b"x")}), 422,
                  "INVALID_BODY")
    _assert_error(client.get("/v1/minutes/" + "0" * 64), 404, "MINUTE_NOT_FOUND")
    _assert_error(client.get("/v1/minutes/" + "0" * 64 + "/original"), 404, "MINUTE_NOT_FOUND")
    _assert_error(client.delete("/v1/minutes/" + "0" * 64), 404, "MINUTE_NOT_FOUND")
    _assert_error(client.get("/v1/minutes", params={"period": "2024-13"}), 422, "INVALID_BODY")
    _assert_error(client.get("/v1/minutes", params={"limit": 0}), 422, "INVALID_BODY")
    _assert_error(client.get("/v1/minutes", params={"type": "party"}), 422, "INVALID_BODY")


def test_list_filters_and_paging(client: TestClient) -> None:
    _upload(client, ("a.txt", _bytes(day=date(2023, 12, 5))), ("b.txt", _bytes(day=date(2024, 1, 5))),
            ("c.txt", _bytes(day=date(2024, 2, 5), kind="chuyen_de")),
            ("d.txt", _bytes(day=date(2024, 3, 5), unexcused=["Hà Văn Sáu"])),
            ("e.txt", _bytes(day=date(2024, 3, 6), chi_bo="Chi bộ Thôn Tây", dang_bo="Đảng bộ xã Bình An")))

    def names(**params: Any) -> list[str]:
        r = client.get("/v1/minutes", params=params)
        assert r.status_code == 200, r.text
        return [m["file_name"] for m in r.json()["data"]]

    assert names() == ["e.txt", "d.txt", "c.txt", "b.txt", "a.txt"]
    assert names(period="2024") == ["e.txt", "d.txt", "c.txt", "b.txt"]
    assert names(period="2023-12") == ["a.txt"]
    assert names(dang_bo="đảng bộ xã bình an") == ["e.txt"]
    assert names(chi_bo="Thôn Đông Hòa", date_from="2024-01-01", date_to="2024-02-29") == ["c.txt", "b.txt"]
    assert names(type="chuyen_de") == ["c.txt"]
    assert names(rule="ATT-UNEXCUSED") == ["d.txt"]
    graded = client.get("/v1/minutes", params={"grade": "tot"}).json()["data"]
    assert graded and {m["grade"] for m in graded} == {"tot"}
    page = client.get("/v1/minutes", params={"limit": 2, "offset": 2}).json()
    assert page["count"] == 5 and (page["limit"], page["offset"]) == (2, 2)
    assert [m["file_name"] for m in page["data"]] == ["c.txt", "b.txt"]


def test_a_correction_replaces_and_deleting_it_brings_back_the_old(client: TestClient) -> None:
    old = _upload(client, ("v1.txt", _bytes())).json()["data"][0]["id"]
    new = _upload(client, ("v2.txt", _bytes(note="Bổ sung số liệu."))).json()["data"][0]
    assert new["status"] == "replaced" and new["replaced"] == old
    assert [m["id"] for m in client.get("/v1/minutes").json()["data"]] == [new["id"]]
    assert client.get("/v1/minutes", params={"include_superseded": True}).json()["count"] == 2
    versions = client.get(f"/v1/minutes/{new['id']}").json()["data"]["versions"]
    assert [(v["id"], v["version"], v["current"]) for v in versions] == [(old, 1, False), (new["id"], 2, True)]
    assert _indexed(client) == {new["id"]}

    gone = client.delete(f"/v1/minutes/{new['id']}")
    assert gone.status_code == 200 and gone.json() == {"ok": True, "deleted": new["id"], "restored": old}
    _assert_error(client.get(f"/v1/minutes/{new['id']}"), 404, "MINUTE_NOT_FOUND")
    assert client.get(f"/v1/minutes/{old}").json()["data"]["summary"]["current"] is True
    assert _indexed(client) == {old}


def test_units_and_their_audit(client: TestClient) -> None:
    _upload(client, *[(f"{m}.txt", _bytes(day=date(2024, m, 5))) for m in (1, 2, 4)])
    _upload(client, ("x.txt", _bytes(day=date(2024, 1, 5), dang_bo="Đảng bộ xã Bình An")))
    units = client.get("/v1/units").json()
    assert units["count"] == 2
    uid = next(u["unit_id"] for u in units["data"] if u["dang_bo"] == "ĐẢNG BỘ XÃ AN PHÚ")
    audit = client.get(f"/v1/units/{uid}/audit").json()["data"]
    assert audit["minutes"] == 3 and audit["period_from"] == "2024-01" and audit["period_to"] == "2024-04"
    assert [(f["rule"], f["period"]) for f in audit["findings"] if f["rule"] == "ARC-MONTHLY-GAP"] == [
        ("ARC-MONTHLY-GAP", "2024-03")]
    by_name = client.get("/v1/units/Thôn Đông Hòa/audit", params={"dang_bo": "Đảng bộ xã An Phú"})
    assert by_name.status_code == 200 and by_name.json()["data"]["unit_id"] == uid
    _assert_error(client.get("/v1/units/Thôn Đông Hòa/audit"), 409, "AMBIGUOUS_UNIT")
    _assert_error(client.get("/v1/units/Thôn Không Có/audit"), 404, "UNIT_NOT_FOUND")
    _assert_error(client.get(f"/v1/units/{uid}/audit", params={"from": "2024"}), 422, "INVALID_BODY")
    narrowed = client.get(f"/v1/units/{uid}/audit", params={"from": "2024-01", "to": "2024-02"}).json()["data"]
    assert narrowed["minutes"] == 2 and not [f for f in narrowed["findings"] if f["rule"] == "ARC-MONTHLY-GAP"]


def test_a_scope_set_by_middleware_limits_every_door(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path))
    allowed = Scope(dang_bo=frozenset({unit_key("Đảng bộ xã An Phú", "dang_bo") or ""}))

    @app.middleware("http")
    async def scoped(request: Request, call_next: Callable[[Request], Any]) -> Any:
        if request.headers.get("x-test-scope"):
            request.state.scope = allowed
        return await call_next(request)

    with TestClient(app) as client:
        body = _upload(client, ("a.txt", _bytes()), ("b.txt", _bytes(dang_bo="Đảng bộ xã Bình An"))).json()
        a, b = (o["id"] for o in body["data"])
        h = {"x-test-scope": "1"}
        assert [m["id"] for m in client.get("/v1/minutes", headers=h).json()["data"]] == [a]
        _assert_error(client.get(f"/v1/minutes/{b}", headers=h), 404, "MINUTE_NOT_FOUND")
        _assert_error(client.get(f"/v1/minutes/{b}/original", headers=h), 404, "MINUTE_NOT_FOUND")
        _assert_error(client.delete(f"/v1/minutes/{b}", headers=h), 404, "MINUTE_NOT_FOUND")
        assert client.get("/v1/units", headers=h).json()["count"] == 1
        assert client.get("/v1/minutes").json()["count"] == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_concurrent_uploads_of_one_file_over_http_store_it_once(tmp_path: Path) -> None:
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(_settings(tmp_path)), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    data = _bytes()
    statuses: list[str] = []
    barrier = threading.Barrier(8)

    def post() -> None:
        barrier.wait()
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as c:
            r = c.post("/v1/minutes", files={"file": ("a.txt", data, "text/plain")})
            statuses.append(r.json()["data"][0]["status"] if r.status_code < 300 else f"http {r.status_code}")

    try:
        threads = [threading.Thread(target=post) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as c:
            listed = c.get("/v1/minutes", params={"include_superseded": True}).json()
    finally:
        server.should_exit = True
        thread.join(timeout=20)
    assert sorted(statuses) == ["duplicate"] * 7 + ["stored"]
    assert listed["count"] == 1 and listed["data"][0]["id"] == hashlib.sha256(data).hexdigest()
