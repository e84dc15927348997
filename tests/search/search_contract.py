"""SearchIndexContract: what every SearchIndex backend must do; each backend's module supplies ``index``."""

from __future__ import annotations

from typing import Any

from service.search.base import SearchFilter, SearchQuery
from tests.search.conftest import CHUNKS, make_chunk


def _ids(hits: list[Any]) -> list[str]:
    return [h.chunk_id for h in hits]


class SearchIndexContract:
    """Behaviour shared by MemoryIndex, EdgeIndex and QdrantIndex."""

    def test_upsert_is_idempotent(self, index: Any) -> None:
        index.upsert(CHUNKS)
        index.upsert(CHUNKS)
        assert index.count() == len(CHUNKS)
        assert index.minute_ids() == {"m1", "m2", "m3"}

    def test_minute_versions_give_each_minutes_oldest_chunk(self, index: Any) -> None:
        from dataclasses import replace

        index.upsert([replace(c, version=1 if c.id == "m1:0" else 3) for c in CHUNKS])
        assert index.minute_versions() == {"m1": 1, "m2": 3, "m3": 3}
        index.upsert([replace(c, version=3) for c in CHUNKS if c.minute_id == "m1"])
        assert index.minute_versions()["m1"] == 3

    def test_upsert_replaces_a_chunk(self, index: Any) -> None:
        index.upsert(CHUNKS)
        index.upsert([make_chunk("m1", 0, "Chi bộ bàn việc kiên cố hóa kênh mương nội đồng.")])
        hits = index.search(SearchQuery(text="kênh mương", mode="sparse"))
        assert _ids(hits)[:1] == ["m1:0"] and hits[0].text.startswith("Chi bộ bàn việc kiên cố")
        assert index.count() == len(CHUNKS)

    def test_delete_minute_removes_only_its_chunks(self, index: Any) -> None:
        index.upsert(CHUNKS)
        index.delete_minute("m2")
        assert index.count() == 4
        assert index.minute_ids() == {"m1", "m3"}
        assert not [h for h in index.search(SearchQuery(text="lúa", mode="sparse")) if h.minute_id == "m2"]
        index.delete_minute("no-such-minute")
        assert index.count() == 4

    def test_sparse_finds_words_typed_without_diacritics(self, index: Any) -> None:
        index.upsert(CHUNKS)
        for q in ("nông thôn mới", "nong thon moi", "NÔNG THÔN MỚI"):
            hits = index.search(SearchQuery(text=q, mode="sparse"))
            assert _ids(hits)[:1] == ["m1:0"], q

    def test_hit_carries_minute_section_span_and_units(self, index: Any) -> None:
        index.upsert(CHUNKS)
        hit = index.search(SearchQuery(text="bảo hiểm y tế", mode="hybrid"))[0]
        assert (hit.chunk_id, hit.minute_id, hit.section) == ("m3:0", "m3", "resolution")
        assert hit.span == CHUNKS[4].span and hit.text == CHUNKS[4].text
        assert (hit.dang_bo, hit.chi_bo, hit.date) == ("đảng bộ xã bình minh", "chi bộ xóm bến", "2025-01-20")

    def test_every_mode_ranks_the_matching_chunk_first(self, index: Any) -> None:
        index.upsert(CHUNKS)
        for mode in ("hybrid", "dense", "sparse"):
            hits = index.search(SearchQuery(text="dịch tả lợn châu Phi", mode=mode))  # type: ignore[arg-type]
            assert _ids(hits)[:1] == ["m2:1"], mode
            assert all(a.score >= b.score for a, b in zip(hits, hits[1:], strict=False)), mode

    def test_filters(self, index: Any) -> None:
        index.upsert(CHUNKS)

        def minutes(**kw: Any) -> set[str]:
            hits = index.search(SearchQuery(text="chi bộ", mode="hybrid", limit=50, filter=SearchFilter(**kw)))
            return {h.minute_id for h in hits}

        assert minutes() == {"m1", "m2", "m3"}
        assert minutes(dang_bo=["đảng bộ xã bình minh"]) == {"m3"}
        assert minutes(chi_bo=["chi bộ thôn đông", "chi bộ thôn tây"]) == {"m1", "m2"}
        assert minutes(date_from="2024-01-01") == {"m1", "m3"}
        assert minutes(date_from="2024", date_to="2024-12") == {"m1"}
        assert minutes(date_to="2023-06-10") == {"m2"}
        assert minutes(meeting_type="chuyen_de") == {"m3"}
        hits = index.search(SearchQuery(text="chi bộ", mode="hybrid", limit=50,
                                        filter=SearchFilter(section="criticism")))
        assert set(_ids(hits)) == {"m1:1", "m3:1"}
        assert minutes(dang_bo=["đảng bộ xã an phú"], date_from="2025-01-01") == set()

    def test_paging(self, index: Any) -> None:
        index.upsert(CHUNKS)
        whole = _ids(index.search(SearchQuery(text="chi bộ đất", mode="sparse", limit=6)))
        first = _ids(index.search(SearchQuery(text="chi bộ đất", mode="sparse", limit=2)))
        second = _ids(index.search(SearchQuery(text="chi bộ đất", mode="sparse", limit=2, offset=2)))
        assert first + second == whole[:4]

    def test_query_with_no_words_finds_nothing_sparse(self, index: Any) -> None:
        index.upsert(CHUNKS)
        assert index.search(SearchQuery(text="?!", mode="sparse")) == []
