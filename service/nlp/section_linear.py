"""The section classifier's forward pass without spaCy: hashed n-gram counts times a weight table.

The shipped model (models/section_classifier) is spaCy's bag-of-words text classifier
(TextCatBOW.v3): whitespace tokens hashed as spaCy hashes strings, unigrams and bigrams,
each key counted once per distinct key, two MurmurHash3 buckets per key into a weight
table of ``length`` rows per label, a bias, a softmax. ``python -m service.nlp.section_model
export`` writes that table beside the model (``linear.json`` and the zlib-packed float32
``linear.bin``); reading it here costs a few milliseconds and no numpy, where importing
spaCy costs more than a second at every ``minutes check``.
The test suite checks that both give the same scores.
"""

from __future__ import annotations

import json
import math
import sys
import zlib
from array import array
from functools import lru_cache
from pathlib import Path

_M64 = 0xC6A4A7935BD1E995
_MASK64 = (1 << 64) - 1
_MASK32 = (1 << 32) - 1


def murmur64a(data: bytes, seed: int) -> int:
    """MurmurHash64A, as spaCy hashes strings (seed 1) and thinc hashes n-grams (seed 0)."""
    h = (seed ^ (len(data) * _M64)) & _MASK64
    full = len(data) // 8 * 8
    for i in range(0, full, 8):
        k = (int.from_bytes(data[i:i + 8], "little") * _M64) & _MASK64
        k ^= k >> 47
        k = (k * _M64) & _MASK64
        h = ((h ^ k) * _M64) & _MASK64
    tail = data[full:]
    if tail:
        h ^= int.from_bytes(tail, "little")
        h = (h * _M64) & _MASK64
    h ^= h >> 47
    h = (h * _M64) & _MASK64
    return h ^ (h >> 47)


def _rotl32(x: int, r: int) -> int:
    return ((x << r) | (x >> (32 - r))) & _MASK32


def murmur3_32_u64(key: int, seed: int) -> int:
    """MurmurHash3 x86 32-bit of one 64-bit key, as thinc's sparse linear layer picks a bucket."""
    h = seed
    for k in (key & _MASK32, key >> 32):
        k = _rotl32((k * 0xCC9E2D51) & _MASK32, 15)
        h ^= (k * 0x1B873593) & _MASK32
        h = (_rotl32(h, 13) * 5 + 0xE6546B64) & _MASK32
    h ^= 8
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _MASK32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _MASK32
    return h ^ (h >> 16)


@lru_cache(maxsize=65536)
def _word_key(word: str) -> int:
    return murmur64a(word.encode("utf-8"), 1)


@lru_cache(maxsize=262144)
def _gram_key(unigrams: tuple[int, ...]) -> int:
    return murmur64a(b"".join(u.to_bytes(8, "little") for u in unigrams), 0)


def ngram_keys(text: str, size: int, symbols: dict[str, int] | None = None) -> dict[int, int]:
    """Each distinct n-gram key (1 to ``size`` tokens) of ``text`` with how often it occurs.

    ``symbols`` are the strings spaCy numbers itself ("dep", "num", …) instead of hashing them.
    """
    table = symbols or {}
    unigrams = [table[w] if w in table else _word_key(w) for w in text.split()]
    keys = list(unigrams)
    for n in range(2, size + 1):
        keys.extend(_gram_key(tuple(unigrams[i:i + n])) for i in range(len(unigrams) - n + 1))
    counts: dict[int, int] = {}
    for k in keys:
        counts[k] = counts.get(k, 0) + 1
    return counts


class LinearTextClassifier:
    """Scores of each label for a text, from the exported weight table."""

    def __init__(self, labels: list[str], weights: array[float], bias: list[float], ngram_size: int,
                 symbols: dict[str, int] | None = None) -> None:
        self.labels = labels
        self.symbols = symbols or {}
        self.weights = weights  # float32, bucket-major: weights[bucket * len(labels) + label]
        self.bias = bias
        self.ngram_size = ngram_size
        self.length = len(weights) // max(1, len(labels))
        self._rows = lru_cache(maxsize=262144)(self._rows_of)

    @classmethod
    def load(cls, meta_path: Path) -> LinearTextClassifier:
        """Read ``linear.json`` and the table it names."""
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        weights = array("f", zlib.decompress((meta_path.parent / meta["weights"]).read_bytes()))
        if sys.byteorder != "little":
            weights.byteswap()
        if len(weights) != len(meta["labels"]) * meta["length"]:
            raise ValueError(f"{meta_path}: the weight table does not match its labels and length")
        return cls(list(meta["labels"]), weights, [float(b) for b in meta["bias"]], int(meta["ngram_size"]),
                   {str(k): int(v) for k, v in (meta.get("symbols") or {}).items()})

    @staticmethod
    def save(meta_path: Path, labels: list[str], weights: bytes, bias: list[float], ngram_size: int,
             length: int, symbols: dict[str, int]) -> None:
        """Write the table (float32 little-endian, bucket-major) and its description."""
        table = meta_path.with_suffix(".bin")
        table.write_bytes(zlib.compress(weights, 9))
        meta_path.write_text(json.dumps({"labels": labels, "bias": bias, "ngram_size": ngram_size, "length": length,
                                         "weights": table.name, "symbols": symbols}, ensure_ascii=False, indent=1),
                             encoding="utf-8")

    def _rows_of(self, key: int) -> tuple[float, ...]:
        """What one key adds to each label: its two buckets' rows, summed."""
        n = len(self.labels)
        a, b = (murmur3_32_u64(key, seed) % self.length * n for seed in (0, 1))
        return tuple(x + y for x, y in zip(self.weights[a:a + n], self.weights[b:b + n], strict=True))

    def scores(self, text: str) -> dict[str, float]:
        """Each label's probability for ``text``: a softmax over the bias plus the weights of its n-grams."""
        rows = [self._rows(key) for key, count in ngram_keys(text, self.ngram_size, self.symbols).items()
                for _ in range(count)]
        if not rows:
            total = list(self.bias)
        else:  # a column's sum per label, in C, rather than one list per n-gram
            total = [b + sum(col) for b, col in zip(self.bias, zip(*rows, strict=True), strict=True)]
        top = max(total)
        exp = [math.exp(t - top) for t in total]
        norm = sum(exp)
        return {label: e / norm for label, e in zip(self.labels, exp, strict=True)}
