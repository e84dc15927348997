"""The ranking pipeline: line vectors, score fusion and query feedback, on the real embedded engine."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from service.search.base import SearchFilter, SearchHit, SearchQuery
from service.search.edge_index import EdgeIndex
from service.search.embedder import HashEmbedder
from service.search.encoding import MIN_LINE_CHARS, ChunkEncoder, FilterSpec, chunk_lines
from service.search.retrieval import RetrievalParams, beneath, dbsf, expand, idf, joined, tier_ends, with_facets
from service.search.sparse import SparseVector
from tests.search.conftest import make_chunk


def test_dbsf_weighs_how_far_a_hit_stands_above_the_rest() -> None:
    dense = [("a", 0.95), ("b", 0.31), ("c", 0.30), ("d", 0.29), ("e", 0.28), ("f", 0.27)]  # "a" stands out
    bm25 = [("b", 10.0), ("c", 9.9), ("a", 9.8), ("d", 9.7)]  # all four about as good
    fused = dbsf([(1.0, dense), (1.0, bm25)])
    # Reciprocal ranks would put "b" (1st and 2nd) ahead of "a" (1st and 3rd); the scores say "a".
    assert fused[0][0] == "a"
    assert {pid for pid, _ in fused} == {"a", "b", "c", "d", "e", "f"}
    assert [pid for pid, _ in dbsf([(0.0, dense), (1.0, bm25)])] == ["b", "c", "a", "d"]
    assert dbsf([(1.0, [("x", 2.0), ("y", 2.0)])]) == [("x", 0.5), ("y", 0.5)]  # no spread: no preference
    assert dbsf([(1.0, [])]) == []


def test_expand_adds_the_telling_words_of_the_feedback_chunks_not_the_common_ones() -> None:
    common, rare, other, alone = 1, 2, 3, 4
    df = Counter({common: 100, rare: 2, other: 50, alone: 1})
    query = SparseVector(indices=[9], values=[1.0])
    docs = [SparseVector(indices=[common, rare, alone], values=[1.0, 1.0, 3.0]),
            SparseVector(indices=[common, rare, other], values=[1.0, 1.0, 0.2])]
    wider = expand(query, docs, df, 100, terms=2, weight=0.5)
    weights = dict(zip(wider.indices, wider.values, strict=True))
    assert weights[9] == 1.0  # the query's own word keeps its weight
    assert weights[rare] == pytest.approx(0.5)  # the strongest added word gets the feedback weight
    assert 0.0 < weights[other] < 0.5
    assert common not in weights  # in every sampled chunk: it tells nothing, and only two terms were asked for
    assert alone not in weights  # no other chunk has it: it cannot find anything new
    # Sampled from a larger index, a word seen once in the sample is held by other chunks too.
    assert alone in dict(zip(*(lambda v: (v.indices, v.values))(
        expand(query, docs, df, 100, terms=3, weight=0.5, total=1000)), strict=True))
    assert idf(0, 100) > idf(2, 100) > idf(100, 100) > 0.0


def test_chunk_lines_splits_the_context_from_the_lines_worth_a_vector() -> None:
    head, lines = chunk_lines("Chi bộ Thôn Đông · tháng 3/2024 · Nghị quyết\n2. Nghị quyết\n"
                              "(1) Rà soát các tiêu chí nông thôn mới còn thiếu.\n- Nhất trí.\n"
                              "(2) Vận động nhân dân hiến đất làm đường.")
    assert head == "Chi bộ Thôn Đông · tháng 3/2024 · Nghị quyết"
    assert lines == ["(1) Rà soát các tiêu chí nông thôn mới còn thiếu.", "(2) Vận động nhân dân hiến đất làm đường."]
    assert all(len(line) >= MIN_LINE_CHARS for line in lines)
    assert chunk_lines("ngữ cảnh\n- Nhất trí.") == ("ngữ cảnh", ["- Nhất trí."])  # nothing long: the body is a line


class CountingEmbedder(HashEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.seen += texts
        return super().embed_passages(texts)


def test_chunk_vector_is_the_whole_chunk_and_a_recurring_line_is_embedded_once() -> None:
    emb = CountingEmbedder()
    routine = "Các tổ đảng nắm chắc tình hình, báo cáo chi ủy trước ngày sinh hoạt."
    chunks = [make_chunk("m1", 0, f"{routine}\nVận động nhân dân tham gia bảo hiểm y tế năm 2024."),
              make_chunk("m2", 0, f"{routine}\nPhòng chống dịch tả lợn châu Phi ở các hộ chăn nuôi.")]
    out = ChunkEncoder(emb).encode_chunks(chunks)
    assert emb.seen.count(routine) == 1 and len(emb.seen) == 4  # one context line (same unit/month) + 3 lines
    for c, v in zip(chunks, out, strict=True):
        head, lines = chunk_lines(c.embed_text)
        assert v.lines.shape == (len(lines), emb.dim)
        whole = emb.embed_passages([head, *lines]).sum(axis=0)
        assert np.allclose(v.dense, whole / np.linalg.norm(whole), atol=1e-5)


TOPIC = [  # one minute says it in the query's words; two others only in theirs
    make_chunk("a", 0, "Chuyển những thửa ruộng kém hiệu quả sang trồng cam sành, làm mương tưới nhỏ giọt.",
               chi_bo="chi bộ thôn đông"),
    make_chunk("b", 0, "Vườn cam sành của hộ ông Ba đã có trái bói; nhân rộng mô hình tưới nhỏ giọt.",
               chi_bo="chi bộ thôn tây"),
    make_chunk("c", 0, "Đăng ký thêm 5 ha cam sành, tập huấn kỹ thuật tưới nhỏ giọt cho bà con.",
               chi_bo="chi bộ thôn đông"),
]
OTHERS = [make_chunk(f"o{i}", 0, text, chi_bo="chi bộ thôn đông") for i, text in enumerate([
    "Thu đảng phí quý I đầy đủ, nộp lên đảng ủy đúng hạn.",
    "Phát quang bụi rậm, khơi thông cống rãnh phòng sốt xuất huyết.",
    "Vận động thanh niên lên đường nhập ngũ năm nay.",
    "Làm đường bê tông liên xóm, nhân dân góp công góp của.",
    "Hướng dẫn người dân cài đặt ứng dụng định danh điện tử.",
    "Tổ chức hội nghị tổng kết công tác dân vận của thôn.",
])]


@pytest.fixture()
def topic_index(tmp_path: Path, encoder: ChunkEncoder) -> EdgeIndex:
    # Hashed words make the dense side noise here, so only the best fused chunk feeds back.
    idx = EdgeIndex(tmp_path, encoder, retrieval=RetrievalParams(feedback_docs=1))
    idx.upsert(TOPIC + OTHERS)
    return idx


def test_feedback_finds_the_minutes_that_say_it_in_other_words(topic_index: EdgeIndex) -> None:
    q = "ruộng kém hiệu quả"
    try:
        plain = [h.minute_id for h in topic_index.search(SearchQuery(text=q, mode="sparse", limit=9))]
        assert plain == ["a"]  # only "a" shares a word with the query
        hits = [h.minute_id for h in topic_index.search(SearchQuery(text=q, mode="hybrid", limit=3))]
        assert hits[0] == "a" and set(hits) == {"a", "b", "c"}
        params = topic_index.retriever.params
        topic_index.retriever.params = replace(params, feedback_docs=0)
        without = [h.minute_id for h in topic_index.search(SearchQuery(text=q, mode="hybrid", limit=3))]
        topic_index.retriever.params = params
        assert set(without) != {"a", "b", "c"}
    finally:
        topic_index.close()


def test_feedback_stays_inside_the_filter(topic_index: EdgeIndex) -> None:
    q = "ruộng kém hiệu quả"
    try:
        for mode in ("hybrid", "dense", "sparse"):
            hits = topic_index.search(SearchQuery(text=q, mode=mode, limit=20,  # type: ignore[arg-type]
                                                  filter=SearchFilter(chi_bo=["chi bộ thôn tây"])))
            assert {h.minute_id for h in hits} <= {"b"}, mode
    finally:
        topic_index.close()


def test_a_minute_with_what_the_question_asks_for_comes_first(tmp_path: Path, encoder: ChunkEncoder) -> None:
    chunks = [make_chunk("plain", 0, "Nghị quyết làm đường giao thông nông thôn, biểu quyết 100% tán thành."),
              replace(make_chunk("split", 0, "Chi bộ thống nhất mở rộng đường liên xóm.", meeting_type="chuyen_de"),
                      facets=("vote=split",)),
              make_chunk("other", 0, "Phòng chống dịch tả lợn châu Phi.")]
    idx = EdgeIndex(tmp_path, encoder, retrieval=RetrievalParams(feedback_docs=0, minute_support=0.0))
    split_q = "nghị quyết làm đường giao thông có đảng viên không tán thành"
    thematic_q = "sinh hoạt chuyên đề nghị quyết làm đường giao thông"

    def first(q: str) -> str:
        return idx.search(SearchQuery(text=q, limit=3))[0].minute_id

    try:
        idx.upsert(chunks)
        assert (first(split_q), first(thematic_q)) == ("split", "split")
        idx.retriever.params = replace(idx.retriever.params, facet_boost=0.0)
        assert (first(split_q), first(thematic_q)) == ("plain", "plain")  # the words alone favour the other
    finally:
        idx.close()


def test_a_minute_with_what_the_question_asks_for_is_found_when_its_words_are_not(tmp_path: Path,
                                                                                  encoder: ChunkEncoder) -> None:
    # Vote lines of every minute share the question's words; the one split vote is worded otherwise.
    chunks = [make_chunk(f"n{i}", 0, f"Nghị quyết tháng {i + 1}: đảng viên biểu quyết, không tán thành 0, "
                                     f"tán thành {20 + i}.") for i in range(6)]
    chunks.append(replace(make_chunk("split", 0, "Kết quả giơ tay: mười tám đồng ý, hai đồng chí phản đối.",
                                     chi_bo="chi bộ thôn tây"), facets=("vote=split",)))
    idx = EdgeIndex(tmp_path, encoder, retrieval=RetrievalParams(candidates=3, depth=3, feedback_docs=0,
                                                                 minute_support=0.0))
    q = "nghị quyết có đảng viên không tán thành"

    def top(flt: SearchFilter | None = None) -> list[str]:
        return [h.minute_id for h in idx.search(SearchQuery(text=q, limit=3, filter=flt or SearchFilter()))]

    try:
        idx.upsert(chunks)
        assert top()[0] == "split"
        assert top(SearchFilter(chi_bo=["chi bộ thôn đông"])) and "split" not in top(
            SearchFilter(chi_bo=["chi bộ thôn đông"]))  # the narrowed ranking keeps the user's filter
        idx.retriever.params = replace(idx.retriever.params, facet_boost=0.0)
        assert "split" not in top()  # the words alone do not reach it
    finally:
        idx.close()


def test_facets_narrow_a_filter_only_where_that_narrows_something() -> None:
    base = FilterSpec(any_of={"chi_bo": ["x"]}, equals={}, day_from=None, day_to=None)
    narrowed = with_facets(base, (("vote", "split"), ("meeting_type", "chuyen_de")))
    assert narrowed is not None
    assert narrowed.any_of == {"chi_bo": ["x"], "facets": ["vote=split"]}
    assert narrowed.equals == {"meeting_type": "chuyen_de"}
    other = replace(base, equals={"meeting_type": "dai_hoi"})
    assert with_facets(other, (("meeting_type", "chuyen_de"),)) is None  # the filter wants another type
    kept = with_facets(other, (("meeting_type", "chuyen_de"), ("vote", "split")))
    assert kept is not None and kept.equals == {"meeting_type": "dai_hoi"} and kept.any_of["facets"] == ["vote=split"]
    assert with_facets(replace(base, equals={"meeting_type": "chuyen_de"}), (("meeting_type", "chuyen_de"),)) is None
    assert with_facets(base, (("meeting_type", "thuong_ky"),)) is None  # most meetings are regular ones


def test_passages_only_the_narrowed_ranking_found_join_the_end_of_the_head_in_their_order() -> None:
    ranked = [("a", 0.9), ("b", 0.8), ("c", 0.3), ("d", 0.2)]
    found = [("x", 5.0), ("a", 4.0), ("y", 1.0), ("d", 0.5)]
    out, cut = joined(ranked, found, 2)
    assert [pid for pid, _ in out] == ["a", "b", "x", "y", "d", "c"] and cut == 5
    assert dict(out)["a"] == 0.9  # what both found keeps the whole ranking's score
    assert 0.0 < dict(out)["d"] < dict(out)["y"] < dict(out)["x"] < 0.8  # below the head's last, in their order
    assert joined(ranked, [("a", 1.0)], 2) == (ranked, 2)
    # The scale does not depend on what follows the head (which depends on the page asked for).
    assert joined(ranked[:2], found, 2)[0][:5] == out[:5]


def test_tiers_double_past_the_first_deeper_one_until_the_page_is_reached() -> None:
    assert tier_ends(100, 400, 10) == tier_ends(100, 400, 100) == [100]
    assert tier_ends(100, 400, 101) == tier_ends(100, 400, 400) == [100, 400]
    assert tier_ends(100, 400, 401) == [100, 400, 800]
    assert tier_ends(100, 400, 1601) == [100, 400, 800, 1600, 3200]
    assert tier_ends(100, 100, 101) == [100, 101]  # the head is not read twice
    out = beneath([("a", 4.0), ("b", 2.0), ("c", -1.0), ("d", -2.0)], 0.5)
    assert [pid for pid, _ in out] == ["a", "b", "c", "d"]
    assert 0.5 > out[0][1] > out[1][1] > out[2][1] > out[3][1] > 0.0  # below the ceiling, never zero, order kept
    assert beneath([("a", 4.0), ("b", 2.0)], 1.0) == [("a", pytest.approx(0.999)), ("b", pytest.approx(0.5))]
    assert all(-3.0 < s < -2.0 for _, s in beneath([("a", 4.0), ("b", 2.0)], -2.0))
    assert beneath([], 1.0) == []


@pytest.mark.parametrize("mode", ["hybrid", "sparse", "dense"])
def test_a_page_is_the_same_whatever_depth_is_asked_for(tmp_path: Path, encoder: ChunkEncoder, mode: str) -> None:
    words = ["vận động", "hiến đất", "làm đường", "giao thông", "nông thôn", "bê tông", "ngõ xóm", "đóng góp"]
    chunks = [make_chunk(f"m{i}", 0, "Chi bộ bàn " + ", ".join(words[j % len(words)] for j in range(i % 5, i % 5 + 2 + i % 7))
                         + f", đoạn {i}.") for i in range(30)]  # passages that share the words unequally
    # and eight that tie: an engine keeps a different few of tied passages for another length
    chunks += [make_chunk(f"t{i}", 0, "Chi bộ nhất trí vận động nhân dân hiến đất làm đường.") for i in range(8)]
    # Tiers 4, 8, 16 and 32 deep (then 64): the pages below read lists of different lengths.
    idx = EdgeIndex(tmp_path, encoder, retrieval=RetrievalParams(depth=4, deeper=8, candidates=6))
    q = "vận động hiến đất làm đường giao thông"

    def page(limit: int, offset: int = 0) -> list[SearchHit]:
        return idx.search(SearchQuery(text=q, mode=mode, limit=limit, offset=offset))  # type: ignore[arg-type]

    try:
        idx.upsert(chunks)
        hits = page(38)
        deep = [h.chunk_id for h in hits]
        assert len(deep) == len(set(deep)) == 38  # the deepest page repeats nothing and skips nothing
        for limit, offset in [(5, 0), (3, 3), (5, 10), (3, 6), (4, 14), (5, 20), (2, 28)]:
            assert [h.chunk_id for h in page(limit, offset)] == deep[offset:offset + limit], (limit, offset)
        assert [h.chunk_id for offset in range(0, 38, 4) for h in page(4, offset)] == deep  # page after page
        scores = [h.score for h in hits]
        assert scores == sorted(scores, reverse=True)  # what a deeper tier adds is scored below what came before
        if mode != "dense":
            assert min(scores) >= 0.0
    finally:
        idx.close()


def test_a_short_minute_with_the_facet_is_not_outranked_for_being_short(tmp_path: Path,
                                                                        encoder: ChunkEncoder) -> None:
    # Long extraordinary meetings on other matters, found only by the narrowed ranking, must not
    # gain from their many passages over the short one that answers the question: only passages
    # the question's words found lend their minute support (without that rule the long minutes
    # come first here).
    chunks = [make_chunk("short", 0, "Họp bất thường: cháy rừng ở buôn Drai Sơn, chi bộ phân công trực cháy.",
                         meeting_type="bat_thuong")]
    chunks += [make_chunk(f"long{j}", i, f"Họp bất thường mục {i}: khắc phục sự cố đường ống nước số {j}, thay van, "
                                         "cấp nước tạm.", meeting_type="bat_thuong") for j in range(2) for i in range(5)]
    chunks += [make_chunk(f"n{i}", 0, f"Họp bàn cháy rừng ở buôn Drai Sơn mùa khô năm {2015 + i}, tuần tra canh lửa.")
               for i in range(6)]  # as close to the words as the short one: a flat head
    idx = EdgeIndex(tmp_path, encoder, retrieval=RetrievalParams(candidates=6, depth=6, feedback_docs=0))
    try:
        idx.upsert(chunks)
        hits = idx.search(SearchQuery(text="họp bất thường về cháy rừng ở buôn Drai Sơn", limit=6))
        assert hits[0].minute_id == "short"
        assert hits[0].score > hits[1].score
        assert {h.minute_id for h in hits[1:]} <= {"long0", "long1"}  # the facet's other minutes follow
    finally:
        idx.close()


def test_an_index_made_before_a_filter_field_gets_its_payload_index_on_opening(tmp_path: Path,
                                                                            encoder: ChunkEncoder) -> None:
    import qdrant_edge as qe

    idx = EdgeIndex(tmp_path, encoder)
    idx.shard.update(qe.UpdateOperation.delete_field_index("facets"))
    assert "facets" not in idx.shard.info().payload_schema
    idx.close()
    idx = EdgeIndex(tmp_path, encoder)
    try:
        assert "facets" in idx.shard.info().payload_schema
    finally:
        idx.close()
