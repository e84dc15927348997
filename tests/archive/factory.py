"""make_minute(): synthetic chi bộ minutes with a chosen unit, date, type and absentees."""

from __future__ import annotations

from datetime import date

_KINDS = {"thuong_ky": "THƯỜNG KỲ", "chuyen_de": "CHUYÊN ĐỀ"}


def make_minute(*, chi_bo: str = "Chi bộ Thôn Đông Hòa", dang_bo: str = "Đảng bộ xã An Phú",
                day: date = date(2024, 3, 5), kind: str = "thuong_ky",
                excused: list[tuple[str, str]] | None = None, unexcused: list[str] | None = None,
                topic: str = "chuyển đổi cơ cấu cây trồng trên đất trồng lúa kém hiệu quả",
                criticism: str = "Đồng chí Lê Văn Nam tự phê bình: chậm nộp đảng phí tháng trước.",
                total: int = 15, note: str = "") -> str:
    """A minute the extractor reads back: the unit, date, type and named absentees as given."""
    excused = excused or []
    unexcused = unexcused or []
    absent = len(excused) + len(unexcused)
    present = total - absent
    exc_text = (f"{len(excused):02d} đồng chí: " + ", ".join(f"đồng chí {n} ({r})" for n, r in excused) + "."
                if excused else "0.")
    unex_text = (f"{len(unexcused):02d} đồng chí: " + ", ".join(f"đồng chí {n}" for n in unexcused) + "."
                 if unexcused else "0.")
    d, m, y = day.day, day.month, day.year
    return f"""{dang_bo.upper()}                       ĐẢNG CỘNG SẢN VIỆT NAM
{chi_bo.upper()}
          *                            An Phú, ngày {d:02d} tháng {m} năm {y}

                                  BIÊN BẢN
               SINH HOẠT CHI BỘ {_KINDS[kind]} THÁNG {m} NĂM {y}

Vào lúc 19 giờ 00 phút ngày {d:02d} tháng {m} năm {y}, tại Nhà văn hóa thôn, {chi_bo} tổ chức sinh hoạt \
{_KINDS[kind].lower()} tháng {m}/{y}.

* Chủ trì: đồng chí Trần Văn Hùng, Bí thư chi bộ.
* Thư ký: đồng chí Phạm Thị Lan, chi ủy viên.
* Tình hình đảng viên:
+ Tổng số đảng viên: {total} đồng chí ({total} chính thức, 0 dự bị).
+ Có mặt: {present} đồng chí.
+ Vắng có lý do: {exc_text}
+ Vắng không có lý do: {unex_text}

Đồng chí chủ trì nêu chương trình sinh hoạt: (1) thông tin thời sự; (2) kết quả tháng trước; (3) nhiệm vụ \
tháng tới; (4) thảo luận; (5) kết luận. Chi bộ nhất trí.

PHẦN THỨ NHẤT: KẾT QUẢ VÀ NHIỆM VỤ

1. Kết quả tháng trước (đồng chí Trần Văn Hùng báo cáo): hoàn thành nạo vét 2 km kênh mương nội đồng; \
vận động 12 hộ tham gia mô hình {topic}. {note}

2. Nhiệm vụ tháng tới: tiếp tục triển khai {topic}; thu đảng phí đầy đủ.

PHẦN THỨ HAI: THẢO LUẬN

- Đồng chí Lê Văn Nam: đề nghị hỗ trợ giống và kỹ thuật cho các hộ thực hiện {topic}.
- Đồng chí Phạm Thị Lan: đề nghị tổ chức tham quan mô hình của xã bạn.

PHẦN THỨ BA: PHÊ BÌNH VÀ TỰ PHÊ BÌNH

- {criticism}

PHẦN KẾT THÚC

1. Kết luận của đồng chí chủ trì: chi bộ hoàn thành nhiệm vụ tháng trước; tháng tới tập trung {topic}.

2. Nghị quyết tháng {m}/{y}:
(1) Vận động thêm 10 hộ thực hiện {topic}: giao đồng chí Lê Văn Nam; trước ngày 25/{m}/{y}.
(2) Thu, nộp đảng phí: giao đồng chí Phạm Thị Lan.

3. Biểu quyết: {present}/{total} đồng chí tán thành, đạt {round(100 * present / total)}%.

Thư ký đọc lại biên bản, các đồng chí dự họp nhất trí thông qua.
Buổi sinh hoạt kết thúc lúc 21 giờ 00 phút cùng ngày.

          THƯ KÝ                                        CHỦ TRÌ
    Phạm Thị Lan                                Trần Văn Hùng
"""
