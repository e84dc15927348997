"""Tests for service.nlp.legacy: TCVN3 / VNI tables, detection and repair."""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable

import pytest

from service.nlp.legacy import (
    LegacyScore,
    decode_tcvn3,
    decode_vni,
    detect_legacy,
    encode_tcvn3,
    encode_vni,
    legacy_score,
    repair_legacy,
)

# Every Vietnamese letter, built here from Unicode data (not from the module's tables).
_TONE_MARKS = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
_BASES = ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y")
LOWER_LETTERS = sorted({unicodedata.normalize("NFC", b + t) for b in _BASES for t in _TONE_MARKS} | {"đ"})
UPPER_LETTERS = [ch.upper() for ch in LOWER_LETTERS]
TCVN3_CAPITALS = {"Ă", "Â", "Ê", "Ô", "Ơ", "Ư", "Đ"}  # the only capitals with diacritics in VN3

MINUTES_1 = (
    "Chi bộ thôn Đông Hạ tổ chức sinh hoạt thường kỳ tháng 3 năm 2024. "
    "Tổng số đảng viên: 24 đồng chí, có mặt 21 đồng chí, vắng 3 đồng chí có lý do. "
    "Đồng chí Bí thư chi bộ chủ trì hội nghị, đồng chí Trần Thị Mai làm thư ký. "
    "Chi bộ đánh giá kết quả thực hiện nhiệm vụ tháng trước và thống nhất phương hướng tháng tới."
)
MINUTES_2 = (
    "Hội nghị nghe đồng chí Phó Bí thư quán triệt nghị quyết của Đảng uỷ xã về phòng chống dịch bệnh "
    "trên đàn gia súc. Các đảng viên phát biểu ý kiến, đề nghị tăng cường kiểm tra, giám sát việc "
    "thực hiện quy chế dân chủ ở cơ sở. Nghị quyết được biểu quyết thông qua với 21/21 đồng chí tán "
    "thành, đạt 100%."
)
SHORT_LINES = [
    "Tổng số đảng viên: 24 đồng chí, có mặt 21",
    "Đồng chí Nguyễn Văn Hùng, Bí thư chi bộ",
    "Chi bộ thống nhất nghị quyết tháng tư",
    "Vắng có lý do: 2 đồng chí (đi công tác)",
    "Ý kiến thảo luận của các đảng viên",
]


# ---------------------------------------------------------------- tables, spot checks
@pytest.mark.parametrize(
    ("code", "letter"),
    [
        ("\xa1", "Ă"), ("\xa2", "Â"), ("\xa3", "Ê"), ("\xa4", "Ô"), ("\xa5", "Ơ"), ("\xa6", "Ư"), ("\xa7", "Đ"),
        ("\xa8", "ă"), ("\xa9", "â"), ("\xaa", "ê"), ("\xab", "ô"), ("\xac", "ơ"), ("\xad", "ư"), ("\xae", "đ"),
        ("\xb5", "à"), ("\xb6", "ả"), ("\xb7", "ã"), ("\xb8", "á"), ("\xb9", "ạ"),
        ("\xbb", "ằ"), ("\xbe", "ắ"), ("\xc6", "ặ"), ("\xc7", "ầ"), ("\xca", "ấ"), ("\xcb", "ậ"),
        ("\xcc", "è"), ("\xd0", "é"), ("\xd2", "ề"), ("\xd5", "ế"), ("\xd6", "ệ"),
        ("\xd7", "ì"), ("\xdc", "ĩ"), ("\xdd", "í"), ("\xde", "ị"),
        ("\xdf", "ò"), ("\xe3", "ó"), ("\xe4", "ọ"), ("\xe5", "ồ"), ("\xe8", "ố"), ("\xe9", "ộ"),
        ("\xea", "ờ"), ("\xed", "ớ"), ("\xee", "ợ"), ("\xef", "ù"), ("\xf1", "ủ"), ("\xf3", "ú"), ("\xf4", "ụ"),
        ("\xf5", "ừ"), ("\xf7", "ữ"), ("\xf8", "ứ"), ("\xf9", "ự"), ("\xfa", "ỳ"), ("\xfd", "ý"), ("\xfe", "ỵ"),
    ],
)
def test_tcvn3_code_points(code: str, letter: str) -> None:
    # A lone code point in a lower-case word, so the capital-font rule stays out of it.
    assert decode_tcvn3("x" + code) == "x" + letter


def test_tcvn3_leaves_vn1_only_slots_alone() -> None:
    # 0xC0 (VN1 Ắ), 0xE0 (VN1 Ổ) and the VN1/VN2 combining marks 0xB0-0xB4 are not VN3.
    assert decode_tcvn3("x\xc0 x\xe0 x\xb0\xb3") == "x\xc0 x\xe0 x\xb0\xb3"


@pytest.mark.parametrize(
    ("vni", "letter"),
    [
        ("ñ", "đ"), ("Ñ", "Đ"), ("ô", "ơ"), ("Ô", "Ơ"), ("ö", "ư"), ("Ö", "Ư"),
        ("aù", "á"), ("aø", "à"), ("aû", "ả"), ("aõ", "ã"), ("aï", "ạ"),
        ("aâ", "â"), ("aá", "ấ"), ("aà", "ầ"), ("aå", "ẩ"), ("aã", "ẫ"), ("aä", "ậ"),
        ("aê", "ă"), ("aé", "ắ"), ("aè", "ằ"), ("aú", "ẳ"), ("aü", "ẵ"), ("aë", "ặ"),
        ("eâ", "ê"), ("eä", "ệ"), ("oâ", "ô"), ("oá", "ố"), ("ôù", "ớ"), ("ôï", "ợ"), ("öø", "ừ"),
        ("í", "í"), ("ì", "ì"), ("æ", "ỉ"), ("ó", "ĩ"), ("ò", "ị"), ("yù", "ý"), ("î", "ỵ"),
        ("AÙ", "Á"), ("AÄ", "Ậ"), ("AÜ", "Ẵ"), ("EÂ", "Ê"), ("OÄ", "Ộ"), ("ÔØ", "Ờ"), ("ÖÏ", "Ự"),
        ("Æ", "Ỉ"), ("Ó", "Ĩ"), ("Ò", "Ị"), ("Î", "Ỵ"), ("YÕ", "Ỹ"),
    ],
)
def test_vni_sequences(vni: str, letter: str) -> None:
    assert decode_vni(vni) == letter
    assert encode_vni(letter) == vni


def test_vni_modifier_case_follows_base() -> None:
    assert decode_vni("Aù") == "Á"
    assert decode_vni("aÙ") == "á"


# --------------------------------------------------------------------- round trips
def test_alphabet_has_every_letter() -> None:
    assert len(LOWER_LETTERS) == 73
    assert len(set(UPPER_LETTERS)) == 73


@pytest.mark.parametrize("letter", LOWER_LETTERS + UPPER_LETTERS)
def test_vni_round_trip_every_letter(letter: str) -> None:
    encoded = encode_vni(letter)
    assert all(ord(c) <= 0xFF for c in encoded)
    assert decode_vni(encoded) == letter
    assert decode_vni(encode_vni(f"x{letter}n {letter}")) == f"x{letter}n {letter}"


def test_vni_encoding_is_injective() -> None:
    codes = [encode_vni(ch) for ch in LOWER_LETTERS + UPPER_LETTERS]
    assert len(set(codes)) == len(codes)


@pytest.mark.parametrize("letter", LOWER_LETTERS)
def test_tcvn3_round_trip_lower_case(letter: str) -> None:
    encoded = encode_tcvn3(letter)
    assert len(encoded) == 1 and ord(encoded) <= 0xFF
    assert decode_tcvn3(encoded) == letter
    assert decode_tcvn3(encode_tcvn3(f"x{letter} t{letter}m")) == f"x{letter} t{letter}m"


def test_tcvn3_lower_case_encoding_is_injective() -> None:
    codes = [encode_tcvn3(ch) for ch in LOWER_LETTERS]
    assert len(set(codes)) == len(codes)


@pytest.mark.parametrize("letter", UPPER_LETTERS)
def test_tcvn3_round_trip_capitals(letter: str) -> None:
    encoded = encode_tcvn3(letter)
    if letter in TCVN3_CAPITALS or letter.isascii():
        # Capitals with a slot of their own (and plain ASCII) survive anywhere.
        assert decode_tcvn3(encoded) == letter
        assert encoded != encode_tcvn3(letter.lower())
    else:
        # VN3 has no code point for this capital: it shares the lower-case one and a
        # lone letter comes back lower case ...
        assert encoded == encode_tcvn3(letter.lower())
        assert decode_tcvn3(encoded) == letter.lower()
    # ... but in a word typed in capitals (the .VnTimeH case) the case comes back.
    word = f"TH{letter}M"
    assert decode_tcvn3(encode_tcvn3(word)) == word
    assert decode_tcvn3(encoded, caps_font=True) == letter


def test_tcvn3_title_case_capital_with_tone_loses_case() -> None:
    assert decode_tcvn3(encode_tcvn3("Ấp Bắc, Ủy ban")) == "ấp Bắc, ủy ban"


def test_random_text_round_trips() -> None:
    rng = random.Random(20240301)
    pool_lower = LOWER_LETTERS + list("bcdghklmnpqrstvx")
    for _ in range(200):
        words = ["".join(rng.choice(pool_lower) for _ in range(rng.randint(1, 4))) for _ in range(8)]
        text = "chi " + " ".join(words) + ", 12."
        # TCVN3 lower case; the lost-"ư" repair never fires on rhymes that exist.
        if not re.search("[ơờởỡớợ](?:ng|c|u)", text):
            assert decode_tcvn3(encode_tcvn3(text)) == text
        mixed = "".join(c.upper() if rng.random() < 0.3 else c for c in text)
        assert decode_vni(encode_vni(mixed)) == mixed
    # Whole sentences, both encodings.
    for text in (MINUTES_1, MINUTES_2):
        assert decode_vni(encode_vni(text)) == text
        assert decode_tcvn3(encode_tcvn3(text)) == text  # no capital with a tone in them


def test_tcvn3_all_caps_line_round_trips() -> None:
    line = "BIÊN BẢN SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 3 NĂM 2024"
    assert encode_tcvn3(line) == "BI£N B¶N SINH HO¹T CHI Bé TH¦êNG Kú TH¸NG 3 N¡M 2024"
    assert decode_tcvn3(encode_tcvn3(line)) == line
    assert decode_vni(encode_vni(line)) == line


def test_encode_accepts_nfd_input() -> None:
    nfd = unicodedata.normalize("NFD", "Cộng hoà xã hội")
    assert encode_tcvn3(nfd) == "Céng hoµ x· héi"
    assert encode_vni(nfd) == "Coäng hoaø xaõ hoäi"


# ------------------------------------------------------------------ known sentences
@pytest.mark.parametrize(
    ("legacy", "unicode"),
    [
        ("Céng hoµ x· héi chñ nghÜa ViÖt Nam", "Cộng hoà xã hội chủ nghĩa Việt Nam"),
        ("§éc lËp - Tù do - H¹nh phóc", "Độc lập - Tự do - Hạnh phúc"),
        ("§¶ng bé x· §«ng H¹", "Đảng bộ xã Đông Hạ"),
        ("Chi bé th«n Tr¹i Míi", "Chi bộ thôn Trại Mới"),
        ("§¶ng uû, chÝnh quyÒn vµ c¸c ®oµn thÓ", "Đảng uỷ, chính quyền và các đoàn thể"),
        ("Tæng sè ®¶ng viªn: 24 ®ång chÝ", "Tổng số đảng viên: 24 đồng chí"),
        ("Th\xad ký: ®ång chÝ Lª ThÞ H\xad¬ng", "Thư ký: đồng chí Lê Thị Hương"),
        ("CéNG HOµ X· HéI CHñ NGHÜA VIÖT NAM", "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ],
)
def test_decode_tcvn3_sentences(legacy: str, unicode: str) -> None:
    assert decode_tcvn3(legacy) == unicode


@pytest.mark.parametrize(
    ("legacy", "unicode"),
    [
        ("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
        ("Ñoäc laäp - Töï do - Haïnh phuùc", "Độc lập - Tự do - Hạnh phúc"),
        ("Ñaûng boä", "Đảng bộ"),
        ("ñöôïc thoâng qua vôùi 100% ñaûng vieân taùn thaønh", "được thông qua với 100% đảng viên tán thành"),
        ("Nguyeãn Thò Höông, Phoù Bí thö", "Nguyễn Thị Hương, Phó Bí thư"),
        ("COÄNG HOØA XAÕ HOÄI CHUÛ NGHÓA VIEÄT NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("THÖÔØNG KYØ", "THƯỜNG KỲ"),
    ],
)
def test_decode_vni_sentences(legacy: str, unicode: str) -> None:
    assert decode_vni(legacy) == unicode


def test_decode_output_is_nfc() -> None:
    for out in (decode_tcvn3("ViÖt Nam"), decode_vni("Vieät Nam")):
        assert out == unicodedata.normalize("NFC", out)


def test_tcvn3_lost_soft_hyphen_is_put_back_where_rhyme_demands() -> None:
    # 0xAD (ư) is a soft hyphen; text tools often drop it.
    assert decode_tcvn3("§¶ng bé Trêng") == "Đảng bộ Trường"
    assert decode_tcvn3("n\xadíc, níc, ®îc, rîu, h\xadëng, TRêNG") == "nước, nước, được, rượu, hưởng, TRƯỜNG"
    # Rhymes that exist with a bare "ơ" are left alone.
    assert decode_tcvn3("thêi gian, líp häc, s¬n") == "thời gian, lớp học, sơn"


def test_tcvn3_pdf_glyph_substitutes() -> None:
    # Some PDF text layers turn the 0xAD glyph into U+2212 and 0xB7 into U+2219.
    assert decode_tcvn3("nhµ n\u2212íc, Th«ng t\u2212, x\u2219 héi") == "nhà nước, Thông tư, xã hội"
    assert decode_tcvn3("a \u2212 b") == "a \u2212 b"


def test_caps_font_flag_upper_cases_everything() -> None:
    assert decode_tcvn3("biªn b¶n häp chi bé", caps_font=True) == "BIÊN BẢN HỌP CHI BỘ"


# ------------------------------------------------------------------------ detection
@pytest.mark.parametrize("text", [MINUTES_1, MINUTES_2, MINUTES_1 + "\n" + MINUTES_2.upper()])
def test_detects_encoded_paragraphs(text: str) -> None:
    assert detect_legacy(encode_tcvn3(text)) == "tcvn3"
    assert detect_legacy(encode_vni(text)) == "vni"
    score = legacy_score(encode_tcvn3(text))
    assert score.confidence > 0.8
    assert score.tcvn3 > 5 * score.vni


@pytest.mark.parametrize("line", SHORT_LINES)
def test_detects_single_short_lines(line: str) -> None:
    assert 30 <= len(line) <= 45
    assert detect_legacy(encode_tcvn3(line)) == "tcvn3"
    assert detect_legacy(encode_vni(line)) == "vni"


def test_detects_the_classic_headers() -> None:
    assert detect_legacy("Céng hoµ x· héi chñ nghÜa ViÖt Nam") == "tcvn3"
    assert detect_legacy("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam") == "vni"
    assert detect_legacy("§¶ng bé x· §«ng H¹ - Chi bé th«n §«ng H¹") == "tcvn3"
    assert detect_legacy("Ñaûng boä xaõ Ñoâng Haï - Chi boä thoân Ñoâng Haï") == "vni"


@pytest.mark.parametrize(
    "text",
    [
        MINUTES_1,
        MINUTES_2,
        unicodedata.normalize("NFD", MINUTES_1),
        unicodedata.normalize("NFD", MINUTES_2),
        MINUTES_1.upper(),
        *SHORT_LINES,
        "Chi bo thon Dong Ha to chuc sinh hoat thuong ky thang 3 nam 2024. Tong so dang vien: 24 dong chi.",
        "The branch held its monthly meeting on 3 March 2024; 21 of 24 members attended.",
        "Section § 4.2 — particles of 5µm ± 0.2µm at 25°C, © 2024 ACME®, see ¶ 3 · «quoted»",
        "Điều 5 § 2: hạt 5 µm ± 0,2 µm ở 25 °C, © 2024 Công ty «Hoà Bình» ®.",
        "Über die Änderung der Größe: Müller läßt grüßen, für ältere Bücher gelten Gebühren.",
        "« Où est la bibliothèque ? » Le goût du maïs, Noël à l'hôtel, où, où, coût, naïf.",
        "El niño español comió en la montaña; el señor Núñez dijo «año nuevo».",
        "",
        "12/3/2024 - 21/24 - 100%",
    ],
)
def test_no_false_positives(text: str) -> None:
    assert detect_legacy(text) is None
    assert repair_legacy(text) == (text, None)


def test_score_of_clean_text_is_empty() -> None:
    assert legacy_score(MINUTES_1) == LegacyScore()
    assert legacy_score(MINUTES_1).confidence == 0.0


def test_tie_decides_nothing() -> None:
    # Both readings are valid syllables (TCVN3 "thệ", VNI "thư"): no decision either way.
    score = legacy_score("TH\xd6 TH\xd6")
    assert score.tcvn3 == score.vni == 2
    assert score.encoding is None


# --------------------------------------------------------------------------- repair
HEADER = "ĐẢNG BỘ XÃ ĐÔNG HẠ\nCHI BỘ THÔN ĐÔNG HẠ\n\nBIÊN BẢN SINH HOẠT CHI BỘ\n\n"
FOOTER = "\nTHƯ KÝ\nTrần Thị Mai\n"


@pytest.mark.parametrize(("encoding", "encode"), [("tcvn3", encode_tcvn3), ("vni", encode_vni)])
def test_repair_whole_document(encoding: str, encode: Callable[[str], str]) -> None:
    text = MINUTES_1 + "\n" + MINUTES_2 + "\n"
    assert repair_legacy(encode(text)) == (text, encoding)


@pytest.mark.parametrize(("encoding", "encode"), [("tcvn3", encode_tcvn3), ("vni", encode_vni)])
def test_repair_mixed_document_decodes_only_the_damaged_block(encoding: str, encode: Callable[[str], str]) -> None:
    body = MINUTES_1.replace(". ", ".\n") + "\n"
    document = HEADER + encode(body) + FOOTER
    repaired, found = repair_legacy(document)
    assert found == encoding
    assert repaired == HEADER + body + FOOTER


def test_repair_legacy_header_with_unicode_body() -> None:
    header = "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
    body = MINUTES_2 + "\n"
    repaired, found = repair_legacy(encode_tcvn3(header) + body)
    assert found == "tcvn3"
    assert repaired == header + body


def test_repair_keeps_crlf_line_ends() -> None:
    body = "Chi bộ thôn Đông Hạ\r\nTổng số đảng viên: 24 đồng chí\r\nCó mặt 21 đồng chí\r\n"
    assert repair_legacy(encode_vni(body)) == (body, "vni")


def test_repair_ignores_a_lone_weak_line() -> None:
    # One "µm" in a Unicode document is not enough to touch anything.
    text = MINUTES_1 + "\nSize 5 µm\n" + MINUTES_2
    assert repair_legacy(text) == (text, None)


def test_repair_real_looking_tcvn3_extract() -> None:
    extract = (
        "bé tµi chÝnh          céng hoµ x· héi chñ nghÜa ViÖt nam\n"
        "Hµ néi, ngµy 22 th¸ng 11 n¨m 2002\n"
        "quyÕt ®Þnh cña bé tr\xadëng bé tµi chÝnh\n"
    )
    repaired, found = repair_legacy(extract)
    assert found == "tcvn3"
    assert repaired == (
        "bộ tài chính          cộng hoà xã hội chủ nghĩa Việt nam\n"
        "Hà nội, ngày 22 tháng 11 năm 2002\n"
        "quyết định của bộ trưởng bộ tài chính\n"
    )
