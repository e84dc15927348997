import json

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.settings import Limits, Settings

MINUTE = ("CHI BỘ THÔN A\nBIÊN BẢN SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 3 NĂM 2024\n"
          "Hôm nay, lúc 19 giờ 00 phút ngày 05/3/2024, tại nhà văn hóa thôn A.\n"
          "Chủ trì: đồng chí Nguyễn Văn An. Thư ký: đồng chí Lê Thị Bình.\n")


@pytest.fixture(scope="module")
def client():
    s = Settings(limits=Limits(max_text_chars=20_000, max_upload_bytes=200_000))
    with TestClient(create_app(s)) as c:
        yield c


def _assert_error(resp, status, code):
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["ok"] is False and body["status"] == status and body["code"] == code
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["errors"], list)


def test_json_body(client):
    r = client.post("/v1/check", json={"text": MINUTE, "source": "a", "include_text": True})
    assert r.status_code == 200
    body = r.json()
    assert body["source"] == "a" and body["ruleset"] == "HD12"
    assert body["record"]["meeting"]["chair"]["name"] == "Nguyễn Văn An"
    assert body["text"]["content"].startswith("CHI BỘ")
    assert {"record", "findings", "score", "complete"} <= set(body)


def test_multipart_and_plain_text_give_the_same_report(client):
    r1 = client.post("/v1/check", files={"file": ("bb.txt", MINUTE.encode(), "text/plain")})
    r2 = client.post("/v1/check", content=MINUTE.encode(), headers={"content-type": "text/plain; charset=utf-8"})
    r3 = client.post("/v1/check", json={"text": MINUTE})
    assert r1.status_code == r2.status_code == r3.status_code == 200
    assert r1.json()["source"] == "bb.txt"
    assert r1.json()["record"] == r2.json()["record"] == r3.json()["record"]


def test_utf16_with_bom_is_read(client):
    r = client.post("/v1/check", files={"file": ("bb.txt", MINUTE.encode("utf-16"), "text/plain")})
    assert r.status_code == 200
    assert r.json()["record"]["meeting"]["chair"]["name"] == "Nguyễn Văn An"


def test_vote_key_is_named_for(client):
    text = MINUTE + "Nghị quyết tháng 3/2024 gồm:\n(1) Làm đường: giao đồng chí Lê Văn C.\nBiểu quyết: 9/10 đồng chí tán thành, đạt 90%.\n"
    vote = client.post("/v1/check", json={"text": text}).json()["record"]["resolutions"][0]["vote"]
    assert vote["for"] == 9 and "for_" not in vote


@pytest.mark.parametrize("kwargs,status,code", [
    ({"json": {"text": ""}}, 400, "EMPTY_INPUT"),
    ({"json": {"text": "   \n\t "}}, 400, "EMPTY_INPUT"),
    ({"json": {"text": "x" * 20_001}}, 413, "TEXT_TOO_LARGE"),
    ({"json": {"text": "\x00\x01\x02\x03garbage\x04\x05" * 50}}, 422, "NOT_TEXT"),
    ({"json": {"content": MINUTE}}, 422, "INVALID_BODY"),
    ({"json": ["not", "an", "object"]}, 422, "INVALID_BODY"),
    ({"json": {"text": 42}}, 422, "INVALID_BODY"),
    ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 400, "INVALID_JSON"),
    ({"content": b"<xml/>", "headers": {"content-type": "application/xml"}}, 415, "UNSUPPORTED_MEDIA_TYPE"),
    ({"files": {"file": ("bb.txt", b"\xff\xfe\xfa\x81\x00\x01" * 100, "text/plain")}}, 422, "NOT_TEXT"),
    ({"files": {"file": ("bb.txt", b"Bi\xean b\xe0n h\xf4p chi b\xf4 th\xe1ng 3 n\xe3m 2024", "text/plain")}}, 422, "INVALID_ENCODING"),
    ({"files": {"file": ("bb.txt", b"", "text/plain")}}, 400, "EMPTY_INPUT"),
    ({"files": {"other": ("bb.txt", b"abc", "text/plain")}}, 422, "INVALID_BODY"),
    ({"content": b"a" * 300_000, "headers": {"content-type": "text/plain"}}, 413, "PAYLOAD_TOO_LARGE"),
    ({"json": {"text": MINUTE, "province": "khong-co"}}, 400, "UNKNOWN_PROVINCE"),
    ({"json": {"text": "Minutes of the board meeting. The board approved the budget and the plan."}}, 422,
     "NOT_MINUTES"),
    ({"files": {"file": ("pho.txt", "Cách nấu phở: ninh xương bò sáu tiếng, nêm nước mắm.".encode(), "text/plain")}},
     422, "NOT_MINUTES"),
])
def test_bad_input_gets_one_error_shape(client, kwargs, status, code):
    _assert_error(client.post("/v1/check", **kwargs), status, code)


def test_unknown_route_and_method_use_the_error_shape(client):
    _assert_error(client.get("/v1/nowhere"), 404, "NOT_FOUND")
    _assert_error(client.get("/v1/check"), 405, "METHOD_NOT_ALLOWED")


def test_health_and_openapi(client):
    assert client.get("/v1/health").json()["ok"] is True
    spec = client.get("/openapi.json").json()
    content = spec["paths"]["/v1/check"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data", "text/plain"} <= set(content)
    assert "CheckReport" in json.dumps(spec["components"])
