"""Months and years as the archive, statistics, exports and pages speak of them: "2025-03", "2025".

One parser and one Vietnamese rendering for every door; a bad value is refused with
``INVALID_PERIOD`` and the same message wherever it was typed.
"""

from __future__ import annotations

import re
from datetime import date, timedelta, timezone

from service.errors import ErrorCode, InputError

# Asia/Ho_Chi_Minh: UTC+7 all year, no daylight saving. Dates and times people read are shown in it.
VIETNAM = timezone(timedelta(hours=7), "ICT")

_YEAR = r"(?:19[3-9]\d|20\d\d)"  # 1930, the Party's founding, to 2099
MONTH = rf"^{_YEAR}-(?:0[1-9]|1[0-2])$"  # for Query(pattern=…)
YEAR_OR_MONTH = rf"^{_YEAR}(?:-(?:0[1-9]|1[0-2]))?$"
DAY = r"^\d{4}-\d{2}-\d{2}$"  # for Query(pattern=…); parse_day checks the calendar
_MONTH = re.compile(MONTH)
_YEAR_OR_MONTH = re.compile(YEAR_OR_MONTH)


def is_month(value: str | None) -> bool:
    """ "2025-03" → True; "2025-13", "2025-3", "2025", "0000-01" → False."""
    return value is not None and bool(_MONTH.match(value))


def require_month(value: str | None) -> str | None:
    """The month itself, None for None; anything but YYYY-MM is refused."""
    if value is not None and not is_month(value):
        raise InputError(ErrorCode.INVALID_PERIOD, f"Tháng “{value}” không hợp lệ; ghi dạng YYYY-MM, năm từ 1930 đến 2099.",
                         status=422)
    return value


def require_period(value: str | None) -> str | None:
    """A year (YYYY) or a month (YYYY-MM); anything else is refused."""
    if value and not _YEAR_OR_MONTH.match(value):
        raise InputError(ErrorCode.INVALID_PERIOD, f"Kỳ “{value}” không hợp lệ; ghi YYYY hoặc YYYY-MM, năm từ 1930 đến 2099.",
                         status=422)
    return value or None


def parse_day(value: str | None) -> date | None:
    """A day written YYYY-MM-DD, or None when not given; INVALID_QUERY (422) for anything else."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise InputError(ErrorCode.INVALID_QUERY, f"Ngày “{value[:20]}” không hợp lệ; ghi dạng YYYY-MM-DD.",
                         status=422) from e


def shift(month: str, months: int) -> str:
    """ "2025-11" shifted by 3 months → "2026-02"."""
    n = int(month[:4]) * 12 + int(month[5:7]) - 1 + months
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


def quarter_of(month: str) -> str:
    """ "2025-08" → "2025-Q3"."""
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def months_between(first: str, last: str) -> list[str]:
    """Every month "YYYY-MM" from ``first`` to ``last`` inclusive."""
    y, m = int(first[:4]), int(first[5:7])
    ly, lm = int(last[:4]), int(last[5:7])
    out = []
    while (y, m) <= (ly, lm):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def period_vi(period: str | None) -> str:
    """A period as people write it: "2025-03" → "Tháng 3/2025"; "2025-Q3" → "Quý III/2025"."""
    if not period:
        return ""
    if "-Q" in period:
        year, q = period.split("-Q")
        return f"Quý {['I', 'II', 'III', 'IV'][int(q) - 1]}/{year}"
    return f"Tháng {int(period[5:7])}/{period[:4]}"


def month_vi(month: str) -> str:
    """ "2025-03" → "3/2025", as a minute writes it."""
    return f"{int(month[5:7])}/{month[:4]}"


def month_short(month: str) -> str:
    """ "2025-03" → "3/25", for chart axes."""
    return f"{int(month[5:7])}/{month[2:4]}"
