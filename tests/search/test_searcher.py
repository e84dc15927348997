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


def test_minute_support_puts_minutes_that_keep_to_the_topic_first() -> None:
    from service.search.base import SearchHit
    from service.search.retrieval import with_minute_support
    from service.search.searcher import by_minute

    def hit(mid: str, n: int, score: float) -> SearchHit:
        return SearchHit(chunk_id=f"{mid}:{n}", minute_id=mid, score=score, section="report", span=(0, 1),
                         chi_bo=None, dang_bo=None, date=None, text="x")

    # "once" has the single best passage; "often" speaks of the topic in three sections
    hits = [hit("once", 0, 1.0), hit("often", 0, 0.9), hit("often", 1, 0.5), hit("often", 2, 0.4),
            hit("often", 3, 0.3), hit("once", 1, 0.05)]
    ranked = with_minute_support(hits, 0.5)
    assert ranked[0].chunk_id == "often:0"
    assert abs(ranked[0].score - (0.9 + 0.5 * (0.5 + 0.4))) < 1e-9
    assert [h.minute_id for h in by_minute(ranked)] == ["often", "once"]
    assert with_minute_support(hits, 0.0) == hits and by_minute([]) == []
    for mid in ("often", "once"):  # a minute's best passage stays its first
        assert next(h for h in ranked if h.minute_id == mid).chunk_id == f"{mid}:0"
