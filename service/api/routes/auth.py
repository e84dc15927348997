"""/v1/me, /v1/users, /v1/keys and /v1/audit-log: accounts and the audit log over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from service.api.deps import MAX_LIST_OFFSET, AccountsDep, PrincipalDep
from service.api.routes.minutes import ScopeDep
from service.auth.audit import audit_event, record_event
from service.auth.principal import GRANTS, Role, User
from service.auth.store import AuditEvent, KeyInfo, name_key
from service.errors import ErrorCode, Forbidden

router = APIRouter(prefix="/v1", tags=["auth"])


def _iso(ts: int | None) -> str | None:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds") if ts else None


class UnitOut(BaseModel):
    id: str
    level: str
    dang_bo: str
    chi_bo: str | None


class UserOut(BaseModel):
    id: str
    name: str
    role: Role
    unit: UnitOut | None
    active: bool


def user_out(u: User) -> UserOut:
    unit = UnitOut(id=u.unit.id, level=u.unit.level, dang_bo=u.unit.dang_bo, chi_bo=u.unit.chi_bo) if u.unit else None
    return UserOut(id=u.id, name=u.name, role=u.role, unit=unit, active=u.active)


class MeResponse(BaseModel):
    ok: bool = True
    user: UserOut
    via: str
    permissions: list[str]


class UsersResponse(BaseModel):
    ok: bool = True
    data: list[UserOut]
    count: int


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    role: Role
    unit: str | None = Field(None, description="“Đảng bộ …” hoặc “Đảng bộ … / Chi bộ …”, hoặc mã đơn vị.")
    password: str | None = Field(None, description="Bỏ trống để tạo mật khẩu ngẫu nhiên (trả về một lần).")


class NewUserResponse(BaseModel):
    ok: bool = True
    user: UserOut
    password: str | None = Field(None, description="Mật khẩu đã tạo; chỉ hiện một lần.")


class KeyOut(BaseModel):
    id: str
    user_id: str
    label: str | None
    created_at: str | None
    expires_at: str | None
    last_used_at: str | None
    revoked: bool


def key_out(k: KeyInfo) -> KeyOut:
    return KeyOut(id=k.id, user_id=k.user_id, label=k.label, created_at=_iso(k.created_at),
                  expires_at=_iso(k.expires_at), last_used_at=_iso(k.last_used_at), revoked=k.revoked_at is not None)


class KeysResponse(BaseModel):
    ok: bool = True
    data: list[KeyOut]
    count: int


class NewKey(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    label: str | None = Field(None, max_length=100)
    expires_days: float | None = Field(None, gt=0, le=3650)
    user: str | None = Field(None, description="Tên người dùng (chỉ quản trị tạo khóa cho người khác).")


class NewKeyResponse(BaseModel):
    ok: bool = True
    key: str = Field(description="Khóa API; chỉ hiện một lần. Gửi dạng “Authorization: Bearer KEY”.")
    data: KeyOut


class EventOut(BaseModel):
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
    ok: bool = True
    data: list[EventOut]
    count: int
    limit: int
    offset: int


def event_out(e: AuditEvent) -> EventOut:
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
    """Thêm người dùng (quản trị); mật khẩu ngẫu nhiên được trả về một lần."""
    user, password = await run_in_threadpool(accounts.add_user, body.name, body.role, body.unit, body.password)
    await record_event(request, "user_add", target=user.name, unit_id=user.unit.id if user.unit else None,
                dang_bo=user.unit.dang_bo if user.unit else None, detail={"role": user.role.value})
    return NewUserResponse(user=user_out(user), password=password)


@router.get("/keys", response_model=KeysResponse)
def list_keys(accounts: AccountsDep, principal: PrincipalDep) -> KeysResponse:
    """Khóa API của mình (quản trị: mọi khóa)."""
    assert principal.user is not None
    mine = None if principal.user.role == Role.ADMIN else principal.user.id
    keys = [key_out(k) for k in accounts.store.keys(mine)]
    return KeysResponse(data=keys, count=len(keys))


@router.post("/keys", response_model=NewKeyResponse, status_code=201)
def create_key(body: NewKey, accounts: AccountsDep, principal: PrincipalDep, request: Request) -> NewKeyResponse:
    """Tạo khóa API cho mình (quản trị: cho người khác); khóa chỉ hiện một lần."""
    assert principal.user is not None
    owner = principal.user
    if body.user is not None and name_key(body.user) != name_key(owner.name):
        if owner.role != Role.ADMIN:
            raise Forbidden(ErrorCode.FORBIDDEN, "Chỉ quản trị được tạo khóa cho người khác.")
        owner = accounts.user(body.user)
    info, key = accounts.create_key(owner, label=body.label, expires_days=body.expires_days)
    audit_event(request, "key_create", target=info.id, detail={"user": owner.name, "label": info.label})
    return NewKeyResponse(key=key, data=key_out(info))


@router.delete("/keys/{key_id}", response_model=KeysResponse)
def revoke_key(key_id: str, accounts: AccountsDep, principal: PrincipalDep, request: Request) -> KeysResponse:
    """Thu hồi một khóa API của mình (quản trị: bất kỳ khóa nào)."""
    assert principal.user is not None
    accounts.revoke_key(key_id, by=principal.user)
    audit_event(request, "key_revoke", target=key_id)
    return list_keys(accounts, principal)


@router.get("/audit-log", response_model=EventsResponse)
def audit_log(
    accounts: AccountsDep,
    scope: ScopeDep,
    action: Annotated[str | None, Query(max_length=40, description="Chỉ một loại việc (upload, delete, export, "
                                                                   "sign_in, sign_in_failed, …).")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_LIST_OFFSET)] = 0,
) -> EventsResponse:
    """Nhật ký: nạp, xóa, xuất dữ liệu và đăng nhập, trong phạm vi đơn vị được xem; mới nhất trước."""
    events, total = accounts.store.events(scope=scope, action=action, limit=limit, offset=offset)
    return EventsResponse(data=[event_out(e) for e in events], count=total, limit=limit, offset=offset)
