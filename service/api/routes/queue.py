"""GET /v1/queue: where the caller's files stand in the conversion queue."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from service.api.conversions import owner_of, queue_of

router = APIRouter(prefix="/v1", tags=["queue"])


class QueueItem(BaseModel):
    """Một tệp của người gọi trong hàng chờ chuyển đổi và nhận dạng."""

    name: str | None = Field(description="Tên tệp.")
    pages: int = Field(description="Số trang ước tính.")
    state: Literal["converting", "waiting"] = Field(description="Đang chuyển đổi / nhận dạng, hoặc đang chờ.")
    position: int | None = Field(description="Thứ tự trong hàng chờ chung (1 = tệp sẽ bắt đầu tiếp theo).")
    waited_s: float = Field(description="Số giây từ khi tệp vào hàng.")
    pages_done: int = Field(0, description="Số trang đã nhận dạng xong (tệp đang chuyển đổi).")
    pages_total: int | None = Field(None, description="Số trang cần nhận dạng, khi đã biết.")


class QueueResponse(BaseModel):
    """Các tệp của người gọi trong hàng chờ, và tải chung của hàng."""

    ok: bool = True
    data: list[QueueItem] = Field(description="Tệp của người gọi, đang chuyển đổi trước, rồi đang chờ.")
    converting: int = Field(description="Số tệp đang chuyển đổi (mọi người dùng).")
    waiting: int = Field(description="Số tệp đang chờ (mọi người dùng).")
    slots: int = Field(description="Số tệp được chuyển đổi cùng lúc.")


@router.get("/queue", response_model=QueueResponse)
async def conversion_queue(request: Request) -> QueueResponse:
    """Hàng chờ chuyển đổi và nhận dạng (OCR): tệp của người gọi và vị trí của chúng."""
    queue = queue_of(request)
    converting, waiting = queue.load()
    items = [QueueItem(name=e.name, pages=e.pages, state=e.state, position=e.position,
                       waited_s=e.waited_s, pages_done=e.done, pages_total=e.total)
             for e in queue.entries(owner_of(request))]
    return QueueResponse(data=items, converting=converting, waiting=waiting, slots=queue.slots)
