"""/v1/me, /v1/users, /v1/keys and /v1/audit-log: accounts and the audit log over HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from starlette.concurrency import run_in_threadpool

from service.api.deps import MAX_LIST_OFFSET, AccountsDep, PrincipalDep
from service.api.routes.account_actions import (
    add_account,
    change_account,
    change_own_password,
    make_key,
    reset_account_password,
    revoke_a_key,
    user_names,
)
from service.api.routes.minutes import ScopeDep
from service.auth.audit_log import AuditEvent, EventFilter
from service.auth.principal import GRANTS, KEY_SCOPES, Role, User
from service.auth.store import KeyInfo
from service.errors import ErrorCode, InputError
from service.schema.period import DAY, VIETNAM, parse_day

router = APIRouter(prefix="/v1", tags=["auth"])


def _iso(ts: int | None) -> str | None:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds") if ts else None


class UnitOut(BaseModel):
    """Một đơn vị trong cây đơn vị: đảng bộ, hoặc chi bộ thuộc một đảng bộ."""

    id: str
    level: str
    dang_bo: str
    chi_bo: str | None


class UserOut(BaseModel):
    """Một người dùng: tên, vai trò, đơn vị được gắn, còn hoạt động hay đã bị khóa."""

    id: str
    name: str
    role: Role
    unit: UnitOut | None
    active: bool
    must_change_password: bool = Field(False, description="Mật khẩu do người khác đặt; phải đổi trước khi làm việc.")


def user_out(u: User) -> UserOut:
    """The API's view of a user."""
    unit = UnitOut(id=u.unit.id, level=u.unit.level, dang_bo=u.unit.dang_bo, chi_bo=u.unit.chi_bo) if u.unit else None
    return UserOut(id=u.id, name=u.name, role=u.role, unit=unit, active=u.active, must_change_password=u.must_change)


class MeResponse(BaseModel):
    """Người đang gọi, cách xác thực (phiên hay khóa API) và các quyền."""

    ok: bool = True
    user: UserOut
    via: str
    permissions: list[str]


class UsersResponse(BaseModel):
    """Danh sách người dùng."""

    ok: bool = True
    data: list[UserOut]
    count: int


class NewUser(BaseModel):
    """Người dùng mới: tên đăng nhập, vai trò, đơn vị, mật khẩu (bỏ trống để tạo mật khẩu tạm)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    role: Role
    unit: str | None = Field(None, description="“Đảng bộ …” hoặc “Đảng bộ … / Chi bộ …”, hoặc mã đơn vị.")
    password: str | None = Field(None, description="Bỏ trống để tạo mật khẩu ngẫu nhiên (trả về một lần).")


class NewUserResponse(BaseModel):
    """Người dùng vừa thêm, kèm mật khẩu tạm (chỉ hiện một lần) khi không đưa mật khẩu."""

    ok: bool = True
    user: UserOut
    password: str | None = Field(None, description="Mật khẩu đã tạo; chỉ hiện một lần.")


KeyScope = Literal["full", "read", "check"]


class UserChange(BaseModel):
    """Thay đổi một người dùng: vai trò, đơn vị, khóa hoặc mở tài khoản."""

    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    unit: str | None = Field(None, max_length=300, description="Đơn vị mới (như khi thêm người dùng).")
    active: StrictBool | None = Field(None, description="false: khóa tài khoản (phiên đăng nhập kết thúc, khóa API bị "
                                                  "thu hồi); true: mở lại.")


class UserChangeResponse(BaseModel):
    """Người dùng sau thay đổi và số khóa API bị thu hồi."""

    ok: bool = True
    user: UserOut
    keys_revoked: int = Field(0, description="Số khóa API bị thu hồi theo thay đổi này.")


class PasswordReset(BaseModel):
    """Mật khẩu tạm cấp cho người dùng (chỉ hiện một lần) và số khóa API bị thu hồi."""

    ok: bool = True
    user: UserOut
    password: str = Field(description="Mật khẩu tạm; chỉ hiện một lần; người dùng phải đổi khi đăng nhập.")
    keys_revoked: int


class PasswordChange(BaseModel):
    """Đổi mật khẩu của mình: mật khẩu hiện tại và mật khẩu mới."""

    model_config = ConfigDict(extra="forbid")

    old: str = Field(max_length=1000)
    new: str = Field(max_length=1000)


class PasswordChanged(BaseModel):
    """Kết quả đổi mật khẩu."""

    ok: bool = True
    keys_revoked: int = Field(description="Khóa API của mình bị thu hồi khi đổi mật khẩu.")


class KeyOut(BaseModel):
    """Một khóa API (không bao giờ kèm bí mật): chủ, phạm vi, ghi chú, các mốc thời gian."""

    id: str
    user_id: str
    user_name: str | None = None
    scope: KeyScope = "full"
    label: str | None
    created_at: str | None
    expires_at: str | None
    last_used_at: str | None
    revoked: bool


def key_out(k: KeyInfo, names: dict[str, str] | None = None) -> KeyOut:
    """The API's view of a key; ``names`` maps user ids to names."""
    scope: KeyScope = k.scope if k.scope in KEY_SCOPES else "check"  # type: ignore[assignment]
    return KeyOut(id=k.id, user_id=k.user_id, user_name=(names or {}).get(k.user_id), scope=scope, label=k.label,
                  created_at=_iso(k.created_at), expires_at=_iso(k.expires_at), last_used_at=_iso(k.last_used_at),
                  revoked=k.revoked_at is not None)


class KeysResponse(BaseModel):
    """Danh sách khóa API."""

    ok: bool = True
    data: list[KeyOut]
    count: int


class NewKey(BaseModel):
    """Khóa API mới: ghi chú, hạn dùng, phạm vi, và (quản trị) người dùng mà khóa thay mặt."""

    model_config = ConfigDict(extra="forbid", strict=True)

    label: str | None = Field(None, max_length=100)
    expires_days: float | None = Field(None, gt=0, le=3650)
    user: str | None = Field(None, max_length=100,
                             description="Tên người dùng (chỉ quản trị tạo khóa cho người khác).")
    scope: KeyScope = Field("full", description="full: mọi quyền của người dùng; read: chỉ đọc và xuất; "
                                                "check: chỉ POST /v1/check.")


class NewKeyResponse(BaseModel):
    """Khóa API vừa tạo; khóa chỉ hiện một lần."""

    ok: bool = True
    key: str = Field(description="Khóa API; chỉ hiện một lần. Gửi dạng “Authorization: Bearer KEY”.")
    data: KeyOut


class EventOut(BaseModel):
    """Một sự kiện của nhật ký: lúc nào, ai, làm gì, với đối tượng và đơn vị nào, thành hay không."""

    seq: int
    at: str | None
    action: str
    actor: str | None
    role: str | None
    target: str | None
    unit_id: str | None
    detail: dict[str, Any] | None
    ip: str | None
    ok: bool


class EventsResponse(BaseModel):
    """Một trang nhật ký, mới nhất trước, với tổng số sự kiện khớp điều kiện."""

    ok: bool = True
    data: list[EventOut]
    count: int
    limit: int
    offset: int


def event_out(e: AuditEvent) -> EventOut:
    """The API's view of an audit event."""
    return EventOut(seq=e.seq, at=_iso(e.at), action=e.action, actor=e.actor, role=e.role, target=e.target,
                    unit_id=e.unit_id, detail=e.detail, ip=e.ip, ok=e.ok)


@router.get("/me", response_model=MeResponse)
def me(principal: PrincipalDep) -> MeResponse:
    """Người đang gọi: tên, vai trò, đơn vị và quyền."""
    assert principal.user is not None
    return MeResponse(user=user_out(principal.user), via=principal.via,
                      permissions=sorted(p.value for p in GRANTS[principal.user.role]))


@router.get("/users", response_model=UsersResponse)
def list_users(accounts: AccountsDep) -> UsersResponse:
    """Danh sách người dùng (quản trị)."""
    users = [user_out(u) for u in accounts.store.users()]
    return UsersResponse(data=users, count=len(users))


@router.post("/users", response_model=NewUserResponse, status_code=201)
async def add_user(body: NewUser, accounts: AccountsDep, request: Request) -> NewUserResponse:
    """Thêm người dùng (quản trị); mật khẩu ngẫu nhiên được trả về một lần và phải đổi khi đăng nhập."""
    user, password = await add_account(request, accounts, body)
    return NewUserResponse(user=user_out(user), password=password)


@router.patch("/users/{user_id}", response_model=UserChangeResponse)
async def change_user(user_id: str, body: UserChange, accounts: AccountsDep, principal: PrincipalDep,
                      request: Request) -> UserChangeResponse:
    """Đổi vai trò, đơn vị, hoặc khóa/mở một người dùng (quản trị).

    Khóa tài khoản: mọi phiên đăng nhập kết thúc và mọi khóa API của người đó bị thu hồi.
    """
    assert principal.user is not None
    user, revoked = await change_account(request, accounts, principal.user, user_id, body)
    return UserChangeResponse(user=user_out(user), keys_revoked=revoked)


@router.post("/users/{user_id}/password", response_model=PasswordReset)
async def reset_password(user_id: str, accounts: AccountsDep, request: Request) -> PasswordReset:
    """Cấp mật khẩu tạm cho người quên mật khẩu (quản trị).

    Phiên đăng nhập của người đó kết thúc, khóa API bị thu hồi; họ phải đổi mật khẩu khi đăng nhập.
    """
    user, password, revoked = await reset_account_password(request, accounts, user_id)
    return PasswordReset(user=user_out(user), password=password, keys_revoked=revoked)


@router.post("/me/password", response_model=PasswordChanged)
async def change_password(body: PasswordChange, accounts: AccountsDep, principal: PrincipalDep,
                          request: Request) -> PasswordChanged:
    """Đổi mật khẩu của mình: mọi phiên đăng nhập (cả phiên này) kết thúc, khóa API của mình bị thu hồi."""
    assert principal.user is not None
    revoked = await change_own_password(request, accounts, principal.user, body.old, body.new)
    return PasswordChanged(keys_revoked=revoked)


@router.get("/keys", response_model=KeysResponse)
def list_keys(accounts: AccountsDep, principal: PrincipalDep) -> KeysResponse:
    """Khóa API của mình (quản trị: mọi khóa)."""
    assert principal.user is not None
    mine = None if principal.user.role == Role.ADMIN else principal.user.id
    names = user_names(accounts) if mine is None else {principal.user.id: principal.user.name}
    keys = [key_out(k, names) for k in accounts.store.keys(mine)]
    return KeysResponse(data=keys, count=len(keys))


@router.post("/keys", response_model=NewKeyResponse, status_code=201)
async def create_key(body: NewKey, accounts: AccountsDep, principal: PrincipalDep, request: Request
                     ) -> NewKeyResponse:
    """Tạo khóa API cho mình (quản trị: cho người khác), trong một phạm vi; khóa chỉ hiện một lần."""
    info, key = await make_key(request, accounts, principal, body)
    return NewKeyResponse(key=key, data=key_out(info, user_names(accounts)))


@router.delete("/keys/{key_id}", response_model=KeysResponse)
async def revoke_key(key_id: str, accounts: AccountsDep, principal: PrincipalDep, request: Request) -> KeysResponse:
    """Thu hồi một khóa API của mình (quản trị: bất kỳ khóa nào)."""
    await revoke_a_key(request, accounts, principal, key_id)
    return await run_in_threadpool(list_keys, accounts, principal)


def day_bounds(since_day: str | None, until_day: str | None) -> tuple[int | None, int | None]:
    """Whole days (YYYY-MM-DD) in Vietnam's time, ``until`` included, as epoch seconds [start, end)."""
    def start(d: date) -> int:
        return int(datetime(d.year, d.month, d.day, tzinfo=VIETNAM).timestamp())

    since, until = parse_day(since_day), parse_day(until_day)
    if since and until and until < since:
        raise InputError(ErrorCode.INVALID_QUERY, "Ngày kết thúc đứng trước ngày bắt đầu.", status=422)
    return (start(since) if since else None), (start(until + timedelta(days=1)) if until else None)


@router.get("/audit-log", response_model=EventsResponse)
def audit_log(
    accounts: AccountsDep,
    scope: ScopeDep,
    action: Annotated[str | None, Query(max_length=40, description="Chỉ một loại việc (upload, delete, export, "
                                                                   "sign_in, sign_in_failed, …).")] = None,
    actor: Annotated[str | None, Query(max_length=100, description="Chỉ việc của người dùng này.")] = None,
    unit_id: Annotated[str | None, Query(pattern=r"^[0-9a-f]{12}$", description="Chỉ việc của đơn vị này "
                                                                              "(mã đơn vị, xem /v1/units).")] = None,
    since: Annotated[str | None, Query(pattern=DAY, description="Từ ngày (YYYY-MM-DD, giờ Việt Nam).")] = None,
    until: Annotated[str | None, Query(pattern=DAY, description="Đến hết ngày (YYYY-MM-DD).")] = None,
    ok: Annotated[bool | None, Query(description="false: chỉ việc không thành (đăng nhập sai, bị chặn).")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_LIST_OFFSET)] = 0,
) -> EventsResponse:
    """Nhật ký: nạp, xóa, xuất dữ liệu, tài khoản và đăng nhập, trong phạm vi đơn vị được xem; mới nhất trước."""
    start, end = day_bounds(since, until)
    where = EventFilter(actor=actor or None, unit_id=unit_id or None, since=start, until=end, ok=ok)
    events, total = accounts.store.events(scope=scope, action=action, limit=limit, offset=offset, where=where)
    return EventsResponse(data=[event_out(e) for e in events], count=total, limit=limit, offset=offset)
