"""Detect and repair Vietnamese typed with legacy 8-bit fonts (TCVN3/ABC and VNI).

Documents typed with the old fonts (.VnTime, .VnArial... for TCVN3; VNI-Times... for
VNI) reach us as the Windows-1252 / Latin-1 reading of their bytes, e.g. TCVN3
``Céng hoµ x· héi`` or VNI ``Coäng hoøa xaõ hoäi`` for "Cộng hoà xã hội".

Tables
    TCVN3 is the VN3 set of TCVN 5712:1993: all lower-case letters plus only seven
    capitals (Ă Â Ê Ô Ơ Ư Đ) at 0xA1-0xA7. It has no capitals with tone marks: the
    capital-only fonts (.VnTimeH, .VnArialH...) draw the lower-case code points as
    capitals. Decoding therefore yields lower case for those code points, except in a
    word or line typed in capitals (see ``decode_tcvn3``), or everywhere with
    ``caps_font=True``. Encoding a capital with a tone mark writes the lower-case code
    point, so ``decode_tcvn3(encode_tcvn3("Á"))`` is ``"á"``. The VN1-only slots
    (capitals with tones, 0x80-0x9F, 0xC0-0xC5...) and the combining tone marks at
    0xB0-0xB4 are not part of VN3 and are left as they are.

    VNI writes a base letter followed by one modifier character (tone, circumflex +
    tone, breve + tone), with single characters for đ, ơ, ư, the toned i and ỵ.
    The modifier of a capital is the upper-case modifier; both cases are accepted.

    The tables were cross-checked against public converters (TCVN 5712 table of the
    X.Org X-TrueType module, and independent keyboard/converter tables).

Detection (``detect_legacy``)
    Only words containing a character that real Unicode Vietnamese never uses
    (e.g. ``µ § ® ¸ Ö Ü ñ ä``) or a VNI "vowel + modifier" pair impossible in
    Unicode Vietnamese (``oä aø eâ``) are candidates. A candidate votes for an
    encoding when its decoding in that encoding is a well-formed Vietnamese syllable
    (initial consonant + rhyme, spelling rules, one tone, stop finals with sắc/nặng
    only). See ``LegacyScore`` for the decision rule.

Soft hyphen
    TCVN3 stores "ư" at 0xAD, the soft hyphen, which extraction tools and
    normalisers often drop. When it is gone "ươ" becomes "ơ"; the decoder puts the
    "ư" back where the rhyme left behind cannot exist (ơng, ơc, ơu: "trêng" →
    "trường"). A lone "ư" (tư, như) cannot be recovered once the soft hyphen is lost.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

Encoding = Literal["tcvn3", "vni"]

__all__ = [
    "Encoding",
    "LegacyScore",
    "decode_tcvn3",
    "decode_vni",
    "detect_legacy",
    "encode_tcvn3",
    "encode_vni",
    "legacy_score",
    "repair_legacy",
]

# Combining tone marks, in the column order of the tables below.
_GRAVE, _HOOK, _TILDE, _ACUTE, _DOT = "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"
_TONES = (_GRAVE, _HOOK, _TILDE, _ACUTE, _DOT)
_TONE_SET = frozenset(_TONES)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _toned(base: str, tone: str) -> str:
    return _nfc(base + tone)


# --------------------------------------------------------------------------- TCVN3
# Toned lower-case vowels: tones grave, hook, tilde, acute, dot (code points 0xB5-0xFE).
_T3_TONED = {
    "a": "\xb5\xb6\xb7\xb8\xb9",
    "ă": "\xbb\xbc\xbd\xbe\xc6",
    "â": "\xc7\xc8\xc9\xca\xcb",
    "e": "\xcc\xce\xcf\xd0\xd1",
    "ê": "\xd2\xd3\xd4\xd5\xd6",
    "i": "\xd7\xd8\xdc\xdd\xde",
    "o": "\xdf\xe1\xe2\xe3\xe4",
    "ô": "\xe5\xe6\xe7\xe8\xe9",
    "ơ": "\xea\xeb\xec\xed\xee",
    "u": "\xef\xf1\xf2\xf3\xf4",
    "ư": "\xf5\xf6\xf7\xf8\xf9",
    "y": "\xfa\xfb\xfc\xfd\xfe",
}
# Untoned letters with diacritics: the lower case and the seven capitals VN3 has.
_T3_PLAIN = {
    "ă": "\xa8", "â": "\xa9", "ê": "\xaa", "ô": "\xab", "ơ": "\xac", "ư": "\xad", "đ": "\xae",
    "Ă": "\xa1", "Â": "\xa2", "Ê": "\xa3", "Ô": "\xa4", "Ơ": "\xa5", "Ư": "\xa6", "Đ": "\xa7",
}

_T3_TO_LOWER: dict[str, str] = {code: letter for letter, code in _T3_PLAIN.items()}
for _base, _codes in _T3_TONED.items():
    for _code, _tone in zip(_codes, _TONES, strict=True):
        _T3_TO_LOWER[_code] = _toned(_base, _tone)
_T3_TO_UPPER = {code: letter.upper() for code, letter in _T3_TO_LOWER.items()}
_T3_LOWER_TABLE = str.maketrans(_T3_TO_LOWER)
_T3_UPPER_TABLE = str.maketrans(_T3_TO_UPPER)

_T3_ENCODE: dict[str, str] = {}
for _code, _letter in _T3_TO_LOWER.items():
    _T3_ENCODE[_letter] = _code
    # Capitals with tone marks have no code point of their own in VN3.
    _T3_ENCODE.setdefault(_letter.upper(), _code)
_T3_ENCODE_TABLE = str.maketrans(_T3_ENCODE)

_T3_CODES = "".join(sorted(_T3_TO_LOWER))
_T3_CAPITALS = "".join(_T3_PLAIN[c] for c in "ĂÂÊÔƠƯĐ")
# PDF text layers sometimes map the 0xAD (ư) and 0xB7 (ã) glyphs to these.
_PDF_MINUS, _PDF_BULLET = "\u2212", "\u2219"

_T3_WORD_CHARS = "A-Za-z" + re.escape(_T3_CODES)
_T3_WORD = re.compile(f"[{_T3_WORD_CHARS}]+")
_T3_PDF = re.compile(f"(?<=[{_T3_WORD_CHARS}])[{_PDF_MINUS}{_PDF_BULLET}]")
_ASCII_LOWER = re.compile("[a-z]")
_CAPS_EVIDENCE = re.compile(f"[A-Z{re.escape(_T3_CAPITALS)}]")

# "ươ" whose "ư" (soft hyphen) was lost, before a final that "ơ" alone never takes.
_HORN_O = "ơờởỡớợ"
_LOST_U = re.compile(
    f"(?<![ưƯ])([{_HORN_O}{_HORN_O.upper()}])(?=(?i:ng|c|u)(?![^\\W\\d_]))"
)


def _restore_lost_u(match: re.Match[str]) -> str:
    vowel = match.group(1)
    return ("ư" if vowel.islower() else "Ư") + vowel


def _t3_word(match: re.Match[str]) -> str:
    word = match.group()
    if _ASCII_LOWER.search(word) is None and len(_CAPS_EVIDENCE.findall(word)) >= 2:
        return word.translate(_T3_UPPER_TABLE)
    return word.translate(_T3_LOWER_TABLE)


def _t3_line(line: str) -> str:
    if _ASCII_LOWER.search(line) is None and len(_CAPS_EVIDENCE.findall(line)) >= 2:
        return line.translate(_T3_UPPER_TABLE)
    return _T3_WORD.sub(_t3_word, line)


def decode_tcvn3(text: str, *, caps_font: bool = False) -> str:
    """Decode TCVN3 (ABC, VN3) text read as Latin-1 into NFC Unicode.

    Code points shared by a lower-case letter and its capital decode to lower case,
    except in a line without ASCII lower-case letters (and at least two capitals) or
    a word of at least two capitals and no ASCII lower case ("CéNG" → "CỘNG"), which
    is how text typed in a .VnTimeH-style capital font looks. ``caps_font=True``
    says the whole text is in such a font and upper-cases everything.
    """
    if _PDF_MINUS in text or _PDF_BULLET in text:
        text = _T3_PDF.sub(lambda m: "\xad" if m.group() == _PDF_MINUS else "\xb7", text)
    if caps_font:
        out = text.translate(_T3_UPPER_TABLE).upper()
    else:
        out = "".join(_t3_line(line) for line in text.splitlines(keepends=True))
    out = _LOST_U.sub(_restore_lost_u, out)
    return _nfc(out)


def encode_tcvn3(text: str) -> str:
    """Encode Unicode Vietnamese as TCVN3 text read as Latin-1 (for test data).

    Capitals with tone marks share their lower-case code point (VN3 has none), so
    they come back as lower case unless the word is written in capitals.
    """
    return _nfc(text).translate(_T3_ENCODE_TABLE)


# ----------------------------------------------------------------------------- VNI
# Modifiers in the column order grave, hook, tilde, acute, dot; (lower, upper).
_VNI_TONE = ("\xf8\xfb\xf5\xf9\xef", "\xd8\xdb\xd5\xd9\xcf")  # ø û õ ù ï
_VNI_CIRC = ("\xe2", "\xc2")  # â: circumflex alone
_VNI_CIRC_TONE = ("\xe0\xe5\xe3\xe1\xe4", "\xc0\xc5\xc3\xc1\xc4")  # à å ã á ä
_VNI_BREVE = ("\xea", "\xca")  # ê: breve alone
_VNI_BREVE_TONE = ("\xe8\xfa\xfc\xe9\xeb", "\xc8\xda\xdc\xc9\xcb")  # è ú ü é ë
_VNI_I_TONE = ("\xec\xe6\xf3\xed\xf2", "\xcc\xc6\xd3\xcd\xd2")  # ì æ ó í ò (single chars)
_VNI_SINGLE = {"đ": "\xf1", "ơ": "\xf4", "ư": "\xf6", "ỵ": "\xee"}  # ñ ô ö î


def _vni_sequences() -> dict[str, str]:
    """Map every lower- and upper-case Vietnamese letter to its VNI spelling."""
    table: dict[str, str] = {}
    for case in (0, 1):

        def cased(s: str, _case: int = case) -> str:
            return s.upper() if _case else s

        for letter, code in _VNI_SINGLE.items():
            table[cased(letter)] = code if case == 0 else code.upper()
        for base, horn in (("ơ", _VNI_SINGLE["ơ"]), ("ư", _VNI_SINGLE["ư"])):
            for tone, mod in zip(_TONES, _VNI_TONE[case], strict=True):
                table[cased(_toned(base, tone))] = (horn.upper() if case else horn) + mod
        for tone, code in zip(_TONES, _VNI_I_TONE[case], strict=True):
            table[cased(_toned("i", tone))] = code
        for base in "aeouy":
            for tone, mod in zip(_TONES, _VNI_TONE[case], strict=True):
                if base == "y" and tone == _DOT:
                    continue  # ỵ is a single character
                table[cased(_toned(base, tone))] = cased(base) + mod
        for base in "aeo":
            hat = _nfc(base + "\u0302")
            table[cased(hat)] = cased(base) + _VNI_CIRC[case]
            for tone, mod in zip(_TONES, _VNI_CIRC_TONE[case], strict=True):
                table[cased(_toned(hat, tone))] = cased(base) + mod
        table[cased("ă")] = cased("a") + _VNI_BREVE[case]
        for tone, mod in zip(_TONES, _VNI_BREVE_TONE[case], strict=True):
            table[cased(_toned("ă", tone))] = cased("a") + mod
    return table


_VNI_ENCODE = _vni_sequences()
_VNI_ENCODE_TABLE = str.maketrans(_VNI_ENCODE)
_VNI_DECODE: dict[str, str] = {}
for _letter, _seq in _VNI_ENCODE.items():
    if len(_seq) == 2:
        # Accept the modifier in either case; the base letter decides the case.
        for _mod in {_seq[1].lower(), _seq[1].upper()}:
            _VNI_DECODE.setdefault(_seq[0] + _mod, _letter)
    elif _seq != _letter:
        _VNI_DECODE[_seq] = _letter


def _vni_group_pattern(pairs: dict[str, str]) -> str:
    """Regex alternation ``[bases][modifiers]`` grouped by modifier set."""
    by_base: dict[str, set[str]] = {}
    for seq in pairs:
        by_base.setdefault(seq[0], set()).add(seq[1])
    groups: dict[str, str] = {}
    for base, mods in by_base.items():
        key = "".join(sorted(mods))
        groups[key] = groups.get(key, "") + base
    return "|".join(
        f"[{re.escape(''.join(sorted(bases)))}][{re.escape(mods)}]"
        for mods, bases in sorted(groups.items())
    )


_VNI_PAIRS = {seq: letter for seq, letter in _VNI_DECODE.items() if len(seq) == 2}
_VNI_SINGLES = "".join(sorted(seq for seq in _VNI_DECODE if len(seq) == 1))
_VNI_RE = re.compile(f"{_vni_group_pattern(_VNI_PAIRS)}|[{re.escape(_VNI_SINGLES)}]")


def decode_vni(text: str) -> str:
    """Decode VNI text read as Latin-1 into NFC Unicode (base + modifier, greedily)."""
    return _nfc(_VNI_RE.sub(lambda m: _VNI_DECODE[m.group()], text))


def encode_vni(text: str) -> str:
    """Encode Unicode Vietnamese as VNI text read as Latin-1 (for test data)."""
    return _nfc(text).translate(_VNI_ENCODE_TABLE)


# ----------------------------------------------------------- syllable well-formedness
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


# ------------------------------------------------------------------------ detection
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
