"""POST /v1/check: one minute in (JSON, plain text or a multipart file of any format), a CheckReport out."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from service.api.conversions import in_turn
from service.check import check_bytes, check_text
from service.errors import ErrorCode, InputError
from service.schema.names import file_name_of
from service.schema.report import CheckReport
from service.settings import Settings

router = APIRouter(prefix="/v1", tags=["check"])


class CheckRequest(BaseModel):
    """Văn bản biên bản cần kiểm tra, và tùy chọn: tỉnh (bộ tiêu chí riêng), trả kèm văn bản đã chuẩn hóa."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="Toàn văn biên bản.")
    source: str | None = Field(None, description="Tên nguồn, trả lại nguyên trong báo cáo.")
    include_text: bool = Field(False, description="Kèm văn bản đã chuẩn hóa (các span trỏ vào đó).")
    province: str | None = Field(None, description="Bộ tiêu chí riêng của tỉnh, nếu có.")


_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": CheckRequest.model_json_schema()},
            "multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary",
                                        "description": ".txt, .docx, .doc, .rtf, .pdf, .png, .jpg, .tif"},
                               "include_text": {"type": "boolean"}}}},
            "text/plain": {"schema": {"type": "string"}},
        },
    }
}


@router.post("/check", response_model=CheckReport, response_model_by_alias=True,
             openapi_extra=_BODY_DOC)
async def check(request: Request) -> CheckReport:
    """Kiểm tra một biên bản; không lưu gì."""
    settings: Settings = request.app.state.settings
    ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if ctype == "application/json":
        raw = await request.body()
        try:
            payload = json.loads(raw or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise InputError(ErrorCode.INVALID_JSON, "Nội dung JSON không hợp lệ.", status=400) from e
        except RecursionError as e:
            raise InputError(ErrorCode.INVALID_JSON, "Nội dung JSON lồng nhau quá sâu.", status=400) from e
        try:
            req = CheckRequest.model_validate(payload)
        except ValidationError as e:
            errs = [f"{'.'.join(str(p) for p in x['loc']) or 'body'}: {x['msg']}" for x in e.errors()]
            raise InputError(ErrorCode.INVALID_BODY,
                             "Thân yêu cầu phải là {\"text\": \"<toàn văn biên bản>\"}.",
                             status=422, errors=errs) from e
        return await run_in_threadpool(check_text, req.text, source=req.source, settings=settings,
                                       include_text=req.include_text, province=req.province)
    if ctype == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=5)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InputError(ErrorCode.INVALID_BODY, "Thiếu tệp biên bản trong trường “file”.", status=422)
        data = await upload.read()
        include = str(form.get("include_text", "")).lower() in ("1", "true", "yes")
        # Conversion (OCR included) runs in a worker process behind a thread, so the event
        # loop keeps serving; files that need a converter wait their turn in the queue.
        name = file_name_of(upload.filename)
        return await in_turn(request, data, name, lambda: check_bytes(data, source=name, settings=settings,
                                                                      include_text=include))
    if ctype == "text/plain":
        body = await request.body()
        return await in_turn(request, body, None, lambda: check_bytes(body, source=None, settings=settings))
    raise InputError(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                     "Chỉ nhận JSON {\"text\": …}, text/plain hoặc tệp gửi dạng multipart/form-data.",
                     status=415)
