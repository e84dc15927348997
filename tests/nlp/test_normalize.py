import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from service.nlp.normalize import normalize
from service.nlp.text import Doc, fold
from service.schema.spelling import fix_tone_marks


def test_nfd_input_becomes_nfc_and_step_is_recorded():
    raw = unicodedata.normalize("NFD", "Chi bộ thôn Đông Hạ họp thường kỳ.\n")
    out = normalize(raw)
    assert out.text == "Chi bộ thôn Đông Hạ họp thường kỳ.\n"
    assert "nfc" in out.steps


def test_old_tone_marks_move_to_the_main_vowel_but_not_after_q():
    assert fix_tone_marks("Đảng uỷ xã Hoà Tiến, đồng chí Thuý, HOÀ BÌNH") == "Đảng ủy xã Hòa Tiến, đồng chí Thúy, HÒA BÌNH"
    assert fix_tone_marks("quý I, hoàn thành, khoẻ") == "quý I, hoàn thành, khỏe"


def test_page_footer_is_dropped_and_the_cut_sentence_rejoined():
    raw = "- Chăm sóc 52 ha lúa mùa, phòng trừ sâu đạt yêu\n\n\n          Trang 1/2\n\ncầu.\n4. Nhiệm vụ:\n"
    out = normalize(raw)
    assert "Trang 1/2" not in out.text
    assert "đạt yêu cầu." in out.text
    assert "page_marks" in out.steps and "rejoin_lines" in out.steps
    assert "\n4. Nhiệm vụ:" in out.text


def test_lines_are_not_joined_before_a_list_item_or_a_heading():
    out = normalize("Chi bộ nhất trí với chương trình gồm\n1. Thông tin thời sự\nII. NỘI DUNG\n")
    assert out.text.splitlines() == ["Chi bộ nhất trí với chương trình gồm", "1. Thông tin thời sự", "II. NỘI DUNG"]


def test_stray_scan_marks_are_removed():
    out = normalize("I. THÀNH PHẦN |\n .          '\nII. NỘI DUNG  ¦\n")
    assert out.text.splitlines()[0] == "I. THÀNH PHẦN"
    assert "¦" not in out.text and "'" not in out.text
    assert "ocr_marks" in out.steps


def test_fold_keeps_length_and_strips_marks():
    s = "Đồng chí THƯ KÝ Nguyễn Thị Thuý"
    assert len(fold(s)) == len(s)
    assert fold(s) == "dong chi thu ky nguyen thi thuy"


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ ABCĐƠƯ.,:;()-+\n0123456789/%")), max_size=300))
def test_normalising_twice_changes_nothing(s):
    once = normalize(s).text
    assert normalize(once).text == once
    assert len(Doc(once).fold) == len(once)
