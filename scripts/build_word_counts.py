"""Write service/search/data/word_counts.tsv: how often each word occurs in chi bộ minutes.

The counts decide between spellings when diacritics are restored ("dang" → "đảng" in
minutes, not "đang"). Sources: the generated minutes of corpora/search/minutes and the
real phrasings of corpora/phrasings (patterns from published minutes and reports).
Words are single syllables, the 2–3-syllable words of underthesea's Viet74K list, and
any pair of syllables seen together at least three times ("đất lúa", "chấp đất").

usage: python scripts/build_word_counts.py
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import underthesea

from service.schema.spelling import fix_tone_marks

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "service" / "search" / "data" / "word_counts.tsv"
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_SLOT = re.compile(r"\{[A-Z_]+\}")


def texts() -> list[str]:
    out = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpora" / "search" / "minutes").glob("*.txt"))]
    for p in sorted((ROOT / "corpora" / "phrasings").glob("*.jsonl")):
        for line in p.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(_SLOT.sub(" , ", json.loads(line)["pattern"]))
    return out


def main() -> None:
    lexicon = {fix_tone_marks(unicodedata.normalize("NFC", w.strip().lower()))
               for w in (Path(underthesea.__file__).parent / "corpus" / "data" / "Viet74K.txt")
               .read_text(encoding="utf-8").splitlines()}
    counts: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    for text in texts():
        for line in re.split(r"[\n.,;:!?()\"“”]+", unicodedata.normalize("NFC", text)):
            words = [fix_tone_marks(w.lower()) for w in _WORD.findall(line)]
            for i in range(len(words)):
                counts[words[i]] += 1
                for k in (2, 3):
                    gram = " ".join(words[i:i + k])
                    if i + k <= len(words):
                        (counts if gram in lexicon else pairs if k == 2 else Counter())[gram] += 1
    counts.update({g: n for g, n in pairs.items() if n >= 3 and g not in counts})
    rows = sorted(((w, n) for w, n in counts.items() if n >= 2), key=lambda r: (-r[1], r[0]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("# word\tcount (scripts/build_word_counts.py: corpora/search/minutes, corpora/phrasings)\n"
                   + "".join(f"{w}\t{n}\n" for w, n in rows), encoding="utf-8")
    print(f"{len(rows)} words → {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
