"""Snippets: the best window of a hit's text, with query words marked whatever their diacritics."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from service.search.snippet import make_snippet, mark, query_terms


def test_marks_words_with_or_without_diacritics_and_joins_neighbours() -> None:
    text = "Chi bộ thống nhất xây dựng nông thôn mới và chuyển đổi số."
    for q in ("nông thôn mới", "nong thon moi"):
        assert mark(make_snippet(text, q)) == "Chi bộ thống nhất xây dựng [nông thôn mới] và chuyển đổi số."


def test_function_words_are_not_marked_alone() -> None:
    assert query_terms("việc của các đảng viên và chi bộ") == {"viec", "dang", "vien", "chi", "bo"}


def test_window_moves_to_where_the_query_words_are() -> None:
    text = "Mở đầu. " + "Nội dung thường lệ của buổi sinh hoạt. " * 20 + "Chi bộ phê bình đồng chí An vắng họp." + \
        " Kết thúc." * 10
    snip = make_snippet(text, "phê bình vắng họp", width=120)
    assert len(snip.text) <= 120
    assert "phê bình" in snip.text and "vắng họp" in snip.text
    assert text[snip.start:snip.start + len(snip.text)] == snip.text


def test_no_match_gives_the_start_of_the_text() -> None:
    snip = make_snippet("Một đoạn văn bất kỳ " * 30, "xyz", width=50)
    assert snip.start == 0 and snip.highlights == [] and len(snip.text) <= 50


@given(st.text(min_size=0, max_size=400), st.text(min_size=1, max_size=30))
def test_snippet_and_highlights_always_lie_inside_the_text(text: str, query: str) -> None:
    snip = make_snippet(text, query, width=80)
    assert text[snip.start:snip.start + len(snip.text)] == snip.text
    for a, b in snip.highlights:
        assert 0 <= a < b <= len(snip.text)


def test_accented_words_mark_only_themselves() -> None:
    text = "Đồng chí Lan nhắc đảng viên nộp đảng phí đúng hạn; việc thu đang chậm."
    assert mark(make_snippet(text, "đảng phí")) == ("Đồng chí Lan nhắc [đảng] viên nộp [đảng phí] đúng hạn; "
                                                   "việc thu đang chậm.")
    assert mark(make_snippet("Chi bộ hòa giải tranh chấp.", "hoà giải")) == "Chi bộ [hòa giải] tranh chấp."


def test_unaccented_words_mark_where_their_neighbours_agree() -> None:
    text = "Đồng chí Lan nhắc đảng viên nộp đảng phí đúng hạn; việc thu đang chậm."
    # "dang" alone could be đảng or đang: marked only where a neighbour of the query agrees
    assert mark(make_snippet(text, "dang phi")) == ("Đồng chí Lan nhắc đảng viên nộp [đảng phí] đúng hạn; "
                                                   "việc thu đang chậm.")
    assert mark(make_snippet(text, "dang")) == ("Đồng chí Lan nhắc [đảng] viên nộp [đảng] phí đúng hạn; "
                                               "việc thu [đang] chậm.")
    # restored, "thu đảng phí" marks as typed with diacritics: not "thu đang"
    assert mark(make_snippet(text, "thu dang phi", restored=["thu", "đảng", "phí"])) == (
        "Đồng chí Lan nhắc [đảng] viên nộp [đảng phí] đúng hạn; việc thu đang chậm.")
    assert mark(make_snippet("Vắng không lý do: 1.", "vang khong ly do")) == "[Vắng không lý do]: 1."
