"""Accounts: users, API keys, sign-in with rate limiting, sessions that expire.

The one use case behind the CLI (`minutes users …`, `minutes keys …`), the sign-in
page and the credential check every request goes through.
"""

from __future__ import annotations

import math
import threading
from datetime import UTC, datetime

from service.auth.audit_log import AuditEvent
from service.auth.principal import KEY_SCOPES, Principal, Role, Unit, User
from service.auth.secrets import (
    digest,
    hash_password,
    needs_rehash,
    new_key,
    new_password,
    new_token,
    same,
    split_key,
    verify_password,
)
from service.auth.store import AuthStore, KeyInfo, now, open_auth_store
from service.auth.units import UNIT_ID, parse_unit
from service.errors import ErrorCode, Forbidden, InputError, NotFound, Unauthorized
from service.settings import AuthSettings, Settings

FIRST_ADMIN = "admin"
MAX_NAME_CHARS = 100
_TOUCH_EVERY = 60  # seconds between writes of a key's or session's last use

_BEARER = {"WWW-Authenticate": 'Bearer realm="minutes"'}


def unauthenticated(message: str = "Cần đăng nhập hoặc gửi khóa API (Authorization: Bearer KEY).",
                    code: ErrorCode = ErrorCode.UNAUTHENTICATED) -> Unauthorized:
    """A 401 refusal with the Bearer challenge; by default it asks for a sign-in or an API key."""
    return Unauthorized(code, message, headers=dict(_BEARER))


def _iso(ts: int | None) -> str | None:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds") if ts else None


class Accounts:
    """Users, keys and sessions over one AuthStore."""

    def __init__(self, store: AuthStore, settings: AuthSettings) -> None:
        self.store = store
        self.settings = settings
        self._has_users = False
        self._touched: dict[str, int] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the store under these accounts."""
        self.store.close()

    # users and units

    def any_user(self) -> bool:
        """Whether any user exists yet (once true, remembered without asking the store again)."""
        if not self._has_users:
            self._has_users = self.store.count_users() > 0
        return self._has_users

    def unit(self, spec: str) -> Unit:
        """A unit by its id in the tree, or by name (``Đảng bộ X`` or ``Đảng bộ X / Chi bộ Y``), added if new."""
        spec = spec.strip()
        if UNIT_ID.match(spec):
            found = self.store.get_unit(spec)
            if found is None:
                raise NotFound(ErrorCode.UNIT_NOT_FOUND, f"Không có đơn vị mã “{spec}” trong cây đơn vị.")
            return found
        return self.store.save_unit(parse_unit(spec))

    def placement(self, role: Role | str, unit: str | None) -> tuple[Role, Unit | None]:
        """A role and the unit it is tied to, checked: a clerk to a chi bộ, a reviewer to a unit, an admin to none."""
        try:
            role = Role(role)
        except ValueError as e:
            raise InputError(ErrorCode.INVALID_BODY, f"Vai trò “{role}” không có; chọn clerk, reviewer hoặc admin.",
                             status=422) from e
        node = self.unit(unit) if unit else None
        if role != Role.ADMIN and node is None:
            raise InputError(ErrorCode.INVALID_UNIT, "Văn thư và cán bộ kiểm tra phải gắn với một đơn vị (--unit).",
                             status=422)
        if role == Role.CLERK and node is not None and node.level != "chi_bo":
            raise InputError(ErrorCode.INVALID_UNIT, "Văn thư gắn với một chi bộ: ghi “Đảng bộ … / Chi bộ …”.",
                             status=422)
        return role, node

    def add_user(self, name: str, role: Role | str, unit: str | None, password: str | None = None, *,
                 chosen_by_other: bool = False) -> tuple[User, str | None]:
        """Add a user; returns the user and the password made for them when none was given.

        A user given a made password, or one that someone else typed for them
        (``chosen_by_other``: an admin's form), must choose their own at first sign-in.
        """
        if not name.strip() or len(name) > MAX_NAME_CHARS:
            raise InputError(ErrorCode.INVALID_BODY, "Tên người dùng phải có từ 1 đến 100 ký tự.", status=422)
        role, node = self.placement(role, unit)
        made = None if password else new_password()
        user = self.store.add_user(name, role, node, hash_password(password or made or ""),
                                   must_change=bool(made) or chosen_by_other)
        self._has_users = True
        return user, made

    def place(self, user: User, role: Role | str, unit: str | None, *, by: User | None = None) -> User:
        """Give a user another role or unit; what they may see follows at their next request."""
        new_role, node = self.placement(role, unit)
        if by is not None and by.id == user.id and new_role != user.role:
            raise InputError(ErrorCode.FORBIDDEN_SELF, "Không tự đổi vai trò của mình; nhờ một quản trị khác.",
                             status=409)
        if not self.store.set_placement(user.id, new_role, node, keep_an_admin=True):
            raise _last_admin(user, "đổi vai trò")
        found = self.store.get_user(user.id)
        assert found is not None
        return found

    def user(self, name: str) -> User:
        """The user with this name (compared as names are); raises NotFound when there is none."""
        found = self.store.user_by_name(name)
        if found is None:
            raise NotFound(ErrorCode.USER_NOT_FOUND, f"Không có người dùng “{name}”.")
        return found[0]

    def set_password(self, user: User, password: str, *, must_change: bool = False) -> int:
        """Set a new password; the user's sessions end and their API keys are revoked (returns how many)."""
        self.store.set_password(user.id, hash_password(password), must_change=must_change)
        self.store.end_sessions_of(user.id)
        return self.store.revoke_keys_of(user.id)

    def reset_password(self, user: User) -> tuple[str, int]:
        """A made password for a user who lost theirs (shown once; they choose their own at next sign-in).

        Returns the password and how many API keys were revoked.
        """
        made = new_password()
        return made, self.set_password(user, made, must_change=True)

    def set_active(self, user: User, active: bool, *, by: User | None = None) -> int:
        """Enable or disable a user; disabling ends their sessions and revokes their API keys (returns how many)."""
        if not active and by is not None and by.id == user.id:
            raise InputError(ErrorCode.FORBIDDEN_SELF, "Không tự khóa tài khoản của mình.", status=409)
        if not self.store.set_active(user.id, active, keep_an_admin=True):
            raise _last_admin(user, "khóa")
        if active:
            return 0
        self.store.end_sessions_of(user.id)
        return self.store.revoke_keys_of(user.id)

    def change_password(self, user: User, old: str, new: str) -> int:
        """Change one's own password; wrong current passwords are limited like sign-ins."""
        s, t = self.settings, now()
        what = f"password change {user.id}"
        if self.store.claim_attempt(what, None, t, since=t - s.login_window_s, max_by_name=s.login_max_failures,
                                    max_by_ip=s.login_max_failures_ip) is not None:
            raise InputError(ErrorCode.TOO_MANY_ATTEMPTS, "Nhập sai mật khẩu hiện tại quá nhiều lần; hãy thử lại "
                             "sau ít phút.", status=429, headers={"Retry-After": str(s.login_window_s)})
        found = self.store.user_by_name(user.name)
        if found is None or not verify_password(found[1], old):
            raise InputError(ErrorCode.INVALID_CREDENTIALS, "Mật khẩu hiện tại không đúng.", status=422)
        self.store.clear_failures(what)
        if new == old:
            raise InputError(ErrorCode.INVALID_PASSWORD, "Mật khẩu mới phải khác mật khẩu hiện tại.", status=422)
        return self.set_password(user, new)

    def ensure_first_admin(self) -> tuple[User, str] | None:
        """When the archive has no user yet, add ``admin`` with a random password (returned once)."""
        if self.store.count_users() > 0:
            self._has_users = True
            return None
        user, password = self.add_user(FIRST_ADMIN, Role.ADMIN, None)
        assert password is not None
        return user, password

    # API keys

    def create_key(self, user: User, *, label: str | None = None, expires_days: float | None = None,
                   scope: str = "full") -> tuple[KeyInfo, str]:
        """A new key for ``user``, limited to ``scope`` (KEY_SCOPES); the key is returned here once, never stored."""
        if scope not in KEY_SCOPES:
            raise InputError(ErrorCode.INVALID_BODY, f"Phạm vi khóa “{scope[:20]}” không có; chọn "
                             f"{', '.join(KEY_SCOPES)}.", status=422)
        if not user.active:
            raise InputError(ErrorCode.USER_DISABLED, f"Tài khoản “{user.name}” đang bị khóa; không tạo khóa API.",
                             status=409)
        key_id, key, secret_hash = new_key()
        expires = now() + int(expires_days * 86400) if expires_days else None
        return self.store.add_key(key_id, user.id, (label or "").strip()[:100] or None, secret_hash, expires,
                                  scope), key

    def revoke_key(self, key_id: str, *, by: User) -> None:
        """Revoke a key; raises NotFound unless it exists and is ``by``'s own or ``by`` is an admin."""
        found = self.store.key_with_user(key_id)
        if found is None or (by.role != Role.ADMIN and found[0].user_id != by.id):
            raise NotFound(ErrorCode.KEY_NOT_FOUND, f"Không có khóa API “{key_id}”.")
        self.store.revoke_key(key_id)

    def by_key(self, key: str) -> Principal:
        """The caller behind an API key; the key's last use is written at most once a minute.

        Raises Unauthorized: INVALID_CREDENTIALS for a malformed, unknown or revoked key or a disabled owner,
        KEY_EXPIRED for an expired key.
        """
        parts = split_key(key.strip())
        found = self.store.key_with_user(parts[0]) if parts else None
        if parts is None or found is None or not same(found[1], digest(parts[1])):
            raise unauthenticated("Khóa API không hợp lệ.", ErrorCode.INVALID_CREDENTIALS)
        info, _, user = found
        t = now()
        if info.revoked_at is not None or not user.active:
            raise unauthenticated("Khóa API không hợp lệ.", ErrorCode.INVALID_CREDENTIALS)
        if info.expires_at is not None and info.expires_at <= t:
            raise unauthenticated(f"Khóa API đã hết hạn từ {_iso(info.expires_at)}; hãy tạo khóa mới.",
                                  ErrorCode.KEY_EXPIRED)
        if self._due(f"k:{info.id}", t):
            self.store.touch_key(info.id, t)
        return Principal(user=user, via="key", key_id=info.id, key_scope=info.scope)

    # sessions

    def _due(self, what: str, t: int) -> bool:
        with self._lock:
            if t - self._touched.get(what, 0) < _TOUCH_EVERY:
                return False
            if len(self._touched) > 10_000:
                self._touched.clear()
            self._touched[what] = t
            return True

    def _session_end(self, created: int, t: int) -> int:
        s = self.settings
        return min(created + int(s.session_max_hours * 3600), t + int(s.session_hours * 3600))

    def by_session(self, token: str) -> Principal:
        """The caller behind a session token; the session's expiry moves on at most once a minute.

        Raises Unauthorized for an unknown session, and SESSION_EXPIRED (ending it) for an expired one
        or one of a disabled user.
        """
        th = digest(token)
        row = self.store.session(th)
        if row is None:
            raise unauthenticated("Phiên đăng nhập không còn; hãy đăng nhập lại.")
        t = now()
        if row.expires_at <= t or not row.user.active:
            self.store.end_session(th)
            raise unauthenticated("Phiên đăng nhập đã hết hạn; hãy đăng nhập lại.", ErrorCode.SESSION_EXPIRED)
        if t - row.last_seen_at >= _TOUCH_EVERY:
            self.store.extend_session(th, self._session_end(row.created_at, t), t)
        return Principal(user=row.user, via="session", csrf=row.csrf)

    def sign_in(self, name: str, password: str, *, ip: str | None) -> tuple[Principal, str]:
        """Check a name and password; returns the principal and a new session token.

        Raises TOO_MANY_ATTEMPTS (429) after too many failures for this name from this
        address, or from this address at all, within the window, without checking the
        password; INVALID_CREDENTIALS (401) otherwise, the same for an unknown name.
        """
        s = self.settings
        t = now()
        found = self.store.user_by_name(name) if len(name) <= MAX_NAME_CHARS else None
        known = found[0] if found else None
        # Unknown names are never stored: the limiter keeps a digest, the log keeps no name.
        actor, actor_id = (known.name, known.id) if known else (None, None)
        detail = None if known else {"name_known": False}
        oldest = self.store.claim_attempt(name, ip, t, since=t - s.login_window_s, max_by_name=s.login_max_failures,
                                          max_by_ip=s.login_max_failures_ip)
        if oldest is not None:
            wait = max(1, oldest + s.login_window_s - t)
            self.audit(AuditEvent(action="sign_in_blocked", actor=actor, actor_id=actor_id, detail=detail, ip=ip,
                                  ok=False))
            raise InputError(ErrorCode.TOO_MANY_ATTEMPTS,
                             f"Đăng nhập sai quá nhiều lần; hãy thử lại sau {math.ceil(wait / 60)} phút.",
                             status=429, headers={"Retry-After": str(wait)})
        ok = verify_password(found[1] if found else None, password)
        if not ok or found is None or not found[0].active:
            self.audit(AuditEvent(action="sign_in_failed", actor=actor, actor_id=actor_id, detail=detail, ip=ip,
                                  ok=False))
            raise Unauthorized(ErrorCode.INVALID_CREDENTIALS, "Tên đăng nhập hoặc mật khẩu không đúng.")
        user, stored = found
        if stored and needs_rehash(stored):
            self.store.set_password(user.id, hash_password(password), must_change=user.must_change)
        self.store.clear_failures(name)
        token, csrf = new_token(), new_token()
        self.store.add_session(digest(token), user.id, csrf, self._session_end(t, t), ip)
        self.audit(_event("sign_in", user, ip=ip))
        return Principal(user=user, via="session", csrf=csrf), token

    def sign_out(self, token: str, user: User | None, *, ip: str | None) -> None:
        """End the session of ``token``; the sign-out is logged when the user is known."""
        self.store.end_session(digest(token))
        if user is not None:
            self.audit(_event("sign_out", user, ip=ip))

    # the audit log

    def audit(self, event: AuditEvent) -> None:
        """Write one event to the audit log."""
        self.store.log(event)


def _event(action: str, user: User, *, ip: str | None = None) -> AuditEvent:
    return AuditEvent(action=action, actor=user.name, actor_id=user.id, role=user.role.value,
                      unit_id=user.unit.id if user.unit else None,
                      dang_bo_key=user.unit.dang_bo_key if user.unit else None, ip=ip)


def require(principal: Principal, ok: bool, message: str = "Tài khoản này không có quyền làm việc này.") -> None:
    """Raise Forbidden with ``message`` unless ``ok``."""
    if not ok:
        raise Forbidden(ErrorCode.FORBIDDEN, message)


def open_accounts(settings: Settings) -> Accounts:
    """Accounts over the auth tables in the archive's database."""
    return Accounts(open_auth_store(settings.archive_url()), settings.auth)


def _last_admin(user: User, what: str) -> InputError:
    return InputError(ErrorCode.LAST_ADMIN, f"Không thể {what} “{user.name}”: đây là quản trị cuối cùng còn hoạt "
                      "động; hãy thêm một quản trị khác trước.", status=409)
