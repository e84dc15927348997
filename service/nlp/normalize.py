"""Text normalisation that every later step relies on.

The output text is what every span in a report points into. Steps, in order:
NFC, invisible characters, legacy-font repair (TCVN3/VNI), one tone-mark style
(hoà → hòa, uỷ → ủy), stray OCR marks, page headers and footers, and lines
broken in the middle of a sentence. Each step that changed something is named
in ``NormalizedText.steps``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from service.nlp.text import all_caps
from service.schema.spelling import fix_tone_marks

_INVISIBLE = {0x200B: None, 0x200C: None, 0x200D: None, 0xFEFF: None, 0x00AD: None,
              0x00A0: " ", 0x2007: " ", 0x202F: " ",
              # bidi marks, embeddings, overrides and isolates, word joiner: invisible, and they reorder names
              0x200E: None, 0x200F: None, 0x2060: None,
              **dict.fromkeys(range(8234, 8239)), **dict.fromkeys(range(8294, 8298))}

_PAGE_MARK = re.compile(
    r"^\s*(?:(?:trang|page|tr\.)\s*\d{1,3}\s*(?:/|trên|of)\s*\d{1,3}|-\s*\d{1,3}\s*-|"
    r"trang\s+\d{1,3})\s*$",
    re.IGNORECASE,
)
_STRAY_LINE = re.compile(r"^[\s'`.,~|¦_*^°•·\"]*$")
_STRAY_TAIL = re.compile(r"(?:\s{2,}[,.'`~|¦^]+|\s*[|¦]+|\s+[~^`]+)\s*$")
_STRAY_MARKS = ",.'`~|¦^"
_LIST_START = re.compile(
    r"^\s*(?:\d{1,2}(?:\.\d{1,2})*[.)/-]\s|[a-zđ][.)]\s|[-+•*–—]\s|\(\d{1,2}\)|[IVX]{1,4}[.)]\s)"
)
# Columns (signature blocks, tables): never joined with the next line.
_WIDE_GAP = re.compile(r"\S(?: {4,}|\t)\S|\|.*\|")


@dataclass(frozen=True)
class NormalizedText:
    """Normalised text with the steps that produced it."""

    text: str
    steps: list[str] = field(default_factory=list)
    legacy_encoding: str | None = None

    @property
    def sha256(self) -> str:
        """The SHA-256 of the text (UTF-8), in hex."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def _drop_ocr_marks(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        if line.strip() and _STRAY_LINE.match(line) and not line.strip() == "*":
            out.append("")
            continue
        # Only a line whose last mark is one of the stray ones can have a stray tail.
        tail = line.rstrip()[-1:]
        out.append(_STRAY_TAIL.sub("", line) if tail and tail in _STRAY_MARKS else line)
    return out


def _drop_page_marks(lines: list[str]) -> list[str]:
    out: list[str] = []
    skipping = False
    for line in lines:
        if _PAGE_MARK.match(line):
            # A page break: drop it with the blank lines around it so that a
            # sentence cut by the break can be joined again.
            while out and not out[-1].strip():
                out.pop()
            skipping = True
            continue
        if skipping and not line.strip():
            continue
        skipping = False
        out.append(line)
    return out


def _ends_open(line: str) -> bool:
    s = line.rstrip()
    if not s or s[-1] in ".:;!?\"”»)" and not s.endswith("đ/c"):
        return False
    # A line in capitals is a heading or a title, never half a sentence.
    return not all_caps(s)


def _starts_continuation(line: str) -> bool:
    s = line.lstrip()
    if not s or _LIST_START.match(s):
        return False
    c = s[0]
    return c.islower() or c in "(%" or (c.isdigit() and not re.match(r"\d{1,2}[.)]\s", s))


_ENDS_WITH_TITLE = re.compile(r"(?i)(?:đồng chí|đ/c|đc|dong chi|d/c)\s*$")
# A line that opens with its own label ("Trong đó: …", "Có mặt: 21 đ/c") starts a row of its own.
_LABEL_ROW = re.compile(r"^\s*[^\W\d_][^:\n]{0,28}:")


def _label_row(line: str) -> bool:
    return bool(_LABEL_ROW.match(line)) and line.lstrip()[:1].isupper()


def _rejoin_lines(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if (
            out
            and out[-1].strip()
            and _ends_open(out[-1])
            and (_starts_continuation(line) or (_ENDS_WITH_TITLE.search(out[-1]) and line.strip()))
            and not _WIDE_GAP.search(out[-1])
            and not _WIDE_GAP.search(line)
            and not (_label_row(line) and _label_row(out[-1]))
        ):
            out[-1] = out[-1].rstrip() + " " + line.strip()
        else:
            out.append(line)
    return out


# OCR reads "1" as "l" or "I" and "0" as "O" inside figures: "l5 đ/c", "0l", "l00%", "2O24".
_OCR_FIGURE = re.compile(r"(?<![^\W\d_])(?=[0-9lIO]*\d)(?=[0-9lIO]*[lIO])[0-9lIO]{2,}(?![^\W\d_])")
_FIGURE_BESIDE_LOOKALIKE = re.compile(r"\d[lIO]|[lIO]\d")
# … and a list numbered "l." at the start of a line beside "2.", "3.".
_OCR_ENUM = re.compile(r"(?m)^([^\S\n]*)l([.)/][^\S\n])(?=.*\n(?:.*\n)*?[^\S\n]*2[.)/][^\S\n])")


def _fix_ocr_figures(lines: list[str]) -> list[str]:
    text = "\n".join(lines)
    fixed = text
    # A run of figures and look-alikes that holds both touches them side by side somewhere: a quick test.
    if _FIGURE_BESIDE_LOOKALIKE.search(text):
        fixed = _OCR_FIGURE.sub(lambda m: m.group(0).translate(_DIGITS), text)
    fixed = _OCR_ENUM.sub(r"\g<1>1\2", fixed)
    return fixed.split("\n") if fixed != text else lines


_DIGITS = str.maketrans({"l": "1", "I": "1", "O": "0"})
# A dot leader between a label and its figure, as forms print them: "Tổng số đảng viên ...... 24 đ/c".
# A blank a template leaves ("Thư ký: ……") has no figure after it and stays as it is.
_DOT_LEADER = re.compile(r"(?<=[^\W\d_])[^\S\n]*:?[^\S\n]*(?:\.{4,}|…{2,})[^\S\n]*(?=\d|(?:không|Không|KHÔNG)\b)")


def _dot_leaders(lines: list[str]) -> list[str]:
    return [_DOT_LEADER.sub(": ", line) if "...." in line or "……" in line else line for line in lines]


def normalize(raw: str) -> NormalizedText:
    """Normalise raw minutes text; the result is what spans point into."""
    steps: list[str] = []
    text = unicodedata.normalize("NFC", raw)
    if text != raw:
        steps.append("nfc")
    legacy = None
    if any(ord(c) > 0x7F for c in text):
        # Before the invisible-character cleanup: in TCVN3 the soft hyphen is "ư".
        from service.nlp.legacy import repair_legacy

        repaired, legacy = repair_legacy(text)
        if legacy:
            text = unicodedata.normalize("NFC", repaired)
            steps.append(f"legacy:{legacy}")
    cleaned = text.translate(_INVISIBLE).replace("\r\n", "\n").replace("\r", "\n")
    if cleaned != text:
        steps.append("whitespace")
    text = cleaned
    toned = fix_tone_marks(text)
    if toned != text:
        steps.append("tone_marks")
    text = toned
    lines = text.split("\n")
    for name, fn in (
        ("ocr_marks", _drop_ocr_marks),
        ("page_marks", _drop_page_marks),
        ("dot_leaders", _dot_leaders),
        ("rejoin_lines", _rejoin_lines),
        ("ocr_figures", _fix_ocr_figures),
    ):
        new = fn(lines)
        if new != lines:
            steps.append(name)
        lines = new
    text = "\n".join(line.rstrip() for line in lines).strip("\n") + "\n"
    return NormalizedText(text=text, steps=steps, legacy_encoding=legacy)
