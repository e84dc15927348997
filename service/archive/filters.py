"""WHERE clauses over the archive's minutes: a filter's conditions and the caller's scope."""

from __future__ import annotations

from typing import Any

from service.archive.base import MinuteFilter
from service.database import scope_clause
from service.schema.units import Scope, unit_key


class Where:
    """WHERE clauses and their parameters, built together."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.params: list[Any] = []

    def add(self, clause: str, *params: Any) -> None:
        """Add one clause, ANDed with the others, and its parameters."""
        self.parts.append(clause)
        self.params.extend(params)

    def scope(self, scope: Scope | None) -> None:
        """Only rows of the units in ``scope`` (every row when None)."""
        if scope is not None:
            clause, params = scope_clause(scope)
            self.add(clause, *params)

    def sql(self) -> str:
        """The clauses as `` WHERE a AND b``, or an empty string when there are none."""
        return (" WHERE " + " AND ".join(self.parts)) if self.parts else ""


def minute_where(flt: MinuteFilter, scope: Scope | None) -> Where:
    """The WHERE of the minutes a filter chooses, within a scope."""
    w = Where()
    if not flt.include_superseded:
        w.add("is_current = 1")
    if flt.dang_bo:
        w.add("dang_bo_key = ?", unit_key(flt.dang_bo, "dang_bo"))
    if flt.chi_bo:
        w.add("chi_bo_key = ?", unit_key(flt.chi_bo, "chi_bo"))
    if flt.unit_id:
        w.add("unit_id = ?", flt.unit_id)
    if flt.period:
        if len(flt.period) == 4:
            w.add("period LIKE ?", f"{flt.period}-%")
        else:
            w.add("period = ?", flt.period)
    if flt.date_from:
        w.add("meeting_date >= ?", flt.date_from.isoformat())
    if flt.date_to:
        w.add("meeting_date <= ?", flt.date_to.isoformat())
    if flt.meeting_type:
        w.add("meeting_type = ?", flt.meeting_type)
    if flt.grade:
        w.add("grade = ?", flt.grade)
    if flt.complete is not None:
        w.add("complete = ?", int(flt.complete))
    if flt.rule:
        w.add("id IN (SELECT minute_id FROM minute_rules WHERE rule = ?)", flt.rule)
    w.scope(scope)
    return w
