"""Bad input and abuse: oversized uploads, wrong types, forged unit ids, expired credentials, brute force."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from unittest import mock

import pytest
from fastapi.testclient import TestClient

from service.archive.base import MinuteFilter
from tests.auth.test_access_api import CSRF_INPUT, sign_in
from tests.auth.walk import assert_error
from tests.auth.world import PASSWORD, World, build_world, minute_bytes


def _count(world: World) -> int:
    return world.app.state.archive.list_minutes(MinuteFilter(include_superseded=True), limit=1)[1]


def test_an_oversized_upload_is_refused_at_every_door_and_nothing_is_stored(world: World,
                                                                           client: TestClient) -> None:
    before = _count(world)
    huge = b"BI\xc3\x8aN B\xe1\xba\xa2N " * 60_000  # ~840 kB, over the 400 kB limit of the test settings
    r = client.post("/v1/minutes", files={"file": ("to.txt", huge, "text/plain")}, headers=world.h("vanthu-a1"))
    assert assert_error(r, (413,))["code"] == "PAYLOAD_TOO_LARGE"
    csrf = sign_in(client, "vanthu-a1")
    page = client.post("/tai-len", data={"csrf_token": csrf}, files={"file": ("to.txt", huge, "text/plain")})
    assert page.status_code == 413 and "text/html" in page.headers["content-type"]
    assert "vượt giới hạn" in page.text and "PAYLOAD_TOO_LARGE" in page.text
    assert _count(world) == before


def test_files_of_the_wrong_type_fail_one_by_one(world: World, client: TestClient) -> None:
    before = _count(world)
    good = minute_bytes("A1", date(2024, 10, 5))
    files = [("file", ("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")),
             ("file", ("chuong-trinh.exe", b"MZ\x90\x00" + b"\x00" * 200, "application/octet-stream")),
             ("file", ("trong.txt", b"", "text/plain")),
             ("file", ("bien-ban.txt", good, "text/plain"))]
    r = client.post("/v1/minutes", files=files, headers=world.h("vanthu-a1"))
    assert r.status_code == 201, r.text
    by_name = {o["file_name"]: o for o in r.json()["data"]}
    assert by_name["bien-ban.txt"]["status"] == "stored"
    for name in ("anh.png", "chuong-trinh.exe", "trong.txt"):
        assert by_name[name]["status"] == "failed" and by_name[name]["code"] and by_name[name]["message"]
    assert _count(world) == before + 1
    not_multipart = client.post("/v1/minutes", content=good, headers={**world.h("vanthu-a1"),
                                                                      "content-type": "text/plain"})
    assert assert_error(not_multipart, (415,))["code"] == "UNSUPPORTED_MEDIA_TYPE"


@pytest.mark.parametrize("params", [
    {"unit_id": "ffffffffffff"},  # well-formed, belongs to no one
    {"dang_bo": "Đảng bộ xã Bình Minh' OR '1'='1"},
])
def test_forged_unit_ids_are_refused_without_leaking(world: World, client: TestClient,
                                                     params: dict[str, str]) -> None:
    for path in ("/v1/minutes", "/v1/stats/dashboard", "/v1/exports/minutes.xlsx", "/tong-quan"):
        r = client.get(path, params={**params, "format": "json"}, headers=world.h("kiemtra-a"))
        body = assert_error(r, (403,))
        assert body["code"] == "FORBIDDEN_UNIT"
    assert_error(client.get("/v1/units/ffffffffffff/audit", headers=world.h("kiemtra-a")), (403,))
    assert_error(client.get("/bao-cao/ffffffffffff", params={"format": "json"}, headers=world.h("kiemtra-a")),
                 (403,))
    # an admin sees no unit, not an error from the database
    assert client.get("/v1/minutes", params=params, headers=world.h("quantri")).json()["count"] == 0


@pytest.mark.parametrize("params", [
    {"unit_id": "../../etc/passwd"},
    {"unit_id": "' OR 1=1 --"},
    {"unit_id": 'x"y'},
    {"unit_id": "abc\r\nSet-Cookie: a=b"},
    {"dang_bo": "x" * 5000},
    {"chi_bo": "Thôn\u00071"},
])
def test_malformed_parameters_are_refused_at_the_door(world: World, client: TestClient,
                                                      params: dict[str, str]) -> None:
    for who in ("kiemtra-a", "quantri"):
        for path in ("/v1/minutes", "/v1/stats/dashboard", "/v1/exports/records.csv", "/tong-quan"):
            r = client.get(path, params={**params, "format": "json"}, headers=world.h(who))
            assert assert_error(r, (422,))["code"] == "INVALID_PARAMETER", (who, path)


def test_expired_sessions_and_keys_get_a_clear_401(tmp_path: Path) -> None:
    world = build_world(tmp_path)
    made = TestClient(world.app).post("/v1/keys", json={"expires_days": 1}, headers=world.h("kiemtra-a")).json()
    with TestClient(world.app) as c:
        sign_in(c, "kiemtra-a")
        assert c.get("/tong-quan", params={"format": "json"}).status_code == 200
        later = int(time.time()) + 2 * 86400
        with mock.patch("service.auth.accounts.now", return_value=later):
            body = assert_error(c.get("/tong-quan", params={"format": "json"}), (401,))
            assert body["code"] == "SESSION_EXPIRED"
            key = assert_error(c.get("/v1/me", headers={"Authorization": f"Bearer {made['key']}"}), (401,))
            assert key["code"] == "KEY_EXPIRED"
        page = c.get("/tong-quan", follow_redirects=False)  # the ended session now sends the page to sign-in
        assert page.status_code == 303 and page.headers["location"].startswith("/dang-nhap")


def test_brute_force_sign_in_is_paused_with_429(tmp_path: Path) -> None:
    world = build_world(tmp_path)
    with TestClient(world.app) as c:
        token = CSRF_INPUT.search(c.get("/dang-nhap").text)
        assert token
        form = {"name": "kiemtra-a", "csrf_token": token.group(1)}
        for _ in range(5):
            r = c.post("/dang-nhap", data={**form, "password": "doan-mo-mat-khau"})
            assert r.status_code == 401 and "không đúng" in r.text
        blocked = c.post("/dang-nhap", data={**form, "password": PASSWORD})
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
        assert "quá nhiều lần" in blocked.text
        as_json = c.post("/dang-nhap", params={"format": "json"}, data={**form, "password": PASSWORD})
        assert assert_error(as_json, (429,))["code"] == "TOO_MANY_ATTEMPTS"
        assert "minutes_session" not in c.cookies
        log = c.get("/v1/audit-log", params={"action": "sign_in_failed"}, headers=world.h("quantri")).json()
        assert log["count"] == 5 and {e["actor"] for e in log["data"]} == {"kiemtra-a"}


@pytest.mark.parametrize("header", ["Bearer ", "Bearer " + "A" * 10_000, "Token abc", "bearer mk_short_x",
                                    ("Bearer mk_0123456789_" + "é" * 10).encode()])
def test_malformed_credentials_are_401(world: World, client: TestClient, header: str | bytes) -> None:
    assert_error(client.get("/v1/minutes", headers={"Authorization": header}), (401,))
