"""Extraction on small minutes written for each behaviour."""

from service.nlp.attendance import extract_attendance
from service.nlp.extract import extract
from service.nlp.meeting import extract_meeting
from service.nlp.normalize import normalize
from service.nlp.text import Doc


def _doc(text: str) -> Doc:
    return Doc(normalize(text).text)


ATT = """ĐẢNG BỘ XÃ AN HÒA                 ĐẢNG CỘNG SẢN VIỆT NAM
CHI BỘ THÔN BẮC SƠN
BIÊN BẢN SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 5 NĂM 2023
Hôm nay, vào lúc 7h30 ngày 6/5/2023, tại hội trường thôn Bắc Sơn, Chi bộ thôn Bắc Sơn tiến hành sinh hoạt.
- Tổng số đảng viên: mười chín đồng chí (17 chính thức, 02 dự bị).
- Miễn sinh hoạt: 02 đồng chí, trong đó 01 đồng chí không dự, riêng đồng chí Hà Văn Tư vẫn đến dự.
- Có mặt: 16 đồng chí.
- Vắng có lý do: 01 đồng chí: đ/c Lò Văn Pịn (đi làm ăn xa).
- Vắng không có lý do: 01 đồng chí: đồng chí Mùa A Sính.
Chủ trì: đồng chí Giàng Seo Phử - Bí thư chi bộ.
Thư ký: đ/c Vàng Thị Mỷ.
"""


def test_attendance_block_with_words_exempt_attending_and_names():
    att, _ = extract_attendance(_doc(ATT))
    assert (att.total, att.official, att.probationary, att.exempt) == (19, 17, 2, 2)
    assert att.exempt_present == 1
    assert att.present == 16
    assert att.absent_excused_count == 1 and att.absent_unexcused_count == 1
    assert [(x.name, x.reason) for x in att.absent_excused] == [("Lò Văn Pịn", "đi làm ăn xa")]
    assert [x.name for x in att.absent_unexcused] == ["Mùa A Sính"]
    assert att.expected == 18 and att.voting_base == 16
    assert att.rate == round(16 / 18, 4)


def test_meeting_facts_and_spans_point_at_them():
    doc = _doc(ATT)
    m, spans = extract_meeting(doc)
    assert m.type.value == "thuong_ky" and not m.combined_thematic
    assert m.chi_bo == "Chi bộ thôn Bắc Sơn"
    assert (m.date, m.start_time) == ("2023-05-06", "07:30")
    assert m.location == "hội trường thôn Bắc Sơn"
    assert m.chair.name == "Giàng Seo Phử" and m.secretary.name == "Vàng Thị Mỷ"
    a, b = spans["chair"]
    assert doc.text[a:b] == "Giàng Seo Phử"


def test_text_without_diacritics():
    text = ("CHI BO THON DONG XUAN\nBIEN BAN SINH HOAT CHI BO THUONG KY THANG 3 NAM 2022\n"
            "Hom nay, vao luc 19 gio 00 phut ngay 04/3/2022, tai nha van hoa thon.\n"
            "Chu tri: dong chi Nguyen Van Thanh. Thu ky: dong chi Le Thi Hoa.\n"
            "Tong so dang vien: 12 dong chi. Co mat: 12 dong chi.\n"
            "Buoi sinh hoat ket thuc luc 21 gio 00 phut cung ngay.\n")
    rec, _ = extract(_doc(text))
    assert rec.meeting.chair.name == "Nguyen Van Thanh"
    assert rec.meeting.secretary.name == "Le Thi Hoa"
    assert (rec.meeting.start_time, rec.meeting.end_time) == ("19:00", "21:00")
    assert (rec.attendance.total, rec.attendance.present) == (12, 12)


def test_placeholder_name_is_not_a_secretary():
    rec, ev = extract(_doc("BIÊN BẢN HỌP CHI BỘ THÁNG 4/2022\nThư ký: đ/c ……………\n"))
    assert rec.meeting.secretary is None
    assert ev.placeholders


def test_resolution_tasks_vote_and_signature_columns():
    text = """Nghị quyết tháng 9/2024 gồm các nhiệm vụ:
(1) Sửa cống tiêu: giao đ/c Đỗ Văn Tài, xong trước 20/9/2024.
(2) Tổ chức Tết Trung thu cho thiếu nhi.
Biểu quyết: 15/16 đồng chí tán thành, đạt 93,75%; không tán thành: 0.
Thư ký đọc lại biên bản, các đồng chí nhất trí thông qua.

THƯ KÝ                     T/M CHI BỘ
                            BÍ THƯ
Lê Thị Hằng                Nguyễn Văn Phúc
"""
    rec, _ = extract(_doc(text))
    (res,) = rec.resolutions
    assert [(t.assignee, t.deadline) for t in res.tasks] == [("Đỗ Văn Tài", "xong trước 20/9/2024"), (None, None)]
    assert (res.vote.for_, res.vote.against, res.vote.percent) == (15, 0, 93.75)
    assert rec.minutes_read_back
    assert (rec.signatures.secretary, rec.signatures.chair) == ("Lê Thị Hằng", "Nguyễn Văn Phúc")


def test_votes_against_counted_before_their_words_are_read():
    base = """NGHỊ QUYẾT
Chi bộ thống nhất giao đ/c Bùi Văn Khải hoàn thành kè mương trước 30/11/2025.
Kết quả biểu quyết: 20 đồng chí tán thành, đạt 95,24%; {against}.
"""
    for against, expected in (("02 đồng chí không tán thành", 2), ("01 phiếu không tán thành", 1),
                              ("không tán thành: 3", 3), ("không có đồng chí nào không tán thành", 0),
                              ("có 2 ý kiến không đồng ý về thời hạn", None)):  # a remark, not a vote
        rec, _ = extract(_doc(base.format(against=against)))
        (res,) = rec.resolutions
        assert res.vote is not None and (res.vote.for_, res.vote.against) == (20, expected), against


def test_a_count_that_belongs_to_the_votes_for_is_not_read_as_against():
    for layout in ("Kết quả biểu quyết:\nTán thành: 18 đồng chí\nKhông tán thành: 0\n",
                   "Kết quả biểu quyết: Tán thành 18 đồng chí Không tán thành 0 đồng chí.\n"):
        rec, _ = extract(_doc("NGHỊ QUYẾT\nGiao đ/c Bùi Văn Khải hoàn thành kè mương trước 30/11/2025.\n" + layout))
        (res,) = rec.resolutions
        assert res.vote is not None and (res.vote.for_, res.vote.against) == (18, 0), layout


def test_agenda_items_are_not_criticism_or_conclusion():
    text = ("Chi bộ thông qua chương trình gồm:\n1. Thảo luận; biểu dương, nhắc nhở; tự phê bình và phê bình.\n"
            "2. Kết luận, thông qua biên bản.\nChi bộ nhất trí.\n")
    rec, ev = extract(_doc(text))
    assert rec.criticism == []
    assert ev.conclusions == []
    assert not rec.minutes_read_back


def test_quality_self_score_is_read_when_stated():
    rec, _ = extract(_doc("3.4. Tự đánh giá chất lượng buổi sinh hoạt: chi bộ tự chấm 92/100 điểm, xếp loại Tốt.\n"))
    assert rec.quality_self_score == 92
    rec, _ = extract(_doc("Chi bộ tự đánh giá buổi sinh hoạt đạt chất lượng.\n"))
    assert rec.quality_self_score is None
