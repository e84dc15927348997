"""The Vietnamese words for the house's codes, in one table: what every page, export, report
and command line shows for a grade, a severity, a meeting type, a section, a role, a state.

Keys are the codes' string values, so an enum member (a StrEnum) finds its label too.
"""

from __future__ import annotations

GRADE_VI = {"tot": "Tốt", "kha": "Khá", "trung_binh": "Trung bình", "kem": "Kém"}

SEVERITY_VI = {"error": "Lỗi", "warning": "Cảnh báo", "info": "Thông tin"}

# Meeting types as a sentence writes them ("sinh hoạt thường kỳ"); MEETING_TYPE_LABEL as a heading does.
MEETING_TYPE_VI = {"thuong_ky": "thường kỳ", "chuyen_de": "chuyên đề", "chi_uy": "chi ủy", "hoi_nghi": "hội nghị",
                   "dai_hoi": "đại hội", "bat_thuong": "bất thường"}
MEETING_TYPE_LABEL = {code: vi.capitalize() for code, vi in MEETING_TYPE_VI.items()}

SECTION_VI = {"header": "Tiêu đề", "opening": "Khai mạc", "attendance": "Thành phần dự họp", "agenda": "Chương trình",
              "report": "Báo cáo, diễn biến", "discussion": "Thảo luận", "conclusion": "Kết luận",
              "resolution": "Nghị quyết", "criticism": "Phê bình và tự phê bình", "vote": "Biểu quyết",
              "closing": "Bế mạc", "signatures": "Chữ ký"}

ROLE_VI = {"clerk": "Văn thư chi bộ", "reviewer": "Cán bộ kiểm tra", "admin": "Quản trị"}

KEY_SCOPE_VI = {"full": "Mọi quyền của người dùng", "read": "Chỉ đọc và xuất dữ liệu",
                "check": "Chỉ kiểm tra biên bản (/v1/check)"}

FINDING_STATE_VI = {"open": "chưa đánh giá", "accepted": "phải sửa", "dismissed": "bác bỏ (không tính điểm)"}

SUBMISSION_STATE_VI = {"missing": "chưa nộp", "submitted": "đã nộp, chờ soát xét", "returned": "bị trả lại",
                       "approved": "đã duyệt"}
