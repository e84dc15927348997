"""Call any route generically: fill its path, query and body from a Target (whose units it names)."""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from httpx import Response

PATH_PARAM = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class Target:
    """The identifiers a request is filled with: all of them point at one unit's data."""

    minute: str
    unit: str
    dang_bo: str
    chi_bo: str
    key_id: str
    user: str
    upload: bytes
    text: str
    user_id: str = ""


# Query parameters the walk knows how to fill for a required slot or a unit slot.
UNIT_QUERY = ("dang_bo", "chi_bo", "unit_id", "unit")
SAMPLES: dict[str, Any] = {"q": "đảng phí", "text": "đảng phí"}


def operations(app: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) for every operation in the app's OpenAPI document."""
    ops = []
    for path, item in app.openapi()["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                ops.append((method.upper(), path, op))
    return ops


def path_value(name: str, t: Target) -> str:
    values = {"minute_id": t.minute, "unit": t.unit, "unit_id": t.unit, "key_id": t.key_id, "rule": "ATT-RATE",
              "user_id": t.user_id}
    if name not in values:
        pytest.fail(f"the route walk does not know path parameter “{name}”: add it to tests/auth/walk.py")
    return values[name]


def query_value(name: str, t: Target) -> str | None:
    return {"dang_bo": t.dang_bo, "chi_bo": t.chi_bo, "unit_id": t.unit, "unit": t.unit}.get(name)


def body_of(method: str, path: str, op: dict[str, Any], t: Target) -> dict[str, Any]:
    content = (op.get("requestBody") or {}).get("content") or {}
    if not content:
        return {}
    if "multipart/form-data" in content and path != "/v1/check":
        return {"files": {"file": ("bien-ban.txt", t.upload, "text/plain")}}
    if "application/json" in content:
        if path == "/v1/check":
            return {"json": {"text": t.text}}
        if path == "/v1/users":
            return {"json": {"name": f"moi-{uuid.uuid4().hex[:6]}", "role": "clerk",
                             "unit": f"{t.dang_bo} / Chi bộ Mới"}}
        if path == "/v1/keys":
            return {"json": {"user": t.user, "label": "walk"}}
        if path == "/v1/users/{user_id}":
            return {"json": {"active": True}}  # changes nothing: the user is active
        if path == "/v1/me/password":
            return {"json": {"old": "not-the-current-password", "new": "walk-walk-walk-walk"}}
        if path == "/v1/minutes/{minute_id}/record":
            return {"json": {"corrections": [{"field": "meeting.location", "value": "Hội trường", "reason": "walk"}]}}
        if path == "/v1/minutes/{minute_id}/findings/{rule}":
            return {"json": {"state": "dismissed", "note": "walk"}}
        if path == "/v1/minutes/{minute_id}/status":
            return {"json": {"status": "returned", "note": "walk"}}
    pytest.fail(f"the route walk does not know how to fill the body of {method} {path}: add it to tests/auth/walk.py")


def call(client: TestClient, method: str, path: str, op: dict[str, Any], t: Target, *,
         headers: dict[str, str] | None = None, name_units: bool = True) -> Response:
    """Send one request; ``name_units`` fills the unit query parameters (dang_bo, chi_bo, unit_id) too."""
    url = PATH_PARAM.sub(lambda m: quote(path_value(m.group(1), t), safe=""), path)
    params: dict[str, Any] = {}
    for p in op.get("parameters", []):
        if p["in"] != "query":
            continue
        value = query_value(p["name"], t) if name_units else None
        if value is None and (p.get("required") or p["name"] in SAMPLES):
            if p["name"] not in SAMPLES:
                pytest.fail(f"the route walk cannot fill required query parameter “{p['name']}” of {path}")
            value = SAMPLES[p["name"]]
        if value is not None:
            params[p["name"]] = value
    return client.request(method, url, params=params, headers=headers or {}, **body_of(method, path, op, t))


def names_unit(path: str, op: dict[str, Any], *, name_units: bool = True) -> bool:
    """Whether the request names the target's unit or data explicitly (path id, đảng bộ or unit id)."""
    if PATH_PARAM.search(path):
        return True
    names = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
    return name_units and bool(names & {"dang_bo", "unit_id", "unit"})


def text_of(resp: Response) -> str:
    """Everything a response carries, as text (spreadsheets unpacked)."""
    ctype = resp.headers.get("content-type", "")
    if "spreadsheetml" in ctype:
        with zipfile.ZipFile(io.BytesIO(resp.content)) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    return resp.content.decode("utf-8-sig", "replace")


def assert_error(resp: Response, statuses: tuple[int, ...]) -> dict[str, Any]:
    assert resp.status_code in statuses, f"{resp.request.method} {resp.request.url}: {resp.status_code} {resp.text}"
    body = resp.json()
    assert body["ok"] is False and body["status"] == resp.status_code, body
    assert isinstance(body["code"], str) and body["code"].isupper(), body
    assert isinstance(body["error"], str) and body["error"], body
    assert isinstance(body["errors"], list), body
    return body


def assert_nothing_of(resp: Response, markers: list[str]) -> None:
    text = text_of(resp)
    leaked = [m for m in markers if m in text]
    assert not leaked, f"{resp.request.method} {resp.request.url} leaked {leaked}"
