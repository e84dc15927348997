"""The search use case: query validation and access scoping."""

from __future__ import annotations

import pytest

from service.errors import ErrorCode, InputError
from service.search.base import SearchFilter
from service.search.encoding import day_number
from service.search.searcher import make_query, scoped


def test_make_query_normalises_and_validates() -> None:
    q = make_query("  nông thôn mới  ")
    assert q.text == "nông thôn mới" and q.mode == "hybrid" and q.limit == 10
    for odd in ("x", "title:lúa AND đảng*", "'; DROP TABLE minutes; --", "lúa 🌾"):
        assert make_query(odd).text == odd.strip()  # searched as text, never interpreted
    for bad in ({"text": ""}, {"text": "a" * 501}, {"text": "a", "limit": 0}, {"text": "a", "limit": 101},
                {"text": "a", "offset": -1}, {"text": "a", "mode": "fuzzy"}, {"text": "😀🎉"}, {"text": "?!…"}):
        with pytest.raises(InputError) as err:
            make_query(**bad)  # type: ignore[arg-type]
        assert err.value.code == ErrorCode.INVALID_QUERY


def test_day_number_reads_partial_dates_and_refuses_others() -> None:
    assert day_number("2024") == 20240101 and day_number("2024", end=True) == 20241231
    assert day_number("2024-03", end=True) == 20240331 and day_number("2024-03-05") == 20240305
    assert day_number(None) is None
    for bad in ("05/03/2024", "2024-13", "2024-02-30-1", "năm 2024"):
        with pytest.raises(InputError):
            day_number(bad)


def test_scope_narrows_the_filter() -> None:
    f = SearchFilter(dang_bo=["a", "b"])
    assert scoped(f, None, None) == f
    assert scoped(f, ["b", "c"], None) == SearchFilter(dang_bo=["b"])
    assert scoped(SearchFilter(), ["c"], ["x"]) == SearchFilter(dang_bo=["c"], chi_bo=["x"])
    assert scoped(f, ["c"], None) is None
    assert scoped(SearchFilter(), [], None) is None
