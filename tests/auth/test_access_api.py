"""Access control over HTTP: keys, sessions, CSRF, roles, clerk uploads, the audit log, /v1/check."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient

from service.archive.base import MinuteFilter
from service.auth.accounts import open_accounts
from tests.auth.walk import assert_error
from tests.auth.world import PASSWORD, World, build_world, minute_bytes, settings_for

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def sign_in(client: TestClient, name: str, password: str = PASSWORD, *, next_url: str = "/tong-quan") -> str:
    """Sign in through the form; returns the session's CSRF token from the next page."""
    form = client.get("/dang-nhap")
    token = CSRF_INPUT.search(form.text)
    assert token, form.text
    r = client.post("/dang-nhap", data={"name": name, "password": password, "csrf_token": token.group(1),
                                        "next": next_url}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get("/tai-khoan")
    found = CSRF_INPUT.search(page.text)
    assert found
    return found.group(1)


def _count(world: World) -> int:
    return world.app.state.archive.list_minutes(MinuteFilter(include_superseded=True), limit=1)[1]


def test_check_needs_a_key_once_users_exist_and_stores_nothing(world: World, client: TestClient) -> None:
    text = minute_bytes("A1", date(2024, 9, 5)).decode()
    assert_error(client.post("/v1/check", json={"text": text}), (401,))
    before = _count(world)
    events = client.get("/v1/audit-log", headers=world.h("quantri")).json()["count"]
    r = client.post("/v1/check", json={"text": text}, headers=world.h("vanthu-a1"))
    assert r.status_code == 200 and r.json()["record"]["meeting"]["date"] == "2024-09-05"
    assert _count(world) == before
    assert client.get("/v1/audit-log", headers=world.h("quantri")).json()["count"] == events


def test_check_can_be_opened_to_everyone_by_a_setting(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, open_check=True)
    accounts = open_accounts(settings)
    accounts.add_user("quantri", "admin", None, PASSWORD)
    accounts.close()
    from service.api.app import create_app

    with TestClient(create_app(settings)) as c:
        assert c.post("/v1/check", json={"text": "BIÊN BẢN SINH HOẠT CHI BỘ"}).status_code == 200
        assert_error(c.get("/v1/minutes"), (401,))


def test_an_archive_without_users_is_in_set_up_mode_for_the_api_only(tmp_path: Path) -> None:
    from service.api.app import create_app

    with TestClient(create_app(settings_for(tmp_path))) as c:
        assert c.get("/v1/minutes").status_code == 200
        assert c.post("/v1/check", json={"text": "BIÊN BẢN"}).status_code == 200
        page = c.get("/tong-quan", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/dang-nhap")
    locked = settings_for(tmp_path, open_without_users=False)
    with TestClient(create_app(locked)) as c:
        assert_error(c.get("/v1/minutes"), (401,))


def test_sessions_need_the_csrf_token_to_write(world: World, client: TestClient) -> None:
    csrf = sign_in(client, "vanthu-a1")
    data = minute_bytes("A1", date(2024, 5, 5))
    files = {"file": ("a1-5.txt", data, "text/plain")}
    assert assert_error(client.post("/v1/minutes", files=files), (403,))["code"] == "CSRF_FAILED"
    assert assert_error(client.post("/v1/minutes", files=files, headers={"X-CSRF-Token": "sai"}),
                        (403,))["code"] == "CSRF_FAILED"
    ok = client.post("/v1/minutes", files=files, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201, ok.text
    mid = ok.json()["data"][0]["id"]
    # reading needs no token; a form post carries it as a field
    assert client.get(f"/v1/minutes/{mid}").status_code == 200
    assert client.post("/dang-xuat", data={"csrf_token": "sai"}).status_code == 403
    out = client.post("/dang-xuat", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert_error(client.get(f"/v1/minutes/{mid}"), (401,))
    assert client.delete(f"/v1/minutes/{mid}", headers=world.h("vanthu-a1")).status_code == 200


def test_the_sign_in_form_has_its_own_csrf_and_no_open_redirect(world: World, client: TestClient) -> None:
    r = client.post("/dang-nhap", data={"name": "quantri", "password": PASSWORD, "csrf_token": "x"})
    assert r.status_code == 403 and "Biểu mẫu đăng nhập đã cũ" in r.text
    token = CSRF_INPUT.search(client.get("/dang-nhap").text)
    assert token
    r = client.post("/dang-nhap", data={"name": "quantri", "password": PASSWORD, "csrf_token": token.group(1),
                                        "next": "//evil.example/x"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/tong-quan"
    cookie = r.headers["set-cookie"]
    assert "minutes_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_clerks_upload_only_their_own_chi_bo_and_one_refusal_spares_the_batch(world: World,
                                                                               client: TestClient) -> None:
    before = _count(world)
    own, foreign = minute_bytes("A1", date(2024, 7, 5)), minute_bytes("A2", date(2024, 7, 5))
    single = client.post("/v1/minutes", files={"file": ("a2.txt", foreign, "text/plain")},
                         headers=world.h("vanthu-a1"))
    body = assert_error(single, (403,))
    assert body["code"] == "FORBIDDEN_UNIT" and "Tây Sơn" in body["error"]
    batch = client.post("/v1/minutes", files=[("file", ("a1.txt", own, "text/plain")),
                                              ("file", ("a2.txt", foreign, "text/plain"))],
                        headers=world.h("vanthu-a1"))
    assert batch.status_code == 201
    outcome = {o["file_name"]: o for o in batch.json()["data"]}
    assert outcome["a1.txt"]["status"] == "stored" and outcome["a2.txt"]["status"] == "failed"
    assert outcome["a2.txt"]["code"] == "FORBIDDEN_UNIT"
    assert _count(world) == before + 1
    # a reviewer reads but does not write
    assert assert_error(client.post("/v1/minutes", files={"file": ("x.txt", own, "text/plain")},
                                    headers=world.h("kiemtra-a")), (403,))["code"] == "FORBIDDEN"
    mid = outcome["a1.txt"]["id"]
    assert assert_error(client.delete(f"/v1/minutes/{mid}", headers=world.h("kiemtra-a")), (403,))
    # the clerk of the other chi bộ cannot see or delete it; its own clerk can
    assert_error(client.get(f"/v1/minutes/{mid}", headers=world.h("vanthu-a2")), (404,))
    assert_error(client.delete(f"/v1/minutes/{mid}", headers=world.h("vanthu-a2")), (404,))
    assert client.get(f"/v1/minutes/{mid}", headers=world.h("kiemtra-a")).status_code == 200
    assert client.delete(f"/v1/minutes/{mid}", headers=world.h("vanthu-a1")).status_code == 200
    assert _count(world) == before


def test_the_audit_log_records_uploads_deletions_exports_and_sign_ins(world: World, client: TestClient) -> None:
    data = minute_bytes("A2", date(2024, 8, 5))
    mid = client.post("/v1/minutes", files={"file": ("a2-8.txt", data, "text/plain")},
                      headers=world.h("vanthu-a2")).json()["data"][0]["id"]
    client.delete(f"/v1/minutes/{mid}", headers=world.h("vanthu-a2"))
    client.get("/v1/exports/records.csv", headers=world.h("kiemtra-a"))
    sign_in(client, "kiemtra-a")
    log = client.get("/v1/audit-log", params={"limit": 20}, headers=world.h("quantri")).json()["data"]
    seen = {(e["action"], e["actor"], e["target"]) for e in log}
    assert ("upload", "vanthu-a2", mid) in seen and ("delete", "vanthu-a2", mid) in seen
    assert ("export", "kiemtra-a", "records.csv") in seen and ("sign_in", "kiemtra-a", None) in seen
    assert all(e["at"] and e["ip"] for e in log)
    # a reviewer reads the log of their own đảng bộ only
    theirs = client.get("/v1/audit-log", params={"limit": 200}, headers=world.h("kiemtra-b")).json()["data"]
    assert mid not in {e["target"] for e in theirs}
    # an administrator's deletion is filed under the minute's unit, so that unit's reviewer sees it
    other = client.post("/v1/minutes", files={"file": ("a2-9.txt", minute_bytes("A2", date(2024, 9, 5)), "text/plain")},
                        headers=world.h("quantri")).json()["data"][0]["id"]
    assert client.delete(f"/v1/minutes/{other}", headers=world.h("quantri")).status_code == 200
    reviewer = client.get("/v1/audit-log", params={"limit": 200}, headers=world.h("kiemtra-a")).json()["data"]
    assert ("delete", "quantri", other) in {(e["action"], e["actor"], e["target"]) for e in reviewer}


def test_keys_over_http_are_shown_once_and_can_be_revoked(world: World, client: TestClient) -> None:
    made = client.post("/v1/keys", json={"label": "bảng tính"}, headers=world.h("kiemtra-a"))
    assert made.status_code == 201
    key, key_id = made.json()["key"], made.json()["data"]["id"]
    listed = client.get("/v1/keys", headers=world.h("kiemtra-a")).text
    assert key_id in listed and key not in listed
    assert client.get("/v1/me", headers={"Authorization": f"Bearer {key}"}).json()["user"]["name"] == "kiemtra-a"
    assert client.delete(f"/v1/keys/{key_id}", headers=world.h("kiemtra-a")).status_code == 200
    assert_error(client.get("/v1/me", headers={"Authorization": f"Bearer {key}"}), (401,))


def test_admins_add_users_over_http(world: World, client: TestClient) -> None:
    r = client.post("/v1/users", json={"name": "vanthu-a1-moi", "role": "clerk",
                                       "unit": "Đảng bộ xã An Phú / Chi bộ Thôn Đông Hòa"}, headers=world.h("quantri"))
    assert r.status_code == 201 and len(r.json()["password"]) >= 16
    assert r.json()["user"]["unit"]["chi_bo"] == "Chi bộ Thôn Đông Hòa"
    bad = client.post("/v1/users", json={"name": "x", "role": "clerk", "unit": "Đảng bộ xã An Phú"},
                      headers=world.h("quantri"))
    assert assert_error(bad, (422,))["code"] == "INVALID_UNIT"


def test_stats_and_exports_of_a_reviewer_cover_only_their_dang_bo(tmp_path: Path) -> None:
    world = build_world(tmp_path)
    with TestClient(world.app) as c:
        board = c.get("/v1/stats/dashboard", headers=world.h("kiemtra-a")).json()["data"]
        assert board["overview"]["minutes"] == 6 and len(board["units"]) == 2
        everything = c.get("/v1/stats/dashboard", headers=world.h("quantri")).json()["data"]
        assert everything["overview"]["minutes"] == 9 and len(everything["units"]) == 3
        clerk = c.get("/v1/stats/dashboard", headers=world.h("vanthu-a2")).json()["data"]
        assert [u["chi_bo"] for u in clerk["units"]] == ["Chi bộ Thôn Tây Sơn"]
        csv = c.get("/v1/exports/records.csv", headers=world.h("kiemtra-b")).content.decode("utf-8-sig")
        assert len(csv.strip().splitlines()) == 1 + 3 and "Rạch Gốc" in csv and "Đông Hòa" not in csv
