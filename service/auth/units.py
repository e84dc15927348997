"""The unit tree: đảng bộ → chi bộ, keyed exactly as the archive keys its minutes.

A user is attached to one node. A reviewer on a đảng bộ sees every chi bộ under it;
a clerk on a chi bộ sees that chi bộ. Units are written ``"Đảng bộ xã An Phú"`` or
``"Đảng bộ xã An Phú / Chi bộ Thôn Đông Hòa"`` (a slash with spaces around it, since a
chi bộ name may itself hold one, as in "Khu phố 3/2").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from service.archive.base import UnitSummary
from service.archive.unit_names import UnitName, Uploader
from service.auth.principal import Role, Unit, User
from service.auth.store import AuthStore
from service.errors import ErrorCode, InputError, NotFound
from service.schema.names import clean_name
from service.schema.units import unit_id, unit_key

_SEPARATOR = re.compile(r"\s+[/›>]\s+")
UNIT_ID = re.compile(r"^[0-9a-f]{12}$")


def _clean(name: str) -> str:
    """NFC, one line, no control, bidi or zero-width characters (schema.names.clean_name)."""
    return clean_name(name)


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


def uploader(store: AuthStore, *, user: User | None, chosen: str | None,
             archive_units: Callable[[], Sequence[UnitSummary]]) -> Uploader:
    """What an upload is placed against: the unit tree, a clerk's own chi bộ, the unit chosen.

    ``chosen`` is a unit id (from the tree or the archive's units) or "Đảng bộ … / Chi bộ …";
    it must name a chi bộ.
    """
    own = user.unit if user is not None and user.role == Role.CLERK and user.unit is not None \
        and user.unit.level == "chi_bo" else None
    unit: UnitName | None = None
    if chosen and UNIT_ID.match(chosen):
        unit = store.get_unit(chosen) or next((u for u in archive_units() if u.unit_id == chosen), None)
        if unit is None:
            raise NotFound(ErrorCode.UNIT_NOT_FOUND,
                           f"Không có đơn vị mã “{chosen}” trong cây đơn vị hay trong kho (xem /v1/units).")
    elif chosen:
        unit = parse_unit(chosen)
    if unit is not None and not unit.chi_bo:
        raise InputError(ErrorCode.INVALID_UNIT, "Hãy chọn một chi bộ (“Đảng bộ … / Chi bộ …”), không phải đảng bộ.",
                         status=422)
    return Uploader(registry=store.units(), own=own, chosen=unit)
