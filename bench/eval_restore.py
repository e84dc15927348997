"""How well diacritics are restored on text nobody wrote for the restorer.

usage: python -m bench.eval_restore [--lines 3000] [--window 8]

Lines of the independent minutes (corpora/dev, which the word counts are not built from;
lines mostly typed without diacritics are skipped) lose their diacritics and are restored
two ways: in lower-case pieces of a question's length by ``service.search.query.restore``
(the words of two syllables or more that questions use, and every word), and as whole
lines with their capitals and punctuation by ``restore_text``, as a minute typed without
diacritics is before it is embedded. Reported: the share of syllables restored, and of
those, the share spelled as in the minute (tone marks compared in one placement style,
case ignored).
"""

from __future__ import annotations

import argparse
import random
import re
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def load_lines(limit: int) -> list[str]:
    """Accented lines (NFC) of corpora/dev, shuffled with a fixed seed."""
    from service.search.query import has_diacritics

    lines = []
    for f in sorted((ROOT / "corpora" / "dev").glob("*.txt")):
        for line in f.read_text(encoding="utf-8").splitlines():
            line = unicodedata.normalize("NFC", line)
            words = _WORD.findall(line)
            if len(words) >= 4 and sum(map(has_diacritics, words)) >= 0.4 * len(words):
                lines.append(line)
    random.Random(7).shuffle(lines)
    return lines[:limit]


def strip_marks(text: str) -> str:
    """The text without diacritics, capitals and punctuation kept ("Chủ trì:" → "Chu tri:")."""
    plain = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", plain.replace("đ", "d").replace("Đ", "D"))


def _tally(got: list[str], typed: list[str], want: list[str], counts: list[int]) -> None:
    from service.schema.spelling import fix_tone_marks

    if len(got) != len(want):
        return
    for g, plain, w in zip(got, typed, want, strict=True):
        counts[0] += 1
        if g != plain:
            counts[1] += 1
            counts[2] += fix_tone_marks(g.lower()) == fix_tone_marks(w.lower())


def score(lines: list[str], *, window: int, single: bool) -> tuple[int, int, int]:
    """(syllables, restored, restored right) for lower-case pieces of ``window`` words, as questions come."""
    from service.search.query import fold, restore

    counts = [0, 0, 0]
    for line in lines:
        words = _WORD.findall(line)
        for i in range(0, len(words), window):
            source = words[i:i + window]
            typed = [fold(w) for w in source]
            _tally(_WORD.findall(restore(" ".join(typed), single=single)[0]), typed, source, counts)
    return counts[0], counts[1], counts[2]


def score_minute_lines(lines: list[str]) -> tuple[int, int, int]:
    """The same for whole lines with their capitals and punctuation, through ``restore_text`` as a minute is."""
    from service.search.query import restore_text

    counts = [0, 0, 0]
    for line in lines:
        typed = strip_marks(line)
        _tally(_WORD.findall(restore_text(typed)), _WORD.findall(typed), _WORD.findall(line), counts)
    return counts[0], counts[1], counts[2]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=3000)
    ap.add_argument("--window", type=int, default=8, help="words per restored piece (a question's length)")
    args = ap.parse_args()
    lines = load_lines(args.lines)
    print("| mode | syllables | restored | right of restored | wrong of all |")
    print("|---|---|---|---|---|")
    for name, (total, restored, right) in (
            ("questions: words of 2+ syllables", score(lines, window=args.window, single=False)),
            ("questions: every word", score(lines, window=args.window, single=True)),
            ("minute lines as written (restore_text)", score_minute_lines(lines))):
        print(f"| {name} | {total:,} | {restored / total:.1%} | {right / restored:.1%} | "
              f"{(restored - right) / total:.1%} |")


if __name__ == "__main__":
    main()
