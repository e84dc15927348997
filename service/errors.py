"""One error tree with stable codes and Vietnamese messages, for every door."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Stable error codes, sent as ``code`` in every error body."""

    EMPTY_INPUT = "EMPTY_INPUT"
    TEXT_TOO_LARGE = "TEXT_TOO_LARGE"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    NOT_TEXT = "NOT_TEXT"
    NOT_MINUTES = "NOT_MINUTES"
    INVALID_ENCODING = "INVALID_ENCODING"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    INVALID_JSON = "INVALID_JSON"
    INVALID_BODY = "INVALID_BODY"
    UNKNOWN_PROVINCE = "UNKNOWN_PROVINCE"
    FILE_NOT_FOUND = "FILE_NOT_FOUND"
    FILE_UNREADABLE = "FILE_UNREADABLE"
    NOT_FOUND = "NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    INTERNAL = "INTERNAL"
    UNSUPPORTED_FORMAT = "UNSUPPORTED_FORMAT"
    UNSUPPORTED_HERE = "UNSUPPORTED_HERE"
    CORRUPT_FILE = "CORRUPT_FILE"
    ENCRYPTED_FILE = "ENCRYPTED_FILE"
    TOO_MANY_PAGES = "TOO_MANY_PAGES"
    DOCUMENT_TOO_LARGE = "DOCUMENT_TOO_LARGE"
    IMAGE_TOO_LARGE = "IMAGE_TOO_LARGE"
    NO_TEXT_FOUND = "NO_TEXT_FOUND"
    CONVERSION_TIMEOUT = "CONVERSION_TIMEOUT"
    OCR_UNAVAILABLE = "OCR_UNAVAILABLE"
    INVALID_STORE_URL = "INVALID_STORE_URL"
    STORE_UNAVAILABLE = "STORE_UNAVAILABLE"
    STORE_CONFLICT = "STORE_CONFLICT"
    STORE_CORRUPT = "STORE_CORRUPT"
    MINUTE_NOT_FOUND = "MINUTE_NOT_FOUND"
    UNIT_NOT_FOUND = "UNIT_NOT_FOUND"
    AMBIGUOUS_UNIT = "AMBIGUOUS_UNIT"
    UNIT_UNKNOWN = "UNIT_UNKNOWN"
    INVALID_FILTER = "INVALID_FILTER"
    INDEX_BUSY = "INDEX_BUSY"
    INVALID_QUERY = "INVALID_QUERY"
    MODEL_MISSING = "MODEL_MISSING"
    INDEX_UNAVAILABLE = "INDEX_UNAVAILABLE"
    INDEX_LOCKED = "INDEX_LOCKED"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    SESSION_EXPIRED = "SESSION_EXPIRED"
    KEY_EXPIRED = "KEY_EXPIRED"
    FORBIDDEN = "FORBIDDEN"
    FORBIDDEN_UNIT = "FORBIDDEN_UNIT"
    CSRF_FAILED = "CSRF_FAILED"
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"
    USER_EXISTS = "USER_EXISTS"
    USER_NOT_FOUND = "USER_NOT_FOUND"
    KEY_NOT_FOUND = "KEY_NOT_FOUND"
    INVALID_UNIT = "INVALID_UNIT"
    INVALID_PASSWORD = "INVALID_PASSWORD"
    INVALID_PERIOD = "INVALID_PERIOD"
    EXPORT_TOO_LARGE = "EXPORT_TOO_LARGE"
    INVALID_PARAMETER = "INVALID_PARAMETER"
    QUEUE_FULL = "QUEUE_FULL"
    INVALID_CORRECTION = "INVALID_CORRECTION"
    INVALID_REVIEW = "INVALID_REVIEW"
    REVIEW_CONFLICT = "REVIEW_CONFLICT"
    PASSWORD_CHANGE_REQUIRED = "PASSWORD_CHANGE_REQUIRED"
    FORBIDDEN_SELF = "FORBIDDEN_SELF"
    LAST_ADMIN = "LAST_ADMIN"
    USER_DISABLED = "USER_DISABLED"


class MinutesError(Exception):
    """Something the caller sent or asked for cannot be served."""

    status = 400

    def __init__(self, code: ErrorCode, message: str, *, status: int | None = None,
                 errors: list[str] | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        if status is not None:
            self.status = status
        self.errors = errors or []
        self.headers = headers or {}

    def body(self) -> dict[str, object]:
        """The JSON error body: ``ok`` false, ``status``, ``code``, ``error`` (the message) and ``errors``."""
        return {"ok": False, "status": self.status, "code": self.code.value,
                "error": self.message, "errors": self.errors}


class InputError(MinutesError):
    """The input is empty, too large, not text, or of the wrong shape."""


class NotFound(MinutesError):
    """The thing asked for does not exist."""

    status = 404


class ConversionError(MinutesError):
    """The file could not be read into text (corrupt, encrypted, too many pages, a bomb)."""

    status = 422


class Unavailable(MinutesError):
    """A component the request needs (model, index, OCR) is missing or not reachable."""

    status = 503


class Unauthorized(MinutesError):
    """The caller is not signed in, or its credentials are wrong or expired."""

    status = 401


class Forbidden(MinutesError):
    """The caller is signed in but may not do this, or not for this unit."""

    status = 403
