"""Reading a query: language, diacritics restored, lexicon and thesaurus words, the period it names."""

from __future__ import annotations

import pytest

from service.search.query import accented_share, facets_of, is_syllable, period_of, plan_query, restore, restore_text


@pytest.mark.parametrize(("text", "language"), [
    ("chuyển đổi đất trồng lúa", "vi"),
    ("chuyen doi dat trong lua", "vi-ascii"),
    ("dang vien vang khong ly do", "vi-ascii"),
    ("party cells that discussed late membership fees", "en"),
    ("membership fees", "en"),
    ("thematic meeting on self-correction (tự soi, tự sửa)", "en"),
    ("xa dat chuan nông thôn mới", "vi"),
    ("an toan thuc pham", "vi-ascii"),
    ("lam duong be tong ngo xom", "vi-ascii"),
    ("tiem vac xin covid", "vi-ascii"),
    ("tax on land", "en"),
])
def test_language_of_a_query(text: str, language: str) -> None:
    assert plan_query(text).language == language


def test_syllables_tell_vietnamese_from_english() -> None:
    assert all(is_syllable(w) for w in ("nghieng", "chi", "bo", "quyet", "khuya", "uy"))
    assert not any(is_syllable(w) for w in ("membership", "fees", "party", "strike", "discussed"))


def test_restore_prefers_dictionary_words_and_leaves_doubt_alone() -> None:
    text, sure = restore("dang vien nop dang phi")
    assert text == "đảng viên nộp đảng phí" and sure == 1.0
    text, sure = restore("ket nap dang vien moi")
    assert text.startswith("kết nạp đảng viên")
    # "dat" alone could be đất, đạt, dát …: no spelling holds enough of the counts, so it stays typed
    text, _ = restore("dat")
    assert text == "dat"
    text, sure = restore("Nguyen Van Khai chu tri")
    assert text.endswith("chủ trì") and sure < 0.6
    assert restore("") == ("", 0.0)


def test_unaccented_query_is_embedded_restored_and_searched_both_ways() -> None:
    plan = plan_query("dang vien vang khong ly do")
    # words of two syllables or more are restored; a lone syllable ("vang": vắng or vàng) stays as typed
    assert plan.restored == "đảng viên vang khong lý do"
    assert plan.dense_texts == ("đảng viên vang khong lý do",) and 0.0 < plan.dense_weight <= 1.0
    # the typed words' folded terms match every spelling; the restored words add their exact forms, weighted less
    assert plan.sparse_text == "dang vien vang khong ly do" and "đảng viên" in plan.expansion
    guessed = plan_query("ho tro tien mua the bhyt cho ho can ngheo")
    assert guessed.dense_texts[0] == "hỗ trợ tien mua the bhyt cho hộ cận nghèo"  # not "tiến", "thể"
    assert guessed.dense_texts[1:] == ("hộ nghèo cận nghèo giảm nghèo",)  # the thesaurus view, as for any question
    vague = plan_query("Nguyen Van Khai chu tri")
    assert vague.dense_weight == 0.0  # a name the dictionary cannot restore: BM25 on the folded words alone


def test_partly_accented_query_restores_only_whole_unaccented_words() -> None:
    plan = plan_query("họp bàn chuyện heo bị dịch chết")
    assert plan.restored is None and plan.dense_texts[0] == "họp bàn chuyện heo bị dịch chết"
    assert "lợn" in plan.dense_texts[1] and "heo" not in plan.dense_texts[1]
    assert plan_query("dang vien bo hop nhieu lan").dense_texts[1] == "vắng sinh hoạt không lý do"


def test_english_query_is_translated_by_the_lexicon_and_embedded_as_typed() -> None:
    plan = plan_query("party cells with late membership fees")
    assert plan.language == "en"
    assert "chi bộ" in plan.sparse_text and "đảng phí" in plan.sparse_text
    assert plan.dense_texts[0] == "party cells with late membership fees" and "đảng phí" in plan.dense_texts[1]
    assert len(plan.dense_texts) == 2  # the question and its translation; the thesaurus is for Vietnamese
    quoted = plan_query("thematic meeting on self-correction (tự soi, tự sửa)")
    assert "tự soi tự sửa" in quoted.sparse_text


def test_lexicon_reads_the_topics_minutes_report_and_not_their_everyday_homonyms() -> None:
    retired = plan_query("ideological state of retired members and public opinion")
    assert "hưu trí" in retired.sparse_text and "dư luận" in retired.sparse_text
    assert "tư tưởng" in retired.sparse_text
    water = plan_query("water tanks for households without clean water")
    assert "nước hợp vệ sinh" in water.sparse_text and "bể nước" in water.sparse_text
    # "examination" is an inspection here, not a school exam; "think" names no topic
    assert "kỳ thi" not in plan_query("inspection and examination of the cell").sparse_text
    assert "kỳ thi" in plan_query("school cells reviewing the graduation exam").sparse_text
    assert "tư tưởng" not in plan_query("what did members think of the new road").sparse_text
    land = plan_query("households that would not hand over their land for the road, or wanted compensation for land")
    assert "bàn giao mặt bằng" in land.sparse_text and "bồi thường" in land.sparse_text
    assert "bồi thường" not in plan_query("compensation and allowances for the cell secretary").sparse_text
    assert "chi ủy" in plan_query("what the party cell committee decided").sparse_text
    assert "chi ủy" not in plan_query("the inspection committee of the commune").sparse_text


def test_english_words_match_the_lexicon_in_any_of_their_forms() -> None:
    for text in ("a member who was disciplined", "disciplinary measures", "the discipline of members"):
        assert "kỷ luật" in plan_query(text).sparse_text, text
    assert "khai trừ" in plan_query("members expelled from the party").sparse_text
    # a school grade is not the grading of a meeting
    assert "xếp loại" not in plan_query("how grade 12 students did in the exam").sparse_text
    assert "xếp loại" in plan_query("how the meeting was graded").sparse_text


def test_a_plain_word_in_a_question_typed_with_diacritics_is_spelled_as_meant() -> None:
    # "nhau" (each other) typed among accented words is not "nhậu" (drinking) ...
    assert "rượu" not in plan_query("cuộc họp cãi nhau, mỗi người một ý").expansion
    assert "tranh luận" in plan_query("cuộc họp cãi nhau, mỗi người một ý").expansion
    assert "rượu" in plan_query("đảng viên đi nhậu rồi lái xe").expansion
    # ... while a question typed without them may mean either
    assert "rượu" in plan_query("dang vien di nhau roi lai xe").expansion
    # a plain word that is no word of its own is a word typed in haste
    assert "vắng sinh hoạt" in plan_query("đảng viên bo hop nhiều lần không lý do").expansion
    # a table word written without diacritics matches any spelling
    assert plan_query("buổi sinh hoạt chuyên đề tháng 5").facets == (("meeting_type", "chuyen_de"),)


def test_thesaurus_adds_the_clerks_words_for_everyday_ones() -> None:
    plan = plan_query("họp bàn chuyện heo chết")
    assert "lợn" in plan.expansion and "thảo luận" in plan.expansion
    assert "lợn" not in plan.sparse_text  # added at the expansion weight, not as the user's own words
    # ... and embedded as a view of their own beside the question as typed
    assert plan.dense_texts[0] == "họp bàn chuyện heo chết" and "lợn" in plan.dense_texts[1]
    assert "heo" not in plan.dense_texts[1]
    gapped = plan_query("có nhà tự ý xây nhà mà không xin phép")
    assert "trái phép" in gapped.expansion
    assert plan_query("nghị quyết chi bộ").expansion == ""
    assert plan_query("nghị quyết chi bộ").dense_texts == ("nghị quyết chi bộ",)


@pytest.mark.parametrize(("text", "period"), [
    ("Trung tâm hành chính công tháng 10/2025", (2025, 10)),
    ("hội nghị tháng 12 năm 2024", (2024, 12)),
    ("sinh hoat 8/2020", (2020, 8)),
    ("biên bản thôn Khuổi Lặp năm 2013", (2013, None)),
    ("party dues in 2021", (2021, None)),
    ("từ 2019 đến 2020", None),
    ("tháng 13/2020 đảng phí", (2020, None)),
    ("đảng phí", None),
])
def test_period_named_by_a_query(text: str, period: tuple[int, int | None] | None) -> None:
    assert period_of(text) == period


@pytest.mark.parametrize(("text", "facets"), [
    ("thematic meeting on self-correction (tự soi, tự sửa)", (("meeting_type", "chuyen_de"),)),
    ("sinh hoạt chuyên đề học tập và làm theo tư tưởng Hồ Chí Minh", (("meeting_type", "chuyen_de"),)),
    ("minutes of a branch party congress that elected a new secretary", (("meeting_type", "dai_hoi"),)),
    ("dai hoi chi bo nhiem ky 2025-2030", (("meeting_type", "dai_hoi"),)),
    ("resolutions not passed unanimously", (("vote", "split"),)),
    # the longest phrase names the meeting asked for; the monthly meeting it prepares is its topic
    ("cell committee meetings preparing the monthly cell meeting", (("meeting_type", "chi_uy"),)),
    ("meeting where members of the cell committee were criticised", ()),
    # a meeting named as what another one prepares is not the meeting asked for
    ("the leadership group meets a few days ahead of the regular monthly meeting", ()),
    ("chi ủy họp để chuẩn bị nội dung sinh hoạt thường kỳ", ()),
    ("họp chi ủy trước kỳ sinh hoạt thường kỳ tháng 5", (("meeting_type", "chi_uy"),)),
    ("regular monthly meetings that discussed party dues", (("meeting_type", "thuong_ky"),)),
    # "trước" as "last", "before" as a time: the meeting is still the one asked for
    ("tháng trước có sinh hoạt chuyên đề về đảng phí không", (("meeting_type", "chuyen_de"),)),
    ("Before Tet, which regular meetings discussed party dues", (("meeting_type", "thuong_ky"),)),
    ("nghị quyết có đảng viên không tán thành", (("vote", "split"),)),
    ("buổi sinh hoạt chuyên đề nào có đảng viên không tán thành", (("meeting_type", "chuyen_de"), ("vote", "split"))),
    ("the national party congress resolution", ()),  # the national congress is not a cell's
    ("nghị quyết đại hội đảng viên toàn quốc", ()),
    ("đảng viên vắng sinh hoạt không lý do", ()),
    # a topic word alone, or a vote phrase after a negation, asks nothing of the meeting or the vote
    ("dấu hiệu bất thường trong thu nộp đảng phí", ()),
    ("quán triệt chuyên đề về chuyển đổi số", ()),
    ("discuss topical issues", ()),
    ("đảng viên phản đối việc thu quỹ", ()),
    ("không có ý kiến khác", ()),
    ("nghị quyết không có đồng chí nào không tán thành", ()),
    ("unanimous, nobody voted against", ()),
])
def test_what_a_question_asks_of_a_minute(text: str, facets: tuple[tuple[str, str], ...]) -> None:
    assert facets_of(text) == facets
    assert plan_query(text).facets == facets


def test_a_table_word_typed_with_other_diacritics_does_not_match() -> None:
    assert "sáp nhập" not in plan_query("bà con góp tiền cho học trò nghèo").expansion  # góp is not gộp
    assert "sáp nhập" in plan_query("gộp xã cũ thành xã mới").expansion
    assert "sáp nhập" in plan_query("gop xa cu thanh xa moi").expansion  # unaccented: either spelling


def test_a_table_row_found_twice_adds_its_words_once() -> None:
    expansion = plan_query("góp tiền cho con cháu nhà nghèo có tiền ăn học").expansion
    assert expansion.count("khuyến học quỹ khuyến học") == 1


def test_capitals_are_restored_in_minutes_and_kept_in_questions() -> None:
    assert restore("Chi bo thong nhat ket nap dang vien", capitals=True)[0] == "Chi bộ thống nhất kết nạp đảng viên"
    assert restore("DANG VIEN NOP DANG PHI", capitals=True)[0] == "ĐẢNG VIÊN NỘP ĐẢNG PHÍ"
    assert restore("Chủ trì: đồng chí Nguyen", capitals=True)[0].startswith("Chủ trì đồng chí")  # as typed
    assert restore("dang vien Lo Van Pao")[0] == "đảng viên Lo Van Pao"  # a name in a question stays as typed
    # in a minute too: capitalised words in a row are a name; a lone one opens a sentence or a title
    assert restore("Chu tri: dong chi Lo Van Pao - Bi thu chi bo", capitals=True)[0] == (
        "Chủ trì đồng chí Lo Van Pao Bí thư chi bộ")
    long = "dang vien nop dang phi " * 4000  # a line of 20,000 words: linear work, the same words
    assert restore(long)[0] == " ".join(["đảng viên nộp đảng phí"] * 4000)


def test_restore_text_keeps_every_character_but_the_words_letters() -> None:
    typed = "Chu tri: d/c Hai - Bi thu chi bo.\n\n  Tong so DV: 22 (21 CT)\nĐã có dấu: giữ nguyên."
    restored = restore_text(typed)
    assert len(restored) == len(typed) and restored.count("\n") == typed.count("\n")
    assert restored.startswith("Chủ trì: đ/c Hai - Bí thư chi bộ.") and "Tổng số ĐV: 22 (21 CT)" in restored
    assert restored.endswith("Đã có dấu: giữ nguyên.")
    assert accented_share(typed.split("\n")[0]) == 0.0 and accented_share(restored.split("\n")[0]) > 0.5
    assert accented_share("Chi Bo") == 0.0 and accented_share("") == 1.0
