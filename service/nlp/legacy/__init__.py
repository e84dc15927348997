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

from service.nlp.legacy.detect import Encoding, LegacyScore, detect_legacy, legacy_score, repair_legacy
from service.nlp.legacy.tcvn3 import decode_tcvn3, encode_tcvn3
from service.nlp.legacy.vni import decode_vni, encode_vni

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
