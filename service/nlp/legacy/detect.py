"""Which legacy encoding a text is typed in, and its repair. See service.nlp.legacy."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from service.nlp.legacy.syllables import _is_syllable
from service.nlp.legacy.tcvn3 import _PDF_BULLET, _PDF_MINUS, _T3_CODES, decode_tcvn3
from service.nlp.legacy.vni import _VNI_DECODE, _VNI_PAIRS, _vni_group_pattern, decode_vni

Encoding = Literal["tcvn3", "vni"]

# Latin-1 letters that Unicode (NFC) Vietnamese itself uses.
_VN_LATIN1 = frozenset("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")
_VNI_CHARS = frozenset("".join(_VNI_DECODE)) - frozenset("AEOUYaeouy")
_TRIGGERS = "".join(
    sorted((frozenset(_T3_CODES) | _VNI_CHARS | {_PDF_MINUS, _PDF_BULLET}) - _VN_LATIN1)
)
_WORD_CLASS = "A-Za-z" + re.escape(
    "".join(sorted(frozenset(_T3_CODES) | _VNI_CHARS | _VN_LATIN1 | {_PDF_MINUS, _PDF_BULLET}))
)
# VNI pairs that Unicode Vietnamese also contains (hoà, hoá, hoãn) prove nothing.
_VNI_STRONG_PAIRS = {
    seq: letter for seq, letter in _VNI_PAIRS.items() if seq.lower() not in ("oà", "oá", "oã")
}
_MARKER = f"[{re.escape(_TRIGGERS)}]|{_vni_group_pattern(_VNI_STRONG_PAIRS)}"
_FAST = re.compile(_MARKER)
_CANDIDATE = re.compile(f"(?<![{_WORD_CLASS}])[{_WORD_CLASS}]*?(?:{_MARKER})[{_WORD_CLASS}]*")
_UNI_VN_CHARS = "ĂăĐđĨĩŨũƠơƯư\u1ea0-\u1ef9\u0300-\u0303\u0306\u0309\u031b\u0323"
_UNICODE_WORD = re.compile(f"(?<!\\w)\\w*?[{_UNI_VN_CHARS}][\\w\u0300-\u036f]*")

_PLAIN_WORD = re.compile(
    f"(?<![{_WORD_CLASS}])[{_WORD_CLASS}]*?[{re.escape(''.join(sorted(_VN_LATIN1)))}]"
    f"[{_WORD_CLASS}]*"
)

#: Fewest distinct valid syllables, and smallest vote share, for a decision.
MIN_DISTINCT = 2
MIN_CONFIDENCE = 0.25


@lru_cache(maxsize=16384)
def _readings(token: str) -> tuple[str | None, str | None]:
    """The TCVN3 and VNI readings of a word that are real syllables (else None).

    A word without a legacy marker (only accents Unicode Vietnamese also uses, such
    as TCVN3 "héi") is read only if it is not already a valid Unicode syllable.
    """
    if len(token) < 2 or (_FAST.search(token) is None and _is_syllable(token)):
        return None, None
    t3 = decode_tcvn3(token)
    vni = decode_vni(token)
    return (
        t3.lower() if t3 != token and _is_syllable(t3) else None,
        vni.lower() if vni != token and _is_syllable(vni) else None,
    )


def _evidence(text: str) -> list[tuple[int, str | None, str | None]]:
    """(offset, TCVN3 reading, VNI reading) of the words that count as candidates.

    Marker words always count. Once a marker word has a valid reading, words that
    only carry Unicode-compatible accents count too when they read validly in a
    legacy encoding but not as Unicode (TCVN3 "héi" → "hội").
    """
    found = [(m.start(), *_readings(m.group())) for m in _CANDIDATE.finditer(text)]
    if any(t3 or vni for _, t3, vni in found):
        for m in _PLAIN_WORD.finditer(text):
            token = m.group()
            if _FAST.search(token) is None:
                t3, vni = _readings(token)
                if t3 or vni:
                    found.append((m.start(), t3, vni))
    return found


@dataclass(frozen=True)
class LegacyScore:
    """Word statistics behind a detection decision.

    ``candidates``: words with a legacy marker (a character Unicode Vietnamese never
    uses, or an impossible VNI vowel + modifier pair), plus, once one of those reads
    validly, words with only Unicode-compatible accents that are not valid syllables
    as they stand but are in a legacy reading (TCVN3 "héi"); ``tcvn3`` / ``vni``:
    candidates whose decoding is a well-formed Vietnamese syllable (the votes);
    ``tcvn3_distinct`` / ``vni_distinct``: distinct such syllables; ``unicode``: words
    carrying Vietnamese letters outside Latin-1 (ơ, ư, đ, ộ... or combining marks).

    Rule: the encoding with more votes wins (a tie decides nothing) if it has at least
    ``MIN_DISTINCT`` distinct syllables and its votes are at least ``MIN_CONFIDENCE``
    of all words bearing Vietnamese or legacy diacritics (``candidates + unicode``).
    """

    candidates: int = 0
    tcvn3: int = 0
    vni: int = 0
    tcvn3_distinct: int = 0
    vni_distinct: int = 0
    unicode: int = 0

    @property
    def confidence(self) -> float:
        """Share of the winning encoding's votes among diacritic-bearing words."""
        total = self.candidates + self.unicode
        return max(self.tcvn3, self.vni) / total if total else 0.0

    @property
    def encoding(self) -> Encoding | None:
        """The decision: the damaged encoding, or None."""
        if self.tcvn3 == self.vni:
            return None
        enc: Encoding = "tcvn3" if self.tcvn3 > self.vni else "vni"
        distinct = self.tcvn3_distinct if enc == "tcvn3" else self.vni_distinct
        if distinct < MIN_DISTINCT or self.confidence < MIN_CONFIDENCE:
            return None
        return enc


@dataclass
class _Tally:
    candidates: int = 0
    tcvn3: int = 0
    vni: int = 0
    unicode: int = 0
    t3_set: set[str] = field(default_factory=set)
    vni_set: set[str] = field(default_factory=set)

    def add(self, t3: str | None, vni: str | None) -> None:
        self.candidates += 1
        if t3 is not None:
            self.tcvn3 += 1
            self.t3_set.add(t3)
        if vni is not None:
            self.vni += 1
            self.vni_set.add(vni)

    def score(self) -> LegacyScore:
        return LegacyScore(
            self.candidates, self.tcvn3, self.vni, len(self.t3_set), len(self.vni_set),
            self.unicode,
        )


def legacy_score(text: str) -> LegacyScore:
    """Count the evidence for TCVN3 / VNI damage in ``text`` (see ``LegacyScore``)."""
    if not _FAST.search(text):
        return LegacyScore()
    tally = _Tally()
    for _, t3, vni in _evidence(text):
        tally.add(t3, vni)
    tally.unicode = len(_UNICODE_WORD.findall(text))
    return tally.score()


def detect_legacy(text: str) -> Encoding | None:
    """Say whether ``text`` is TCVN3- or VNI-damaged Vietnamese, or neither (None)."""
    return legacy_score(text).encoding


# --------------------------------------------------------------------------- repair
_DECODERS = {"tcvn3": decode_tcvn3, "vni": decode_vni}


def repair_legacy(text: str) -> tuple[str, Encoding | None]:
    """Decode the legacy-encoded parts of ``text``; return it and the encoding repaired.

    Lines are labelled legacy (more syllable votes than Unicode words), Unicode, or
    neutral (no evidence; takes the label of the nearest labelled line above, else
    below). Each run of legacy lines is decoded when its evidence passes the
    ``LegacyScore`` rule within the run; everything else is returned unchanged.
    """
    if not _FAST.search(text):
        return text, None
    lines = text.splitlines(keepends=True)
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line)
    tallies = [_Tally() for _ in lines]
    for pos, t3, vni in _evidence(text):
        tallies[bisect_right(starts, pos) - 1].add(t3, vni)
    if not any(t.tcvn3 or t.vni for t in tallies):
        return text, None
    for match in _UNICODE_WORD.finditer(text):
        tallies[bisect_right(starts, match.start()) - 1].unicode += 1

    labels: list[str | None] = []
    for tally in tallies:
        votes = max(tally.tcvn3, tally.vni)
        labels.append("L" if votes > tally.unicode else "U" if tally.unicode else None)
    first = next(label for label in labels if label)
    previous = first
    for i, label in enumerate(labels):
        if label is None:
            labels[i] = previous
        else:
            previous = label

    out: list[str] = []
    used: dict[Encoding, int] = {}
    i = 0
    while i < len(lines):
        if labels[i] != "L":
            out.append(lines[i])
            i += 1
            continue
        j = i
        run = _Tally()
        while j < len(lines) and labels[j] == "L":
            tally = tallies[j]
            run.candidates += tally.candidates
            run.tcvn3 += tally.tcvn3
            run.vni += tally.vni
            run.t3_set |= tally.t3_set
            run.vni_set |= tally.vni_set
            j += 1
        block = "".join(lines[i:j])
        enc = run.score().encoding
        if enc is None:
            out.append(block)
        else:
            out.append(_DECODERS[enc](block))
            used[enc] = used.get(enc, 0) + max(run.tcvn3, run.vni)
        i = j
    if not used:
        return text, None
    return "".join(out), max(used, key=lambda e: used[e])
