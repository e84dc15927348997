import pytest

from service.nlp.numerals import parse_count, parse_percent, words_to_int


@pytest.mark.parametrize("words,value", [
    ("hai mươi lăm", 25), ("ba mươi mốt", 31), ("mười hai", 12), ("một trăm", 100),
    ("hai mươi tư", 24), ("bốn trăm mười một", 411), ("một trăm linh năm", 105), ("không", 0),
    ("muoi hai", 12),
])
def test_words(words, value):
    assert words_to_int(words) == value


def test_words_that_are_not_numbers_in_accented_text():
    assert words_to_int("sau") == 6  # without diacritics it may be "sáu"
    assert words_to_int("năm học") is None
    assert words_to_int("sau đó") is None


def test_counts_and_percents():
    assert parse_count("03") == 3
    assert parse_count("17/17") == 17
    assert parse_percent("95,5") == 95.5
    assert parse_percent("93.76%") == 93.76
