"""MemoryIndex: a small, exact, in-process SearchIndex for tests and development.

Dense scores are cosines over a deterministic hashed bag of words (no model);
sparse scores are the share of query words found in a chunk, with and without
diacritics; hybrid fuses both rankings by reciprocal rank. Give it a ``path``
and it keeps its chunks in one JSON file, replaced atomically on every write,
so it survives a restart or a killed process. It is not a production backend.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import threading
import unicodedata
from dataclasses import asdict
from pathlib import Path

from service.search.base import Chunk, SearchFilter, SearchHit, SearchQuery
from service.search.encoding import day_number, oldest

DIM = 256
_WORD = re.compile(r"\w+", re.UNICODE)
_RRF_K = 60


def fold(text: str) -> str:
    """Lower-case and drop diacritics ("Nông thôn" → "nong thon"); đ becomes d."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> set[str]:
    low = unicodedata.normalize("NFC", text.lower())
    return set(_WORD.findall(low)) | set(_WORD.findall(fold(low)))


def _embed(text: str) -> list[float]:
    vec = [0.0] * DIM
    for w in _words(text):
        h = hashlib.blake2b(w.encode("utf-8"), digest_size=4).digest()
        n = int.from_bytes(h, "little")
        vec[n % DIM] += 1.0 if (n >> 16) & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vec)) or 1.0
    return [v / norm for v in vec]


def _matches(c: Chunk, f: SearchFilter) -> bool:
    if f.dang_bo is not None and c.dang_bo not in f.dang_bo:
        return False
    if f.chi_bo is not None and c.chi_bo not in f.chi_bo:
        return False
    day = day_number(c.date)
    lo, hi = day_number(f.date_from), day_number(f.date_to, end=True)
    if lo is not None and (day is None or day < lo):
        return False
    if hi is not None and (day is None or day > hi):
        return False
    if f.meeting_type and c.meeting_type != f.meeting_type:
        return False
    return not (f.section and c.section != f.section)


class MemoryIndex:
    """Exact search over chunks held in a dict; optionally persisted to one JSON file."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else None
        self._lock = threading.Lock()
        self._chunks: dict[str, Chunk] = {}
        self._vectors: dict[str, list[float]] = {}
        self._words: dict[str, set[str]] = {}
        if self.path and self.path.exists():
            for row in json.loads(self.path.read_text(encoding="utf-8")):
                row["span"] = tuple(row["span"])
                row["facets"] = tuple(row.get("facets") or ())
                self._add(Chunk(**row))

    def _add(self, c: Chunk) -> None:
        self._chunks[c.id] = c
        self._vectors[c.id] = _embed(c.embed_text)
        self._words[c.id] = _words(c.embed_text)

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump([asdict(c) for c in self._chunks.values()], fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    def upsert(self, chunks: list[Chunk]) -> None:
        """Add chunks, replacing those with the same id, and rewrite the file if there is one."""
        with self._lock:
            for c in chunks:
                self._add(c)
            self._save()

    def delete_minute(self, minute_id: str) -> None:
        """Remove every chunk of the minute and rewrite the file if there is one."""
        with self._lock:
            gone = [cid for cid, c in self._chunks.items() if c.minute_id == minute_id]
            for cid in gone:
                del self._chunks[cid], self._vectors[cid], self._words[cid]
            if gone:
                self._save()

    def minute_ids(self) -> set[str]:
        """Every minute with at least one chunk in the index."""
        return set(self.minute_versions())

    def minute_versions(self) -> dict[str, int]:
        """Every indexed minute with the oldest chunk version among its chunks."""
        out: dict[str, int] = {}
        with self._lock:
            oldest(out, ((c.minute_id, c.version) for c in self._chunks.values()))
        return out

    def search(self, query: SearchQuery) -> list[SearchHit]:
        """Score every chunk that passes the filter and return the requested page, best first."""
        qvec = _embed(query.text)
        qwords = _words(query.text)
        with self._lock:
            chunks = {cid: c for cid, c in self._chunks.items() if _matches(c, query.filter)}
            dense = {cid: sum(a * b for a, b in zip(qvec, self._vectors[cid], strict=True)) for cid in chunks}
            sparse = {cid: len(qwords & self._words[cid]) / max(len(qwords), 1) for cid in chunks}
        if query.mode == "dense":
            scores = dense
        elif query.mode == "sparse":
            scores = {cid: s for cid, s in sparse.items() if s > 0}
        else:
            scores = {}
            for ranking in (dense, {cid: s for cid, s in sparse.items() if s > 0}):
                for rank, cid in enumerate(sorted(ranking, key=lambda k: (-ranking[k], k))):
                    scores[cid] = scores.get(cid, 0.0) + 1.0 / (_RRF_K + rank + 1)
        ordered = sorted(scores, key=lambda k: (-scores[k], k))[query.offset:query.offset + query.limit]
        hits = []
        for cid in ordered:
            c = chunks[cid]
            hits.append(SearchHit(chunk_id=cid, minute_id=c.minute_id, score=scores[cid], section=c.section,
                                  span=c.span, chi_bo=c.chi_bo, dang_bo=c.dang_bo, date=c.date, text=c.text))
        return hits

    def count(self) -> int:
        """Number of chunks held."""
        with self._lock:
            return len(self._chunks)

    def close(self) -> None:
        """Nothing to release."""
        return None
