"""Passwords (Argon2id through argon2-cffi) and the random secrets behind keys and sessions.

API keys and session tokens are 256-bit random strings; only their SHA-256 is
stored, which is enough for secrets that cannot be guessed. Passwords are chosen
by people, so they get a slow, salted, memory-hard hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from service.errors import ErrorCode, InputError

KEY_PREFIX = "mk"
MIN_PASSWORD = 10
MAX_PASSWORD = 256


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id, RFC 9106 low-memory profile


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def check_password_rules(password: str) -> None:
    """Raise InputError (INVALID_PASSWORD, 422) for a password shorter than MIN_PASSWORD or longer than MAX_PASSWORD."""
    if len(password) < MIN_PASSWORD:
        raise InputError(ErrorCode.INVALID_PASSWORD, f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.", status=422)
    if len(password) > MAX_PASSWORD:
        raise InputError(ErrorCode.INVALID_PASSWORD, f"Mật khẩu dài quá {MAX_PASSWORD} ký tự.", status=422)


def hash_password(password: str) -> str:
    """The Argon2id hash of a password; raises InputError when it breaks the length rules."""
    check_password_rules(password)
    return _hasher().hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when ``password`` matches; an unknown user is checked against a dummy hash, taking as long."""
    if len(password) > MAX_PASSWORD:
        return False
    try:
        return _hasher().verify(stored or _dummy_hash(), password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether a stored hash was made with other parameters than the current ones."""
    return _hasher().check_needs_rehash(stored)


def new_password(length: int = 16) -> str:
    """A random password without look-alike characters."""
    alphabet = "".join(c for c in string.ascii_letters + string.digits if c not in "0OoIl1")
    return "".join(secrets.choice(alphabet) for _ in range(length))


def digest(secret: str) -> str:
    """The SHA-256 of a secret, in hex: what is stored of keys and session tokens."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same(a: str, b: str) -> bool:
    """Whether two strings are equal, compared in constant time."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def new_token() -> str:
    """A random, URL-safe 256-bit token (session tokens, CSRF tokens)."""
    return secrets.token_urlsafe(32)


def new_key() -> tuple[str, str, str]:
    """(key id, full key as handed out, digest of its secret part)."""
    key_id = secrets.token_hex(5)
    secret = secrets.token_urlsafe(32)
    return key_id, f"{KEY_PREFIX}_{key_id}_{secret}", digest(secret)


def split_key(key: str) -> tuple[str, str] | None:
    """``mk_<id>_<secret>`` → (id, secret); None when it is not shaped like a key."""
    prefix, _, rest = key.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != KEY_PREFIX or len(key_id) != 10 or not secret or len(secret) > 100:
        return None
    return key_id, secret
