"""The OpenAPI document, with the rules the door applies to every parameter written into it.

``access`` refuses any parameter holding a control, bidi or zero-width character or
over 1,000 characters, and a ``unit_id`` that is not a unit id; the document says so
on every string parameter, so a client (or a fuzzer) reading it knows what is valid.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from service.api.deps import MAX_PARAMETER_CHARS
from service.api.errors import ERROR_RESPONSES
from service.schema.names import HIDDEN_CLASS, VISIBLE_PATTERN
from service.search.searcher import MAX_QUERY_CHARS

# Per parameter name: what the route accepts beyond its type (checked by the door or the use case).
_PARAMETERS: dict[str, dict[str, Any]] = {
    "unit_id": {"pattern": r"^(?:[0-9a-f]{12})?$"},  # empty: no unit filter
    "q": {"pattern": f"^[^{HIDDEN_CLASS}]*[^\\W_][^{HIDDEN_CLASS}]*$", "minLength": 1,
          "maxLength": MAX_QUERY_CHARS, "required": True},  # at least one letter or digit
}
_ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}


def _string_schemas(schema: dict[str, Any]) -> list[dict[str, Any]]:
    if schema.get("type") == "string":
        return [schema]
    return [s for alt in schema.get("anyOf", []) for s in _string_schemas(alt)]


def _door_rules(doc: dict[str, Any]) -> None:
    for operations in doc.get("paths", {}).values():
        for op in operations.values():
            for param in op.get("parameters", []):
                schema = param.get("schema", {})
                extra = dict(_PARAMETERS.get(param["name"], {}))
                if extra.pop("required", False):
                    param["required"] = True
                    schema.pop("default", None)
                if "anyOf" in schema:  # a route's pattern or format for an optional value belongs to its string
                    extra.update({k: schema.pop(k) for k in ("pattern", "format") if k in schema})
                for s in _string_schemas(schema):
                    s.update(extra)
                    s["maxLength"] = min(s.get("maxLength", MAX_PARAMETER_CHARS), MAX_PARAMETER_CHARS)
                    if s.get("format") not in ("date", "date-time"):
                        s.setdefault("pattern", VISIBLE_PATTERN)
            for status, response in op.get("responses", {}).items():
                if status.isdigit() and int(status) in ERROR_RESPONSES:
                    response["content"] = _ERROR_CONTENT  # errors are JSON whatever the route answers on success


def install_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` build the document once, with the door's rules on its parameters."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(title=app.title, version=app.version, description=app.description,
                              routes=app.routes)
            _door_rules(doc)
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
