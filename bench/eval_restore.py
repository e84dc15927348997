"""How well diacritics are restored on text nobody wrote for the restorer.

usage: python -m bench.eval_restore [--lines 3000] [--window 8]

Lines of the independent minutes (corpora/dev, which the word counts are not built from;
lines mostly typed without diacritics are skipped) are folded to plain letters in windows
of a question's length and restored by ``service.search.query.restore``, as a question
typed without diacritics is. Reported for both modes (every word, and the words of two
syllables or more that queries use), in lower case and with the minute's capitals (as a
minute typed without diacritics is restored for embedding): the share of syllables
restored, and of those, the share spelled as in the minute (tone marks compared in one
placement style, case ignored).
"""

from __future__ import annotations

import argparse
import random
import re
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def load_lines(limit: int) -> list[list[str]]:
    """Word lists of accented lines of corpora/dev, shuffled with a fixed seed."""
    from service.search.query import fold

    lines = []
    for f in sorted((ROOT / "corpora" / "dev").glob("*.txt")):
        for line in f.read_text(encoding="utf-8").splitlines():
            words = _WORD.findall(unicodedata.normalize("NFC", line))
            if len(words) >= 4 and sum(w.lower() != fold(w) for w in words) >= 0.4 * len(words):
                lines.append(words)
    random.Random(7).shuffle(lines)
    return lines[:limit]


def strip_marks(word: str) -> str:
    """The word without diacritics, its capitals kept ("Chủ" → "Chu")."""
    plain = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
    return plain.replace("đ", "d").replace("Đ", "D")


def score(lines: list[list[str]], *, window: int, single: bool, cased: bool = False) -> tuple[int, int, int]:
    """(syllables, restored, restored right); ``cased`` keeps the capitals of the minute's words."""
    from service.schema.spelling import fix_tone_marks
    from service.search.query import fold, restore

    total = restored = right = 0
    for words in lines:
        for i in range(0, len(words), window):
            source = words[i:i + window]
            typed = [strip_marks(w) if cased else fold(w) for w in source]
            out = _WORD.findall(restore(" ".join(typed), single=single, capitals=cased)[0])
            if len(out) != len(source):
                continue
            for got, plain, want in zip(out, typed, source, strict=True):
                total += 1
                if got != plain:
                    restored += 1
                    right += fix_tone_marks(got.lower()) == fix_tone_marks(want.lower())
    return total, restored, right


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=3000)
    ap.add_argument("--window", type=int, default=8, help="words per restored piece (a question's length)")
    args = ap.parse_args()
    lines = load_lines(args.lines)
    print("| mode | syllables | restored | right of restored | wrong of all |")
    print("|---|---|---|---|---|")
    for single, cased, name in ((False, False, "words of 2+ syllables (queries)"), (True, False, "every word"),
                                (True, True, "every word, capitals as written (minutes)")):
        total, restored, right = score(lines, window=args.window, single=single, cased=cased)
        print(f"| {name} | {total:,} | {restored / total:.1%} | {right / restored:.1%} | "
              f"{(restored - right) / total:.1%} |")


if __name__ == "__main__":
    main()
