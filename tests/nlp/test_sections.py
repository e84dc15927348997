"""Where a section ends: a heading's own list stays inside it, a sibling heading ends it."""

from __future__ import annotations

import pytest

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
