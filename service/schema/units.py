"""Unit names as keys: one spelling for a đảng bộ or chi bộ however a clerk typed it.

Minutes write the same unit as "ĐẢNG BỘ XÃ TÂN HÒA", "Đảng bộ xã Tân Hoà" or just
"xã Tân Hòa"; grouping, filtering and access scoping all compare keys, never raw
names. A chi bộ name recurs across communes ("Chi bộ Thôn 1"), so a chi bộ is
identified by its unit id: a short hash of the đảng bộ key and the chi bộ key.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from service.schema.names import clean_name
from service.schema.spelling import fix_tone_marks

_SPACE = re.compile(r"\s+")
_PREFIX = {"dang_bo": "đảng bộ", "chi_bo": "chi bộ"}
# The level word as typed, unaccented or misread by OCR: "chi bộ", "chỉ bộ", "chi bo", "chl bộ", "ch| b0";
# "đảng bộ", "dang bo", "d ang bo".
_LEVEL_WORD = re.compile(r"^(?:(?:c[hb]|cl)[iìíỉĩịl1!|]|đ?d?\s?[aảáàãạăâ@]ng)\s*b[oôộồốổỗọ0]\b[\s.:,-]*")


def unit_key(name: str | None, level: str) -> str | None:
    """A casefolded, NFC, one-tone-style key that always starts with its level word.

    >>> unit_key("CHI BỘ THÔN 1", "chi_bo") == unit_key("Thôn 1", "chi_bo") == "chi bộ thôn 1"
    True
    """
    if name is None:
        return None
    text = fix_tone_marks(clean_name(name, max_chars=500))
    text = _SPACE.sub(" ", text.replace("\u00a0", " ")).strip(" .,:;-–").casefold()
    if not text:
        return None
    prefix = _PREFIX[level]
    text = _LEVEL_WORD.sub("", text + " ", count=1).strip()
    return f"{prefix} {text}".strip()


def unit_id(dang_bo_key: str | None, chi_bo_key: str | None) -> str:
    """A stable 12-hex id for the pair (đảng bộ, chi bộ)."""
    raw = f"{dang_bo_key or ''}\x1f{chi_bo_key or ''}".encode()
    return hashlib.sha256(raw).hexdigest()[:12]


@dataclass(frozen=True)
class Scope:
    """Units a caller may see: whole đảng bộ (by key) and single chi bộ (by unit id).

    ``None`` in place of a Scope means no restriction; an empty Scope sees nothing.
    """

    dang_bo: frozenset[str] = field(default_factory=frozenset)
    units: frozenset[str] = field(default_factory=frozenset)

    def allows(self, dang_bo_key: str | None, uid: str) -> bool:
        """Whether a unit (its đảng bộ key and id) lies within the scope."""
        return (dang_bo_key is not None and dang_bo_key in self.dang_bo) or uid in self.units
