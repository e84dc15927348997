"""Is a word a well-formed Vietnamese syllable? (initial + rhyme, spelling rules, tone on stop finals)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from service.nlp.legacy.marks import _ACUTE, _DOT, _TONE_SET, _nfc

_RHYME_LIST = """
    a ac ach ai am an ang anh ao ap at au ay ăc ăm ăn ăng ăp ăt
    âc âm ân âng âp ât âu ây e ec em en eng eo ep et ê êch êm ên ênh êp êt êu
    i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu
    o oc oi om on ong op ot oa oac oach oai oam oan oang oanh oao oap oat oay
    oăc oăm oăn oăng oăt oe oen oeo oet ooc oong ô ôc ôi ôm ôn ông ôp ôt
    ơ ơi ơm ơn ơp ơt u uc ui um un ung up ut ua uân uâng uât uây uê uêch uênh
    uơ uy uya uych uyên uyêt uynh uyt uyu uôc uôi uôm uôn uông uôt
    ư ưc ưi ưm ưng ưt ưu ưa ươc ươi ươm ươn ương ươp ươt ươu y yêm yên yêt yêu
"""
_RHYMES = frozenset(_RHYME_LIST.split())
_INITIALS = (
    "ngh", "ng", "gh", "gi", "kh", "nh", "ph", "th", "tr", "ch", "qu",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
)
_FRONT = frozenset("ieêy")


def _rhyme_ok(initial: str, rhyme: str, tone: str) -> bool:
    if initial == "qu":
        ok = bool(rhyme) and ("u" + rhyme in _RHYMES or "o" + rhyme in _RHYMES)
    elif initial == "gi":
        ok = rhyme == "" or rhyme in _RHYMES or "i" + rhyme in _RHYMES
    else:
        ok = rhyme in _RHYMES
    if not ok:
        return False
    head = rhyme[:1]
    if initial in ("k", "gh", "ngh") and head not in _FRONT:
        return False
    if initial in ("c", "g", "ng") and head in _FRONT:
        return False
    if initial == "" and rhyme.startswith("iê"):
        return False
    # Syllables closed by a stop take only the sắc or nặng tone.
    return tone in (_ACUTE, _DOT) or not rhyme.endswith(("c", "ch", "p", "t"))


@lru_cache(maxsize=16384)
def _is_syllable(word: str) -> bool:
    """Is ``word`` a well-formed Vietnamese syllable (any case, NFC or NFD)?"""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [c for c in decomposed if c in _TONE_SET]
    if len(tones) > 1:
        return False
    tone = tones[0] if tones else ""
    bare = _nfc("".join(c for c in decomposed if c not in _TONE_SET))
    for initial in _INITIALS:
        if bare.startswith(initial) and _rhyme_ok(initial, bare[len(initial):], tone):
            return True
    return False
