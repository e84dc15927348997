"""Unit names as a minute writes them, matched against the units the service knows.

A scanned header reads "CHỈ BỘ THÔN l" for "Chi bộ Thôn 1", a clerk types "Chi bo Thon
Dong" without accents, a PDF drops a letter. Grouping by the raw name would create a
phantom unit for each such spelling and refuse a clerk's own minute as another
unit's. Here a name is folded (no accents, OCR look-alikes merged, the level word
dropped) and compared with each known unit; numbers must agree exactly, since
"Thôn 1" and "Thôn 7" differ by one character and are different cells.

``place_minute`` decides where an upload goes: to the unit the minute names in any
spelling, to the caller's own chi bộ when the minute names none, or nowhere (the
caller is asked to choose) when the registry is kept and the name matches no unit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal, Protocol

from service.errors import ErrorCode, MinutesError
from service.nlp.text import fold as fold_text
from service.schema.units import unit_key

MATCH = 0.88  # folded-name similarity a spelling must reach to name a known unit
FOLDED = 0.97  # the score of names that differ only in accents, case and look-alike digits
_CLOSE = 0.03  # two units this close to each other's score are ambiguous

_OCR_CHARS = str.maketrans({"|": "l", "!": "l", "@": "a", "$": "s"})
_TOKEN = re.compile(r"[a-z0-9]+")
# Letters OCR makes of digits, in a token that also holds a digit ("1O" for "10").
_DIGITISH = str.maketrans({"l": "1", "i": "1", "o": "0"})
# Leading words that say what kind of place a unit is, written or left out at will:
# "Đảng bộ xã Tân Hòa" is "Đảng bộ Tân Hòa", "Chi bộ Trường THCS X" is "Chi bộ THCS X".
_KIND = re.compile(r"^(?:(?:xa|phuong|thi tran|truong|cong ty|co quan)\s+)+")


class UnitName(Protocol):
    """Anything naming a unit: a node of the unit tree, a unit of the archive."""

    @property
    def dang_bo(self) -> str | None:
        """The đảng bộ's name, if any."""
        ...

    @property
    def chi_bo(self) -> str | None:
        """The chi bộ's name, if any."""
        ...


def _bare(name: str | None) -> str:
    """The name's key without its level word: "CHỈ BỘ THÔN l" → "thôn l" (unit_key reads the level word)."""
    return (unit_key(name, "chi_bo") or "").removeprefix("chi bộ").strip()


def fold(name: str | None) -> tuple[str, tuple[str, ...]]:
    """(letters, numbers) of a unit name, for comparing spellings.

    >>> fold("CHỈ BỘ THÔN l") == fold("Chi bộ Thôn 1") == ("thon", ("1",))
    True
    """
    text = fold_text(_bare(name)).translate(_OCR_CHARS)
    tokens = _TOKEN.findall(_KIND.sub("", " ".join(_TOKEN.findall(text))))
    words: list[str] = []
    numbers: list[str] = []
    for i, tok in enumerate(tokens):
        if any(c.isdigit() for c in tok) or (tok in {"l", "i"} and i == len(tokens) - 1 and i > 0):
            numbers.append(tok.translate(_DIGITISH))
        else:
            words.append(tok)
    return " ".join(words), tuple(numbers)


def similarity(a: str | None, b: str | None) -> float:
    """0–1: how alike two unit names are once folded; 0 when their numbers differ.

    Names that fold alike score 1.0 when their accented keys agree too, else 0.97, so
    "Bình An" prefers a known "Bình An" to a known "Bình Ân" but reaches either.
    """
    (wa, na), (wb, nb) = fold(a), fold(b)
    if na != nb or not (wa or na) or not (wb or nb):
        return 0.0
    if wa == wb:
        return 1.0 if _bare(a) == _bare(b) else 0.97
    return SequenceMatcher(None, wa, wb, autojunk=False).ratio()


@dataclass(frozen=True)
class UnitMatch:
    """A known unit a spelling may mean, and how alike the two are (0–1)."""

    unit: UnitName
    score: float


def match_unit(dang_bo: str | None, chi_bo: str | None, known: Sequence[UnitName]) -> list[UnitMatch]:
    """Known chi bộ the names could mean, best first, one per unit (each at or above ``MATCH``).

    A chi bộ name must match; the đảng bộ, when both sides give one, must match too,
    since the same chi bộ name recurs from commune to commune. Of two spellings of one
    unit the first in ``known`` is kept.
    """
    if not chi_bo:
        return []
    found: dict[tuple[str | None, str | None], UnitMatch] = {}
    for unit in known:
        if not unit.chi_bo:
            continue
        score = similarity(chi_bo, unit.chi_bo)
        if score < MATCH:
            continue
        if dang_bo and unit.dang_bo:
            d = similarity(dang_bo, unit.dang_bo)
            if d < MATCH:
                continue
            score = (score + d) / 2
        key = (unit_key(unit.dang_bo, "dang_bo"), unit_key(unit.chi_bo, "chi_bo"))
        if key not in found or found[key].score < score:
            found[key] = UnitMatch(found[key].unit if key in found else unit, round(score, 3))
    return sorted(found.values(), key=lambda m: -m.score)


def match_dang_bo(dang_bo: str | None, known: Sequence[UnitName], threshold: float = MATCH) -> str | None:
    """The known spelling of a đảng bộ name, when exactly one known đảng bộ matches it."""
    if not dang_bo:
        return None
    names: dict[str | None, str] = {}
    for u in known:
        if u.dang_bo and similarity(dang_bo, u.dang_bo) >= threshold:
            names.setdefault(unit_key(u.dang_bo, "dang_bo"), u.dang_bo)
    return next(iter(names.values())) if len(names) == 1 else None


@dataclass(frozen=True)
class Uploader:
    """What placing an upload needs to know of the uploader.

    ``registry``: the unit tree an administrator keeps (empty where none is kept);
    ``own``: the uploader's chi bộ, for a clerk; ``chosen``: a unit the uploader named.
    """

    registry: Sequence[UnitName] = ()
    own: UnitName | None = None
    chosen: UnitName | None = None


How = Literal["text", "registry", "archive", "account", "chosen"]


@dataclass(frozen=True)
class Placement:
    """Where a minute is filed, and how that was decided."""

    dang_bo: str | None
    chi_bo: str | None
    how: How
    note: str | None = None  # a Vietnamese line for the uploader when the names were changed

    def differs(self, dang_bo: str | None, chi_bo: str | None) -> bool:
        """Whether (dang_bo, chi_bo) differ from the names the minute is filed under."""
        return (self.dang_bo, self.chi_bo) != (dang_bo, chi_bo)


def _label(dang_bo: str | None, chi_bo: str | None) -> str:
    return " — ".join(x for x in (chi_bo, dang_bo) if x) or "không rõ đơn vị"


def _moved(read: tuple[str | None, str | None], unit: UnitName, how: How) -> Placement:
    note = None
    if (unit.dang_bo, unit.chi_bo) != read:
        why = {"registry": "theo cây đơn vị", "archive": "theo tên đơn vị đã có trong kho",
               "account": "theo đơn vị của tài khoản", "chosen": "theo đơn vị đã chọn", "text": ""}[how]
        shown = _label(*read) if any(read) else "không ghi đơn vị"
        note = f"Biên bản ghi “{shown}”; lưu vào “{_label(unit.dang_bo, unit.chi_bo)}” {why}."
    return Placement(unit.dang_bo, unit.chi_bo, how, note)


def unknown_unit(dang_bo: str | None, chi_bo: str | None, near: Sequence[UnitName]) -> MinutesError:
    """The UNIT_UNKNOWN error (409) for a minute that names no unit of the tree; ``near`` are listed as choices."""
    read = _label(dang_bo, chi_bo) if dang_bo or chi_bo else "không ghi đơn vị"
    return MinutesError(
        ErrorCode.UNIT_UNKNOWN,
        f"Biên bản ghi “{read}”, không khớp đơn vị nào trong cây đơn vị; hãy chọn đơn vị (tham số unit: mã đơn vị) "
        "hoặc thêm đơn vị vào cây trước khi nạp. Không lưu.",
        status=409, errors=[_label(u.dang_bo, u.chi_bo) for u in near])


def ambiguous_unit(dang_bo: str | None, chi_bo: str | None, matches: Sequence[UnitMatch]) -> MinutesError:
    """The AMBIGUOUS_UNIT error (409) for a minute whose names fit several known units about equally well."""
    return MinutesError(
        ErrorCode.AMBIGUOUS_UNIT,
        f"Biên bản ghi “{_label(dang_bo, chi_bo)}”, gần với {len(matches)} đơn vị; hãy chọn đơn vị (tham số unit: "
        "mã đơn vị). Không lưu.", status=409,
        errors=[_label(m.unit.dang_bo, m.unit.chi_bo) for m in matches])


def place_minute(dang_bo: str | None, chi_bo: str | None, *, registry: Sequence[UnitName],
                 archive: Sequence[UnitName] = (), own: UnitName | None = None,
                 chosen: UnitName | None = None) -> Placement:
    """Where a minute that names (dang_bo, chi_bo) is filed.

    ``registry``: the unit tree an administrator keeps (may be empty: then names are taken
    as written, corrected only towards units already in the ``archive``). ``own``: the
    uploader's chi bộ, when the uploader is a clerk. ``chosen``: a unit the uploader named.
    Raises UNIT_UNKNOWN / AMBIGUOUS_UNIT when the registry is kept and the minute names no
    single known unit (the uploader chooses); scope is checked by the caller.
    """
    read = (dang_bo, chi_bo)
    if chosen is not None:
        return _moved(read, chosen, "chosen")
    if own is not None and own.chi_bo:
        silent = not chi_bo and (not dang_bo or similarity(dang_bo, own.dang_bo) >= MATCH)
        if silent or match_unit(dang_bo, chi_bo, [own]):
            return _moved(read, own, "account")
    # Units only seen in the archive were spelt by earlier minutes, not by an administrator:
    # they absorb accent, case and look-alike digit variants of a minute that names its
    # đảng bộ too, never a different letter and never a guessed đảng bộ.
    matches = [m for m in match_unit(dang_bo, chi_bo, [*registry, *archive])
               if any(m.unit is u for u in registry) or (dang_bo and m.score >= FOLDED)]
    if matches:
        best = matches[0]
        rivals = [m for m in matches if best.score - m.score <= (_CLOSE if best.score < 1.0 else 0.0)]
        from_registry = any(best.unit is u for u in registry)
        if len(rivals) == 1:
            return _moved(read, best.unit, "registry" if from_registry else "archive")
        if registry:
            raise ambiguous_unit(dang_bo, chi_bo, rivals)
    if registry and own is None:
        # A kept tree: a đảng bộ it lists with no chi bộ under it leaves the chi bộ as written.
        spelled = match_dang_bo(dang_bo, registry)
        if spelled and chi_bo and not any(u.chi_bo and u.dang_bo == spelled for u in registry):
            return Placement(spelled, chi_bo, "registry",
                             None if spelled == dang_bo else f"Biên bản ghi “{dang_bo}”; lưu vào “{spelled}” "
                             "theo cây đơn vị.")
        raise unknown_unit(dang_bo, chi_bo, [u for u in registry if u.chi_bo][:5])
    spelled = match_dang_bo(dang_bo, registry) or match_dang_bo(dang_bo, archive, FOLDED)
    return Placement(spelled or dang_bo, chi_bo, "text")
