"""`minutes users …` and `minutes keys …`: set a deployment up by script.

Secrets are printed once: a generated password or a new API key goes to stdout
alone on its line (so ``KEY=$(minutes keys create tool)`` works); what people read
goes to stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from service.errors import MinutesError

if TYPE_CHECKING:
    from service.auth.accounts import Accounts
    from service.settings import Settings

users_app = typer.Typer(no_args_is_help=True, help="Người dùng: thêm, liệt kê, đặt mật khẩu, khóa/mở.")
keys_app = typer.Typer(no_args_is_help=True, help="Khóa API cho phần mềm khác: tạo, liệt kê, thu hồi.")

_DATA_DIR = typer.Option("--data-dir", help="Thư mục dữ liệu; mặc định MINUTES_DATA_DIR hoặc ./data.")
ROLE_HELP = "clerk (văn thư chi bộ), reviewer (cán bộ kiểm tra đảng bộ) hoặc admin (quản trị)."
UNIT_HELP = ("Đơn vị: “Đảng bộ …” cho cán bộ kiểm tra, “Đảng bộ … / Chi bộ …” cho văn thư, "
             "hoặc mã đơn vị; quản trị không cần.")


def _settings(data_dir: str | None) -> Settings:
    from service.settings import get_settings

    settings = get_settings()
    return settings.model_copy(update={"data_dir": Path(data_dir)}) if data_dir else settings


def _accounts(data_dir: str | None) -> Accounts:
    from service.auth.accounts import open_accounts

    return open_accounts(_settings(data_dir))


@contextmanager
def _session(data_dir: str | None) -> Iterator[Accounts]:
    """The accounts for one command: a refusal becomes its message and exit status 2; always closed."""
    accounts = _accounts(data_dir)
    try:
        yield accounts
    except MinutesError as e:
        raise _fail(e) from e
    finally:
        accounts.close()


def _fail(e: MinutesError) -> typer.Exit:
    typer.echo(f"[{e.code.value}] {e.message}", err=True)
    return typer.Exit(2)


def _password(from_stdin: bool) -> str | None:
    if not from_stdin:
        return None
    line = sys.stdin.readline().rstrip("\r\n")
    return line or None


def _audit(accounts: Accounts, action: str, target: str, detail: dict[str, object]) -> None:
    from service.auth.audit import console_actor
    from service.auth.audit_log import AuditEvent

    accounts.audit(AuditEvent(action=action, actor=console_actor(), target=target, detail=detail))


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Tên đăng nhập.")],
    role: Annotated[str, typer.Option("--role", help=ROLE_HELP)],
    unit: Annotated[str | None, typer.Option("--unit", help=UNIT_HELP)] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Đọc mật khẩu từ đầu vào chuẩn "
                                                                           "(mặc định: tạo ngẫu nhiên).")] = False,
    data_dir: Annotated[str | None, _DATA_DIR] = None,
) -> None:
    """Thêm người dùng; mật khẩu ngẫu nhiên (nếu không đưa) được in ra một lần."""
    with _session(data_dir) as accounts:
        user, made = accounts.add_user(name, role, unit, _password(password_stdin))
        _audit(accounts, "user_add", user.name, {"role": user.role.value, "unit": user.unit.label if user.unit else None})
    where = f" · {user.unit.label} (mã {user.unit.id})" if user.unit else ""
    typer.echo(f"Đã thêm {user.name}: {user.role.value}{where}.", err=True)
    if made:
        typer.echo("Mật khẩu (chỉ hiện một lần):", err=True)
        typer.echo(made)


@users_app.command("list")
def users_list(json_out: Annotated[bool, typer.Option("--json")] = False,
               data_dir: Annotated[str | None, _DATA_DIR] = None) -> None:
    """Liệt kê người dùng."""
    with _session(data_dir) as accounts:
        users = accounts.store.users()
    for u in users:
        if json_out:
            typer.echo(json.dumps({"name": u.name, "role": u.role.value, "unit": u.unit.label if u.unit else None,
                                   "unit_id": u.unit.id if u.unit else None, "active": u.active}, ensure_ascii=False))
        else:
            state = "" if u.active else " (đã khóa)"
            typer.echo(f"{u.name:20} {u.role.value:9} {u.unit.label if u.unit else '—'}{state}")


@users_app.command("set-password")
def users_set_password(
    name: Annotated[str, typer.Argument(help="Tên đăng nhập.")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
    data_dir: Annotated[str | None, _DATA_DIR] = None,
) -> None:
    """Đặt lại mật khẩu; mọi phiên đăng nhập của người đó kết thúc, khóa API bị thu hồi.

    Không đưa mật khẩu: in ra một mật khẩu tạm mà người đó phải đổi khi đăng nhập.
    """
    from service.auth.secrets import new_password

    given = _password(password_stdin)
    password = given or new_password()
    with _session(data_dir) as accounts:
        revoked = accounts.set_password(accounts.user(name), password, must_change=not given)
        _audit(accounts, "password_reset", name, {"keys_revoked": revoked})
    typer.echo(f"Đã đặt lại mật khẩu của {name}; đã thu hồi {revoked} khóa API.", err=True)
    if not given:
        typer.echo(password)


def _set_active(name: str, active: bool, data_dir: str | None) -> None:
    with _session(data_dir) as accounts:
        user = accounts.user(name)
        revoked = accounts.set_active(user, active)
        _audit(accounts, "user_enable" if active else "user_disable", name, {"keys_revoked": revoked} if revoked else {})
    typer.echo(f"Đã mở tài khoản {name}." if active else f"Đã khóa tài khoản {name}; đã thu hồi {revoked} khóa API.",
               err=True)


@users_app.command("disable")
def users_disable(name: str, data_dir: Annotated[str | None, _DATA_DIR] = None) -> None:
    """Khóa tài khoản: không đăng nhập được, phiên đăng nhập kết thúc, khóa API bị thu hồi (mở lại không khôi phục)."""
    _set_active(name, False, data_dir)


@users_app.command("enable")
def users_enable(name: str, data_dir: Annotated[str | None, _DATA_DIR] = None) -> None:
    """Mở lại tài khoản đã khóa."""
    _set_active(name, True, data_dir)


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Argument(help="Người dùng mà khóa thay mặt (vai trò và đơn vị của người đó).")],
    label: Annotated[str | None, typer.Option("--label", help="Ghi chú, ví dụ tên phần mềm.")] = None,
    expires_days: Annotated[float | None, typer.Option("--expires-days", min=0.001,
                                                       help="Hết hạn sau số ngày này.")] = None,
    scope: Annotated[str, typer.Option("--scope", help="full (mọi quyền của người dùng), read (chỉ đọc và xuất) "
                                                       "hoặc check (chỉ POST /v1/check).")] = "full",
    data_dir: Annotated[str | None, _DATA_DIR] = None,
) -> None:
    """Tạo khóa API và in ra một lần; gửi kèm dạng “Authorization: Bearer KEY”."""
    with _session(data_dir) as accounts:
        user = accounts.user(name)
        info, key = accounts.create_key(user, label=label, expires_days=expires_days, scope=scope)
        _audit(accounts, "key_create", info.id, {"user": user.name, "label": info.label, "scope": info.scope})
    until = f", hết hạn {datetime.fromtimestamp(info.expires_at, UTC):%d/%m/%Y %H:%M} UTC" if info.expires_at else ""
    typer.echo(f"Khóa {info.id} cho {user.name} ({user.role.value}){until}. Khóa chỉ hiện một lần:", err=True)
    typer.echo(key)


@keys_app.command("list")
def keys_list(name: Annotated[str | None, typer.Argument(help="Chỉ khóa của người này.")] = None,
              data_dir: Annotated[str | None, _DATA_DIR] = None) -> None:
    """Liệt kê khóa API (không hiện khóa, chỉ mã)."""
    with _session(data_dir) as accounts:
        owners = {u.id: u.name for u in accounts.store.users()}
        keys = accounts.store.keys(accounts.user(name).id if name else None)
    for k in keys:
        state = "thu hồi" if k.revoked_at else "đang dùng"
        expires = datetime.fromtimestamp(k.expires_at, UTC).strftime("%Y-%m-%d") if k.expires_at else "—"
        typer.echo(f"{k.id}  {owners.get(k.user_id, '?'):20} {state:9} {k.scope:5} hết hạn {expires:10} "
                   f"{k.label or ''}")


@keys_app.command("revoke")
def keys_revoke(key_id: str, data_dir: Annotated[str | None, _DATA_DIR] = None) -> None:
    """Thu hồi một khóa API theo mã."""
    with _session(data_dir) as accounts:
        if not accounts.store.revoke_key(key_id):
            from service.errors import ErrorCode, NotFound

            raise NotFound(ErrorCode.KEY_NOT_FOUND, f"Không có khóa API đang dùng mã “{key_id}”.")
        _audit(accounts, "key_revoke", key_id, {})
    typer.echo(f"Đã thu hồi khóa {key_id}.", err=True)


def announce_sign_in(settings: Settings, host: str, port: int) -> None:
    """Before serving: make the first admin when there is no user, and say how to sign in."""
    accounts = _open(settings)
    try:
        first = accounts.ensure_first_admin()
    finally:
        accounts.close()
    shown = "localhost" if host in ("0.0.0.0", "::") else host
    url = f"http://{shown}:{port}/dang-nhap"
    if first is not None:
        user, password = first
        line = "=" * 66
        typer.echo(f"{line}\nLần chạy đầu: đã tạo tài khoản quản trị (mật khẩu chỉ hiện MỘT LẦN):\n"
                   f"  tên đăng nhập: {user.name}\n  mật khẩu:      {password}\n"
                   f"Đăng nhập tại {url}; trang đầu tiên yêu cầu đổi mật khẩu này.\n"
                   f"Thêm người dùng: minutes users add TÊN --role clerk|reviewer|admin --unit ĐƠN_VỊ\n{line}")
    else:
        typer.echo(f"Đăng nhập tại {url} (quên mật khẩu: minutes users set-password TÊN).")


def _open(settings: Settings) -> Accounts:
    from service.auth.accounts import open_accounts

    return open_accounts(settings)
