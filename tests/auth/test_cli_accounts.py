"""`minutes users …`, `minutes keys …` and the first start of `minutes serve`, through the CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.api.app import create_app
from service.auth.console import announce_sign_in
from service.cli import app
from tests.auth.world import settings_for

runner = CliRunner()


def _run(*args: str, data: Path, stdin: str | None = None) -> tuple[int, str, str]:
    r = runner.invoke(app, [*args, "--data-dir", str(data)], input=stdin)
    return r.exit_code, r.stdout, r.stderr


def test_a_deployment_is_set_up_by_script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = _run("users", "add", "kiemtra-anphu", "--role", "reviewer", "--unit", "Đảng bộ xã An Phú",
                          data=tmp_path)
    assert code == 0 and "Đã thêm kiemtra-anphu" in err
    password = out.strip()
    assert len(password) >= 16 and "\n" not in password
    code, out, err = _run("users", "add", "vanthu", "--role", "clerk", "--unit",
                          "Đảng bộ xã An Phú / Chi bộ Thôn Đông Hòa", "--password-stdin", data=tmp_path,
                          stdin="mot-mat-khau-rieng\n")
    assert code == 0 and out == ""
    code, out, err = _run("users", "add", "sai", "--role", "clerk", "--unit", "Đảng bộ xã An Phú", data=tmp_path)
    assert code == 2 and "[INVALID_UNIT]" in err
    code, key, err = _run("keys", "create", "kiemtra-anphu", "--label", "bảng tính", data=tmp_path)
    assert code == 0 and key.startswith("mk_") and len(key.strip().splitlines()) == 1
    code, listed, _ = _run("keys", "list", data=tmp_path)
    assert key.strip().split("_")[1] in listed and key.strip() not in listed
    code, out, err = _run("keys", "create", "khong-co-ai", data=tmp_path)
    assert code == 2 and "[USER_NOT_FOUND]" in err
    code, users, _ = _run("users", "list", "--json", data=tmp_path)
    assert [u.split('"name": ')[1].split(",")[0] for u in users.splitlines()] == ['"kiemtra-anphu"', '"vanthu"']

    monkeypatch.setenv("MINUTES_DATA_DIR", str(tmp_path))
    with TestClient(create_app(settings_for(tmp_path))) as c:
        me = c.get("/v1/me", headers={"Authorization": f"Bearer {key.strip()}"}).json()
        assert me["user"]["name"] == "kiemtra-anphu" and me["user"]["unit"]["dang_bo"] == "Đảng bộ xã An Phú"
        code, _, _ = _run("keys", "revoke", key.strip().split("_")[1], data=tmp_path)
        assert code == 0
        assert c.get("/v1/me", headers={"Authorization": f"Bearer {key.strip()}"}).status_code == 401
        code, new_password, _ = _run("users", "set-password", "kiemtra-anphu", data=tmp_path)
        assert code == 0 and new_password.strip() != password
        code, _, _ = _run("users", "disable", "vanthu", data=tmp_path)
        assert code == 0


def test_the_first_start_makes_an_admin_and_prints_its_password_once(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    settings = settings_for(tmp_path)
    announce_sign_in(settings, "0.0.0.0", 8000)
    first = capsys.readouterr().out
    assert "tên đăng nhập: admin" in first and "http://localhost:8000/dang-nhap" in first
    password = first.split("mật khẩu:")[1].split()[0]
    announce_sign_in(settings, "127.0.0.1", 8000)
    again = capsys.readouterr().out
    assert password not in again and "http://127.0.0.1:8000/dang-nhap" in again
    from service.auth.accounts import open_accounts

    accounts = open_accounts(settings)
    try:
        assert accounts.sign_in("admin", password, ip=None)[0].user is not None
    finally:
        accounts.close()


def test_the_console_signs_the_audit_log_as_ingest_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USER", "someone-else")  # the environment does not name the actor
    monkeypatch.setenv("LOGNAME", "someone-else")
    import os
    import pwd

    from service.auth.accounts import open_accounts

    code, _, _ = _run("users", "add", "kiemtra-anphu", "--role", "reviewer", "--unit", "Đảng bộ xã An Phú",
                      data=tmp_path)
    assert code == 0
    accounts = open_accounts(settings_for(tmp_path))
    try:
        events, _ = accounts.store.events(scope=None)
    finally:
        accounts.close()
    added = [e for e in events if e.target == "kiemtra-anphu"]
    assert added and all(e.actor == f"{pwd.getpwuid(os.getuid()).pw_name} (dòng lệnh)" for e in added)
