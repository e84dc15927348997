"""The unit tree: đảng bộ → chi bộ, keyed exactly as the archive keys its minutes.

A user is attached to one node. A reviewer on a đảng bộ sees every chi bộ under it;
a clerk on a chi bộ sees that chi bộ. Units are written ``"Đảng bộ xã An Phú"`` or
``"Đảng bộ xã An Phú / Chi bộ Thôn Đông Hòa"`` (a slash with spaces around it, since a
chi bộ name may itself hold one, as in "Khu phố 3/2").
"""

from __future__ import annotations

import re
import unicodedata

from service.auth.principal import Unit
from service.errors import ErrorCode, InputError
from service.schema.units import unit_id, unit_key

_SEPARATOR = re.compile(r"\s+[/›>]\s+")
UNIT_ID = re.compile(r"^[0-9a-f]{12}$")


def _clean(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split())


def make_unit(dang_bo: str, chi_bo: str | None = None) -> Unit:
    """The tree node for a đảng bộ, or for a chi bộ under it."""
    d = _clean(dang_bo)
    c = _clean(chi_bo) if chi_bo else None
    dkey = unit_key(d, "dang_bo")
    ckey = unit_key(c, "chi_bo") if c else None
    if dkey is None or (c is not None and ckey is None):
        raise InputError(ErrorCode.INVALID_UNIT, "Tên đơn vị trống.", status=422)
    return Unit(id=unit_id(dkey, ckey), level="chi_bo" if ckey else "dang_bo", dang_bo=d, chi_bo=c,
                dang_bo_key=dkey, chi_bo_key=ckey)


def parse_unit(spec: str) -> Unit:
    """``"Đảng bộ X"`` or ``"Đảng bộ X / Chi bộ Y"`` → a Unit (not yet stored)."""
    parts = [p for p in _SEPARATOR.split(_clean(spec)) if p]
    if len(parts) == 1:
        return make_unit(parts[0])
    if len(parts) == 2:
        return make_unit(parts[0], parts[1])
    raise InputError(ErrorCode.INVALID_UNIT,
                     f"Không hiểu đơn vị “{spec}”: ghi “Đảng bộ …” hoặc “Đảng bộ … / Chi bộ …”.", status=422)
