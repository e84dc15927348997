"""VNI: base letter plus one modifier character; tables, decoder and encoder. See service.nlp.legacy."""

from __future__ import annotations

import re

from service.nlp.legacy.marks import _DOT, _TONES, _nfc, _toned

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
