"""``access``: the one dependency every route runs first.

It finds the caller (an API key in ``Authorization: Bearer KEY`` or the session
cookie), checks the route's permission (service.auth.policy), checks the CSRF token
of a form or script that writes with a session, checks that any unit the request
names is one the caller may see, and leaves the caller on ``request.state.principal``
and the units they may see on ``request.state.scope``, where every store, index,
statistic and export query reads it.

While the archive has no user at all (set-up mode, ``auth.open_without_users``), the
/v1 API is served without sign-in; `minutes serve` creates the first admin before it
listens, so a served archive is never in set-up mode.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from service.api.docs import DOCS_PATHS
from service.api.state import shared
from service.auth.accounts import Accounts, open_accounts, unauthenticated
from service.auth.policy import FIRST_STEPS, SAFE_METHODS, is_public, permission_for
from service.auth.principal import Permission, Principal
from service.auth.secrets import same
from service.auth.units import UNIT_ID
from service.errors import ErrorCode, Forbidden, InputError, MinutesError
from service.schema.names import has_control
from service.schema.units import unit_key
from service.settings import Settings

SESSION_COOKIE = "minutes_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"

_ANONYMOUS = Principal(user=None, via="anonymous")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def get_accounts(request: Request) -> Accounts:
    """The app's accounts, opened on first use in the archive's database."""
    settings: Settings = request.app.state.settings
    return shared(request, "accounts", lambda: open_accounts(settings))


def forbidden_unit() -> Forbidden:
    """The 403 (FORBIDDEN_UNIT) for a unit outside the caller's scope, whether or not it exists."""
    return Forbidden(ErrorCode.FORBIDDEN_UNIT, "Tài khoản này không được xem đơn vị đã chọn.")


def _identify(accounts: Accounts, request: Request) -> Principal:
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise unauthenticated("Gửi khóa API dạng “Authorization: Bearer KEY”.", ErrorCode.INVALID_CREDENTIALS)
        return accounts.by_key(key)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        return accounts.by_session(token)
    return _ANONYMOUS


def _unit_allowed(request: Request, principal: Principal, uid: str) -> bool:
    scope = principal.scope
    if scope is None or uid in scope.units:
        return True
    accounts = get_accounts(request)
    node = accounts.store.get_unit(uid)
    if node is not None:
        return node.dang_bo_key in scope.dang_bo
    if not scope.dang_bo:
        return False
    from service.api.routes.minutes import get_archive

    return any(u.unit_id == uid for u in get_archive(request).units(scope=scope))


def _check_units(request: Request, principal: Principal) -> None:
    """Refuse a request that names a unit outside the caller's scope (403, whether or not it exists)."""
    user = principal.user
    if principal.scope is None or user is None:
        return
    unit = user.unit
    q, pp = request.query_params, request.path_params
    dang_bo = q.get("dang_bo")
    if dang_bo and (unit is None or unit_key(dang_bo, "dang_bo") != unit.dang_bo_key):
        raise forbidden_unit()
    chi_bo = q.get("chi_bo")
    if chi_bo and (unit is None or (unit.level == "chi_bo" and unit_key(chi_bo, "chi_bo") != unit.chi_bo_key)):
        raise forbidden_unit()
    for name in ("unit_id", "unit"):
        for value in (q.get(name), pp.get(name)):
            if not value:
                continue
            if name == "unit" and not UNIT_ID.match(value):
                continue  # a chi bộ name: resolved inside the caller's scope by the route
            if not _unit_allowed(request, principal, value):
                raise forbidden_unit()


async def _csrf_token(request: Request) -> str | None:
    token = request.headers.get(CSRF_HEADER)
    if token is None:
        ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if ctype in _FORM_TYPES:
            value = (await request.form()).get(CSRF_FIELD)
            token = value if isinstance(value, str) else None
    return token


MAX_PARAMETER_CHARS = 1000
MAX_LIST_OFFSET = 1_000_000  # the deepest page any list serves
_DISPOSITION_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def attachment(name: str) -> dict[str, str]:
    """A Content-Disposition header (RFC 6266) for a download named ``name``: ASCII fallback and UTF-8 ``filename*``."""
    fallback = _DISPOSITION_SAFE.sub("_", name.encode("ascii", "replace").decode())[:150] or "tep"
    return {"Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"}
_UNIT_ID_PARAMS = ("unit_id",)


def _invalid_parameter(name: str, why: str) -> InputError:
    return InputError(ErrorCode.INVALID_PARAMETER, f"Tham số “{name[:40]}” {why}.", status=422)


def check_parameters(request: Request) -> None:
    """Refuse query and path parameters no route should see: control characters, huge values, bad unit ids."""
    params = [*request.query_params.multi_items(), *request.path_params.items()]
    for name, value in params:
        if not isinstance(value, str):
            continue
        if len(value) > MAX_PARAMETER_CHARS or len(name) > MAX_PARAMETER_CHARS:
            raise _invalid_parameter(name, f"dài quá {MAX_PARAMETER_CHARS} ký tự")
        if has_control(value) or has_control(name):
            raise _invalid_parameter(name, "chứa ký tự điều khiển")
        if name in _UNIT_ID_PARAMS and value and not UNIT_ID.match(value):
            raise _invalid_parameter(name, "không phải mã đơn vị (12 ký tự 0-9, a-f; xem /v1/units)")


async def access(request: Request) -> Principal:
    """Authenticate and authorise the request against its route's policy; see the module doc."""
    check_parameters(request)
    route = request.scope.get("route")
    path = getattr(route, "path_format", None) or request.url.path
    method = request.method
    accounts = await run_in_threadpool(get_accounts, request)
    settings: Settings = request.app.state.settings
    if is_public(method, path) or (path in DOCS_PATHS and settings.server.docs == "public"):
        try:
            principal = await run_in_threadpool(_identify, accounts, request)
        except MinutesError:
            principal = _ANONYMOUS
        request.state.principal = principal
        request.state.scope = principal.scope
        return principal

    principal = await run_in_threadpool(_identify, accounts, request)
    need = permission_for(method, path)
    if principal.user is None:
        if ((path.startswith("/v1/") or path in DOCS_PATHS) and settings.auth.open_without_users
                and not await run_in_threadpool(accounts.any_user)):
            request.state.principal = principal
            return principal  # set-up mode: no user exists yet, so there is no one to check against
        if not (need == Permission.CHECK and settings.auth.open_check):
            raise unauthenticated()
    elif (principal.via == "session" and principal.user.must_change
          and (method if method != "HEAD" else "GET", path) not in FIRST_STEPS):
        raise Forbidden(ErrorCode.PASSWORD_CHANGE_REQUIRED, "Mật khẩu này do người khác đặt: hãy đổi mật khẩu "
                        "ở trang Tài khoản (/tai-khoan) trước khi làm việc khác.")
    elif not principal.can(need):
        raise Forbidden(ErrorCode.FORBIDDEN, "Tài khoản này không có quyền làm việc này.")
    if principal.via == "session" and method not in SAFE_METHODS:
        token = await _csrf_token(request)
        if not token or principal.csrf is None or not same(token, principal.csrf):
            raise Forbidden(ErrorCode.CSRF_FAILED,
                            "Mã bảo vệ biểu mẫu (CSRF) thiếu hoặc sai; hãy tải lại trang rồi thử lại.")
    await run_in_threadpool(_check_units, request, principal)
    request.state.principal = principal
    request.state.scope = principal.scope
    return principal


def current_principal(request: Request) -> Principal:
    """The caller, as ``access`` found it."""
    found: Principal | None = getattr(request.state, "principal", None)
    if found is None:
        raise unauthenticated()
    return found


PrincipalDep = Annotated[Principal, Depends(current_principal)]
AccountsDep = Annotated[Accounts, Depends(get_accounts)]
