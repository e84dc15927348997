"""The pages over HTTP: HTML for people, the same data as JSON twins, the text with its marks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from service.api.ui.marks import blocks_of
from service.api.ui.search import pieces
from service.check import check_text
from tests.archive.factory import make_minute
from tests.auth.test_access_api import sign_in
from tests.auth.world import A1 as A1_NAME
from tests.auth.world import DANG_BO_A, World, build_world, minute_bytes, uid


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("pages"))


@pytest.fixture()
def client(world: World) -> Iterator[TestClient]:
    with TestClient(world.app) as c:
        yield c


def test_runs_cover_the_text_exactly_and_anchor_every_finding() -> None:
    text = minute_bytes("A1", date(2024, 3, 5), unexcused=["Hà Văn Tư"]).decode()
    report = check_text(text, include_text=True)
    content = report.text.content or ""
    blocks = blocks_of(report, content)
    assert "".join(r.text for b in blocks for r in b.runs) == content
    anchors = {a for b in blocks for r in b.runs for a in r.anchors}
    assert anchors == {f"f{i}" for i, f in enumerate(report.findings) if f.span}
    kinds = {c for b in blocks for r in b.runs for c in r.classes}
    assert {"fact-speaker", "fact-resolution", "fact-person", "fact-criticism"} <= kinds
    assert {b.kind for b in blocks} >= {"attendance", "discussion", "resolution"}


def test_snippet_pieces_follow_the_highlights() -> None:
    text = "Chi bộ bàn về Nông thôn mới"
    assert pieces(text, [(14, 18), (19, 23)]) == [("Chi bộ bàn về ", False), ("Nông", True), (" ", False),
                                                  ("thôn", True), (" mới", False)]
    assert pieces(text, [(30, 40)]) == [(text, False)]  # a highlight past the end is ignored


def test_the_minute_page_links_findings_to_their_spans(world: World, client: TestClient) -> None:
    sign_in(client, "kiemtra-a")
    mid = world.minutes["A1"][1]
    page = client.get(f"/bien-ban/{mid}")
    assert page.status_code == 200 and 'lang="vi"' in page.text
    assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"
    data = client.get(f"/bien-ban/{mid}", params={"format": "json"}).json()
    findings = data["report"]["findings"]
    for i, f in enumerate(findings):
        if f["span"]:
            assert f'href="#f{i}"' in page.text and f'id="f{i}"' in page.text
    assert f'/v1/minutes/{mid}/original' in page.text
    assert "Lê Văn Nam" in page.text and 'class="fact-person"' in page.text
    assert data["summary"]["id"] == mid and data["text"].startswith("ĐẢNG BỘ")
    hl = client.get(f"/bien-ban/{mid}", params={"hl": "0-10"})
    assert 'id="hit"' in hl.text and "search-hit" in hl.text


def test_search_page_highlights_pages_and_has_a_json_twin(world: World, client: TestClient) -> None:
    sign_in(client, "kiemtra-a")
    page = client.get("/tim-kiem", params={"q": "chuyen doi co cau cay trong"})
    assert page.status_code == 200
    assert re.search(r"<mark>[^<]*(chuyển|đổi|cơ|cấu|cây|trồng)[^<]*</mark>", page.text, re.IGNORECASE)
    twin = client.get("/tim-kiem", params={"q": "chuyển đổi cơ cấu", "format": "json"}).json()
    assert twin["ok"] and twin["data"] and twin["page"] == 1
    first = client.get("/tim-kiem", params={"q": "đảng phí", "format": "json"}).json()
    if first["has_more"]:
        second = client.get("/tim-kiem", params={"q": "đảng phí", "page": 2, "format": "json"}).json()
        assert not {h["minute_id"] + str(h["span"]) for h in first["data"]} & {
            h["minute_id"] + str(h["span"]) for h in second["data"]}
    narrowed = client.get("/tim-kiem", params={"q": "đảng phí", "chi_bo": "Chi bộ Thôn Tây Sơn",
                                               "format": "json"}).json()
    assert narrowed["data"] and {h["chi_bo"] for h in narrowed["data"]} == {"Chi bộ Thôn Tây Sơn"}


def test_search_page_and_api_show_the_same_hits_to_the_same_user(world: World, client: TestClient) -> None:
    sign_in(client, "kiemtra-a")
    for q in ("đảng phí", "dang phi", "party membership fees"):
        twin = client.get("/tim-kiem", params={"q": q, "format": "json"}).json()
        api = client.get("/v1/search", params={"q": q, "limit": 10}, headers=world.h("kiemtra-a")).json()
        assert [(h["minute_id"], h["chunk_id"]) for h in twin["data"]] == [
            (h["minute_id"], h["chunk_id"]) for h in api["data"]], q
        assert twin["total"] == api["total"] and twin["language"] == api["language"]


def test_search_shows_each_user_only_their_units(world: World, client: TestClient) -> None:
    from tests.auth.world import A1, B1, B_MARKER

    admin = client.get("/v1/search", params={"q": B_MARKER, "limit": 50}, headers=world.h("quantri")).json()
    assert any(h["chi_bo"] == B1 for h in admin["data"])
    reviewer = client.get("/v1/search", params={"q": B_MARKER, "limit": 50}, headers=world.h("kiemtra-a")).json()
    assert reviewer["data"] and all(h["dang_bo"] == DANG_BO_A for h in reviewer["data"])
    clerk = client.get("/v1/search", params={"q": "đảng phí", "limit": 50, "group": True},
                       headers=world.h("vanthu-a1")).json()
    assert clerk["data"] and {h["chi_bo"] for h in clerk["data"]} == {A1}
    asked = client.get("/v1/search", params={"q": B_MARKER, "chi_bo": B1}, headers=world.h("kiemtra-a")).json()
    assert asked["data"] == [] and asked["total"] == 0


def test_the_dashboard_page_and_its_twin_agree_with_the_stats_api(world: World, client: TestClient) -> None:
    sign_in(client, "kiemtra-a")
    page = client.get("/tong-quan")
    assert page.status_code == 200 and page.text.count("<svg") >= 5
    assert "Tỷ lệ dự họp theo chi bộ và tháng" in page.text and "Xuất Excel" in page.text
    twin = client.get("/tong-quan", params={"format": "json"}).json()
    api = client.get("/v1/stats/dashboard", params={"dang_bo": DANG_BO_A}, headers=world.h("kiemtra-a")).json()
    assert twin["units"] == api["data"]["units"] and twin["overview"] == api["data"]["overview"]
    assert twin["dang_bo"] == DANG_BO_A or twin["dang_bo"].casefold() == DANG_BO_A.casefold()


def test_upload_without_script_reports_each_file(world: World, client: TestClient) -> None:
    csrf = sign_in(client, "vanthu-a1")
    files = [("file", ("a1-11.txt", minute_bytes("A1", date(2024, 11, 5)), "text/plain")),
             ("file", ("a2-11.txt", minute_bytes("A2", date(2024, 11, 5)), "text/plain"))]
    page = client.post("/tai-len", data={"csrf_token": csrf}, files=files)
    assert page.status_code == 200
    assert "Đã lưu" in page.text and "FORBIDDEN_UNIT" in page.text
    twin = client.post("/tai-len", params={"format": "json"}, data={"csrf_token": csrf}, files=files[:1]).json()
    assert twin["data"][0]["status"] == "duplicate"


def test_the_upload_form_offers_the_unit_tree_to_an_admin_and_files_where_chosen(world: World,
                                                                                 client: TestClient) -> None:
    csrf = sign_in(client, "quantri")
    form = client.get("/tai-len").text
    a1 = uid(DANG_BO_A, "Chi bộ Thôn Đông Hòa")
    assert 'name="unit"' in form and f'value="{a1}"' in form
    data = make_minute(dang_bo=DANG_BO_A, chi_bo="Chi bộ Thôn Mới Lập", day=date(2024, 12, 5)).encode()
    asked = client.post("/tai-len", data={"csrf_token": csrf}, files=[("file", ("moi.txt", data, "text/plain"))])
    assert "UNIT_UNKNOWN" in asked.text
    filed = client.post("/tai-len", data={"csrf_token": csrf, "unit": a1},
                        files=[("file", ("moi.txt", data, "text/plain"))])
    assert "Đã lưu" in filed.text and "theo đơn vị đã chọn" in filed.text
    assert client.post("/tai-len", data={"csrf_token": csrf, "unit": "nonsense"},
                       files=[("file", ("moi.txt", data, "text/plain"))]).status_code == 403
    client.cookies.clear()
    sign_in(client, "vanthu-a1")
    assert 'name="unit"' not in client.get("/tai-len").text  # a clerk files under their own chi bộ


def test_the_printable_report_and_the_account_page(world: World, client: TestClient) -> None:
    sign_in(client, "kiemtra-a")
    unit = uid(DANG_BO_A, "Chi bộ Thôn Đông Hòa")
    page = client.get(f"/bao-cao/{unit}")
    assert page.status_code == 200 and "/static/report.css" in page.text
    assert "BÁO CÁO KIỂM TRA BIÊN BẢN SINH HOẠT CHI BỘ" in page.text
    assert client.get("/static/report.css").text.count("@page") == 1
    twin = client.get(f"/bao-cao/{unit}", params={"format": "json"}).json()
    assert twin["unit_id"] == unit and len(twin["minutes"]) >= 3
    account = client.get("/tai-khoan")
    assert "Đổi mật khẩu" in account.text and "Khóa API" in account.text


def test_the_minute_page_corrects_fields_and_judges_findings(world: World, client: TestClient) -> None:
    csrf = sign_in(client, "vanthu-a1")
    data = minute_bytes("A1", date(2024, 7, 5), unexcused=["Hà Văn Tư"])
    mid = client.post("/v1/minutes", files={"file": ("t7.txt", data, "text/plain")},
                      headers={"X-CSRF-Token": csrf}).json()["data"][0]["id"]
    page = client.get(f"/bien-ban/{mid}")
    assert 'action="/bien-ban/' + mid + '/sua"' in page.text
    # each finding says how to put it right, and the score says where its points went
    assert "Cách sửa: Chi bộ làm rõ lý do" in page.text and "Vì sao 97 điểm?" in page.text
    assert "form class=\"judge\"" not in page.text, "a clerk corrects fields but does not judge findings"
    # a changed field is saved with who and why; unchanged inputs are not corrections
    form = {"csrf_token": csrf, "f:meeting.location": "Hội trường thôn", "was:meeting.location": "Nhà văn hóa thôn",
            "f:attendance.present": "14", "was:attendance.present": "14", "reason": "ghi rõ tên hội trường"}
    done = client.post(f"/bien-ban/{mid}/sua", data=form, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith(f"/bien-ban/{mid}?luu=1")
    twin = client.get(f"/bien-ban/{mid}", params={"format": "json"}).json()
    assert twin["report"]["record"]["meeting"]["location"] == "Hội trường thôn"
    assert [c["field"] for c in twin["review"]["corrected"]] == ["meeting.location"]
    shown = client.get(f"/bien-ban/{mid}?luu=1").text
    assert "đã sửa" in shown and "Lịch sử soát xét (1)" in shown and "Đã lưu." in shown
    # a refused value is shown on the page, nothing is stored
    bad = client.post(f"/bien-ban/{mid}/sua", data={**form, "f:attendance.present": "mười", "was:attendance.present": ""})
    assert bad.status_code == 400 and "không phải là số nguyên" in bad.text
    assert client.post(f"/bien-ban/{mid}/phat-hien/ATT-UNEXCUSED", data={"csrf_token": csrf, "state": "dismissed",
                                                                       "note": "x y z"}).status_code == 403
    # a reviewer dismisses the unexcused-absence finding with a reason
    client.cookies.clear()
    csrf = sign_in(client, "kiemtra-a")
    assert "form class=\"judge\"" in client.get(f"/bien-ban/{mid}").text
    missing = client.post(f"/bien-ban/{mid}/phat-hien/ATT-UNEXCUSED", data={"csrf_token": csrf, "state": "dismissed"})
    assert missing.status_code == 400 and "lý do" in missing.text
    ok = client.post(f"/bien-ban/{mid}/phat-hien/ATT-UNEXCUSED", follow_redirects=False,
                     data={"csrf_token": csrf, "state": "dismissed", "note": "đã báo vắng với bí thư"})
    assert ok.status_code == 303
    page = client.get(f"/bien-ban/{mid}").text
    assert "Bác bỏ: đã báo vắng với bí thư" in page and "không tính điểm" in page


def test_the_upload_page_joins_photos_of_one_minute(world: World, client: TestClient) -> None:
    import io

    from PIL import Image

    csrf = sign_in(client, "quantri")
    page = client.get("/tai-len").text
    assert 'capture="environment"' in page and 'name="combine"' in page
    photos = []
    for n in (1, 2):  # two blank pages: one document, refused as a whole for having no text
        buf = io.BytesIO()
        Image.new("L", (827, 1169), 255).save(buf, format="PNG")
        photos.append(("file", (f"trang-{n}.png", buf.getvalue(), "image/png")))
    done = client.post("/tai-len", data={"csrf_token": csrf, "combine": "1"}, files=photos)
    assert done.status_code == 200
    assert done.text.count("<tr class=\"status-") == 1 and "trang-1-2-trang.pdf" in done.text
    assert "NO_TEXT_FOUND" in done.text


def test_search_says_what_to_try_before_a_query_and_after_a_miss(world: World, client: TestClient) -> None:
    sign_in(client, "kiemtra-a")
    blank = client.get("/tim-kiem")
    assert blank.status_code == 200 and 'id="goi-y"' in blank.text and "không dấu" in blank.text
    miss = client.get("/tim-kiem", params={"q": "tàu vũ trụ sao hỏa", "section": "criticism", "chi_bo": A1_NAME,
                                           "date_from": "2031-01-01"})
    assert miss.status_code == 200 and 'id="khong-thay"' in miss.text
    assert "phần Phê bình và tự phê bình" in miss.text and f"chi bộ {A1_NAME}" in miss.text
    assert "từ ngày 2031-01-01" in miss.text
    assert 'href="/tim-kiem?q=t%C3%A0u%20v%C5%A9%20tr%E1%BB%A5%20sao%20h%E1%BB%8Fa"' in miss.text


def test_an_empty_dashboard_says_how_to_fill_it(world: World, client: TestClient) -> None:
    sign_in(client, "vanthu-a1")
    empty = client.get("/tong-quan", params={"from": "2031-01", "to": "2031-03"})
    assert empty.status_code == 200 and 'id="chua-co"' in empty.text and 'href="/tai-len"' in empty.text
    assert 'id="chua-co"' not in client.get("/tong-quan").text  # the clerk's months with minutes


def test_count_charts_have_whole_ticks_and_name_their_unit() -> None:
    from service.api.ui.charts import bars

    svg = bars(["T1", "T2"], [("Thường kỳ", [7.0, 3.0], "#1565c0")], title="Số buổi", unit="Số buổi")
    ticks = re.findall(r'text-anchor="end"[^>]*>([^<]*)</text>', svg)
    assert ticks == ["0", "4", "8"] and ">Số buổi</text>" in svg
