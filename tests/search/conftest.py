"""Fixtures for the search tests: chunks with known topics, units and dates, and a hashed embedder."""

from __future__ import annotations

import pytest

from service.search.base import Chunk
from service.search.embedder import HashEmbedder
from service.search.encoding import ChunkEncoder


def make_chunk(minute_id: str, n: int, text: str, *, dang_bo: str = "đảng bộ xã an phú",
               chi_bo: str = "chi bộ thôn đông", date: str = "2024-03-05", section: str = "resolution",
               meeting_type: str = "thuong_ky") -> Chunk:
    head = f"{chi_bo}, {dang_bo} · tháng {int(date[5:7])}/{date[:4]}"
    return Chunk(id=f"{minute_id}:{n}", minute_id=minute_id, text=text, embed_text=f"{head}\n{text}",
                 dang_bo=dang_bo, chi_bo=chi_bo, date=date, period=date[:7], meeting_type=meeting_type,
                 section=section, span=(100 * n, 100 * n + len(text)))


CHUNKS = [
    make_chunk("m1", 0, "Chi bộ thống nhất xây dựng nông thôn mới kiểu mẫu, hoàn thành 17/19 tiêu chí."),
    make_chunk("m1", 1, "Đồng chí Lê Văn Nam vắng sinh hoạt chi bộ ba tháng liền không có lý do; chi bộ phê bình.",
               section="criticism"),
    make_chunk("m2", 0, "Chuyển đổi 4 ha đất trồng lúa kém hiệu quả sang trồng cây ăn quả.",
               chi_bo="chi bộ thôn tây", date="2023-06-10"),
    make_chunk("m2", 1, "Phòng chống dịch tả lợn châu Phi, tiêu độc khử trùng chuồng trại.",
               chi_bo="chi bộ thôn tây", date="2023-06-10", section="report"),
    make_chunk("m3", 0, "Vận động nhân dân tham gia bảo hiểm y tế, phấn đấu đạt 95% dân số.",
               dang_bo="đảng bộ xã bình minh", chi_bo="chi bộ xóm bến", date="2025-01-20", meeting_type="chuyen_de"),
    make_chunk("m3", 1, "Chi bộ biểu dương đồng chí Trần Thị Mai hiến 120 m2 đất làm đường nông thôn.",
               dang_bo="đảng bộ xã bình minh", chi_bo="chi bộ xóm bến", date="2025-01-20", section="criticism",
               meeting_type="chuyen_de"),
]


@pytest.fixture(scope="session")
def encoder() -> ChunkEncoder:
    return ChunkEncoder(HashEmbedder())
