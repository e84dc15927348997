"""Uploads are filed under the unit tree: misread names find their unit, unknown names are asked about."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from service.api.app import create_app
from tests.archive.factory import make_minute
from tests.auth.world import A1, DANG_BO_A, World, settings_for, uid


def _misread(text: str, dang_bo: str, chi_bo: str, *, as_dang_bo: str, as_chi_bo: str) -> bytes:
    return text.replace(dang_bo.upper(), as_dang_bo).replace(chi_bo.upper(), as_chi_bo) \
        .replace(chi_bo, as_chi_bo).encode()


def _units(client: TestClient, world: World) -> set[tuple[str | None, str | None]]:
    return {(u["dang_bo"], u["chi_bo"]) for u in client.get("/v1/units", headers=world.h("quantri")).json()["data"]}


def test_a_clerks_scanned_minute_reaches_their_chi_bo_however_the_header_was_read(world: World,
                                                                                 client: TestClient) -> None:
    before = _units(client, world)
    text = make_minute(dang_bo=DANG_BO_A, chi_bo=A1, day=date(2024, 9, 5))
    data = _misread(text, DANG_BO_A, A1, as_dang_bo="ĐẢNG BỘ XÂ AN PHÙ", as_chi_bo="CHỈ BỘ THÔN ĐÔNG HOÀ")
    r = client.post("/v1/minutes", files={"file": ("scan.txt", data, "text/plain")}, headers=world.h("vanthu-a1"))
    assert r.status_code == 201, r.text
    out = r.json()["data"][0]
    assert out["status"] == "stored" and "CHỈ BỘ THÔN ĐÔNG" in out["note"] and "Chi bộ Thôn Đông Hòa" in out["note"]
    stored = client.get(f"/v1/minutes/{out['id']}", headers=world.h("vanthu-a1")).json()["data"]["summary"]
    assert stored["unit_id"] == uid(DANG_BO_A, A1)
    assert _units(client, world) == before  # no phantom unit


def test_a_clerks_minute_without_a_unit_goes_to_their_chi_bo(world: World, client: TestClient) -> None:
    text = make_minute(dang_bo=DANG_BO_A, chi_bo=A1, day=date(2024, 10, 5))
    data = text.replace(DANG_BO_A.upper(), "").replace(A1.upper(), "").replace(A1, "Chi bộ").encode()
    r = client.post("/v1/minutes", files={"file": ("no-unit.txt", data, "text/plain")},
                    headers=world.h("vanthu-a1"))
    assert r.status_code == 201, r.text
    assert "theo đơn vị của tài khoản" in r.json()["data"][0]["note"]
    mid = r.json()["data"][0]["id"]
    assert client.get(f"/v1/minutes/{mid}", headers=world.h("vanthu-a1")).json()["data"]["summary"]["unit_id"] \
        == uid(DANG_BO_A, A1)


def test_an_admins_minute_of_an_unknown_unit_is_asked_about_then_filed_where_chosen(world: World,
                                                                                    client: TestClient) -> None:
    before = _units(client, world)
    data = make_minute(dang_bo=DANG_BO_A, chi_bo="Chi bộ Thôn Bắc Sơn", day=date(2024, 11, 5)).encode()
    r = client.post("/v1/minutes", files={"file": ("bac-son.txt", data, "text/plain")}, headers=world.h("quantri"))
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["code"] == "UNIT_UNKNOWN" and "Thôn Bắc Sơn" in body["error"] and body["errors"]
    assert _units(client, world) == before
    chosen = uid(DANG_BO_A, A1)
    r = client.post(f"/v1/minutes?unit={chosen}", files={"file": ("bac-son.txt", data, "text/plain")},
                    headers=world.h("quantri"))
    assert r.status_code == 201, r.text
    assert "theo đơn vị đã chọn" in r.json()["data"][0]["note"]
    assert _units(client, world) == before
    missing = client.post("/v1/minutes?unit=000000000000", files={"file": ("x.txt", data, "text/plain")},
                          headers=world.h("quantri"))
    assert missing.status_code == 404 and missing.json()["code"] == "UNIT_NOT_FOUND"


def test_a_clerk_cannot_choose_another_unit(world: World, client: TestClient) -> None:
    data = make_minute(dang_bo=DANG_BO_A, chi_bo=A1, day=date(2024, 12, 5)).encode()
    other = world.minutes["A2"][0]
    a2 = client.get(f"/v1/minutes/{other}", headers=world.h("quantri")).json()["data"]["summary"]["unit_id"]
    r = client.post(f"/v1/minutes?unit={a2}", files={"file": ("x.txt", data, "text/plain")},
                    headers=world.h("vanthu-a1"))
    assert r.status_code == 403 and r.json()["code"] == "FORBIDDEN_UNIT"


def test_without_a_unit_tree_an_ocr_spelling_joins_the_unit_already_in_the_archive(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(tmp_path, open_without_users=True))
    with TestClient(app) as c:
        first = make_minute(dang_bo=DANG_BO_A, chi_bo=A1, day=date(2024, 1, 5)).encode()
        assert c.post("/v1/minutes", files={"file": ("1.txt", first, "text/plain")}).status_code == 201
        text = make_minute(dang_bo=DANG_BO_A, chi_bo=A1, day=date(2024, 2, 5))
        second = _misread(text, DANG_BO_A, A1, as_dang_bo="DANG BO XA AN PHU", as_chi_bo="CHỈ BỘ THÔN ĐÔNG HÒA")
        r = c.post("/v1/minutes", files={"file": ("2.txt", second, "text/plain")})
        assert r.status_code == 201 and "đã có trong kho" in r.json()["data"][0]["note"]
        units = c.get("/v1/units").json()["data"]
        assert len(units) == 1 and units[0]["minutes"] == 2
