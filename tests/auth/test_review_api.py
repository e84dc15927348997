"""The review doors over HTTP: who may correct and judge what, and what each answer carries."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from tests.auth.walk import assert_error
from tests.auth.world import World, build_world, minute_bytes


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("review-world"))


@pytest.fixture()
def client(world: World) -> Iterator[TestClient]:
    with TestClient(world.app) as c:
        yield c


@pytest.fixture(scope="module")
def flagged(world: World) -> str:
    """A June minute of chi bộ A1 with an unexcused absence (an ATT-UNEXCUSED finding)."""
    with TestClient(world.app) as c:
        r = c.post("/v1/minutes", headers=world.h("vanthu-a1"), files={"file": (
            "thang-6.txt", minute_bytes("A1", date(2024, 6, 5), unexcused=["Hà Văn Tư"]), "text/plain")})
        assert r.status_code == 201, r.text
        return str(r.json()["data"][0]["id"])


def test_a_clerk_corrects_a_field_of_their_own_minute(world: World, client: TestClient, flagged: str) -> None:
    r = client.patch(f"/v1/minutes/{flagged}/record", headers=world.h("vanthu-a1"), json={
        "corrections": [{"field": "meeting.location", "value": "Hội trường thôn", "reason": "ghi rõ hơn"}]})
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["report"]["record"]["meeting"]["location"] == "Hội trường thôn"
    assert [(c["field"], c["value"], c["author"]) for c in data["corrected"]] == [
        ("meeting.location", "Hội trường thôn", "vanthu-a1")]
    # the minute's own endpoints serve the corrected record
    rec = client.get(f"/v1/minutes/{flagged}/record", headers=world.h("kiemtra-a")).json()
    assert rec["meeting"]["location"] == "Hội trường thôn"
    log = client.get("/v1/audit-log", headers=world.h("quantri"), params={"action": "correct"}).json()["data"]
    assert any(e["target"] == flagged and e["detail"]["fields"] == ["meeting.location"] for e in log)


def test_a_reviewer_dismisses_a_finding_and_the_count_is_scoped(world: World, client: TestClient,
                                                                flagged: str) -> None:
    before = client.get(f"/v1/minutes/{flagged}", headers=world.h("kiemtra-a")).json()["data"]["report"]
    assert "ATT-UNEXCUSED" in {f["rule"] for f in before["findings"]}
    # a clerk may not judge findings; a reviewer must give a reason to dismiss
    assert_error(client.put(f"/v1/minutes/{flagged}/findings/ATT-UNEXCUSED", headers=world.h("vanthu-a1"),
                            json={"state": "dismissed", "note": "đã báo vắng"}), (403,))
    body = assert_error(client.put(f"/v1/minutes/{flagged}/findings/ATT-UNEXCUSED", headers=world.h("kiemtra-a"),
                                   json={"state": "dismissed"}), (400,))
    assert body["code"] == "INVALID_REVIEW"
    r = client.put(f"/v1/minutes/{flagged}/findings/ATT-UNEXCUSED", headers=world.h("kiemtra-a"),
                   json={"state": "dismissed", "note": "đồng chí đã báo vắng với bí thư"})
    assert r.status_code == 200, r.text
    report = r.json()["data"]["report"]
    [f] = [f for f in report["findings"] if f["rule"] == "ATT-UNEXCUSED"]
    assert f["state"] == "dismissed" and f["note"] == "đồng chí đã báo vắng với bí thư"
    assert report["score"]["points"] > before["score"]["points"]
    mine = client.get("/v1/reviews/dismissals", headers=world.h("kiemtra-a")).json()["data"]
    assert {"rule": "ATT-UNEXCUSED", "dismissed": 1} in mine
    assert client.get("/v1/reviews/dismissals", headers=world.h("kiemtra-b")).json()["data"] == []
    listed = client.get("/v1/minutes", headers=world.h("kiemtra-a"), params={"rule": "ATT-UNEXCUSED"}).json()
    assert flagged not in [m["id"] for m in listed["data"]]


def test_another_units_minute_cannot_be_reviewed(world: World, client: TestClient, flagged: str) -> None:
    for who in ("kiemtra-b", "vanthu-a2"):
        assert_error(client.patch(f"/v1/minutes/{flagged}/record", headers=world.h(who), json={
            "corrections": [{"field": "meeting.location", "value": "X"}]}), (403, 404))
        assert_error(client.get(f"/v1/minutes/{flagged}/review", headers=world.h(who)), (403, 404))
    assert_error(client.put(f"/v1/minutes/{flagged}/findings/ATT-UNEXCUSED", headers=world.h("kiemtra-b"),
                            json={"state": "accepted"}), (403, 404))


def test_bad_corrections_get_the_error_shape(world: World, client: TestClient, flagged: str) -> None:
    h = world.h("kiemtra-a")
    for body, status, code in (
            ({"corrections": [{"field": "meeting.unit", "value": "X"}]}, 400, "INVALID_CORRECTION"),
            ({"corrections": [{"field": "attendance.present", "value": "mười hai"}]}, 400, "INVALID_CORRECTION"),
            ({"corrections": []}, 422, None),
            ({"corrections": [{"field": "meeting.location", "value": {"x": 1}}]}, 422, None),
            ({"fields": []}, 422, None)):
        err = assert_error(client.patch(f"/v1/minutes/{flagged}/record", headers=h, json=body), (status,))
        assert code is None or err["code"] == code
    assert_error(client.patch(f"/v1/minutes/{'0' * 64}/record", headers=h, json={
        "corrections": [{"field": "meeting.location", "value": "X"}]}), (404,))


def test_history_and_labeled_export(world: World, client: TestClient, flagged: str) -> None:
    client.patch(f"/v1/minutes/{flagged}/record", headers=world.h("kiemtra-a"), json={
        "corrections": [{"field": "attendance.present", "value": 12}]})
    review = client.get(f"/v1/minutes/{flagged}/review", headers=world.h("vanthu-a1")).json()["data"]
    kinds = [(e["kind"], e["subject"]) for e in review["history"]]
    assert ("field", "attendance.present") in kinds and ("finding", "ATT-UNEXCUSED") in kinds
    r = client.get("/v1/exports/corrections.zip", headers=world.h("kiemtra-a"))
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    z = zipfile.ZipFile(io.BytesIO(r.content))
    label = json.loads(z.read(f"{flagged[:16]}.json"))
    assert label["expect"]["record.attendance.present"] == 12
    other = client.get("/v1/exports/corrections.zip", headers=world.h("kiemtra-b"))
    assert zipfile.ZipFile(io.BytesIO(other.content)).namelist() == []


def test_a_reviewer_returns_a_minute_and_the_clerk_sees_it_first(world: World, client: TestClient) -> None:
    from tests.auth.test_access_api import sign_in

    data = minute_bytes("A1", date(2024, 8, 5), unexcused=["Hà Văn Tư"])
    mid = client.post("/v1/minutes", headers=world.h("vanthu-a1"),
                      files={"file": ("t8.txt", data, "text/plain")}).json()["data"][0]["id"]
    assert_error(client.put(f"/v1/minutes/{mid}/status", headers=world.h("vanthu-a1"),
                            json={"status": "approved"}), (403,))
    assert_error(client.put(f"/v1/minutes/{mid}/status", headers=world.h("kiemtra-b"),
                            json={"status": "returned", "note": "x y z"}), (403, 404))
    r = client.put(f"/v1/minutes/{mid}/status", headers=world.h("kiemtra-a"), json={
        "status": "returned", "note": "ghi rõ lý do vắng", "comments": {"ATT-UNEXCUSED": "đã báo vắng chưa?"}})
    assert r.status_code == 200 and r.json()["data"]["status"] == "returned"
    returned = client.get("/v1/reviews/returned", headers=world.h("vanthu-a1")).json()["data"]
    assert [m["id"] for m in returned] == [mid]
    assert client.get("/v1/reviews/returned", headers=world.h("kiemtra-b")).json()["data"] == []
    # signing in, the clerk lands on the dashboard with the returned minute on top
    sign_in(client, "vanthu-a1")
    board = client.get("/tong-quan").text
    assert "Biên bản bị trả lại (1)" in board and f"/bien-ban/{mid}" in board and "ghi rõ lý do vắng" in board
    assert board.index("Biên bản bị trả lại") < board.index("class=\"kpis\"")
    page = client.get(f"/bien-ban/{mid}").text
    assert "Đã trả lại cho văn thư" in page and "đã báo vắng chưa?" in page
    # a new version answers it; the page links the comparison
    fixed = minute_bytes("A1", date(2024, 8, 5), excused=[("Hà Văn Tư", "ốm")])
    new = client.post("/v1/minutes", headers=world.h("vanthu-a1"),
                      files={"file": ("t8-sua.txt", fixed, "text/plain")}).json()["data"][0]
    assert new["status"] == "replaced"
    page = client.get(f"/bien-ban/{new['id']}").text
    assert "bản sửa của biên bản đã bị trả lại" in page
    diff = client.get(f"/v1/minutes/{new['id']}/compare", headers=world.h("kiemtra-a")).json()["data"]
    assert diff["before"] == mid and "ATT-UNEXCUSED" in diff["findings_removed"]
    compare = client.get(f"/bien-ban/{new['id']}/so-sanh")
    assert compare.status_code == 200 and "Vắng không lý do" in compare.text
    log = client.get("/v1/audit-log", headers=world.h("quantri"), params={"action": "status_returned"}).json()
    assert any(e["target"] == mid for e in log["data"])


def test_submissions_list_every_chi_bo_of_the_month_and_who_to_call(world: World, client: TestClient) -> None:
    from service.auth.accounts import open_accounts

    accounts = open_accounts(world.settings)
    try:  # a chi bộ of đảng bộ A with a clerk but no minute at all
        accounts.add_user("vanthu-a3", "clerk", "Đảng bộ xã An Phú / Chi bộ Thôn Ba Làng", "mat-khau-du-dai-1")
    finally:
        accounts.close()
    a1 = world.minutes["A1"][1]  # A1's February minute
    client.put(f"/v1/minutes/{a1}/status", headers=world.h("kiemtra-a"),
               json={"status": "returned", "note": "thiếu lý do vắng"})
    r = client.get("/v1/submissions", params={"period": "2024-02"}, headers=world.h("kiemtra-a"))
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    by_unit = {u["chi_bo"]: u for u in data["units"]}
    assert set(by_unit) == {"Chi bộ Thôn Đông Hòa", "Chi bộ Thôn Tây Sơn", "Chi bộ Thôn Ba Làng"}, "no đảng bộ B"
    assert by_unit["Chi bộ Thôn Đông Hòa"]["state"] == "returned"
    assert by_unit["Chi bộ Thôn Đông Hòa"]["note"] == "thiếu lý do vắng"
    assert by_unit["Chi bộ Thôn Tây Sơn"]["state"] == "submitted"
    missing = by_unit["Chi bộ Thôn Ba Làng"]
    assert missing["state"] == "missing" and missing["clerks"] == ["vanthu-a3"]
    assert data["counts"]["missing"] == 1 and data["counts"]["returned"] == 1
    # March ends the first quarter: no chi bộ of the world held a thematic meeting
    march = client.get("/v1/submissions", params={"period": "2024-03"}, headers=world.h("kiemtra-a")).json()["data"]
    assert {u["state"] for u in march["units"]} == {"missing"} and march["counts"]["thematic_missing"] == 3
    csv = client.get("/v1/exports/reminders.csv", params={"period": "2024-02"}, headers=world.h("kiemtra-a"))
    text = csv.content.decode("utf-8-sig")
    assert csv.status_code == 200 and "Chi bộ Thôn Ba Làng" in text and "vanthu-a3" in text
    assert "Chi bộ Thôn Tây Sơn" not in text, "a submitted minute needs no call"
    xlsx = client.get("/v1/exports/reminders.xlsx", params={"period": "2024-02"}, headers=world.h("kiemtra-a"))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert_error(client.get("/v1/submissions", params={"period": "2024-13"}, headers=world.h("kiemtra-a")), (422,))
    mine = client.get("/v1/submissions", params={"period": "2024-02"}, headers=world.h("vanthu-a2")).json()["data"]
    assert [u["chi_bo"] for u in mine["units"]] == ["Chi bộ Thôn Tây Sơn"]
    page = client.get("/nop-bien-ban", params={"period": "2024-02"}, headers=world.h("kiemtra-a"))
    assert page.status_code == 200 and "chưa nộp" in page.text and "vanthu-a3" in page.text


def test_the_word_report_is_served_to_the_units_reviewers_only(world: World, client: TestClient) -> None:
    from docx import Document

    from tests.auth.world import A1, DANG_BO_A, uid

    unit = uid(DANG_BO_A, A1)
    r = client.get(f"/v1/exports/audit-report/{unit}.docx", params={"from": "2024-01", "to": "2024-04"},
                   headers=world.h("kiemtra-a"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    doc = Document(io.BytesIO(r.content))
    assert doc.tables[0].rows[0].cells[0].paragraphs[0].text == DANG_BO_A.upper()
    assert_error(client.get(f"/v1/exports/audit-report/{unit}.docx",
                            headers=world.h("kiemtra-b")), (403, 404))
    page = client.get(f"/bao-cao/{unit}", headers=world.h("kiemtra-a"))
    assert 'id="report-docx"' in page.text


def test_a_periods_archive_holds_only_the_callers_units(world: World, client: TestClient) -> None:
    r = client.get("/v1/exports/archive.zip", params={"from": "2024-01", "to": "2024-04"},
                   headers=world.h("kiemtra-a"))
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    z = zipfile.ZipFile(io.BytesIO(r.content))
    folders = {n.split("/")[0] for n in z.namelist() if "/" in n}
    assert folders == {"Chi bộ Thôn Đông Hòa", "Chi bộ Thôn Tây Sơn"}, "nothing of đảng bộ B"
    assert all(m in z.read("danh-sach.csv").decode("utf-8-sig") for m in world.minutes["A2"])
