"""BM25 sparse vectors over underthesea word segments, with folded syllables and bigrams."""

from __future__ import annotations

import pytest

from service.search.sparse import Bm25Params, SparseEncoder, fold, has_diacritics, term_id


@pytest.fixture(scope="module")
def enc() -> SparseEncoder:
    return SparseEncoder()


def test_fold_drops_diacritics_and_d_stroke() -> None:
    assert fold("Nông thôn Mới") == "nong thon moi"
    assert fold("ĐẢNG BỘ xã Đông") == "dang bo xa dong"
    assert fold(fold("Hòa Bình")) == fold("Hòa Bình") == "hoa binh"
    assert has_diacritics("nông thôn") and not has_diacritics("nong thon") and not has_diacritics("OCOP 3 sao")


def test_terms_hold_words_folded_syllables_and_bigrams(enc: SparseEncoder) -> None:
    counts, n = enc.terms("Xây dựng nông thôn mới.")
    assert n == 5
    assert {"w:nông_thôn", "f:nong", "f:thon", "f:moi", "b:nong_thon", "b:thon_moi"} <= set(counts)


def test_a_query_without_diacritics_shares_its_terms_with_the_written_text(enc: SparseEncoder) -> None:
    doc = set(enc.encode_document("Chi bộ xây dựng nông thôn mới kiểu mẫu").indices)
    plain = set(enc.encode_query("nong thon moi").indices)
    other = set(enc.encode_query("nông thổn mời").indices)  # other tones fold the same way
    folded = {term_id(t) for t in ("f:nong", "f:thon", "f:moi", "b:nong_thon", "b:thon_moi")}
    assert folded <= plain and folded <= doc
    assert plain & doc == folded  # the written-word terms of a folded query match nothing here
    assert other & doc == folded


def test_a_query_with_diacritics_also_matches_the_written_word(enc: SparseEncoder) -> None:
    doc = set(enc.encode_document("Xây dựng nông thôn").indices)
    with_marks = set(enc.encode_query("nông thôn").indices) & doc
    without = set(enc.encode_query("nong thon").indices) & doc
    assert without < with_marks and term_id("w:nông_thôn") in with_marks - without


def test_document_weights_saturate_with_term_frequency_and_length() -> None:
    enc = SparseEncoder(Bm25Params(k1=1.2, b=0.75, avg_len=10), segment=str.split)
    once = dict(zip(*[enc.encode_document("lúa a b c d").__dict__[k] for k in ("indices", "values")], strict=True))
    thrice = dict(zip(*[enc.encode_document("lúa lúa lúa c d").__dict__[k] for k in ("indices", "values")],
                      strict=True))
    longer = dict(zip(*[enc.encode_document("lúa " + "x " * 30).__dict__[k] for k in ("indices", "values")],
                      strict=True))
    t = term_id("f:lua")
    assert once[t] < thrice[t] < 3 * once[t]  # more is better, but saturating
    assert longer[t] < once[t]  # the same count weighs less in a longer text
    norm = 1.2 * (1 - 0.75 + 0.75 * 5 / 10)
    assert once[t] == pytest.approx(1 * 2.2 / (1 + norm))


def test_query_vector_is_sorted_unique_and_weighted() -> None:
    enc = SparseEncoder(Bm25Params(exact_weight=2.0, folded_weight=1.0, bigram_weight=0.5), segment=str.split)
    v = enc.encode_query("lúa lúa gạo")
    assert v.indices == sorted(set(v.indices))
    w = dict(zip(v.indices, v.values, strict=True))
    assert w[term_id("w:lúa")] == 2.0 and w[term_id("f:lua")] == 1.0 and w[term_id("b:lua_gao")] == 0.5
