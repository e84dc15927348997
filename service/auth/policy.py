"""Which permission each route needs: one table, deny by default.

A route not listed here needs READ when it only reads (GET, HEAD) and ADMIN when
it changes anything, so a new write route is closed until it is listed. PUBLIC
routes need no credentials at all.
"""

from __future__ import annotations

from service.auth.principal import Permission

PUBLIC: frozenset[tuple[str, str]] = frozenset({
    ("GET", "/v1/health"),
    ("GET", "/"),
    ("GET", "/dang-nhap"),
    ("POST", "/dang-nhap"),
})

RULES: dict[tuple[str, str], Permission] = {
    ("POST", "/v1/check"): Permission.CHECK,
    ("POST", "/v1/minutes"): Permission.UPLOAD,
    ("DELETE", "/v1/minutes/{minute_id}"): Permission.DELETE,
    ("PATCH", "/v1/minutes/{minute_id}/record"): Permission.CORRECT,
    ("PUT", "/v1/minutes/{minute_id}/findings/{rule}"): Permission.REVIEW,
    ("GET", "/v1/reviews/dismissals"): Permission.REVIEW,
    ("PUT", "/v1/minutes/{minute_id}/status"): Permission.REVIEW,
    ("GET", "/v1/me"): Permission.SELF,
    ("GET", "/v1/keys"): Permission.SELF,
    ("POST", "/v1/keys"): Permission.SELF,
    ("DELETE", "/v1/keys/{key_id}"): Permission.SELF,
    ("POST", "/v1/me/password"): Permission.SELF,
    ("GET", "/v1/users"): Permission.ADMIN,
    ("POST", "/v1/users"): Permission.ADMIN,
    ("GET", "/v1/audit-log"): Permission.AUDIT_LOG,
    ("GET", "/nhat-ky"): Permission.AUDIT_LOG,
    ("GET", "/tai-len"): Permission.UPLOAD,
    ("POST", "/tai-len"): Permission.UPLOAD,
    ("POST", "/dang-xuat"): Permission.SELF,
    ("GET", "/tai-khoan"): Permission.SELF,
    ("POST", "/tai-khoan/mat-khau"): Permission.SELF,
    ("POST", "/tai-khoan/khoa"): Permission.SELF,
    ("POST", "/tai-khoan/khoa/{key_id}/thu-hoi"): Permission.SELF,
    ("POST", "/bien-ban/{minute_id}/sua"): Permission.CORRECT,
    ("POST", "/bien-ban/{minute_id}/phat-hien/{rule}"): Permission.REVIEW,
    ("POST", "/bien-ban/{minute_id}/trang-thai"): Permission.REVIEW,
}

# Every route under these prefixes needs this permission (any method).
PREFIXES: tuple[tuple[str, Permission], ...] = (
    ("/v1/exports/", Permission.EXPORT),
    ("/bao-cao/", Permission.EXPORT),
    ("/v1/users/", Permission.ADMIN),
    ("/quan-tri/", Permission.ADMIN),
)

# What a user given a password by someone else may do before choosing their own: read the account
# page, change the password, sign out.
FIRST_STEPS: frozenset[tuple[str, str]] = frozenset({
    ("GET", "/tai-khoan"),
    ("POST", "/tai-khoan/mat-khau"),
    ("POST", "/dang-xuat"),
    ("GET", "/v1/me"),
    ("POST", "/v1/me/password"),
})

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_public(method: str, path: str) -> bool:
    """Whether a route needs no credentials (a HEAD as its GET)."""
    return (method, path) in PUBLIC or (method == "HEAD" and ("GET", path) in PUBLIC)


def permission_for(method: str, path: str) -> Permission:
    """The permission a request to route ``path`` (its template, e.g. ``/v1/minutes/{minute_id}``) needs."""
    found = RULES.get((method, path)) or (RULES.get(("GET", path)) if method == "HEAD" else None)
    if found is not None:
        return found
    for prefix, perm in PREFIXES:
        if path.startswith(prefix):
            return perm
    return Permission.READ if method in SAFE_METHODS else Permission.ADMIN
