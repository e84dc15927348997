"""Which language a text is in, and whether its Vietnamese carries tone marks.

Cheap, offline and good enough for a sentence or a page: Vietnamese letters (ă, ơ, ư, đ
and the tone-marked vowels) decide between accented Vietnamese and the rest; among
unaccented text, the share of common English or Vietnamese function words decides.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Letters only Vietnamese among Latin-script languages writes (after NFC).
_VIET_LETTERS = frozenset("ăâđêôơưĂÂĐÊÔƠƯ")
# Vietnamese tone and vowel marks as combining characters (grave, acute, tilde, hook, dot
# below; circumflex, breve, horn): a German ü or a French ç is not Vietnamese.
_VIET_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b")
_EN = frozenset("the and of to in is was were are be for with on at by this that from as it an or not have has "
                "had will meeting minutes member members present absent chair secretary resolution party cell "
                "what who when where which how".split())
# Unaccented Vietnamese function words and minute words ("cua", "cac", "dong chi" …).
_VI = frozenset("va cua cac nhung duoc trong cho voi da la co khong nay ve tu den khi thi ma de nam thang ngay "
                "chi bo dang vien dong bien ban sinh hoat nghi quyet thu ky chu tri hop gio phut tai "
                "nguoi viec cong tac nhiem vu thuc hien".split())

Code = Literal["vi", "en", "other"]


@dataclass(frozen=True)
class Language:
    """The language of a text, and whether its Vietnamese carries tone marks."""

    code: Code
    accented: bool  # Vietnamese written with its marks (False for unaccented Vietnamese and other languages)


def _has_viet_marks(word: str) -> bool:
    if any(c in _VIET_LETTERS for c in word):
        return True
    return any(c in _VIET_MARKS for c in unicodedata.normalize("NFD", word))


def detect(text: str) -> Language:
    """The language of ``text`` (its first 5,000 characters).

    >>> detect("Chi bộ thống nhất 100%").code, detect("chi bo thong nhat").accented
    ('vi', False)
    """
    words = _WORD.findall(text[:5000])
    if not words:
        return Language("other", False)
    marked = sum(1 for w in words if _has_viet_marks(w))
    if marked / len(words) >= 0.2:
        return Language("vi", True)
    lower = [w.lower() for w in words]
    en = sum(1 for w in lower if w in _EN)
    vi = sum(1 for w in lower if w in _VI)
    if vi > en and vi / len(words) >= 0.1:
        return Language("vi", marked > 0)
    if en / len(words) >= 0.1:
        return Language("en", False)
    return Language("other", False)
