"""One spelling of Vietnamese words for every layer: tone marks on the main vowel.

Minutes write "hoà" and "hòa", "Thuỷ" and "Thủy"; unit keys, search terms and the reader
compare them as one. This module has no dependency beyond the standard library, so the
schema (unit keys) and the reader (normalisation) share it.
"""

from __future__ import annotations

import re

# Old-style tone placement on the glide (hoà, thuý) → the placement on the main
# vowel (hòa, thúy), as in the 2018 orthography rules used by party documents.
_OLD_TONE = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}
_OLD_TONE_ALL = {**_OLD_TONE, **{k.upper(): v.upper() for k, v in _OLD_TONE.items()}}
_OLD_TONE_ALL.update({k[0].upper() + k[1]: v[0].upper() + v[1] for k, v in _OLD_TONE.items()})
# Character classes rather than an alternation of every pair: one pass over the text either way, but
# a class is tested in one step. A pair the table lacks (e.g. "oÀ") is left as it is.
_OLD_TONE_RE = re.compile(
    r"(?<![qQ])([oO][àáảãạèéẻẽẹÀÁẢÃẠÈÉẺẼẸ]|[uU][ỳýỷỹỵỲÝỶỸỴ])(?![^\W\d_])"
)


def fix_tone_marks(text: str) -> str:
    """Move old-style tone marks to the main vowel (hoà → hòa, Thuỷ → Thủy)."""
    return _OLD_TONE_RE.sub(lambda m: _OLD_TONE_ALL.get(m.group(1), m.group(1)), text)
