"""Sparse BM25 vectors over Vietnamese word segments, with and without diacritics.

A text becomes three families of terms, each hashed into one sparse space:

- ``w:`` the word segments of underthesea, lower-cased, with diacritics
  ("nông_thôn", "mới"): an exact match on the written word;
- ``f:`` every syllable folded to ASCII ("nong", "thon", "moi"), so a query
  typed without diacritics still finds the words;
- ``b:`` adjacent folded syllables ("nong_thon", "thon_moi"), which keep the
  word order that folding alone loses.

A document term carries the BM25 term-frequency part,
``tf·(k1+1) / (tf + k1·(1 − b + b·dl/avgdl))``, with ``dl`` the number of
syllables. A query term carries its family weight. The index applies IDF
(Qdrant's ``Modifier.IDF``), so the score of a document is its BM25 score.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

SPARSE_VERSION = "bm25-vi-v1"

_SYLLABLE = re.compile(r"[^\W_]+", re.UNICODE)
_FOLD = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lower-case and drop diacritics: "Nông thôn Mới" → "nong thon moi"; đ → d."""
    decomposed = unicodedata.normalize("NFD", text.lower().translate(_FOLD))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def has_diacritics(text: str) -> bool:
    """Whether the text has any diacritic or đ."""
    return fold(text) != text.lower()


def term_id(term: str) -> int:
    """A stable 32-bit id for a term (Qdrant sparse indices are u32)."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=4).digest(), "little")


@dataclass(frozen=True)
class SparseVector:
    """Term ids and their weights, position by position."""

    indices: list[int]
    values: list[float]


@dataclass(frozen=True)
class Bm25Params:
    """BM25 constants and the weight of each term family."""

    k1: float = 1.2
    b: float = 0.75
    avg_len: float = 120.0  # syllables in a typical chunk
    exact_weight: float = 1.0
    folded_weight: float = 1.0
    bigram_weight: float = 1.0


def _segment_default(text: str) -> list[str]:
    from underthesea import word_tokenize

    words: list[str] = word_tokenize(text)
    return words


class SparseEncoder:
    """Turns text into BM25 document and query vectors.

    ``segment`` splits a line into words (underthesea by default); it is loaded
    on first use so importing this module stays cheap.
    """

    def __init__(self, params: Bm25Params | None = None,
                 segment: Callable[[str], list[str]] | None = None) -> None:
        self.params = params or Bm25Params()
        self._segment = segment or _segment_default
        self._lock = threading.Lock()

    def terms(self, text: str) -> tuple[Counter[str], int]:
        """Term counts of ``text`` and its length in syllables."""
        text = unicodedata.normalize("NFC", text)
        counts: Counter[str] = Counter()
        n_syll = 0
        for line in text.splitlines():
            if not line.strip():
                continue
            with self._lock:  # underthesea's tagger is not thread-safe
                words = self._segment(line)
            prev: str | None = None
            for word in words:
                sylls = _SYLLABLE.findall(word.lower())
                if not sylls:
                    prev = None  # punctuation breaks a bigram
                    continue
                counts["w:" + "_".join(sylls)] += 1
                for s in sylls:
                    f = fold(s)
                    counts["f:" + f] += 1
                    if prev is not None:
                        counts[f"b:{prev}_{f}"] += 1
                    prev = f
                    n_syll += 1
        return counts, n_syll

    def _weight(self, term: str) -> float:
        p = self.params
        return {"w": p.exact_weight, "f": p.folded_weight, "b": p.bigram_weight}[term[0]]

    def encode_document(self, text: str) -> SparseVector:
        """The BM25 document vector: each term's weighted term-frequency part."""
        counts, n = self.terms(text)
        p = self.params
        norm = p.k1 * (1.0 - p.b + p.b * n / p.avg_len)
        acc: dict[int, float] = {}
        for term, tf in counts.items():
            w = self._weight(term) * tf * (p.k1 + 1.0) / (tf + norm)
            tid = term_id(term)
            acc[tid] = acc.get(tid, 0.0) + w
        return _vector(acc)

    def encode_query(self, text: str) -> SparseVector:
        """The query vector: each distinct term at its family's weight."""
        counts, _ = self.terms(text)
        acc: dict[int, float] = {}
        for term in counts:
            tid = term_id(term)
            acc[tid] = acc.get(tid, 0.0) + self._weight(term)
        return _vector(acc)

    def query_words(self, text: str) -> list[str]:
        """The folded syllables of a query, for highlighting."""
        counts, _ = self.terms(text)
        return [t[2:] for t in counts if t.startswith("f:")]


def _vector(acc: dict[int, float]) -> SparseVector:
    keys = sorted(acc)
    return SparseVector(indices=keys, values=[acc[k] for k in keys])


def simple_segment(text: str) -> list[str]:
    """Whitespace segmentation, for tests that must not load underthesea."""
    return text.split()
