"""Probes of the running service's edges: names, parameters, headers, downloads and what an upload tells."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import date
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.auth.walk import assert_error
from tests.auth.world import World, minute_bytes


def test_control_characters_in_a_file_name_are_cleaned_and_exports_still_work(world: World,
                                                                               client: TestClient) -> None:
    data = minute_bytes("A1", date(2024, 6, 5))
    name = "bien\u0007ban\u202e\u200b thang 6.txt".encode()  # raw in the part header, as a hostile client sends it
    body = (b"--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name
            + b"\"\r\nContent-Type: text/plain\r\n\r\n" + data + b"\r\n--XX--\r\n")
    r = client.post("/v1/minutes", content=body, headers={**world.h("vanthu-a1"),
                                                          "content-type": "multipart/form-data; boundary=XX"})
    assert r.status_code == 201, r.text
    stored = r.json()["data"][0]
    assert stored["file_name"] == "bienban thang 6.txt"
    summary = client.get(f"/v1/minutes/{stored['id']}", headers=world.h("vanthu-a1")).json()
    assert summary["data"]["summary"]["file_name"] == "bienban thang 6.txt"
    for who in ("vanthu-a1", "kiemtra-a", "quantri"):
        x = client.get("/v1/exports/minutes.xlsx", headers=world.h(who))
        assert x.status_code == 200, x.text
        load_workbook(io.BytesIO(x.content))  # a readable workbook


@pytest.mark.parametrize(("path", "params"), [
    ("/v1/exports/records.csv", {"from": "0000-01"}),
    ("/v1/exports/minutes.xlsx", {"to": "0000-12"}),
    ("/v1/minutes", {"period": "0000-01"}),
    ("/v1/minutes", {"offset": "1" * 33}),
    ("/v1/audit-log", {"offset": "1" * 33}),
    ("/v1/stats/dashboard", {"from": "0000-01"}),
    ("/bien-ban", {"period": "0000-01", "format": "json"}),
    ("/tong-quan", {"from": "0000-01", "format": "json"}),
])
def test_out_of_range_parameters_are_refused_with_the_error_shape(world: World, client: TestClient, path: str,
                                                                  params: dict[str, str]) -> None:
    r = client.get(path, params=params, headers=world.h("quantri"))
    assert_error(r, (422,))


def test_an_audit_report_with_a_year_zero_is_refused(world: World, client: TestClient) -> None:
    unit = client.get("/v1/units", headers=world.h("quantri")).json()["data"][0]["unit_id"]
    r = client.get(f"/bao-cao/{unit}", params={"from": "0000-01", "format": "json"}, headers=world.h("quantri"))
    assert assert_error(r, (422,))["code"] == "INVALID_PERIOD"


def test_deeply_nested_json_is_a_400_not_a_crash(world: World, client: TestClient) -> None:
    body = "[" * 100_000 + "]" * 100_000
    r = client.post("/v1/check", content=body, headers={**world.h("quantri"), "content-type": "application/json"})
    assert assert_error(r, (400,))["code"] == "INVALID_JSON"


def test_downloads_name_their_files_with_rfc_6266(world: World, client: TestClient) -> None:
    unit = client.get("/v1/units", headers=world.h("quantri")).json()["data"][0]["unit_id"]
    r = client.get("/v1/exports/records.csv", params={"unit_id": unit, "from": "2024-01"},
                   headers=world.h("quantri"))
    disposition = r.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="') and "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == f"bien-ban_{unit}_2024-01.csv"
    mid = world.minutes["A1"][0]
    original = client.get(f"/v1/minutes/{mid}/original", headers=world.h("quantri"))
    assert "\r" not in original.headers["content-disposition"] and original.headers["content-disposition"].count('"') == 2


def test_every_answer_carries_the_house_headers(world: World, client: TestClient) -> None:
    mid = world.minutes["A1"][0]
    for path in ("/v1/minutes", f"/v1/minutes/{mid}", "/tong-quan", "/v1/health", "/dang-nhap", "/khong-co"):
        r = client.get(path, headers=world.h("quantri"))
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["cache-control"] == "no-store", path
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, path


def test_pages_hold_no_inline_script_or_style(world: World, client: TestClient) -> None:
    from tests.auth.test_access_api import sign_in

    sign_in(client, "kiemtra-a")
    unit = client.get("/v1/units", headers=world.h("kiemtra-a")).json()["data"][0]["unit_id"]
    for path in ("/tong-quan", "/bien-ban", f"/bien-ban/{world.minutes['A1'][0]}", "/tim-kiem?q=đảng+phí",
                 f"/bao-cao/{unit}", "/tai-khoan"):
        html = client.get(path).text
        assert " onclick=" not in html and " style=" not in html, path
        assert "<script>" not in html and "<style" not in html, path


def test_the_api_documentation_is_served_from_the_package_behind_sign_in(world: World, client: TestClient) -> None:
    assert_error(client.get("/docs"), (401,))
    assert_error(client.get("/openapi.json"), (401,))
    page = client.get("/docs", headers=world.h("kiemtra-a"))
    assert page.status_code == 200 and "cdn" not in page.text.lower()
    for src in ("/static/docs/swagger-ui-bundle.js", "/static/docs/swagger-ui.css", "/static/docs-init.js"):
        assert src in page.text
        asset = client.get(src)
        assert asset.status_code == 200 and len(asset.content) > 30, src
    spec = client.get("/openapi.json", headers=world.h("kiemtra-a")).json()
    assert "/v1/check" in spec["paths"]


def test_a_file_kept_in_another_unit_answers_like_a_new_file_of_that_unit(world: World, client: TestClient) -> None:
    kept = minute_bytes("B1", date(2024, 1, 5))  # stored in đảng bộ B by the world
    new = minute_bytes("B1", date(2024, 7, 5))
    answers = []
    for data in (kept, new):
        r = client.post("/v1/minutes", files={"file": ("b.txt", data, "text/plain")}, headers=world.h("kiemtra-a"))
        answers.append((r.status_code, json.dumps(r.json(), ensure_ascii=False, sort_keys=True)))
    assert answers[0] == answers[1]
    assert answers[0][0] == 403
    # filed in a unit of the caller's own (chosen), the copy and a new file get ids alike: neither is the
    # file's bare hash, so the id does not tell whether the bytes are kept elsewhere
    own = client.get("/v1/units", headers=world.h("vanthu-a1")).json()["data"][0]["unit_id"]
    ids = []
    for data in (kept, minute_bytes("B1", date(2024, 8, 5))):
        r = client.post("/v1/minutes", params={"unit": own}, files={"file": ("b.txt", data, "text/plain")},
                        headers=world.h("vanthu-a1"))
        assert r.status_code == 201 and r.json()["data"][0]["status"] in ("stored", "replaced"), r.text
        ids.append((r.json()["data"][0]["id"], hashlib.sha256(data).hexdigest()))
    assert all(mid != bare for mid, bare in ids)


def test_a_minute_naming_its_unit_with_bidi_characters_is_filed_under_the_clean_name(world: World,
                                                                                      client: TestClient) -> None:
    text = minute_bytes("A1", date(2024, 10, 5)).decode()
    words = text.split("Thôn", 1)
    hidden = (words[0] + "Th\u202eôn\u200b" + words[1]).encode()
    r = client.post("/v1/minutes", files={"file": ("a.txt", hidden, "text/plain")}, headers=world.h("vanthu-a1"))
    assert r.status_code == 201, r.text
    summary = client.get(f"/v1/minutes/{r.json()['data'][0]['id']}", headers=world.h("vanthu-a1")).json()
    chi_bo = summary["data"]["summary"]["chi_bo"]
    assert "\u202e" not in chi_bo and "\u200b" not in chi_bo


def test_the_queue_door_shows_the_callers_files(world: World, client: TestClient) -> None:
    r = client.get("/v1/queue", headers=world.h("vanthu-a1"))
    body = r.json()
    assert r.status_code == 200 and body["data"] == [] and body["slots"] == world.settings.documents.workers
    assert (body["converting"], body["waiting"]) == (0, 0)
    assert_error(client.get("/v1/queue"), (401,))


def test_405_names_the_allowed_methods(world: World, client: TestClient) -> None:
    r = client.put(f"/v1/minutes/{world.minutes['A1'][0]}", headers=world.h("quantri"))
    assert assert_error(r, (405,))["code"] == "METHOD_NOT_ALLOWED"
    assert set(r.headers["allow"].split(", ")) == {"GET", "DELETE"}
