"""The pages in a real browser: Debian's headless Chromium driven by Playwright.

A clerk signs in, drops three minutes on the upload page, sees each file's result and
findings, opens a minute and follows a finding to its place in the text, searches;
a reviewer opens the dashboard, exports the workbook (whose content is checked) and
the printable audit report. On a phone and on a desktop, the admin (the first time: setting
their own password) adds a clerk, makes and revokes a key, reads the audit log; the new clerk
uploads, gets the minute returned, sends a new version that the reviewer approves; the admin
locks the clerk out. Screenshots of every page go to artifacts/screenshots/.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from service.api.app import create_app
from service.auth.accounts import open_accounts
from tests.auth.world import A1, A2, DANG_BO_A, PASSWORD, minute_bytes, settings_for, uid
from tests.live import live_server

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed "
                                 "(`bash scripts/setup.sh test` installs it)")]


FIRST_ADMIN: dict[str, str] = {}  # the name and made password `minutes serve` would print


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = settings_for(tmp_path_factory.mktemp("browser"))
    accounts = open_accounts(settings)
    first = accounts.ensure_first_admin()
    assert first is not None
    FIRST_ADMIN.update(name=first[0].name, password=first[1])
    accounts.add_user("quantri-phu", "admin", None, PASSWORD)
    accounts.add_user("vanthu-a1", "clerk", f"{DANG_BO_A} / {A1}", PASSWORD)
    accounts.add_user("kiemtra-a", "reviewer", DANG_BO_A, PASSWORD)
    accounts.close()
    with live_server(create_app(settings), settings) as url:  # as `minutes serve` runs it, headers and CSP included
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _three_minutes() -> list[tuple[str, str]]:
    """Three months of chi bộ A1: a clean one, one with an unexcused absence, one with gaps."""
    jan = minute_bytes("A1", date(2024, 1, 5)).decode()
    feb = minute_bytes("A1", date(2024, 2, 5), excused=[("Lê Văn Nam", "ốm")], unexcused=["Hà Văn Tư"]).decode()
    mar = "\n".join(line for line in minute_bytes("A1", date(2024, 3, 5), unexcused=["Hà Văn Tư"]).decode()
                    .splitlines() if not line.startswith(("Buổi sinh hoạt kết thúc", "Thư ký đọc lại")))
    return [("bien-ban-thang-1.txt", jan), ("bien-ban-thang-2.txt", feb), ("bien-ban-thang-3.txt", mar)]


def _sign_in(page: Any, base: str, name: str, password: str = PASSWORD, lands: str = "/tong-quan") -> None:
    page.goto(f"{base}/dang-nhap")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}{lands}")


def _set_own_password(page: Any, base: str, name: str, made: str, new: str) -> None:
    """Signed in with a made password: the account page asks for one's own, then a new sign-in."""
    from playwright.sync_api import expect

    _sign_in(page, base, name, made, lands="/tai-khoan")
    expect(page.locator("#must-change")).to_be_visible()
    expect(page.locator("header nav")).to_have_count(0)
    page.goto(f"{base}/bien-ban")
    page.wait_for_url(f"{base}/tai-khoan")  # nothing else opens before the password is changed
    page.fill("input[name=old]", made)
    page.fill("input[name=new]", new)
    page.fill("input[name=again]", new)
    page.click("form[action='/tai-khoan/mat-khau'] button")
    page.wait_for_url(f"{base}/dang-nhap")
    _sign_in(page, base, name, new)


def test_a_clerk_and_a_reviewer_work_through_the_pages(server: str, browser: Any) -> None:
    from openpyxl import load_workbook
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN", accept_downloads=True)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # a script or style refused by the Content-Security-Policy shows as a console error
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)

    # signing in: a wrong password first, then the right one
    page.goto(f"{server}/tong-quan")
    expect(page).to_have_url(f"{server}/dang-nhap?next=%2Ftong-quan")
    page.fill("input[name=name]", "vanthu-a1")
    page.fill("input[name=password]", "khong-dung-mat-khau")
    page.click("button[type=submit]")
    expect(page.locator(".alert")).to_contain_text("không đúng")
    page.screenshot(path=str(SHOTS / "01-dang-nhap.png"), full_page=True)
    _sign_in(page, server, "vanthu-a1")

    # uploading three minutes by drag and drop: one request per file, progress, result and findings
    page.goto(f"{server}/tai-len")
    files = _three_minutes()
    page.evaluate("""(files) => {
        const dt = new DataTransfer();
        for (const [name, text] of files) dt.items.add(new File([text], name, {type: "text/plain"}));
        const zone = document.getElementById("drop-zone");
        zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: dt, bubbles: true, cancelable: true}));
        zone.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
    }""", [list(f) for f in files])
    rows = page.locator("#upload-results tbody tr")
    expect(rows).to_have_count(3)
    for i in range(3):
        expect(rows.nth(i)).to_have_class("status-stored", timeout=30_000)
        expect(rows.nth(i).locator(".summary")).to_contain_text("/100")
        expect(rows.nth(i).locator("progress")).to_have_js_property("value", 1)
    expect(page.locator("#upload-results .findings-mini li[data-rule=ATT-UNEXCUSED]")).to_have_count(2)
    expect(page.locator("#upload-results .findings-mini li[data-rule=TIME-END]")).to_have_count(1)
    page.screenshot(path=str(SHOTS / "02-tai-len.png"), full_page=True)

    # a minute's page: findings listed with their rules, each linked to its place in the text
    page.locator("tr", has_text="bien-ban-thang-3.txt").locator("a.open-minute").click()
    expect(page.locator("h1")).to_contain_text(A1)
    findings = page.locator("ol.findings li.finding")
    expect(findings).to_have_count(3)
    expect(page.locator("li.finding[data-rule=READBACK]")).to_be_visible()
    link = page.locator("li.finding[data-rule=ATT-UNEXCUSED] a.goto")
    link.click()
    assert page.url.endswith("#" + (link.get_attribute("href") or "#").lstrip("#"))
    expect(page.locator(".minute-text .flash").first).to_be_visible()
    expect(page.locator(".minute-text .fact-person").first).to_be_visible()
    expect(page.locator(".score-box .points")).to_contain_text("/100")
    page.screenshot(path=str(SHOTS / "03-bien-ban.png"), full_page=True)

    # the clerk corrects the end time the minute's last page gives: the finding goes, the badge shows
    before = int((page.locator(".score-box .points").inner_text()).split("/")[0])
    page.locator("#thong-tin summary").click()
    page.locator("#thong-tin input[name='f:meeting.end_time']").fill("21:15")
    page.locator("#thong-tin input[name=reason]").fill("trang cuối ghi kết thúc 21 giờ 15")
    page.locator("#thong-tin button[type=submit]").click()
    expect(page.locator("p.notice")).to_contain_text("Đã lưu")
    expect(page.locator("li.finding[data-rule=TIME-END]")).to_have_count(0)
    expect(page.locator(".minute-head .corrected").first).to_be_visible()
    assert int((page.locator(".score-box .points").inner_text()).split("/")[0]) > before
    expect(page.locator("details.history summary")).to_contain_text("(1)")
    page.screenshot(path=str(SHOTS / "03b-sua-thong-tin.png"), full_page=True)

    # searching without diacritics finds the minutes, with the words marked
    page.goto(f"{server}/tim-kiem")
    page.fill("input[name=q]", "chuyen doi co cau cay trong")
    page.click("form.search-form button[type=submit]")
    hits = page.locator("ol.hits li.hit")
    expect(hits.first).to_be_visible()
    assert hits.count() >= 3
    expect(page.locator("ol.hits mark").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "04-tim-kiem.png"), full_page=True)
    hits.first.locator(".hit-head a").click()
    expect(page.locator(".minute-text .search-hit").first).to_be_visible()

    # the reviewer of the đảng bộ: dashboard, Excel export, printable audit report
    page.locator("form[action='/dang-xuat'] button").click()
    page.wait_for_url(f"{server}/dang-nhap")
    _sign_in(page, server, "kiemtra-a")
    expect(page.locator("h1")).to_contain_text("Tổng quan")
    expect(page.locator("svg.heatmap")).to_be_visible()
    expect(page.locator("svg.heatmap rect")).not_to_have_count(0)
    expect(page.locator("table.units")).to_contain_text(A1)
    expect(page.locator("table.absences")).to_contain_text("Hà Văn Tư")
    page.screenshot(path=str(SHOTS / "05-tong-quan.png"), full_page=True)
    dashboard = json.loads(page.evaluate("fetch('/tong-quan?format=json').then(r => r.text())"))
    assert dashboard["overview"]["minutes"] == 3

    with page.expect_download() as dl:
        page.click("#export-xlsx")
    path = SHOTS.parent / "bien-ban.xlsx"
    dl.value.save_as(str(path))
    wb = load_workbook(io.BytesIO(path.read_bytes()))
    records = list(wb["Biên bản"].values)
    header, body = records[0], records[1:]
    assert len(body) == 3
    col = {name: i for i, name in enumerate(header)}
    assert {r[col["Chi bộ"]] for r in body} == {A1}
    assert sorted(r[col["Ngày họp"]].date().isoformat() for r in body) == ["2024-01-05", "2024-02-05", "2024-03-05"]
    assert sorted(r[col["Tệp gốc"]] for r in body) == [name for name, _ in _three_minutes()]
    found = list(wb["Phát hiện"].values)[1:]
    reported = json.loads(page.evaluate("fetch('/v1/minutes?limit=10').then(r => r.text())"))["data"]
    assert len(found) == sum(len(json.loads(page.evaluate(
        f"fetch('/v1/minutes/{m['id']}/report').then(r => r.text())"))["findings"]) for m in reported)
    assert {"ATT-UNEXCUSED", "READBACK"} <= {r[4] for r in found}
    assert "TIME-END" not in {r[4] for r in found}, "the clerk corrected the end time"

    page.goto(f"{server}/bao-cao/{uid(DANG_BO_A, A1)}")
    expect(page.locator("h1")).to_contain_text("BÁO CÁO KIỂM TRA")
    expect(page.locator("table.minutes tbody tr, table.minutes tr").nth(3)).to_be_visible()
    page.screenshot(path=str(SHOTS / "06-bao-cao.png"), full_page=True)
    page.emulate_media(media="print")
    page.pdf(path=str(SHOTS.parent / "bao-cao.pdf"), format="A4")
    assert (SHOTS.parent / "bao-cao.pdf").stat().st_size > 10_000

    # the reviewer dismisses a finding with a reason: it stays listed, marked, and leaves the score
    page.emulate_media(media="screen")
    march = next(m for m in reported if m["date"] == "2024-03-05")
    page.goto(f"{server}/bien-ban/{march['id']}")
    before = int((page.locator(".score-box .points").inner_text()).split("/")[0])
    judge = page.locator("li.finding[data-rule=READBACK] form.judge")
    judge.locator("select[name=state]").select_option("dismissed")
    judge.locator("input[name=note]").fill("biên bản có ghi đã đọc lại ở trang 2")
    judge.locator("button[type=submit]").click()
    expect(page.locator("li.finding[data-rule=READBACK] .state")).to_contain_text("Bác bỏ")
    assert int((page.locator(".score-box .points").inner_text()).split("/")[0]) > before
    page.screenshot(path=str(SHOTS / "06b-bac-bo.png"), full_page=True)
    page.goto(f"{server}/tong-quan")
    expect(page.locator("table.dismissals")).to_contain_text("READBACK")

    # … and returns the February minute to its clerk with a comment
    february = next(m for m in reported if m["date"] == "2024-02-05")
    page.goto(f"{server}/bien-ban/{february['id']}")
    page.locator("#trang-thai summary").click()
    page.locator("#trang-thai textarea[name=note]").fill("ghi rõ lý do vắng của đồng chí Tư")
    page.locator("#trang-thai button[value=returned]").click()
    expect(page.locator(".status-returned")).to_contain_text("ghi rõ lý do vắng")
    page.goto(f"{server}/tong-quan")
    expect(page.locator("#tra-lai")).to_contain_text("ghi rõ lý do vắng")
    page.goto(f"{server}/nop-bien-ban?period=2024-02")
    expect(page.locator("table.submissions tr.state-returned")).to_contain_text(A1)
    page.screenshot(path=str(SHOTS / "07-nop-bien-ban.png"), full_page=True)

    # the API documentation, from the package's Swagger UI (no CDN), for a signed-in user
    page.emulate_media(media="screen")
    page.goto(f"{server}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("minutes")
    expect(page.locator(".opblock-summary-path", has_text="/v1/check").first).to_be_visible()
    assert not errors, errors
    ctx.close()


@pytest.mark.parametrize("width", [390, 1366])
def test_an_admin_sets_up_a_clerk_whose_minute_goes_round_the_review_loop(server: str, browser: Any,
                                                                          width: int) -> None:
    """As admin, clerk and reviewer, on a phone (the first run also sets the first admin's password) and a desktop."""
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    on_phone = width < 600
    phone = {"viewport": {"width": width, "height": 844 if on_phone else 900}, "locale": "vi-VN",
             "is_mobile": on_phone, "has_touch": on_phone}
    clerk_name, month = f"vanthu-a2-{width}", 3 if on_phone else 4
    errors: list[str] = []

    def open_page() -> tuple[Any, Any]:
        ctx = browser.new_context(**phone)
        page = ctx.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
        return ctx, page

    def no_sideways(page: Any) -> None:
        assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"), page.url

    # the first admin: the made password opens only the account page, until they choose their own
    admin_ctx, admin = open_page()
    own = "mat-khau-quan-tri-rieng-2025"
    if FIRST_ADMIN["password"] != own:
        _set_own_password(admin, server, FIRST_ADMIN["name"], FIRST_ADMIN["password"], own)
        FIRST_ADMIN["password"] = own
    else:
        _sign_in(admin, server, FIRST_ADMIN["name"], own)
    admin.click("header nav a[href='/quan-tri/nguoi-dung']")
    expect(admin.locator("h1")).to_have_text("Người dùng")
    admin.fill("#add-user input[name=name]", clerk_name)
    admin.select_option("#add-user select[name=role]", "clerk")
    admin.fill("#add-user input[name=unit]", f"{DANG_BO_A} / {A2}")
    admin.click("#add-user button[type=submit]")
    expect(admin.locator("#temp-password")).to_contain_text(clerk_name)
    made = admin.locator("#temp-password code").inner_text()
    no_sideways(admin)
    admin.screenshot(path=str(SHOTS / f"08-quan-tri-nguoi-dung-{width}.png"), full_page=True)

    # a key for another tool, limited to the check API, then revoked
    admin.click(".subnav a[href='/quan-tri/khoa-api']")
    admin.select_option("#add-key select[name=user]", clerk_name)
    admin.select_option("#add-key select[name=scope]", "check")
    admin.fill("#add-key input[name=label]", f"phần mềm tổng hợp {width}")
    admin.click("#add-key button[type=submit]")
    key = admin.locator("#new-key").inner_text()
    checked = admin.evaluate("""async (key) => {
        const h = {"Authorization": "Bearer " + key};
        const a = await fetch("/v1/check", {method: "POST", headers: {...h, "Content-Type": "application/json"},
                                           body: JSON.stringify({text: "BIÊN BẢN SINH HOẠT CHI BỘ"})});
        const b = await fetch("/v1/minutes", {headers: h, credentials: "omit"});
        return [a.status, b.status];
    }""", key)
    assert checked == [200, 403], checked
    row = admin.locator("ul.keys li", has_text=f"phần mềm tổng hợp {width}")
    expect(row).to_contain_text("Chỉ kiểm tra")
    expect(row).to_contain_text(key.split("_")[1])  # mk_<id>_<secret>: the id is listed, never the secret
    row.locator("button").click()
    expect(admin.locator("ul.keys li", has_text=f"phần mềm tổng hợp {width}")).to_contain_text("đã thu hồi")
    no_sideways(admin)
    assert key not in admin.content()

    # the new clerk: own password first, then March's minute from the phone
    clerk_ctx, clerk = open_page()
    _set_own_password(clerk, server, clerk_name, made, "mat-khau-van-thu-a2-2025")
    clerk.click("header nav a[href='/tai-len']")
    clerk.wait_for_url(f"{server}/tai-len", wait_until="load")  # upload.js (deferred) listens once loaded
    text = minute_bytes("A2", date(2024, month, 12), unexcused=["Phan Văn Lộc"])
    clerk.set_input_files("#file-input", files=[{"name": "thang-3.txt", "mimeType": "text/plain", "buffer": text}])
    result = clerk.locator("#upload-results tbody tr").first
    expect(result).to_have_class("status-stored", timeout=30_000)
    no_sideways(clerk)
    minute_id = clerk.locator("#upload-results a.open-minute").first.get_attribute("href").rsplit("/", 1)[-1]

    # the reviewer returns it with a comment, on a phone too
    rev_ctx, reviewer = open_page()
    _sign_in(reviewer, server, "kiemtra-a")
    reviewer.goto(f"{server}/bien-ban/{minute_id}")
    reviewer.locator("#trang-thai summary").click()
    reviewer.locator("#trang-thai textarea[name=note]").fill("ghi rõ lý do vắng của đồng chí Lộc")
    reviewer.locator("#trang-thai button[value=returned]").click()
    expect(reviewer.locator(".status-returned")).to_contain_text("lý do vắng")
    no_sideways(reviewer)

    # the clerk signs in again: the returned minute comes first, with the comment; a new version goes up
    clerk.locator("form[action='/dang-xuat'] button").click()
    _sign_in(clerk, server, clerk_name, "mat-khau-van-thu-a2-2025")
    first_card = clerk.locator("main > section").first
    expect(first_card).to_have_id("tra-lai")
    expect(first_card).to_contain_text("lý do vắng của đồng chí Lộc")
    clerk.screenshot(path=str(SHOTS / f"09-van-thu-tra-lai-{width}.png"), full_page=True)
    fixed = minute_bytes("A2", date(2024, month, 12), excused=[("Phan Văn Lộc", "đi công tác")])
    clerk.goto(f"{server}/tai-len")
    clerk.set_input_files("#file-input", files=[{"name": "thang-3-sua.txt", "mimeType": "text/plain",
                                                 "buffer": fixed}])
    expect(clerk.locator("#upload-results tbody tr").first).to_have_class(re.compile("status-(stored|replaced)"),
                                                                          timeout=30_000)
    new_id = clerk.locator("#upload-results a.open-minute").first.get_attribute("href").rsplit("/", 1)[-1]
    assert new_id != minute_id

    # the reviewer compares the versions and approves
    reviewer.goto(f"{server}/bien-ban/{new_id}")
    reviewer.locator("#trang-thai summary").click()
    reviewer.locator("#trang-thai button[value=approved]").click()
    expect(reviewer.locator(".status-approved")).to_be_visible()
    reviewer.goto(f"{server}/nop-bien-ban?period=2024-{month:02d}")
    expect(reviewer.locator("table.submissions tr.state-approved")).to_contain_text(A2)
    no_sideways(reviewer)

    # the audit log tells the story; the admin locks the clerk, whose session ends
    admin.goto(f"{server}/nhat-ky")
    admin.select_option("#log-filters select[name=action]", "status_returned")
    admin.select_option("#log-filters select[name=unit_id]", uid(DANG_BO_A, A2))
    admin.click("#log-filters button[type=submit]")
    expect(admin.locator("table.log tbody tr").first).to_contain_text("kiemtra-a")  # newest first: this run's
    no_sideways(admin)
    admin.screenshot(path=str(SHOTS / f"10-nhat-ky-{width}.png"), full_page=True)
    admin.goto(f"{server}/quan-tri/nguoi-dung")
    person = admin.locator("li.person", has_text=clerk_name)
    person.locator("summary").click()
    person.locator("button", has_text="Khóa tài khoản").click()
    expect(admin.locator("p.notice")).to_contain_text(f"Đã khóa {clerk_name}")
    clerk.goto(f"{server}/bien-ban")
    expect(clerk).to_have_url(re.compile(r"/dang-nhap"))
    assert not errors, errors
    for ctx in (admin_ctx, clerk_ctx, rev_ctx):
        ctx.close()


def _axe(page: Any) -> list[str]:
    """Critical and serious axe-core violations on the page (axe from the PyPI package, not a CDN)."""
    from importlib import resources

    script = resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")
    page.evaluate(script)
    found = page.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {n['target']}" for v in found
            if v["impact"] in ("critical", "serious") for n in v["nodes"]]


@pytest.mark.parametrize("width", [390, 1366])
def test_every_page_passes_axe_on_a_phone_and_a_desktop(server: str, browser: Any, width: int) -> None:
    """0 critical and 0 serious axe-core violations and no sideways scrolling, as clerk and as reviewer."""
    problems: dict[str, list[str]] = {}
    for who in ("vanthu-a1", "kiemtra-a", "quantri-phu"):
        ctx = browser.new_context(viewport={"width": width, "height": 860}, locale="vi-VN")
        page = ctx.new_page()
        page.goto(f"{server}/dang-nhap")
        problems["/dang-nhap"] = _axe(page)
        _sign_in(page, server, who)
        minutes = json.loads(page.evaluate("fetch('/v1/minutes?limit=5').then(r => r.text())"))["data"]
        if not minutes:  # run on its own: the clerk uploads the three minutes first
            page.goto(f"{server}/tai-khoan")
            page.evaluate("""async (files) => {
                const csrf = document.querySelector('input[name=csrf_token]').value;
                for (const [name, text] of files) {
                    const body = new FormData();
                    body.append('file', new Blob([text], {type: 'text/plain'}), name);
                    await fetch('/v1/minutes', {method: 'POST', body, headers: {'X-CSRF-Token': csrf}});
                }
            }""", [list(f) for f in _three_minutes()])
            minutes = json.loads(page.evaluate("fetch('/v1/minutes?limit=5').then(r => r.text())"))["data"]
        pages = ["/tong-quan", "/tong-quan?from=2031-01&to=2031-02", "/bien-ban", "/tim-kiem",
                 "/tim-kiem?q=chuyen+doi+cay+trong", "/nop-bien-ban?period=2024-03", "/tai-khoan", f"/bien-ban/{minutes[0]['id']}", f"/bao-cao/{minutes[0]['unit_id']}"]
        pages += ["/tai-len"] if who in ("vanthu-a1", "quantri-phu") else []
        pages += ["/nhat-ky"] if who != "vanthu-a1" else []
        pages += ["/quan-tri/nguoi-dung", "/quan-tri/khoa-api"] if who == "quantri-phu" else []
        for path in pages:
            page.goto(f"{server}{path}")
            for summary in page.locator("details > summary").all():  # forms folded away are checked too
                summary.click()
            key = f"{who} {path}"
            problems[key] = _axe(page)
            if page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"):
                problems[key].append(f"the page scrolls sideways at {width} px")
        ctx.close()
    found = [f"{p}: {v}" for p, vs in problems.items() for v in vs]
    assert not found, "\n".join(found)


def test_photos_of_one_minute_are_sent_together_when_joined(server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    ctx = browser.new_context(viewport={"width": 390, "height": 860}, locale="vi-VN")
    page = ctx.new_page()
    _sign_in(page, server, "vanthu-a1")
    page.goto(f"{server}/tai-len")
    page.check("#combine")
    page.evaluate("""async () => {
        const dt = new DataTransfer();
        for (const n of [1, 2]) {  // two blank pages drawn in the browser
            const c = document.createElement("canvas"); c.width = 413; c.height = 584;
            const g = c.getContext("2d"); g.fillStyle = "#fff"; g.fillRect(0, 0, c.width, c.height);
            const blob = await new Promise(r => c.toBlob(r, "image/png"));
            dt.items.add(new File([blob], "trang-" + n + ".png", {type: "image/png"}));
        }
        document.getElementById("drop-zone").dispatchEvent(
            new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
    }""")
    rows = page.locator("#upload-results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("ghép thành một biên bản")
    expect(rows.first).to_have_class("status-failed", timeout=60_000)
    expect(rows.first).to_contain_text("NO_TEXT_FOUND")
    ctx.close()
