"""One period vocabulary for every door: parse, refuse with one message, shift, render."""

from __future__ import annotations

import pytest

from service.errors import InputError
from service.schema.period import is_month, month_short, month_vi, quarter_of, require_month, require_period, shift


@pytest.mark.parametrize("value, ok", [("2025-03", True), ("2025-12", True), ("2025-13", False), ("2025-3", False),
                                       ("2025", False), ("25-03", False), ("", False), (None, False)])
def test_is_month(value: str | None, ok: bool) -> None:
    assert is_month(value) is ok


def test_bad_months_and_periods_get_one_coded_message() -> None:
    assert require_month(None) is None and require_month("2024-02") == "2024-02"
    with pytest.raises(InputError) as e:
        require_month("2024-2")
    assert e.value.code == "INVALID_PERIOD" and e.value.status == 422 and "YYYY-MM" in e.value.message
    assert require_period("2024") == "2024" and require_period("") is None
    with pytest.raises(InputError) as e:
        require_period("Quý 3")
    assert e.value.code == "INVALID_PERIOD" and "YYYY hoặc YYYY-MM" in e.value.message


def test_shift_quarter_and_rendering() -> None:
    assert shift("2025-11", 3) == "2026-02" and shift("2025-01", -1) == "2024-12" and shift("2025-06", 0) == "2025-06"
    assert [quarter_of(m) for m in ("2025-01", "2025-03", "2025-04", "2025-12")] == [
        "2025-Q1", "2025-Q1", "2025-Q2", "2025-Q4"]
    assert month_vi("2025-03") == "3/2025" and month_short("2025-11") == "11/25"
