"""Short transactions on the archive's database, for the tables that live beside it.

Users, keys, sessions, the audit log and the statistics' derived facts are kept in
the same database as the archive (the same ``store_url``: SQLite in the data
directory by default, PostgreSQL by URL), through the archive's own dialects, so
a deployment has one database to back up and one to point at.
"""

from __future__ import annotations

from typing import Any

from service.schema.units import Scope


def scope_clause(scope: Scope | None, *, dang_bo_col: str = "dang_bo_key", unit_col: str = "unit_id"
                 ) -> tuple[str, list[Any]]:
    """SQL limiting rows to a Scope: ``("1 = 1", [])`` for everything, ``("1 = 0", [])`` for nothing."""
    if scope is None:
        return "1 = 1", []
    terms: list[str] = []
    params: list[Any] = []
    if scope.dang_bo:
        terms.append(f"{dang_bo_col} IN ({', '.join('?' * len(scope.dang_bo))})")
        params.extend(sorted(scope.dang_bo))
    if scope.units:
        terms.append(f"{unit_col} IN ({', '.join('?' * len(scope.units))})")
        params.extend(sorted(scope.units))
    return ("(" + " OR ".join(terms) + ")", params) if terms else ("1 = 0", [])
