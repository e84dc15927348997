"""The search use case: query validation and access scoping."""

from __future__ import annotations

import pytest

from service.errors import ErrorCode, InputError
from service.search.base import SearchFilter
from service.search.encoding import day_number
from service.search.memory import MemoryIndex
from service.search.searcher import make_query, scoped, search_minutes
from tests.search.conftest import CHUNKS


def test_make_query_normalises_and_validates() -> None:
    q = make_query("  nông thôn mới  ")
    assert q.text == "nông thôn mới" and q.mode == "hybrid" and q.limit == 10
    for bad in ({"text": ""}, {"text": "a" * 501}, {"text": "a", "limit": 0}, {"text": "a", "limit": 101},
                {"text": "a", "offset": -1}, {"text": "a", "mode": "fuzzy"}):
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


def test_a_scoped_caller_sees_only_its_units() -> None:
    index = MemoryIndex()
    index.upsert(CHUNKS)
    q = make_query("chi bộ", limit=50)
    seen = {h.minute_id for h in search_minutes(index, q, allowed=(["đảng bộ xã bình minh"], None)).data}
    assert seen == {"m3"}
    assert search_minutes(index, q, allowed=([], [])).data == []
    narrow = search_minutes(index, q, allowed=(["đảng bộ xã an phú"], ["chi bộ thôn tây"])).data
    assert {h.minute_id for h in narrow} == {"m2"}
