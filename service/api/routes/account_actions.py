"""The account use cases behind /v1/users, /v1/keys, /v1/me/password and the admin pages.

One use case per action, shared by the API and the pages: each checks and changes the
account through ``Accounts`` and records the audit event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from service.auth.accounts import Accounts
from service.auth.audit import record_event
from service.auth.principal import Principal, Role, User, name_key
from service.auth.store import KeyInfo
from service.errors import ErrorCode, Forbidden, NotFound

if TYPE_CHECKING:  # the request models live with their routes
    from service.api.routes.auth import NewKey, NewUser, UserChange


def _target(accounts: Accounts, user_id: str) -> User:
    found = accounts.store.get_user(user_id) if len(user_id) <= 64 else None
    if found is None:
        raise NotFound(ErrorCode.USER_NOT_FOUND, "Không có người dùng này.")
    return found


def _unit_fields(user: User) -> dict[str, Any]:
    return {"unit_id": user.unit.id if user.unit else None, "dang_bo": user.unit.dang_bo if user.unit else None}


async def add_account(request: Request, accounts: Accounts, body: NewUser) -> tuple[User, str | None]:
    """Add a user and log it; returns the user and the made password, if one was made.

    The admin knows any password they type here, so the user must choose their own at first sign-in.
    """
    user, password = await run_in_threadpool(lambda: accounts.add_user(body.name, body.role, body.unit, body.password,
                                                                       chosen_by_other=True))
    await record_event(request, "user_add", target=user.name, **_unit_fields(user),
                       detail={"role": user.role.value})
    return user, password


async def change_account(request: Request, accounts: Accounts, by: User, user_id: str, change: UserChange
                         ) -> tuple[User, int]:
    """Move a user to another role or unit, or lock or unlock them; returns the user and keys revoked."""
    user = await run_in_threadpool(_target, accounts, user_id)
    revoked = 0
    if change.role is not None or change.unit is not None:
        role = change.role or user.role
        unit = change.unit if change.unit is not None else (user.unit.id if user.unit else None)
        before = (user.role.value, user.unit.label if user.unit else None)
        left = user
        user = await run_in_threadpool(lambda: accounts.place(user, role, unit or None, by=by))
        detail = {"from": list(before), "to": [user.role.value, user.unit.label if user.unit else None]}
        moved = left.unit is not None and (user.unit is None or user.unit.id != left.unit.id)
        await record_event(request, "user_change", target=user.name, **_unit_fields(user),
                           detail={**detail, "side": "joined"} if moved else detail)
        if moved:
            # The unit the user leaves sees the change too, told apart from the other row.
            await record_event(request, "user_change", target=user.name, **_unit_fields(left),
                               detail={**detail, "side": "left"})
    if change.active is not None and change.active != user.active:
        active = change.active
        revoked = await run_in_threadpool(lambda: accounts.set_active(user, active, by=by))
        await record_event(request, "user_enable" if active else "user_disable", target=user.name,
                           **_unit_fields(user), detail={"keys_revoked": revoked} if not active else None)
        user = await run_in_threadpool(_target, accounts, user_id)
    return user, revoked


async def reset_account_password(request: Request, accounts: Accounts, user_id: str) -> tuple[User, str, int]:
    """Give a user a temporary password and log it; returns the user, password and keys revoked."""
    user = await run_in_threadpool(_target, accounts, user_id)
    password, revoked = await run_in_threadpool(accounts.reset_password, user)
    await record_event(request, "password_reset", target=user.name, **_unit_fields(user),
                       detail={"keys_revoked": revoked})
    return await run_in_threadpool(_target, accounts, user_id), password, revoked


async def change_own_password(request: Request, accounts: Accounts, user: User, old: str, new: str) -> int:
    """Change the caller's own password and log it; returns how many keys were revoked."""
    revoked = await run_in_threadpool(accounts.change_password, user, old, new)
    await record_event(request, "password_change", target=user.name, detail={"keys_revoked": revoked})
    return revoked


async def make_key(request: Request, accounts: Accounts, principal: Principal, body: NewKey) -> tuple[KeyInfo, str]:
    """A key for the caller (an admin: for anyone), limited to ``body.scope``; the key is shown once."""
    assert principal.user is not None
    owner = principal.user
    if body.user is not None and name_key(body.user) != name_key(owner.name):
        if owner.role != Role.ADMIN:
            raise Forbidden(ErrorCode.FORBIDDEN, "Chỉ quản trị được tạo khóa cho người khác.")
        owner = await run_in_threadpool(accounts.user, body.user)
    info, key = await run_in_threadpool(lambda: accounts.create_key(owner, label=body.label,
                                                                    expires_days=body.expires_days, scope=body.scope))
    await record_event(request, "key_create", target=info.id, **_unit_fields(owner),
                       detail={"user": owner.name, "label": info.label, "scope": info.scope})
    return info, key


async def revoke_a_key(request: Request, accounts: Accounts, principal: Principal, key_id: str) -> None:
    """Revoke a key (the caller's own; an admin's: any) and log it."""
    assert principal.user is not None
    by = principal.user
    await run_in_threadpool(lambda: accounts.revoke_key(key_id, by=by))
    await record_event(request, "key_revoke", target=key_id)


def user_names(accounts: Accounts) -> dict[str, str]:
    """User id → name, for listing keys."""
    return {u.id: u.name for u in accounts.store.users()}
