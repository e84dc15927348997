"""The one error shape every door answers with (HTTP body; the CLI prints the same code and message)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    """The body of every error answer."""

    ok: bool = Field(False, description="Always false.")
    status: int = Field(description="The HTTP status.")
    code: str = Field(description="A stable code, e.g. EMPTY_INPUT, FORBIDDEN_UNIT, QUEUE_FULL.")
    error: str = Field(description="What went wrong and what to do, in Vietnamese.")
    errors: list[str] = Field(default_factory=list, description="Details, one per problem found.")
