"""Where a section ends: a heading's own list stays inside it, a sibling heading ends it."""

from __future__ import annotations

import pytest

from service.check import check_text
from service.nlp.sections import agenda_blocks, build_sections, find_headings
from service.nlp.text import Doc
from service.schema.record import SectionKind

pytestmark = pytest.mark.unit


def sections(text: str) -> list[tuple[SectionKind, str]]:
    doc = Doc(text)
    found = build_sections(doc, find_headings(doc), body_start=0, sig_start=None)
    return [(s.kind, text[s.span[0]:s.span[1]]) for s in found]


def section(text: str, kind: SectionKind) -> str:
    return next(body for k, body in sections(text) if k == kind)


def test_a_resolutions_numbered_tasks_stay_in_it_up_to_the_next_heading_of_its_rank() -> None:
    text = ("7. Kết luận: chi bộ thống nhất các việc sau.\n"
            "8. Nghị quyết tháng 02/2026\n"
            "(1) Thành lập tổ trực Tết 03 ca: giao đồng chí An, trước ngày 12/02/2026.\n"
            "(2) Gắn biển số nhà cho 05 hộ: giao đồng chí Kiều.\n"
            "9. Tự đánh giá: chi bộ tự chấm 90 điểm.\n")
    body = section(text, SectionKind.RESOLUTION)
    assert "(1) Thành lập tổ trực Tết" in body and "(2) Gắn biển số nhà" in body
    assert "Tự đánh giá" not in body


def test_lettered_tasks_stay_under_a_numbered_conclusion() -> None:
    text = ("6. Thảo luận\n- Đồng chí Hòa: nhất trí.\n"
            "7. Kết luận: đồng chí Khoa kết luận; chi bộ thống nhất nghị quyết tháng 12/2025:\n"
            "a) Chống rét cho đàn trâu, bò: đồng chí Dũng, trước 20/12/2025.\n"
            "b) Rà soát danh sách cử tri: đồng chí Hoa, trong tháng 12.\n")
    body = section(text, SectionKind.CONCLUSION)
    assert "a) Chống rét" in body and "b) Rà soát danh sách cử tri" in body


def test_a_list_announced_inside_a_lettered_section_stays_in_it_whatever_its_numbering() -> None:
    text = ("e) Phê bình, biểu dương\nChi bộ phê bình đồng chí Hiểu vắng sinh hoạt.\n"
            "g) Nghị quyết tháng 10/2020\nChi bộ thống nhất Nghị quyết tháng 10/2020 với các nhiệm vụ:\n"
            "1. Sửa chữa 02 xe ép rác: giao đồng chí Oanh; xong trước 20/10/2020.\n"
            "2. Điều chỉnh giờ thu gom tại 07 điểm: giao đồng chí Toản.\n"
            "h) Biểu quyết: 20/20 đồng chí tán thành.\n")
    body = section(text, SectionKind.RESOLUTION)
    assert "1. Sửa chữa 02 xe" in body and "2. Điều chỉnh giờ thu gom" in body
    assert "Biểu quyết" not in body


def test_numbered_tasks_right_under_a_resolution_heading_in_capitals_stay_in_it() -> None:
    text = ("NGHỊ QUYẾT THÁNG 3/2023\n"
            "1. Hoàn thiện hồ sơ kiểm định chất lượng: giao đồng chí Trang, trước 25/3/2023.\n"
            "2. Chuẩn bị đón đoàn kiểm tra bán trú: giao đồng chí Lan.\n")
    body = section(text, SectionKind.RESOLUTION)
    assert "1. Hoàn thiện hồ sơ" in body and "2. Chuẩn bị đón đoàn" in body


def test_an_unclassified_heading_numbered_as_the_section_is_ends_it() -> None:
    text = ("1. Thảo luận\n- Đồng chí Hòa: nhất trí với báo cáo.\n"
            "2. Công tác phát triển đảng viên: chi bộ giới thiệu 02 quần chúng.\n")
    body = section(text, SectionKind.DISCUSSION)
    assert "Đồng chí Hòa" in body and "phát triển đảng viên" not in body


def test_a_numbered_list_without_an_announcement_does_not_run_on() -> None:
    text = ("a) Thảo luận\n- Đồng chí Hòa: nhất trí.\n"
            "Ý kiến khác không có.\n"
            "1. Công tác phát triển đảng viên: chi bộ giới thiệu 02 quần chúng.\n")
    body = section(text, SectionKind.DISCUSSION)
    assert "Đồng chí Hòa" in body and "phát triển đảng viên" not in body


def test_a_line_opening_with_d_c_is_a_comrade_not_a_lettered_heading() -> None:
    text = ("6. Kết luận và nghị quyết\n"
            "Đ/c Thu Sương kết luận: chi bộ thống nhất ra nghị quyết với các nhiệm vụ:\n"
            "a) Cân đo, khám sức khỏe đầu năm cho trẻ: giao đ/c Bích.\n"
            "D/c Loan: nhận phụ trách Trung thu.\n")
    doc = Doc(text)
    assert [h.title for h in find_headings(doc) if "Sương" in h.title or "Loan" in h.title] == []
    body = section(text, SectionKind.CONCLUSION)
    assert "Đ/c Thu Sương kết luận" in body and "a) Cân đo" in body


@pytest.mark.parametrize("line", [
    "Đ/c chủ trì nêu ND: (1) thông tin thời sự; (2) đánh giá kết quả tháng 10; (3) ý kiến đảng viên.",
    "Đ/c bí thư thông qua ND họp: thông tin thời sự; đánh giá tháng 2; nhiệm vụ tháng 3; biểu quyết.",
    "Đ/c Bính nêu các nội dung cần bàn: (1) đánh giá nghị quyết tháng 02; (2) dự kiến nội dung tháng 3.",
])
def test_an_agenda_given_inline_after_a_short_form_of_noi_dung_is_an_agenda(line: str) -> None:
    assert agenda_blocks(Doc(line + "\n"))


def test_a_content_label_without_a_list_is_not_an_agenda() -> None:
    assert not agenda_blocks(Doc("Nội dung kết luận: tháng tới tập trung thu hoạch lúa.\n"))


def test_a_long_numbered_line_that_names_the_next_part_ends_the_section_and_heads_that_part() -> None:
    text = ("6. Phê bình, biểu dương\nChi bộ phê bình đồng chí Sướng vắng sinh hoạt hai lần.\n"
            "7. Đồng chí Lò Văn Sướng, Bí thư chi bộ, thay mặt chi ủy kết luận buổi sinh hoạt và chi bộ thống nhất "
            "nghị quyết tháng 9:\n"
            "a) Thu hoạch lúa mùa: giao đồng chí Lả, trước 30/9.\n")
    found = sections(text)
    criticism = next(body for k, body in found if k == SectionKind.CRITICISM)
    assert "vắng sinh hoạt" in criticism and "kết luận" not in criticism
    after = next(body for k, body in found if k in (SectionKind.CONCLUSION, SectionKind.RESOLUTION))
    assert after.startswith("7. Đồng chí Lò Văn Sướng") and "a) Thu hoạch lúa mùa" in after


def test_a_long_numbered_line_naming_members_is_not_taken_for_the_attendance() -> None:
    text = ("2. Phê bình\nĐồng chí Phương tự phê bình còn ít phát biểu.\n"
            "3. Đồng chí Đặng Quốc Bảo, đảng viên được phân công giúp đỡ, đọc bản nhận xét đồng chí Phương "
            "có lập trường tư tưởng vững vàng, đề nghị chi bộ xét công nhận đảng viên chính thức.\n"
            "4. Thảo luận\n- Đồng chí Hòa: nhất trí.\n")
    criticism = section(text, SectionKind.CRITICISM)
    assert "đọc bản nhận xét" in criticism and "Thảo luận" not in criticism


def test_a_resolutions_own_numbered_list_runs_past_the_number_of_its_heading() -> None:
    text = ("3. Nghị quyết tháng 5/2024:\n"
            "1. Tiêm phòng cho đàn gia súc: giao đồng chí An.\n2. Nạo vét kênh: giao đồng chí Bình.\n"
            "3. Sửa đường liên thôn: giao đồng chí Chi.\n4. Trồng cây xanh: giao đồng chí Dũng.\n"
            "5. Thu đảng phí: giao đồng chí Em.\n")
    body = section(text, SectionKind.RESOLUTION)
    assert "4. Trồng cây xanh" in body and "5. Thu đảng phí" in body


def test_decimal_subsections_stay_under_their_part() -> None:
    text = ("3. Thảo luận\n3.1. Về công tác phát triển đảng viên: đồng chí Hòa đề nghị giới thiệu 02 quần chúng.\n"
            "3.2. Về thu đảng phí: đồng chí Lan báo cáo đã thu đủ.\n4. Công tác khác: không có.\n")
    body = section(text, SectionKind.DISCUSSION)
    assert "3.1. Về công tác" in body and "3.2. Về thu đảng phí" in body and "Công tác khác" not in body


def test_a_lettered_item_that_starts_no_list_is_not_swallowed_by_an_unnumbered_heading() -> None:
    text = "THẢO LUẬN\n- Đồng chí Hòa: nhất trí.\nb) Công tác phát triển đảng viên: giới thiệu 02 quần chúng.\n"
    body = section(text, SectionKind.DISCUSSION)
    assert "Đồng chí Hòa" in body and "phát triển đảng viên" not in body


def test_a_list_that_starts_again_at_one_is_another_list() -> None:
    text = ("7. Nghị quyết tháng 3:\n1. Tiêm phòng cho đàn gia súc: giao đồng chí An.\n"
            "2. Nạo vét kênh: giao đồng chí Bình.\n"
            "1. Công tác phát triển đảng viên: giới thiệu 02 quần chúng ưu tú.\n")
    body = section(text, SectionKind.RESOLUTION)
    assert "2. Nạo vét kênh" in body and "phát triển đảng viên" not in body


@pytest.mark.parametrize("line", ["Đ.c Sương kết luận: nhà trường chuẩn bị tốt năm học.",
                                  "D.c Loan: nhận phụ trách Trung thu.", "Đ/C Hòa: nhất trí.", "D/c Hòa: nhất trí."])
def test_a_comrade_abbreviated_at_a_lines_start_is_no_heading(line: str) -> None:
    assert find_headings(Doc(line + "\n")) == []


@pytest.mark.parametrize(("line", "kind"), [("D. Kết luận", SectionKind.CONCLUSION), ("Đ) Kết luận", SectionKind.CONCLUSION),
                                            ("D/ Thảo luận", SectionKind.DISCUSSION)])
def test_headings_lettered_d_are_still_headings(line: str, kind: SectionKind) -> None:
    assert [h.kind for h in find_headings(Doc(line + "\n"))] == [kind]


def test_a_conclusion_announcing_its_tasks_keeps_its_resolution() -> None:
    text = ("BIÊN BẢN SINH HOẠT CHI BỘ THÔN ĐÔNG\n"
            "I. Thảo luận\n- Đồng chí Hòa: nhất trí với báo cáo.\n"
            "II. Kết luận: đồng chí Bí thư kết luận, chi bộ thống nhất nghị quyết tháng 02/2026 với các nội dung sau:\n"
            "(1) Thành lập tổ trực Tết 03 ca: giao đồng chí An, trước ngày 12/02/2026.\n"
            "(2) Gắn biển số nhà cho 05 hộ còn lại: giao đồng chí Kiều.\n"
            "Biểu quyết: 20/20 đồng chí tán thành, đạt 100%.\n")
    doc = Doc(text)
    assert not [b for b in agenda_blocks(doc) if "Thành lập tổ trực" in text[b[0]:b[1]]]
    report = check_text(text)
    assert [len(r.tasks) for r in report.record.resolutions] == [2]


def test_an_agenda_cue_does_not_take_the_next_line() -> None:
    text = "Nội dung:\nĐồng chí chủ trì thông qua chương trình: thời sự; kết quả tháng 2; nhiệm vụ tháng 3.\n"
    blocks = agenda_blocks(Doc(text))
    assert any(text[a:b].startswith("Đồng chí chủ trì") for a, b in blocks)


@pytest.mark.parametrize("line", ["- Đồng chí Khoát: phản ánh ý kiến ND: (1) đường ngõ 22 hỏng; (2) thiếu đèn.",
                                  "Thực hiện NĐ: (1) rà soát hộ nghèo; (2) cấp thẻ bảo hiểm y tế."])
def test_nd_for_the_people_or_a_decree_is_no_agenda(line: str) -> None:
    assert not agenda_blocks(Doc(line + "\n"))


def test_speaker_lines_lettered_as_their_heading_stay_in_the_discussion() -> None:
    text = "a) Thảo luận\nb) Đồng chí Hòa: nhất trí.\nc) Đồng chí Lan: đồng ý với báo cáo.\n"
    body = section(text, SectionKind.DISCUSSION)
    assert "Đồng chí Hòa" in body and "Đồng chí Lan" in body


def test_a_numbered_list_of_speakers_does_not_take_the_next_part() -> None:
    text = ("3. Thảo luận\n1. Đồng chí An: nhất trí.\n2. Đồng chí Bình: đồng ý.\n3. Đồng chí Chi: nhất trí.\n"
            "4. Công tác phát triển đảng viên: giới thiệu 02 quần chúng.\n")
    body = section(text, SectionKind.DISCUSSION)
    assert "Đồng chí Chi" in body and "phát triển đảng viên" not in body


def test_a_list_goes_on_item_after_item_not_by_a_jump() -> None:
    text = ("3. Nghị quyết tháng 5:\n1. Tiêm phòng cho đàn gia súc: giao đồng chí An.\n"
            "2. Nạo vét kênh: giao đồng chí Bình.\n4. Công tác phát triển đảng viên: giới thiệu 02 quần chúng.\n")
    body = section(text, SectionKind.RESOLUTION)
    assert "2. Nạo vét kênh" in body and "phát triển đảng viên" not in body


def test_i_among_capital_letters_is_a_letter() -> None:
    text = ("H. Thảo luận\n- Đồng chí Hòa: nhất trí.\nI. Kết luận\nChi bộ thống nhất các nhiệm vụ tháng tới.\n"
            "K. Công tác phát triển đảng viên: giới thiệu 02 quần chúng.\n")
    body = section(text, SectionKind.CONCLUSION)
    assert "Chi bộ thống nhất" in body and "phát triển đảng viên" not in body


def test_roman_numerals_past_ten_count_on() -> None:
    from service.nlp.sections import numbering

    assert [n.value for n in map(numbering, ["IX. a", "X. b", "XI. c", "XII. d", "XIV. e"]) if n] == [9, 10, 11, 12, 14]
    text = ("X. Thảo luận\n- Đồng chí Hòa: nhất trí.\n"
            "XI. Đồng chí Lò Văn Sướng, Bí thư chi bộ, thay mặt chi ủy kết luận buổi sinh hoạt tháng này và giao "
            "nhiệm vụ cho các đồng chí.\n")
    assert "kết luận" not in section(text, SectionKind.DISCUSSION)
