"""What part of a text is read as the minute: one, the first of two, a header alone, a cut-off fragment, none."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.check import check_text
from service.errors import InputError
from service.nlp.extent import measure
from service.nlp.language import detect
from service.nlp.normalize import normalize
from service.nlp.text import Doc

CORPORA = Path(__file__).resolve().parents[2] / "corpora"
WHOLE = sorted((CORPORA / "written").glob("c0[0-4]*.txt")) + sorted((CORPORA / "dev").glob("d0[0-2]*.txt"))


def _text(path: Path) -> str:
    return normalize(path.read_text(encoding="utf-8")).text


@pytest.mark.parametrize("path", WHOLE, ids=lambda p: p.name)
def test_a_whole_minute_is_read_whole(path: Path) -> None:
    text = _text(path)
    e = measure(Doc(text))
    assert e.is_minute and e.end == len(text) and not e.others and not e.header_only and e.cut_at is None


def test_two_minutes_in_one_file_are_read_as_the_first_and_reported() -> None:
    march, april = _text(CORPORA / "written" / "c001.txt"), _text(CORPORA / "written" / "c002.txt")
    alone = check_text(march)
    both = check_text(march + "\n\n\n" + april)
    assert both.record.meeting == alone.record.meeting and both.record.attendance == alone.record.attendance
    found = [f for f in both.findings if f.rule == "DOC-MULTIPLE"]
    assert len(found) == 1 and found[0].severity == "error" and "2 biên bản" in found[0].message
    assert found[0].span is not None and found[0].span[0] > len(march)
    assert not both.complete


def test_a_minute_cut_mid_sentence_says_so_and_quotes_the_cut() -> None:
    text = _text(CORPORA / "written" / "c001.txt")
    at = text.index(" ", len(text) // 2)
    while text[at - 1] in ".,;:" or not text[at + 1].islower():
        at = text.index(" ", at + 1)
    cut = text[:at + 1 + len(text[at + 1:].split()[0])]
    report = check_text(cut)
    found = [f for f in report.findings if f.rule == "DOC-TRUNCATED"]
    assert len(found) == 1 and found[0].severity == "warning"
    assert found[0].span is not None and cut[found[0].span[0]:found[0].span[1]].strip().endswith(cut.split()[-1])
    assert not [f for f in check_text(text).findings if f.rule == "DOC-TRUNCATED"]


def test_a_header_alone_is_one_clear_error() -> None:
    text = "\n".join(_text(CORPORA / "written" / "c001.txt").split("\n")[:6])
    assert "BIÊN BẢN" in text.upper()
    report = check_text(text)
    assert [f.rule for f in report.findings if f.rule.startswith("DOC-")] == ["DOC-HEADER-ONLY"]
    assert report.record.meeting.chi_bo  # what the header says is still read


@pytest.mark.parametrize("text, says", [
    ("Minutes of the Board Meeting. Present: the chair, the secretary and 8 directors. The budget was approved.",
     "tiếng Anh"),
    ("Cách nấu phở bò: ninh xương sáu tiếng, nêm nước mắm vừa ăn, chần bánh phở rồi chan nước dùng.",
     "không có dấu hiệu"),
    ("Protokoll der Sitzung vom Montag über den Haushalt und die Planung für das nächste Jahr.", "không phải tiếng Việt"),
])
def test_a_text_that_is_no_minute_is_refused_with_the_reason(text: str, says: str) -> None:
    with pytest.raises(InputError) as e:
        check_text(text)
    assert e.value.code == "NOT_MINUTES" and e.value.status == 422 and says in e.value.message


def test_an_unaccented_minute_is_a_minute() -> None:
    text = _text(CORPORA / "written" / "c004.txt")  # typed without diacritics
    assert detect(text).code == "vi" and not detect(text).accented
    assert measure(Doc(text)).is_minute


@pytest.mark.parametrize("text, code, accented", [
    ("Chi bộ thống nhất biểu quyết 100%", "vi", True),
    ("chi bo thong nhat bieu quyet", "vi", False),
    ("What did the cell decide about party fees?", "en", False),
    ("1234 5678", "other", False),
])
def test_language(text: str, code: str, accented: bool) -> None:
    assert (detect(text).code, detect(text).accented) == (code, accented)
