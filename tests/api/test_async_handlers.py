"""No ``async`` handler touches the database on the event loop: one slow query would stall every request."""

from __future__ import annotations

import ast
from pathlib import Path

API = Path(__file__).resolve().parents[2] / "service" / "api"
# Objects whose methods read or write a database, and functions that do.
BLOCKING_OWNERS = {"archive", "accounts", "store", "index"}
BLOCKING_FUNCTIONS = {"audit_event", "uploader_for", "get_archive", "get_accounts"}


def _blocking_calls(fn: ast.AsyncFunctionDef) -> list[str]:
    deferred = {id(n) for lam in ast.walk(fn) if isinstance(lam, ast.Lambda) for n in ast.walk(lam)}
    found = []
    for node in ast.walk(fn):
        if not isinstance(node, ast.Call) or id(node) in deferred:
            continue
        f = node.func
        if isinstance(f, ast.Name) and f.id in BLOCKING_FUNCTIONS:
            found.append(f"{f.id}() line {node.lineno}")
        elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in BLOCKING_OWNERS:
            found.append(f"{f.value.id}.{f.attr}() line {node.lineno}")
    return found


def test_async_handlers_run_database_work_in_the_thread_pool() -> None:
    offenders = {}
    for path in sorted(API.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.AsyncFunctionDef) and (calls := _blocking_calls(node)):
                offenders[f"{path.relative_to(API)}:{node.name}"] = calls
    assert offenders == {}


def test_the_check_finds_a_blocking_call() -> None:
    fn = ast.parse("async def h(request, archive):\n    archive.units()\n    audit_event(request, 'x')\n").body[0]
    assert isinstance(fn, ast.AsyncFunctionDef)
    assert _blocking_calls(fn) == ["archive.units() line 2", "audit_event() line 3"]
