"""Liveness and what the service runs with."""

from __future__ import annotations

from fastapi import APIRouter, Request

from service import __version__
from service.nlp.extract import EXTRACTOR_VERSION
from service.rules.ruleset import ruleset_name_for

router = APIRouter(prefix="/v1", tags=["health"])


@router.get("/health")
def health(request: Request) -> dict[str, object]:
    """Tình trạng dịch vụ."""
    return {"ok": True, "version": __version__, "extractor": EXTRACTOR_VERSION,
            "ruleset_today": ruleset_name_for(None)}
