"""The account page and the admin pages: users, API keys and the audit log.

Each form calls the same use case as its API twin (service.api.routes.auth), so a
user changed here is changed, checked and logged exactly as through ``/v1/users``.
"""

from __future__ import annotations

import math
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from service.api.deps import SESSION_COOKIE, AccountsDep, PrincipalDep
from service.api.routes import account_actions as actions
from service.api.routes.auth import NewKey, NewUser, UserChange, day_bounds, event_out, key_out, user_out
from service.api.routes.minutes import ScopeDep
from service.api.ui.render import render, wants_json
from service.auth.accounts import Accounts
from service.auth.audit_log import EventFilter
from service.auth.principal import Principal, Role, Unit, User
from service.errors import ErrorCode, InputError, MinutesError
from service.schema.labels import KEY_SCOPE_VI

router = APIRouter(include_in_schema=False)

EVENTS_PER_PAGE = 50

ACTION_VI = {
    "sign_in": "Đăng nhập", "sign_in_failed": "Đăng nhập sai", "sign_in_blocked": "Đăng nhập bị chặn",
    "sign_out": "Đăng xuất", "upload": "Nạp biên bản", "delete": "Xóa biên bản", "export": "Xuất dữ liệu",
    "correct": "Sửa trường", "finding_accepted": "Chấp nhận phát hiện", "finding_dismissed": "Bác phát hiện",
    "finding_open": "Mở lại phát hiện", "status_submitted": "Nộp lại", "status_returned": "Trả lại văn thư",
    "status_approved": "Duyệt biên bản", "user_add": "Thêm người dùng", "user_change": "Đổi vai trò/đơn vị",
    "user_disable": "Khóa tài khoản", "user_enable": "Mở tài khoản", "password_reset": "Cấp mật khẩu tạm",
    "password_change": "Đổi mật khẩu", "key_create": "Tạo khóa API", "key_revoke": "Thu hồi khóa API",
}


# The words of an event's detail, as the log page shows them.
DETAIL_VI = {"minutes": "biên bản", "filter": "bộ lọc", "keys_revoked": "khóa API thu hồi", "to": "thành",
             "from": "từ", "note": "ghi chú", "code": "mã lỗi", "user": "người dùng", "scope": "phạm vi",
             "role": "vai trò", "restored": "bản cũ", "label": "ghi chú", "files": "tệp", "comments": "nhận xét",
             "fields": "trường", "name_known": "tên có trong hệ thống", "rule": "tiêu chí", "side": "ghi ở"}
# Coded values of the details, as the page shows them.
DETAIL_VALUE_VI = {"joined": "đơn vị mới", "left": "đơn vị cũ"}

# Events whose target is a stored minute (linked to its page).
MINUTE_ACTIONS = frozenset({"upload", "correct", "finding_accepted", "finding_dismissed", "finding_open",
                            "status_submitted", "status_returned", "status_approved"})


def _form_error(e: ValidationError) -> InputError:
    """A form field the API model refused, said in Vietnamese."""
    errors = e.errors()
    field = ".".join(str(p) for p in errors[0]["loc"]) if errors else "?"
    return InputError(ErrorCode.INVALID_BODY, f"Ô “{field}” không hợp lệ.", status=422)


def unit_spec(unit: Unit) -> str:
    """How a unit is written in a form: “Đảng bộ … / Chi bộ …”."""
    return f"{unit.dang_bo} / {unit.chi_bo}" if unit.chi_bo else unit.dang_bo


# the account page

def _account(request: Request, accounts: Accounts, principal: Principal, *, message: str | None = None,
             error: MinutesError | None = None, new_key: str | None = None) -> Response:
    user = principal.user
    assert user is not None
    keys = accounts.store.keys(user.id)
    data: dict[str, Any] = {
        "user": {"name": user.name, "role": user.role.value, "unit": user.unit.label if user.unit else None,
                 "must_change_password": user.must_change},
        "keys": [{"id": k.id, "label": k.label, "scope": k.scope, "expires_at": k.expires_at,
                  "revoked": k.revoked_at is not None} for k in keys]}
    if new_key:
        data["key"] = new_key
    if error is not None and wants_json(request):
        from service.api.errors import error_response

        return error_response(error)
    return render(request, "account.html", data=data, keys=keys, message=message, error=error, new_key=new_key,
                  scopes=KEY_SCOPE_VI, must_change=user.must_change, status=error.status if error else 200)


@router.get("/tai-khoan")
def account(request: Request, accounts: AccountsDep, principal: PrincipalDep) -> Response:
    """The account page: the user's role and unit, their API keys, the password and new-key forms."""
    return _account(request, accounts, principal)


@router.post("/tai-khoan/mat-khau")
async def change_password(request: Request, accounts: AccountsDep, principal: PrincipalDep) -> Response:
    """Change one's own password, then sign out to the sign-in page; a refusal shows on the account page."""
    form = await request.form()
    old, new, again = (str(form.get(k) or "") for k in ("old", "new", "again"))
    assert principal.user is not None
    try:
        if new != again:
            raise InputError(ErrorCode.INVALID_PASSWORD, "Hai lần nhập mật khẩu mới không giống nhau.", status=422)
        await actions.change_own_password(request, accounts, principal.user, old, new)
    except MinutesError as e:
        return await run_in_threadpool(_account, request, accounts, principal, error=e)
    resp = RedirectResponse("/dang-nhap", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


@router.post("/tai-khoan/khoa")
async def create_own_key(request: Request, accounts: AccountsDep, principal: PrincipalDep) -> Response:
    """Make an API key for oneself and show it once on the account page."""
    form = await request.form()
    try:
        body = NewKey(label=str(form.get("label") or "").strip() or None,
                      scope=str(form.get("scope") or "full"))  # type: ignore[arg-type]
        info, key = await actions.make_key(request, accounts, principal, body)
    except ValidationError as e:
        return await run_in_threadpool(_account, request, accounts, principal, error=_form_error(e))
    except MinutesError as e:
        return await run_in_threadpool(_account, request, accounts, principal, error=e)
    return await run_in_threadpool(
        lambda: _account(request, accounts, principal,
                         message="Đã tạo khóa API mới. Chép ngay: khóa chỉ hiện một lần.", new_key=key))


@router.post("/tai-khoan/khoa/{key_id}/thu-hoi")
async def revoke_own_key(key_id: str, request: Request, accounts: AccountsDep, principal: PrincipalDep) -> Response:
    """Revoke an API key from the account page."""
    try:
        await actions.revoke_a_key(request, accounts, principal, key_id)
    except MinutesError as e:
        return await run_in_threadpool(_account, request, accounts, principal, error=e)
    return await run_in_threadpool(lambda: _account(request, accounts, principal,
                                                    message=f"Đã thu hồi khóa {key_id}."))


# users (admin)

def _users_page(request: Request, accounts: Accounts, *, message: str | None = None,
                error: MinutesError | None = None, password: tuple[str, str] | None = None) -> Response:
    if error is not None and wants_json(request):
        from service.api.errors import error_response

        return error_response(error)
    users = accounts.store.users()
    live_keys: dict[str, int] = {}
    for k in accounts.store.keys(None):
        if k.revoked_at is None:
            live_keys[k.user_id] = live_keys.get(k.user_id, 0) + 1
    data = {"data": [user_out(u).model_dump(mode="json") | {"keys": live_keys.get(u.id, 0)} for u in users],
            "count": len(users)}
    if password:
        data["password"] = {"user": password[0], "password": password[1]}
    return render(request, "admin_users.html", data=data, users=users, live_keys=live_keys, message=message,
                  error=error, password=password, roles=list(Role), unit_specs=_unit_specs(accounts),
                  spec=lambda u: unit_spec(u.unit) if u.unit else "", status=error.status if error else 200)


def _unit_specs(accounts: Accounts) -> list[str]:
    return sorted({unit_spec(u) for u in accounts.store.units()})


@router.get("/quan-tri/nguoi-dung")
def users_page(request: Request, accounts: AccountsDep) -> Response:
    """Users: add, give another role or unit, lock or unlock, give a temporary password."""
    return _users_page(request, accounts)


@router.post("/quan-tri/nguoi-dung")
async def add_user(request: Request, accounts: AccountsDep) -> Response:
    """Add a user from the admin form; a temporary password made for them is shown once."""
    form = await request.form()
    try:
        body = NewUser(name=str(form.get("name") or "").strip(), role=str(form.get("role") or ""),
                       unit=str(form.get("unit") or "").strip() or None,
                       password=str(form.get("password") or "") or None)
        user, password = await actions.add_account(request, accounts, body)
    except ValidationError as e:
        return await run_in_threadpool(_users_page, request, accounts, error=_form_error(e))
    except MinutesError as e:
        return await run_in_threadpool(_users_page, request, accounts, error=e)
    made = (user.name, password) if password else None
    return await run_in_threadpool(lambda: _users_page(
        request, accounts, password=made,
        message=f"Đã thêm {user.name}." + (" Mật khẩu tạm chỉ hiện một lần; người dùng phải đổi khi đăng nhập."
                                            if password else "")))


@router.post("/quan-tri/nguoi-dung/{user_id}")
async def change_user(user_id: str, request: Request, accounts: AccountsDep, principal: PrincipalDep) -> Response:
    """One form per user; ``action`` says which change: place, disable, enable or reset."""
    form = await request.form()
    action = str(form.get("action") or "")
    assert principal.user is not None
    by = principal.user
    try:
        if action == "reset":
            user, password, revoked = await actions.reset_account_password(request, accounts, user_id)
            return await run_in_threadpool(lambda: _users_page(
                request, accounts, password=(user.name, password),
                message=f"Đã cấp mật khẩu tạm cho {user.name}; các phiên đăng nhập đã kết thúc, "
                        f"{revoked} khóa API bị thu hồi."))
        if action == "place":
            change = UserChange(role=str(form.get("role") or "") or None,
                                unit=str(form.get("unit") or "").strip() or None)
        elif action in ("disable", "enable"):
            change = UserChange(active=action == "enable")
        else:
            raise InputError(ErrorCode.INVALID_BODY, "Không rõ thay đổi cần làm.", status=422)
        user, revoked = await actions.change_account(request, accounts, by, user_id, change)
    except ValidationError as e:
        return await run_in_threadpool(_users_page, request, accounts, error=_form_error(e))
    except MinutesError as e:
        return await run_in_threadpool(_users_page, request, accounts, error=e)
    said = {"place": f"Đã lưu vai trò và đơn vị của {user.name}.",
            "disable": f"Đã khóa {user.name}: các phiên đăng nhập đã kết thúc, {revoked} khóa API bị thu hồi.",
            "enable": f"Đã mở lại tài khoản {user.name} (khóa API đã thu hồi không được khôi phục)."}[action]
    return await run_in_threadpool(lambda: _users_page(request, accounts, message=said))


# API keys (admin)

def _keys_page(request: Request, accounts: Accounts, *, message: str | None = None,
               error: MinutesError | None = None, new_key: str | None = None) -> Response:
    if error is not None and wants_json(request):
        from service.api.errors import error_response

        return error_response(error)
    names = actions.user_names(accounts)
    keys = accounts.store.keys(None)
    users: list[User] = [u for u in accounts.store.users() if u.active]
    data: dict[str, Any] = {"data": [key_out(k, names).model_dump(mode="json") for k in keys], "count": len(keys)}
    if new_key:
        data["key"] = new_key
    return render(request, "admin_keys.html", data=data, keys=list(reversed(keys)), names=names, users=users,
                  scopes=KEY_SCOPE_VI, message=message, error=error, new_key=new_key,
                  status=error.status if error else 200)


@router.get("/quan-tri/khoa-api")
def keys_page(request: Request, accounts: AccountsDep) -> Response:
    """Every API key: whose, what it may do, last used; make one for a user, revoke any."""
    return _keys_page(request, accounts)


@router.post("/quan-tri/khoa-api")
async def create_key(request: Request, accounts: AccountsDep, principal: PrincipalDep) -> Response:
    """Make an API key for a user from the admin form (scope, days until it expires); the key is shown once."""
    form = await request.form()
    days = str(form.get("expires_days") or "").strip()
    try:
        body = NewKey(user=str(form.get("user") or "") or None, label=str(form.get("label") or "").strip() or None,
                      scope=str(form.get("scope") or "full"),  # type: ignore[arg-type]
                      expires_days=float(days) if days.replace(".", "", 1).isdigit() else None)
        if days and body.expires_days is None:
            raise InputError(ErrorCode.INVALID_BODY, "Số ngày hết hạn phải là một số dương.", status=422)
        info, key = await actions.make_key(request, accounts, principal, body)
    except ValidationError as e:
        return await run_in_threadpool(_keys_page, request, accounts, error=_form_error(e))
    except MinutesError as e:
        return await run_in_threadpool(_keys_page, request, accounts, error=e)
    return await run_in_threadpool(lambda: _keys_page(
        request, accounts, new_key=key,
        message=f"Đã tạo khóa {info.id}. Chép ngay và trao cho người dùng: khóa chỉ hiện một lần."))


@router.post("/quan-tri/khoa-api/{key_id}/thu-hoi")
async def revoke_key(key_id: str, request: Request, accounts: AccountsDep, principal: PrincipalDep) -> Response:
    """Revoke an API key from the admin page of keys."""
    try:
        await actions.revoke_a_key(request, accounts, principal, key_id)
    except MinutesError as e:
        return await run_in_threadpool(_keys_page, request, accounts, error=e)
    return await run_in_threadpool(lambda: _keys_page(request, accounts, message=f"Đã thu hồi khóa {key_id}."))


# the audit log (reviewers within their đảng bộ, admins everywhere)

@router.get("/nhat-ky")
def audit_log_page(
    request: Request, accounts: AccountsDep, scope: ScopeDep,
    action: Annotated[str | None, Query(max_length=40)] = None,
    actor: Annotated[str | None, Query(max_length=100)] = None,
    unit_id: Annotated[str | None, Query(max_length=12)] = None,
    since: Annotated[str | None, Query(max_length=10)] = None,
    until: Annotated[str | None, Query(max_length=10)] = None,
    failed: bool = False,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    """Who did what, newest first, filtered by kind, person, unit and days."""
    start, end = day_bounds(since, until)
    where = EventFilter(actor=actor or None, unit_id=unit_id or None, since=start, until=end,
                        ok=False if failed else None)
    events, total = accounts.store.events(scope=scope, action=action or None, where=where, limit=EVENTS_PER_PAGE,
                                          offset=(page - 1) * EVENTS_PER_PAGE)
    units = {u.id: u for u in accounts.store.units()
             if scope is None or scope.allows(u.dang_bo_key, u.id)}
    query = {k: v for k, v in {"action": action, "actor": actor, "unit_id": unit_id,
                                "since": since, "until": until,
                                "failed": "1" if failed else None}.items() if v}
    data = {"data": [event_out(e).model_dump(mode="json") for e in events], "count": total, "page": page}
    actions = sorted(set(accounts.store.actions()) | set(ACTION_VI), key=lambda a: ACTION_VI.get(a, a))
    return render(request, "audit_log.html", data=data, events=events, total=total, page=page,
                  pages=max(1, math.ceil(total / EVENTS_PER_PAGE)), query=query, qs=urlencode(query),
                  actions=actions, action_vi=ACTION_VI, units=units, minute_actions=MINUTE_ACTIONS, detail_vi=DETAIL_VI,
                  detail_value_vi=DETAIL_VALUE_VI,
                  unit_choices=sorted(units.values(), key=lambda u: u.label))
