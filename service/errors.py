"""One error tree with stable codes and Vietnamese messages, for every door."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    EMPTY_INPUT = "EMPTY_INPUT"
    TEXT_TOO_LARGE = "TEXT_TOO_LARGE"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    NOT_TEXT = "NOT_TEXT"
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
    INVALID_STORE_URL = "INVALID_STORE_URL"
    STORE_UNAVAILABLE = "STORE_UNAVAILABLE"
    STORE_CONFLICT = "STORE_CONFLICT"
    MINUTE_NOT_FOUND = "MINUTE_NOT_FOUND"
    UNIT_NOT_FOUND = "UNIT_NOT_FOUND"
    AMBIGUOUS_UNIT = "AMBIGUOUS_UNIT"
    INVALID_FILTER = "INVALID_FILTER"


class MinutesError(Exception):
    """Something the caller sent or asked for cannot be served."""

    status = 400

    def __init__(self, code: ErrorCode, message: str, *, status: int | None = None,
                 errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        if status is not None:
            self.status = status
        self.errors = errors or []

    def body(self) -> dict[str, object]:
        return {"ok": False, "status": self.status, "code": self.code.value,
                "error": self.message, "errors": self.errors}


class InputError(MinutesError):
    """The input is empty, too large, not text, or of the wrong shape."""


class NotFound(MinutesError):
    """The thing asked for does not exist."""

    status = 404
