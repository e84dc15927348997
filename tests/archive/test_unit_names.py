"""Unit names matched against known units: spellings that mean one unit, and those that do not."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from service.archive.unit_names import fold, match_unit, place_minute, similarity
from service.errors import MinutesError
from service.schema.units import unit_key

TAN_HOA = "Đảng bộ xã Tân Hòa"


@dataclass(frozen=True)
class Known:
    dang_bo: str | None
    chi_bo: str | None


THON_1 = Known(TAN_HOA, "Chi bộ Thôn 1")
THON_7 = Known(TAN_HOA, "Chi bộ Thôn 7")
DONG = Known(TAN_HOA, "Chi bộ Thôn Đông")
DONG_HOA = Known(TAN_HOA, "Chi bộ Thôn Đông Hòa")
THCS = Known(TAN_HOA, "Chi bộ Trường THCS Tân Hòa")
REGISTRY = [THON_1, THON_7, DONG, DONG_HOA, THCS, Known("Đảng bộ xã Bình Minh", "Chi bộ Thôn 1")]


@pytest.mark.parametrize("written, meant", [
    ("CHỈ BỘ THÔN l", "Chi bộ Thôn 1"),  # OCR: a wrong tone on "Chi", "l" for "1"
    ("Chi bo Thon Dong", "Chi bộ Thôn Đông"),  # typed without accents
    ("chl bộ thôn Đông", "Chi bộ Thôn Đông"),
    ("Chi bộ THCS Tân Hòa", "Chi bộ Trường THCS Tân Hòa"),  # the kind word left out
    ("Chi bộ Thôn Đông Hoà", "Chi bộ Thôn Đông Hòa"),  # the other tone-mark style
])
def test_spellings_of_one_unit_fold_alike(written: str, meant: str) -> None:
    assert similarity(written, meant) >= 0.97


@pytest.mark.parametrize("a, b", [
    ("Chi bộ Thôn 1", "Chi bộ Thôn 7"),  # one character, another cell
    ("Chi bộ Tổ dân phố 3B", "Chi bộ Tổ dân phố 38"),
    ("Chi bộ Thôn Đông", "Chi bộ Thôn Đông Hòa"),
    ("Chi bộ Thôn Tân Lập", "Chi bộ Thôn Tân Lộc"),
])
def test_different_units_stay_apart(a: str, b: str) -> None:
    assert not match_unit(TAN_HOA, a, [Known(TAN_HOA, b)])


def test_fold_keeps_numbers_apart_from_words() -> None:
    assert fold("Chi bộ Khu phố 3/2") == ("khu pho", ("3", "2"))
    assert fold("ĐẢNG BỘ XÃ TÂN HÒA") == fold("Đảng bộ Tân Hoà") == ("tan hoa", ())


def test_the_level_word_is_read_however_it_is_spelt() -> None:
    assert unit_key("CHỈ BỘ THÔN 2", "chi_bo") == unit_key("Chi bộ Thôn 2", "chi_bo") == "chi bộ thôn 2"
    assert unit_key("DANG BO XA TAN HOA", "dang_bo") == "đảng bộ xa tan hoa"
    assert unit_key("Chiêm Hóa", "chi_bo") == "chi bộ chiêm hóa"  # a name that starts like the word is kept


def test_a_misread_name_goes_to_the_registered_unit_with_a_note() -> None:
    placed = place_minute("ĐẢNG BỘ XÃ TÂN HÔA", "CHỈ BỘ THÔN l", registry=REGISTRY)
    assert (placed.dang_bo, placed.chi_bo, placed.how) == (TAN_HOA, "Chi bộ Thôn 1", "registry")
    assert placed.note and "CHỈ BỘ THÔN l" in placed.note and "cây đơn vị" in placed.note


def test_a_name_spelt_as_registered_keeps_its_spelling_and_no_note() -> None:
    placed = place_minute(TAN_HOA, "Chi bộ Thôn 7", registry=REGISTRY)
    assert (placed.chi_bo, placed.note) == ("Chi bộ Thôn 7", None)


def test_a_name_no_unit_matches_is_asked_about_not_created() -> None:
    with pytest.raises(MinutesError) as e:
        place_minute(TAN_HOA, "Chi bộ Thôn Mới", registry=REGISTRY)
    assert e.value.code == "UNIT_UNKNOWN" and e.value.status == 409
    assert "Thôn Mới" in e.value.message and "tham số unit" in e.value.message


def test_a_chi_bo_name_found_in_two_dang_bo_is_ambiguous_without_its_dang_bo() -> None:
    with pytest.raises(MinutesError) as e:
        place_minute(None, "Chi bộ Thôn 1", registry=REGISTRY)
    assert e.value.code == "AMBIGUOUS_UNIT" and len(e.value.errors) == 2


def test_an_exact_spelling_beats_an_accent_variant() -> None:
    registry = [Known(TAN_HOA, "Chi bộ Thôn Đông"), Known(TAN_HOA, "Chi bộ Thôn Đồng")]
    assert place_minute(TAN_HOA, "Chi bộ Thôn Đồng", registry=registry).chi_bo == "Chi bộ Thôn Đồng"
    with pytest.raises(MinutesError) as e:
        place_minute(TAN_HOA, "Chi bo Thon Dong", registry=registry)
    assert e.value.code == "AMBIGUOUS_UNIT"


def test_a_clerks_minute_goes_to_their_chi_bo_when_it_names_it_or_names_none() -> None:
    for dang_bo, chi_bo in (("ĐẢNG BỘ XÃ TÂN HÒA", "CHỈ BỘ THÔN l"), (None, None), (TAN_HOA, None)):
        placed = place_minute(dang_bo, chi_bo, registry=REGISTRY, own=THON_1)
        assert (placed.dang_bo, placed.chi_bo, placed.how) == (TAN_HOA, "Chi bộ Thôn 1", "account")
    assert place_minute(None, None, registry=REGISTRY, own=THON_1).note == (
        "Biên bản ghi “không ghi đơn vị”; lưu vào “Chi bộ Thôn 1 — Đảng bộ xã Tân Hòa” theo đơn vị của tài khoản.")
    # another chi bộ stays another chi bộ: the caller's scope refuses it
    assert place_minute(TAN_HOA, "Chi bộ Thôn 7", registry=REGISTRY, own=THON_1).chi_bo == "Chi bộ Thôn 7"


def test_a_chosen_unit_wins() -> None:
    placed = place_minute(TAN_HOA, "Chi bộ Thôn Mới", registry=REGISTRY, chosen=DONG)
    assert (placed.chi_bo, placed.how) == ("Chi bộ Thôn Đông", "chosen")


def test_without_a_registry_names_are_kept_or_folded_onto_archive_spellings() -> None:
    archive = [Known("ĐẢNG BỘ XÃ TÂN HÒA", "CHI BỘ THÔN 1")]
    placed = place_minute("Đảng bộ xã Tân Hoà", "Chỉ bộ Thôn l", registry=[], archive=archive)
    assert (placed.dang_bo, placed.chi_bo, placed.how) == ("ĐẢNG BỘ XÃ TÂN HÒA", "CHI BỘ THÔN 1", "archive")
    # a letter off is a different unit as far as the archive can tell; a missing đảng bộ is not guessed
    assert place_minute(TAN_HOA, "Chi bộ Thôn 2", registry=[], archive=archive).chi_bo == "Chi bộ Thôn 2"
    assert place_minute(None, "Chi bộ Thôn 1", registry=[], archive=archive).dang_bo is None
    # nothing known at all: exactly as written
    assert place_minute("X", "Y", registry=[]).how == "text"


def test_a_registered_dang_bo_without_chi_bo_keeps_the_chi_bo_as_written() -> None:
    registry = [Known("Đảng bộ phường Bến Thành", None)]
    placed = place_minute("ĐẢNG BỘ PHƯỜNG BẾN THÀNH", "Chi bộ Khu phố 4", registry=registry)
    assert (placed.dang_bo, placed.chi_bo) == ("Đảng bộ phường Bến Thành", "Chi bộ Khu phố 4")
    with pytest.raises(MinutesError):
        place_minute("Đảng bộ xã Khác", "Chi bộ Khu phố 4", registry=registry)
