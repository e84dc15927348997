"""Administration: the first password, users and their units, API keys with a scope, the audit log.

Over the API and through the admin pages, which call the same use cases.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.auth.accounts import open_accounts
from service.auth.store import open_auth_store
from tests.auth.test_access_api import assert_error, sign_in
from tests.auth.world import DANG_BO_A, DANG_BO_B, World, build_world, minute_bytes

NEW_PASSWORD = "mat-khau-cua-rieng-toi-2025"
SHOWN = re.compile(r'<code>([^<]{16,})</code>')


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("admin"))


@pytest.fixture()
def client(world: World) -> Iterator[TestClient]:
    with TestClient(world.app) as c:
        yield c


def _add(client: TestClient, world: World, name: str, role: str, unit: str | None) -> tuple[str, str]:
    """A new user added by the admin over the API: (id, made password)."""
    r = client.post("/v1/users", json={"name": name, "role": role, "unit": unit}, headers=world.h("quantri"))
    assert r.status_code == 201, r.text
    assert r.json()["user"]["must_change_password"] is True
    return r.json()["user"]["id"], r.json()["password"]


def _signed_in_with(client: TestClient, name: str, password: str) -> None:
    form = client.get("/dang-nhap")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    r = client.post("/dang-nhap", data={"name": name, "password": password, "csrf_token": token.group(1)},
                    follow_redirects=False)
    assert r.status_code == 303, r.text


def _csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/tai-khoan").text)
    assert found
    return found.group(1)


def test_the_first_admin_changes_the_made_password_before_anything_else(tmp_path: Path) -> None:
    from service.api.app import create_app
    from tests.auth.world import settings_for

    settings = settings_for(tmp_path)
    accounts = open_accounts(settings)
    first = accounts.ensure_first_admin()
    accounts.close()
    assert first is not None and first[0].must_change
    name, made = first[0].name, first[1]
    with TestClient(create_app(settings)) as c:
        _signed_in_with(c, name, made)
        sent = c.get("/tong-quan", follow_redirects=False)
        assert sent.status_code == 303 and sent.headers["location"] == "/tai-khoan"
        for path in ("/quan-tri/nguoi-dung", "/bien-ban", "/v1/minutes", "/v1/users"):
            r = c.get(path, headers={"Accept": "application/json"})
            assert assert_error(r, (403,))["code"] == "PASSWORD_CHANGE_REQUIRED", path
        page = c.get("/tai-khoan")
        assert page.status_code == 200 and 'id="must-change"' in page.text and "/tim-kiem" not in page.text
        assert c.get("/v1/me").json()["user"]["must_change_password"] is True
        csrf = _csrf(c)
        short = c.post("/tai-khoan/mat-khau", data={"csrf_token": csrf, "old": made, "new": "ngan", "again": "ngan"})
        assert short.status_code == 422 and "must-change" in short.text
        done = c.post("/tai-khoan/mat-khau", data={"csrf_token": csrf, "old": made, "new": NEW_PASSWORD,
                                                  "again": NEW_PASSWORD}, follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"] == "/dang-nhap"
        assert c.get("/tong-quan", follow_redirects=False).headers["location"].startswith("/dang-nhap")
        _signed_in_with(c, name, NEW_PASSWORD)
        assert c.get("/tong-quan").status_code == 200
        assert c.get("/v1/me").json()["user"]["must_change_password"] is False
        events = c.get("/v1/audit-log", params={"action": "password_change"}).json()["data"]
        assert [e["target"] for e in events] == [name]


def test_admin_pages_add_a_user_who_then_sets_their_own_password(world: World, client: TestClient) -> None:
    csrf = sign_in(client, "quantri")
    page = client.get("/quan-tri/nguoi-dung")
    assert page.status_code == 200 and "vanthu-a1" in page.text and "Thêm người dùng" in page.text
    added = client.post("/quan-tri/nguoi-dung", data={"csrf_token": csrf, "name": "vanthu-a2-moi", "role": "clerk",
                                                     "unit": f"{DANG_BO_A} / Chi bộ Thôn Tây Sơn"})
    assert added.status_code == 200 and 'id="temp-password"' in added.text
    made = SHOWN.findall(added.text)[-1]
    wrong = client.post("/quan-tri/nguoi-dung", data={"csrf_token": csrf, "name": "x", "role": "clerk",
                                                     "unit": DANG_BO_A})
    assert wrong.status_code == 422 and "chi bộ" in wrong.text
    twice = client.post("/quan-tri/nguoi-dung", data={"csrf_token": csrf, "name": "VANTHU-A2-MOI", "role": "clerk",
                                                     "unit": f"{DANG_BO_A} / Chi bộ Thôn Tây Sơn"})
    assert twice.status_code == 409
    with TestClient(world.app) as other:
        _signed_in_with(other, "vanthu-a2-moi", made)
        assert other.get("/bien-ban", follow_redirects=False).headers["location"] == "/tai-khoan"
        csrf2 = _csrf(other)
        other.post("/tai-khoan/mat-khau", data={"csrf_token": csrf2, "old": made, "new": NEW_PASSWORD,
                                                "again": NEW_PASSWORD}, follow_redirects=False)
        _signed_in_with(other, "vanthu-a2-moi", NEW_PASSWORD)
        mine = other.get("/v1/minutes").json()["data"]
        assert mine and {m["chi_bo"] for m in mine} == {"Chi bộ Thôn Tây Sơn"}


def test_a_user_moved_to_another_unit_sees_that_unit_at_once(world: World, client: TestClient) -> None:
    uid_, _ = _add(client, world, "kiemtra-luan-chuyen", "reviewer", DANG_BO_A)
    key = client.post("/v1/keys", json={"user": "kiemtra-luan-chuyen", "label": "bảng tính"},
                      headers=world.h("quantri")).json()["key"]
    h = {"Authorization": f"Bearer {key}"}
    assert {m["dang_bo"] for m in client.get("/v1/minutes", headers=h).json()["data"]} == {DANG_BO_A}
    moved = client.patch(f"/v1/users/{uid_}", json={"unit": DANG_BO_B}, headers=world.h("quantri"))
    assert moved.status_code == 200 and moved.json()["user"]["unit"]["dang_bo"] == DANG_BO_B
    assert {m["dang_bo"] for m in client.get("/v1/minutes", headers=h).json()["data"]} == {DANG_BO_B}
    clerk_of_a_dang_bo = client.patch(f"/v1/users/{uid_}", json={"role": "clerk"}, headers=world.h("quantri"))
    assert assert_error(clerk_of_a_dang_bo, (422,))["code"] == "INVALID_UNIT"
    assert assert_error(client.patch(f"/v1/users/{uid_}", json={"unit": DANG_BO_A}, headers=world.h("kiemtra-a")),
                        (403,))["code"] == "FORBIDDEN"
    assert assert_error(client.patch("/v1/users/khong-co", json={"active": False}, headers=world.h("quantri")),
                        (404,))["code"] == "USER_NOT_FOUND"
    log = client.get("/v1/audit-log", params={"action": "user_change", "actor": "quantri"},
                     headers=world.h("quantri")).json()["data"]
    assert log[0]["target"] == "kiemtra-luan-chuyen" and log[0]["detail"]["to"][1] == DANG_BO_B
    move = [e for e in log if e["target"] == "kiemtra-luan-chuyen" and e["detail"]["to"][1] == DANG_BO_B]
    assert sorted(e["detail"]["side"] for e in move) == ["joined", "left"]  # one row per unit, told apart
    for reviewer in ("kiemtra-a", "kiemtra-b"):  # the unit left and the unit joined both see the move
        seen = client.get("/v1/audit-log", params={"action": "user_change"}, headers=world.h(reviewer)).json()
        assert any(e["target"] == "kiemtra-luan-chuyen" and e["detail"]["to"][1] == DANG_BO_B
                   for e in seen["data"]), reviewer


def test_locking_a_user_ends_their_sessions_and_revokes_their_keys(world: World, client: TestClient) -> None:
    uid_, made = _add(client, world, "vanthu-tam", "clerk", f"{DANG_BO_A} / Chi bộ Thôn Đông Hòa")
    with TestClient(world.app) as them:
        _signed_in_with(them, "vanthu-tam", made)
        csrf = _csrf(them)
        them.post("/tai-khoan/mat-khau", data={"csrf_token": csrf, "old": made, "new": NEW_PASSWORD,
                                               "again": NEW_PASSWORD}, follow_redirects=False)
        _signed_in_with(them, "vanthu-tam", NEW_PASSWORD)
        key = them.post("/v1/keys", json={"label": "máy văn phòng"}, headers={"X-CSRF-Token": _csrf(them)})
        assert key.status_code == 201
        h = {"Authorization": f"Bearer {key.json()['key']}"}
        assert client.get("/v1/me", headers=h).status_code == 200
        csrf_admin = sign_in(client, "quantri")
        locked = client.post(f"/quan-tri/nguoi-dung/{uid_}", data={"csrf_token": csrf_admin, "action": "disable"})
        assert locked.status_code == 200 and "1 khóa API bị thu hồi" in locked.text
        assert them.get("/bien-ban", follow_redirects=False).headers["location"].startswith("/dang-nhap")
        assert_error(client.get("/v1/me", headers=h), (401,))
        opened = client.post(f"/quan-tri/nguoi-dung/{uid_}", data={"csrf_token": csrf_admin, "action": "enable"})
        assert opened.status_code == 200
        assert_error(client.get("/v1/me", headers=h), (401,))  # a reopened account does not bring keys back
        _signed_in_with(them, "vanthu-tam", NEW_PASSWORD)
        assert them.get("/bien-ban").status_code == 200


def test_a_temporary_password_revokes_keys_and_must_be_changed(world: World, client: TestClient) -> None:
    uid_, _ = _add(client, world, "kiemtra-quen", "reviewer", DANG_BO_A)
    key = client.post("/v1/keys", json={"user": "kiemtra-quen"}, headers=world.h("quantri")).json()["key"]
    reset = client.post(f"/v1/users/{uid_}/password", headers=world.h("quantri"))
    assert reset.status_code == 200 and reset.json()["keys_revoked"] == 1
    assert reset.json()["user"]["must_change_password"] is True
    assert_error(client.get("/v1/me", headers={"Authorization": f"Bearer {key}"}), (401,))
    with TestClient(world.app) as them:
        _signed_in_with(them, "kiemtra-quen", reset.json()["password"])
        assert assert_error(them.get("/v1/minutes"), (403,))["code"] == "PASSWORD_CHANGE_REQUIRED"
        changed = them.post("/v1/me/password", json={"old": reset.json()["password"], "new": NEW_PASSWORD},
                            headers={"X-CSRF-Token": _csrf(them)})
        assert changed.status_code == 200
        _signed_in_with(them, "kiemtra-quen", NEW_PASSWORD)
        assert them.get("/v1/minutes").status_code == 200


def test_the_last_admin_cannot_be_locked_or_demoted_and_no_one_locks_themselves(world: World,
                                                                                client: TestClient) -> None:
    me = client.get("/v1/me", headers=world.h("quantri")).json()["user"]["id"]
    alone = client.patch(f"/v1/users/{me}", json={"active": False}, headers=world.h("quantri"))
    assert assert_error(alone, (409,))["code"] in ("LAST_ADMIN", "FORBIDDEN_SELF")
    demoted = client.patch(f"/v1/users/{me}", json={"role": "reviewer", "unit": DANG_BO_A},
                           headers=world.h("quantri"))
    assert assert_error(demoted, (409,))["code"] in ("LAST_ADMIN", "FORBIDDEN_SELF")
    second, _ = _add(client, world, "quantri-2", "admin", None)
    self_lock = client.patch(f"/v1/users/{me}", json={"active": False}, headers=world.h("quantri"))
    assert assert_error(self_lock, (409,))["code"] == "FORBIDDEN_SELF"
    assert client.patch(f"/v1/users/{second}", json={"active": False}, headers=world.h("quantri")).status_code == 200
    assert client.get("/v1/me", headers=world.h("quantri")).json()["user"]["active"] is True


def test_a_key_does_no_more_than_its_scope(world: World, client: TestClient) -> None:
    def key(scope: str) -> dict[str, str]:
        r = client.post("/v1/keys", json={"scope": scope, "label": scope}, headers=world.h("vanthu-a1"))
        assert r.status_code == 201 and r.json()["data"]["scope"] == scope
        return {"Authorization": f"Bearer {r.json()['key']}"}

    check, read = key("check"), key("read")
    text = minute_bytes("A1", date(2024, 9, 5)).decode()
    assert client.post("/v1/check", json={"text": text}, headers=check).status_code == 200
    assert assert_error(client.get("/v1/minutes", headers=check), (403,))["code"] == "FORBIDDEN"
    assert client.get("/v1/minutes", headers=read).status_code == 200
    assert client.get("/v1/exports/records.csv", headers=read).status_code == 200
    upload = client.post("/v1/minutes", files={"file": ("t9.txt", text.encode(), "text/plain")}, headers=read)
    assert assert_error(upload, (403,))["code"] == "FORBIDDEN"
    wider = client.post("/v1/keys", json={"scope": "full"}, headers=read)
    assert assert_error(wider, (403,))["code"] == "FORBIDDEN"
    bad = client.post("/v1/keys", json={"scope": "all"}, headers=world.h("vanthu-a1"))
    assert assert_error(bad, (422,))["code"] == "INVALID_BODY"


def test_admin_key_page_makes_a_scoped_key_for_a_user_and_revokes_it(world: World, client: TestClient) -> None:
    csrf = sign_in(client, "quantri")
    made = client.post("/quan-tri/khoa-api", data={"csrf_token": csrf, "user": "kiemtra-b", "scope": "read",
                                                  "label": "tổng hợp huyện", "expires_days": "30"})
    assert made.status_code == 200, made.text
    key = re.search(r'<code id="new-key">([^<]+)</code>', made.text)
    assert key
    h = {"Authorization": f"Bearer {key.group(1)}"}
    assert {m["dang_bo"] for m in client.get("/v1/minutes", headers=h).json()["data"]} == {DANG_BO_B}
    listed = client.get("/quan-tri/khoa-api", params={"format": "json"}).json()["data"]
    mine = next(k for k in listed if k["label"] == "tổng hợp huyện")
    assert mine["user_name"] == "kiemtra-b" and mine["scope"] == "read" and mine["expires_at"]
    bad_days = client.post("/quan-tri/khoa-api", data={"csrf_token": csrf, "user": "kiemtra-b", "expires_days": "-3"})
    assert bad_days.status_code == 422
    gone = client.post(f"/quan-tri/khoa-api/{mine['id']}/thu-hoi", data={"csrf_token": csrf})
    assert gone.status_code == 200 and "đã thu hồi" in gone.text
    assert_error(client.get("/v1/me", headers=h), (401,))


def test_admin_pages_are_closed_to_other_roles(world: World, client: TestClient) -> None:
    sign_in(client, "kiemtra-a")
    for path in ("/quan-tri/nguoi-dung", "/quan-tri/khoa-api"):
        assert client.get(path).status_code == 403
    assert client.get("/nhat-ky").status_code == 200
    with TestClient(world.app) as clerk:
        csrf = sign_in(clerk, "vanthu-a1")
        assert clerk.get("/nhat-ky").status_code == 403
        assert clerk.post("/quan-tri/nguoi-dung", data={"csrf_token": csrf, "name": "x", "role": "admin"}
                          ).status_code == 403


def test_the_audit_log_filters_by_person_kind_unit_day_and_failure(world: World, client: TestClient) -> None:
    with TestClient(world.app) as stranger:
        form = stranger.get("/dang-nhap")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token
        stranger.post("/dang-nhap", data={"name": "kiemtra-a", "password": "sai-mat-khau-roi",
                                          "csrf_token": token.group(1)})
    h = world.h("quantri")
    failed = client.get("/v1/audit-log", params={"ok": False}, headers=h).json()
    assert failed["count"] >= 1 and all(not e["ok"] for e in failed["data"])
    by_person = client.get("/v1/audit-log", params={"actor": "KIEMTRA-A", "action": "sign_in_failed"}, headers=h)
    assert by_person.json()["count"] >= 1 and {e["actor"] for e in by_person.json()["data"]} == {"kiemtra-a"}
    today = date.today()
    later = client.get("/v1/audit-log", params={"since": (today + timedelta(days=2)).isoformat()}, headers=h)
    assert later.json()["count"] == 0
    around = client.get("/v1/audit-log", params={"since": (today - timedelta(days=1)).isoformat(),
                                                 "until": (today + timedelta(days=1)).isoformat()}, headers=h)
    assert around.json()["count"] == client.get("/v1/audit-log", headers=h).json()["count"]
    backwards = client.get("/v1/audit-log", params={"since": today.isoformat(),
                                                    "until": (today - timedelta(days=3)).isoformat()}, headers=h)
    assert assert_error(backwards, (422,))["code"] == "INVALID_QUERY"
    sign_in(client, "kiemtra-b")
    assert 'href="/nhat-ky"' in client.get("/tong-quan").text
    page = client.get("/nhat-ky", params={"failed": "1"})
    assert page.status_code == 200 and "kiemtra-a" not in page.text  # another đảng bộ's failures stay hidden
    sign_in_page = client.get("/nhat-ky", params={"action": "sign_in"})
    assert "Đăng nhập" in sign_in_page.text and "sign_in" not in sign_in_page.text.split("<tbody>")[1]
    twin = client.get("/nhat-ky", params={"format": "json", "action": "sign_in"}).json()
    assert twin["count"] >= 1 and {e["action"] for e in twin["data"]} == {"sign_in"}
    assert {e["actor"] for e in twin["data"]} <= {"kiemtra-b", "vanthu-b1"}


def test_older_databases_gain_the_new_account_columns(tmp_path: Path) -> None:
    db = tmp_path / "archive.sqlite3"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE auth_users (id TEXT PRIMARY KEY, name TEXT NOT NULL, name_key TEXT NOT NULL UNIQUE, "
                "role TEXT NOT NULL, unit_id TEXT, password_hash TEXT, active INTEGER NOT NULL, "
                "created_at BIGINT NOT NULL)")
    con.execute("INSERT INTO auth_users VALUES ('u1', 'cu', 'cu', 'admin', NULL, NULL, 1, 0)")
    con.execute("CREATE TABLE auth_keys (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, label TEXT, secret_hash TEXT "
                "NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT, last_used_at BIGINT, revoked_at BIGINT)")
    con.execute("INSERT INTO auth_keys VALUES ('k1', 'u1', NULL, 'x', 0, NULL, NULL, NULL)")
    con.commit()
    con.close()
    store = open_auth_store(f"sqlite:///{db}")
    try:
        user = store.get_user("u1")
        assert user is not None and user.name == "cu" and user.must_change is False
        assert [k.scope for k in store.keys("u1")] == ["full"]
    finally:
        store.close()


def test_a_temporary_password_cannot_be_kept_and_survives_a_rehash(tmp_path: Path) -> None:
    from tests.auth.world import settings_for

    accounts = open_accounts(settings_for(tmp_path))
    try:
        user, made = accounts.add_user("vanthu-moi", "clerk", f"{DANG_BO_A} / Chi bộ Thôn Một")
        assert made is not None
        with pytest.raises(Exception) as same:
            accounts.change_password(user, made, made)
        assert getattr(same.value, "code", None) == "INVALID_PASSWORD"
        # an old hash (as after a change of Argon2 parameters) is rehashed at sign-in; the duty to change stays
        from argon2 import PasswordHasher

        weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(made)
        accounts.store.set_password(user.id, weak, must_change=True)
        principal, _ = accounts.sign_in("vanthu-moi", made, ip="10.0.0.9")
        found = accounts.store.user_by_name("vanthu-moi")
        assert found is not None and found[1] != weak, "the old hash was replaced at sign-in"
        assert principal.user is not None and principal.user.must_change and found[0].must_change
    finally:
        accounts.close()


def test_a_password_the_admin_typed_must_be_changed_at_first_sign_in(world: World, client: TestClient) -> None:
    typed = "mat-khau-quan-tri-go-1"
    r = client.post("/v1/users", json={"name": "kiemtra-go", "role": "reviewer", "unit": DANG_BO_A,
                                       "password": typed}, headers=world.h("quantri"))
    assert r.status_code == 201, r.text
    assert r.json()["password"] is None and r.json()["user"]["must_change_password"] is True
    with TestClient(world.app) as them:
        _signed_in_with(them, "kiemtra-go", typed)
        assert assert_error(them.get("/v1/minutes"), (403,))["code"] == "PASSWORD_CHANGE_REQUIRED"
