"""Who keeps missing meetings: excused-absence streaks and unexcused absences per member and year.

The limits are the archive audit's (service.archive.audit), so the dashboard and a
unit's audit flag the same members.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from service.archive.audit import STREAK_LIMIT, UNEXCUSED_LIMIT
from service.reporting.figures import AbsenceRow


@dataclass
class _Run:
    name: str
    unit_id: str
    chi_bo: str | None
    year: str = ""
    streak: int = 0
    longest: int = 0
    unexcused: dict[str, int] | None = None
    last: str | None = None
    ids: list[str] | None = None
    worst_ids: list[str] | None = None


def absence_order(r: AbsenceRow) -> tuple[bool, int, int, str, str, str]:
    """Worst first: flagged, longest excused streak, most unexcused; then by chi bộ, member, unit."""
    return not r.flagged, -r.longest_excused_streak, -r.unexcused, r.chi_bo or "", r.member, r.unit_id


def absence_rows(meetings: Iterable[tuple[str, str, str, int]], by_minute: dict[str, list[tuple[str, str, int]]],
             chi_bo: dict[str, str | None]) -> list[AbsenceRow]:
    """Excused-absence streaks and unexcused absences per year, member by member within each chi bộ.

    ``meetings`` are (unit id, minute id, date, all absentees named), in date order per unit. A streak
    grows with each meeting the member is excused from; a meeting that names all its absentees and
    not this member as excused ends it; it does not run across the new year.
    """
    runs: dict[str, dict[str, _Run]] = defaultdict(dict)  # unit id → member key → run
    active: dict[str, set[str]] = defaultdict(set)  # unit id → members with a streak going on
    for uid, mid, day, named_all in meetings:
        year = (day or "")[:4]
        here = {key: (name, excused) for key, name, excused in by_minute.get(mid, [])}
        members, going = runs[uid], active[uid]
        for key in [k for k in going if members[k].year != year]:
            members[key].streak, members[key].ids = 0, []
            going.discard(key)
        for key, (name, excused) in here.items():
            run = members.get(key)
            if run is None:
                run = members[key] = _Run(name=name, unit_id=uid, chi_bo=chi_bo.get(uid), unexcused={}, ids=[],
                                          worst_ids=[])
            run.last = day
            if excused:
                if run.year != year:
                    run.streak, run.ids = 0, []
                run.year = year
                run.streak += 1
                run.ids = [*(run.ids or []), mid]
                if run.streak > run.longest:
                    run.longest, run.worst_ids = run.streak, list(run.ids)
                going.add(key)
            else:
                assert run.unexcused is not None
                run.unexcused[year] = run.unexcused.get(year, 0) + 1
        if named_all:
            for key in [k for k in going if not (k in here and here[k][1])]:
                members[key].streak, members[key].ids = 0, []
                going.discard(key)
    out = []
    for run in (r for members in runs.values() for r in members.values()):
        unexcused = max((run.unexcused or {}).values(), default=0)
        if run.longest < STREAK_LIMIT and unexcused < UNEXCUSED_LIMIT:
            continue
        out.append(AbsenceRow(member=run.name, unit_id=run.unit_id, chi_bo=run.chi_bo,
                              longest_excused_streak=run.longest, current_excused_streak=run.streak,
                              unexcused=unexcused, last_absent=run.last,
                              flagged=run.longest > STREAK_LIMIT or unexcused >= UNEXCUSED_LIMIT,
                              minute_ids=run.worst_ids or []))
    out.sort(key=absence_order)
    return out
