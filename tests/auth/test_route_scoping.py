"""Every route in the OpenAPI document (and every page) enforces authentication and unit scope.

The walk fills each route's path, query and body generically (tests/auth/walk.py), so a
route added later is walked too, and a route whose parameters the walk cannot fill
fails the test until the walk learns them.
"""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from service.archive.base import MinuteFilter
from tests.auth.walk import (
    PATH_PARAM,
    Target,
    assert_error,
    assert_nothing_of,
    call,
    names_unit,
    operations,
)
from tests.auth.world import (
    A1,
    A2,
    B1,
    DANG_BO_A,
    DANG_BO_B,
    World,
    a2_markers,
    b_markers,
    minute_bytes,
    uid,
)

PUBLIC = {("GET", "/v1/health")}


def target_b(world: World) -> Target:
    data = minute_bytes("B1", date(2024, 6, 5))
    return Target(minute=world.minutes["B1"][0], unit=uid(DANG_BO_B, B1), dang_bo=DANG_BO_B, chi_bo=B1,
                  key_id=world.key_ids["kiemtra-b"], user="kiemtra-b", upload=data, text=data.decode(),
                  user_id=world.user_ids["kiemtra-b"])


def target_a2(world: World) -> Target:
    data = minute_bytes("A2", date(2024, 6, 5))
    return Target(minute=world.minutes["A2"][0], unit=uid(DANG_BO_A, A2), dang_bo=DANG_BO_A, chi_bo=A2,
                  key_id=world.key_ids["vanthu-a2"], user="vanthu-a2", upload=data, text=data.decode(),
                  user_id=world.user_ids["vanthu-a2"])


def _stored_ids(world: World) -> set[str]:
    archive = world.app.state.archive
    rows, _ = archive.list_minutes(MinuteFilter(include_superseded=True), limit=1000)
    return {r.id for r in rows}


def test_the_walk_sees_every_door(world: World) -> None:
    paths = {(m, p) for m, p, _ in operations(world.app)}
    for door in [("POST", "/v1/check"), ("POST", "/v1/minutes"), ("GET", "/v1/minutes/{minute_id}"),
                 ("DELETE", "/v1/minutes/{minute_id}"), ("GET", "/v1/units/{unit}/audit"),
                 ("GET", "/v1/stats/dashboard"), ("GET", "/v1/exports/minutes.xlsx"), ("GET", "/v1/audit-log"),
                 ("POST", "/v1/keys"), ("GET", "/v1/users")]:
        assert door in paths
    assert len(paths) >= 25


def test_every_route_refuses_a_caller_without_credentials(world: World, client: TestClient) -> None:
    t = target_b(world)
    walked = 0
    for method, path, op in operations(world.app):
        if (method, path) in PUBLIC:
            assert call(client, method, path, op, t).status_code == 200
            continue
        for headers, code in (({}, "UNAUTHENTICATED"),
                              ({"Authorization": "Bearer mk_0000000000_not-a-real-secret"}, "INVALID_CREDENTIALS"),
                              ({"Authorization": "Basic cXVhbnRyaTp4"}, "INVALID_CREDENTIALS"),
                              ({"Cookie": "minutes_session=forged-session-token"}, "UNAUTHENTICATED")):
            resp = call(client, method, path, op, t, headers=headers)
            body = assert_error(resp, (401,))
            assert body["code"] == code, (method, path, body)
            assert resp.headers["www-authenticate"].startswith("Bearer")
        walked += 1
    assert walked >= 24


@pytest.mark.parametrize("who,target,markers", [
    ("kiemtra-a", target_b, b_markers),  # a reviewer of đảng bộ A asks for đảng bộ B
    ("vanthu-a1", target_a2, a2_markers),  # a clerk of chi bộ A1 asks for chi bộ A2
    ("vanthu-a1", target_b, b_markers),
])
def test_every_route_keeps_a_caller_inside_their_units(world: World, client: TestClient, who: str, target,
                                                       markers) -> None:  # type: ignore[no-untyped-def]
    t: Target = target(world)
    leak = markers(world)
    before = _stored_ids(world)
    for method, path, op in operations(world.app):
        if (method, path) in PUBLIC:
            continue
        resp = call(client, method, path, op, t, headers=world.h(who))
        if path == "/v1/check":
            assert resp.status_code == 200, resp.text  # checks what it is sent, stores nothing
            continue
        if path == "/v1/me/password":
            assert assert_error(resp, (422,))["code"] == "INVALID_CREDENTIALS"  # one's own, and the wrong one
            continue
        if resp.status_code == 403 and resp.json().get("code") == "FORBIDDEN":
            assert_error(resp, (403,))  # this role may not use the route at all
            continue
        # 1. naming the other unit (its minute, unit id, đảng bộ, key…) or writing to it is refused outright
        if names_unit(path, op) or method in ("POST", "DELETE"):
            assert_error(resp, (403, 404))
        else:
            assert resp.status_code < 300, (method, path, resp.status_code, resp.text)
            assert_nothing_of(resp, leak)
        # 2. asking without naming any unit shows only the caller's own units
        if not PATH_PARAM.search(path) and method == "GET":
            plain = call(client, method, path, op, t, headers=world.h(who), name_units=False)
            assert plain.status_code == 200, (path, plain.text)
            assert_nothing_of(plain, leak)
    assert _stored_ids(world) == before, "a refused request must not store or delete anything"
    # the other unit's key still works: nothing was revoked on its behalf
    assert client.get("/v1/me", headers=world.h(t.user)).status_code == 200


def test_pages_outside_the_api_are_scoped_too(world: World, client: TestClient) -> None:
    from service.api.ui import accounts, minute, submissions, views

    t = target_b(world)
    pages = [r for m in (views, minute, submissions, accounts) for r in m.router.routes if isinstance(r, APIRoute)]
    assert {r.path for r in pages} >= {"/tong-quan", "/bien-ban/{minute_id}", "/tim-kiem", "/bao-cao/{unit_id}",
                                       "/quan-tri/nguoi-dung", "/nhat-ky"}
    values = {"minute_id": t.minute, "unit_id": t.unit, "rule": "ATT-RATE", "user_id": t.user_id,
              "key_id": t.key_id}
    for route in pages:
        url = PATH_PARAM.sub(lambda m: values[m.group(1)], route.path)
        for method in sorted(route.methods - {"HEAD"}):
            if (method, route.path) in (("GET", "/"), ("GET", "/dang-nhap"), ("POST", "/dang-nhap")):
                continue
            anon = client.request(method, url, params={"format": "json"}, follow_redirects=False)
            assert_error(anon, (401,))
            page = client.request(method, url, follow_redirects=False)
            assert page.status_code == 303 and page.headers["location"].startswith("/dang-nhap?next=")
            if PATH_PARAM.search(route.path):
                scoped = client.request(method, url, params={"format": "json"}, headers=world.h("kiemtra-a"))
                assert_error(scoped, (403, 404))
    for url in ("/tong-quan", "/bien-ban", f"/tim-kiem?q={t.text.split()[3]}", "/tim-kiem?q=tôm sú Rạch Gốc",
                "/nop-bien-ban?period=2024-02"):
        for fmt in ({"format": "json"}, {}):
            resp = client.get(url, params=fmt, headers=world.h("kiemtra-a"))
            assert resp.status_code == 200, resp.text
            assert_nothing_of(resp, b_markers(world))
    forged = client.get("/tong-quan", params={"dang_bo": DANG_BO_B, "format": "json"}, headers=world.h("kiemtra-a"))
    assert assert_error(forged, (403,))["code"] == "FORBIDDEN_UNIT"
    own = client.get("/tong-quan", params={"format": "json"}, headers=world.h("kiemtra-a")).json()
    assert {u["chi_bo"] for u in own["units"]} == {A1, A2}


def test_the_markers_are_real_an_admin_sees_both_units(world: World, client: TestClient) -> None:
    listed = client.get("/v1/minutes", headers=world.h("quantri")).text
    assert all(m in listed for m in world.minutes["B1"] + world.minutes["A2"])
    found = client.get("/tim-kiem", params={"q": "tôm sú Rạch Gốc", "format": "json"}, headers=world.h("quantri"))
    assert {h["minute_id"] for h in found.json()["data"]} & set(world.minutes["B1"])
    mine = client.get("/tim-kiem", params={"q": "chuyển đổi cơ cấu cây trồng", "format": "json"},
                      headers=world.h("kiemtra-a")).json()["data"]
    assert mine and {h["chi_bo"] for h in mine} <= {A1, A2}
