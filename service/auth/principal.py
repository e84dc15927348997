"""Roles, what each may do, and the Principal: who is calling and which units they may see.

- clerk (văn thư chi bộ): uploads, corrects and reads the minutes of their own chi bộ;
- reviewer (cán bộ kiểm tra): reads every chi bộ under their đảng bộ, corrects fields, accepts or
  dismisses findings, exports, reads the audit log;
- admin (quản trị): everything, every unit, users and keys.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from service.schema.units import Scope


class Role(StrEnum):
    """The role a user holds: clerk, reviewer or admin (GRANTS says what each may do)."""

    CLERK = "clerk"
    REVIEWER = "reviewer"
    ADMIN = "admin"


class Permission(StrEnum):
    """An action a route may require; each role is granted a set of them (GRANTS)."""

    READ = "read"  # minutes, units, search, statistics, pages
    CHECK = "check"  # POST /v1/check (stores nothing)
    UPLOAD = "upload"
    DELETE = "delete"
    EXPORT = "export"
    AUDIT_LOG = "audit_log"
    CORRECT = "correct"  # correct a stored minute's fields
    REVIEW = "review"  # accept or dismiss findings
    SELF = "self"  # own account: sign out, password, own API keys
    ADMIN = "admin"  # users, other people's keys


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.CLERK: frozenset({Permission.READ, Permission.CHECK, Permission.UPLOAD, Permission.DELETE,
                           Permission.EXPORT, Permission.CORRECT, Permission.SELF}),
    Role.REVIEWER: frozenset({Permission.READ, Permission.CHECK, Permission.EXPORT, Permission.AUDIT_LOG,
                              Permission.CORRECT, Permission.REVIEW, Permission.SELF}),
    Role.ADMIN: frozenset(Permission),
}

def name_key(name: str) -> str:
    """How user names are compared: NFC, spaces folded, case-insensitive."""
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()



# What an API key may do, within its owner's role: everything, read only, or the check API only.
KEY_SCOPES: dict[str, frozenset[Permission] | None] = {
    "full": None,
    "read": frozenset({Permission.READ, Permission.CHECK, Permission.EXPORT}),
    "check": frozenset({Permission.CHECK}),
}


@dataclass(frozen=True)
class Unit:
    """A node of the unit tree: a đảng bộ, or a chi bộ under one."""

    id: str  # archive unit id: unit_id(dang_bo_key, chi_bo_key); a đảng bộ's own id has no chi bộ key
    level: Literal["dang_bo", "chi_bo"]
    dang_bo: str
    chi_bo: str | None
    dang_bo_key: str
    chi_bo_key: str | None

    @property
    def label(self) -> str:
        """The unit's name for display: ``chi bộ — đảng bộ``, or the đảng bộ alone."""
        return f"{self.chi_bo} — {self.dang_bo}" if self.chi_bo else self.dang_bo


@dataclass(frozen=True)
class User:
    """A user record: name, role, the unit they are tied to, and the state of their account."""

    id: str
    name: str
    role: Role
    unit: Unit | None
    active: bool = True
    created_at: int = 0
    must_change: bool = False  # signed in with a password someone else chose: must set their own first


@dataclass(frozen=True)
class Principal:
    """The caller of one request."""

    user: User | None
    via: Literal["session", "key", "anonymous"]
    csrf: str | None = None  # the session's CSRF token (sessions only)
    key_id: str | None = None
    key_scope: str = "full"

    @property
    def role(self) -> Role | None:
        """The caller's role, or None for an anonymous caller."""
        return self.user.role if self.user else None

    def can(self, perm: Permission) -> bool:
        """Whether the caller may do ``perm``: granted to their role, and within the scope of the API key used."""
        if self.user is None or perm not in GRANTS[self.user.role]:
            return False
        if self.via != "key" or self.key_scope == "full":
            return True
        narrowed = KEY_SCOPES.get(self.key_scope)
        return narrowed is not None and perm in narrowed  # an unknown scope may do nothing

    @property
    def scope(self) -> Scope | None:
        """Units this caller may see: None for an admin (all), an empty Scope for no one."""
        return scope_of(self.user)

    def search_units(self) -> tuple[list[str] | None, list[str] | None]:
        """(đảng bộ keys, chi bộ keys) a search filter must be limited to; (None, None) for all."""
        if self.user is not None and self.user.role == Role.ADMIN:
            return None, None
        unit = self.user.unit if self.user else None
        if unit is None:
            return [], []
        if unit.level == "dang_bo":
            return [unit.dang_bo_key], None
        return [unit.dang_bo_key], [unit.chi_bo_key or ""]


def scope_of(user: User | None) -> Scope | None:
    """The units ``user`` may see: None for an admin (all), an empty Scope for no user or no unit."""
    if user is not None and user.role == Role.ADMIN:
        return None
    unit = user.unit if user else None
    if unit is None:
        return Scope()
    if unit.level == "dang_bo":
        return Scope(dang_bo=frozenset({unit.dang_bo_key}))
    return Scope(units=frozenset({unit.id}))
